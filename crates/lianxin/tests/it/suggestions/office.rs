//! Notices to everyone concerned, the congress's reply classes, merging (并案) and key items'
//! reminders.

use super::*;

#[tokio::test]
async fn everyone_concerned_is_told_of_each_step_and_the_actor_is_not() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (id, item) = draft_with_cosigner(&app, cid, "老街排水。").await;
    assert_eq!(
        notices_of(&app, "changwei", id).await,
        ["suggestion_invited"]
    );
    assert!(
        notices_of(&app, "deputy", id).await.is_empty(),
        "not told of one's own act"
    );
    submit_and_assign(&app, &item).await;
    assert_eq!(
        notices_of(&app, "daibiao", id).await,
        ["suggestion_submitted"]
    );
    assert_eq!(
        notices_of(&app, "deputy", id).await,
        ["suggestion_registered", "suggestion_assigned"]
    );
    for unit_user in ["chengban", "fuzeren"] {
        assert_eq!(
            notices_of(&app, unit_user, id).await,
            ["suggestion_assigned"],
            "{unit_user}"
        );
    }
    let outbox_before = app.count("SELECT COUNT(*) FROM outbox").await;
    reply(&app, &item, "A", "已完成改造。").await;
    assert!(
        notices_of(&app, "deputy", id)
            .await
            .ends_with(&["suggestion_replied".to_string()])
    );
    assert!(
        notices_of(&app, "changwei", id)
            .await
            .ends_with(&["suggestion_replied".to_string()]),
        "copied to the co-signer"
    );
    // The reply also reaches the deputies outside the system where they can be reached.
    // Every account of the two deputies' persons (a person may hold more than one account).
    let accounts: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM users WHERE person_id IN (SELECT person_id FROM users WHERE username IN ('deputy', 'changwei'))",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    let mut contacts = std::collections::HashSet::new();
    for (uid,) in accounts {
        if let Some(c) =
            lianxin::people::contact_of_user(&app.state.db, lianxin::platform::ids::UserId(uid))
                .await
                .unwrap()
        {
            contacts.insert(c);
        }
    }
    // One message per phone or address, however many accounts lead to it.
    let reachable = contacts.len() as i64;
    assert!(reachable > 0, "the demo deputies have contact details");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox").await - outbox_before,
        reachable
    );
    let mut deputy = app.login("deputy").await;
    deputy
        .post_form(&format!("{item}/rate"), &[("rating", "satisfied")])
        .await;
    assert!(
        notices_of(&app, "chengban", id)
            .await
            .ends_with(&["suggestion_rated".to_string()])
    );
    let mut inbox = app.login("changwei").await;
    assert!(
        inbox
            .get("/inbox")
            .await
            .text()
            .contains("邀请您联名提出建议")
    );
}

#[tokio::test]
async fn a_congress_with_three_reply_classes_offers_no_class_c() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    sqlx::query(
        "INSERT INTO congress_settings (congress_id, key, value, source_kind, source_text, decided_on, updated_at, updated_by) \
         SELECT $1, 'suggestion.reply_classes', 'solved_in_progress_reference', 'own_decision', '主任会议决定', '2026-01-05', 0, id FROM users WHERE username = 'daibiao'",
    )
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let (id, item) = draft_with_cosigner(&app, cid, "老街排水。").await;
    submit_and_assign(&app, &item).await;
    let mut head = app.login("fuzeren").await;
    let page = head.get(&item).await.text();
    assert!(page.contains("<option value=\"D\">") && !page.contains("<option value=\"C\">"));
    let r = head
        .post_form(
            &format!("{item}/reply"),
            &[("class", "C"), ("body", "暂无法解决")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(state_of(&app, id).await, "assigned", "nothing changed");
    reply(&app, &item, "D", "留作参考。").await;
    assert_eq!(state_of(&app, id).await, "replied");
}

#[tokio::test]
async fn a_merged_suggestion_is_assigned_and_answered_with_its_primary_and_rated_on_its_own() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (first, first_item) = draft_with_cosigner(&app, cid, "老街排水管网老化，雨天积水。").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .post_form(
            &format!("/c/{cid}/suggestions"),
            &[
                ("title", "关于解决青石镇老街雨天积水的建议"),
                ("content", "老街排水不畅，雨天积水严重。"),
                ("category", "urban_construction"),
            ],
        )
        .await;
    let second = id_from(&r.location());
    let second_item = format!("/c/{cid}/suggestions/{second}");
    for item in [&first_item, &second_item] {
        let r = deputy.post_form(&format!("{item}/submit"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let mut office = app.login("daibiao").await;
    for item in [&first_item, &second_item] {
        office
            .post_form(
                &format!("{item}/review"),
                &[("decision", "register"), ("reason", "")],
            )
            .await;
    }
    // Refusals change nothing.
    let r = office
        .post_form(
            &format!("{second_item}/merge"),
            &[("into", &second.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = office
        .post_form(&format!("{second_item}/merge"), &[("into", "999999")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("没有找到要并案的建议"));
    let mut unit = app.login("chengban").await;
    let r = unit
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions/{second}/actions"),
            serde_json::json!({"action": "merge", "into": first}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only the office merges");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE id = {second} AND merged_into IS NOT NULL"
        ))
        .await,
        0
    );

    // Merged, then assigned with the first and answered with it.
    let r = office
        .post_form(
            &format!("{second_item}/merge"),
            &[("into", &first.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        office
            .get(&first_item)
            .await
            .text()
            .contains("id=\"merged-here\"")
    );
    let unit_id = chengban_unit(&app).await;
    office
        .post_form(
            &format!("{first_item}/assign"),
            &[("lead_unit", &unit_id.to_string())],
        )
        .await;
    assert_eq!(state_of(&app, second).await, "assigned");
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM suggestion_units WHERE suggestion_id = {second} AND unit_id = {unit_id} AND role = 'lead' AND active = 1")).await,
        1
    );
    reply(&app, &first_item, "A", "已完成老街排水管网改造。").await;
    assert_eq!(state_of(&app, second).await, "replied");
    let (body,): (String,) =
        sqlx::query_as("SELECT body FROM suggestion_replies WHERE suggestion_id = $1")
            .bind(second)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(body, "已完成老街排水管网改造。");
    // Each deputy rates their own.
    deputy
        .post_form(&format!("{second_item}/rate"), &[("rating", "unsatisfied")])
        .await;
    assert_eq!(state_of(&app, second).await, "rehandling");
    assert_eq!(
        state_of(&app, first).await,
        "replied",
        "the first is untouched"
    );
    // An assigned item takes no more merges into others.
    let r = office
        .post_form(
            &format!("{first_item}/merge"),
            &[("into", &second.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_office_hears_of_a_key_items_deadline_before_it_is_overdue() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (id, item) = draft_with_cosigner(&app, cid, "老街排水。").await;
    submit_and_assign(&app, &item).await;
    let (plain, plain_item) = {
        let mut deputy = app.login("deputy").await;
        let r = deputy
            .post_form(
                &format!("/c/{cid}/suggestions"),
                &[
                    ("title", "关于金田镇路灯维修的建议"),
                    ("content", "多处路灯不亮。"),
                    ("category", "public_safety"),
                ],
            )
            .await;
        let plain = id_from(&r.location());
        (plain, format!("/c/{cid}/suggestions/{plain}"))
    };
    submit_and_assign(&app, &plain_item).await;
    let mut office = app.login("daibiao").await;
    let r = office
        .post_form(
            &format!("{item}/key"),
            &[("supervisor", "常委会副主任 王明"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Due 2 June; on 18 May (15 days ahead) the office hears of the key item only.
    app.clock.advance(chrono::Duration::days(77));
    lianxin::suggestions::reminders::run(
        &app.state.db,
        app.state.clock.today(),
        app.state.clock.now_ms(),
    )
    .await
    .unwrap();
    let due = |sid: i64| {
        let pool = app.state.db.pool.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'daibiao' AND n.kind = 'suggestion_due' AND n.link LIKE $1",
            )
            .bind(format!("%/suggestions/{sid}"))
            .fetch_one(&pool)
            .await
            .unwrap();
            n
        }
    };
    assert_eq!(due(id).await, 1);
    assert_eq!(
        due(plain).await,
        0,
        "ordinary items: the units hear, the office not yet"
    );
}

/// Assigning an item assigns the items merged into it in the same transaction (issue 18): when
/// a merged item's assignment cannot be written, the primary is not assigned either.
#[tokio::test]
async fn a_primary_and_its_merged_items_are_assigned_together_or_not_at_all() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut deputy = app.login("deputy").await;
    let mut office = app.login("daibiao").await;
    let mut ids = Vec::new();
    for title in [
        "关于整治城北农贸市场占道经营的建议",
        "关于规范城北农贸市场周边秩序的建议",
    ] {
        let r = deputy
            .post_form(
                &format!("/c/{cid}/suggestions"),
                &[
                    ("title", title),
                    ("content", "市场周边占道经营，交通拥堵。"),
                    ("category", "urban_construction"),
                ],
            )
            .await;
        let id = id_from(&r.location());
        let item = format!("/c/{cid}/suggestions/{id}");
        deputy.post_form(&format!("{item}/submit"), &[]).await;
        office
            .post_form(
                &format!("{item}/review"),
                &[("decision", "register"), ("reason", "")],
            )
            .await;
        ids.push(id);
    }
    let (first, second) = (ids[0], ids[1]);
    let r = office
        .post_form(
            &format!("/c/{cid}/suggestions/{second}/merge"),
            &[("into", &first.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let when = format!("NEW.suggestion_id = {second}");
    refuse_writes(
        &app,
        "units_fail",
        "BEFORE INSERT ON suggestion_units",
        &when,
    )
    .await;
    let unit_id = chengban_unit(&app).await;
    let r = office
        .post_form(
            &format!("/c/{cid}/suggestions/{first}/assign"),
            &[("lead_unit", &unit_id.to_string())],
        )
        .await;
    assert!(r.status.is_server_error(), "{}", r.status);
    assert_eq!(state_of(&app, first).await, "registered");
    assert_eq!(state_of(&app, second).await, "registered");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM suggestion_units WHERE suggestion_id IN ({first}, {second})"
        ))
        .await,
        0
    );
}
