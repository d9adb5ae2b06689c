//! The lifecycle from draft to delivery across the deputy, the office and the unit; returns
//! within and after the window; reminders, and silence that is not satisfaction.

use super::*;

#[tokio::test]
async fn a_suggestion_goes_from_draft_to_delivery_across_deputy_office_and_unit() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    make_deputy(&app, "changwei", cid).await;
    let cosigner = name_of(&app, "changwei").await;
    let mut deputy = app.login("deputy").await;
    let base = format!("/c/{cid}/suggestions");

    // Drafting: bad input changes nothing.
    let before = app.count("SELECT COUNT(*) FROM suggestions").await;
    let r = deputy
        .post_form(
            &base,
            &[
                ("title", ""),
                ("content", ""),
                ("category", "health"),
                ("cosigners", "查无此人"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("此项必须填写"));
    assert_eq!(app.count("SELECT COUNT(*) FROM suggestions").await, before);
    let r = deputy
        .post_form(
            &base,
            &[
                ("title", "关于青石镇卫生院增设儿科门诊的建议"),
                (
                    "content",
                    "青石镇卫生院没有儿科，家长需到城区就诊，往返两小时。建议增设儿科门诊。",
                ),
                ("category", "health"),
                ("cosigners", &cosigner),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = id_from(&r.location());
    let item = format!("{base}/{id}");

    // Submission waits for the co-signer's consent; the refusal is audited and changes nothing.
    let r = deputy.post_form(&format!("{item}/submit"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("还有附议代表未表态"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE id = {id} AND state = 'draft'"
        ))
        .await,
        1
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'suggestions.submit' AND outcome = 'failed'").await, 1);
    let mut co = app.login("changwei").await;
    assert!(co.get(&item).await.text().contains("id=\"accept\""));
    assert_eq!(
        co.post_form(&format!("{item}/consent"), &[("accept", "1")])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        deputy
            .post_form(&format!("{item}/submit"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );

    // The office registers (numbered) and assigns; the deadline is 3 months on the calendar.
    let mut office = app.login("daibiao").await;
    assert!(
        office
            .get(&format!("{base}?state=submitted"))
            .await
            .text()
            .contains("儿科门诊")
    );
    let r = office
        .post_form(
            &format!("{item}/review"),
            &[("decision", "register"), ("reason", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let unit: i64 = chengban_unit(&app).await;
    let foreign: i64 = app
        .count(&format!(
            "SELECT MIN(id) FROM organizations WHERE congress_id <> {cid}"
        ))
        .await;
    let r = office
        .post_form(
            &format!("{item}/assign"),
            &[("lead_unit", &foreign.to_string())],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a unit of another congress is refused"
    );
    assert!(r.text().contains("只能交办给本级的承办单位"));
    let r = office
        .post_form(
            &format!("{item}/assign"),
            &[("lead_unit", &unit.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = office.get(&item).await.text();
    let number = app
        .count(&format!("SELECT number FROM suggestions WHERE id = {id}"))
        .await;
    assert!(
        number >= 1 && page.contains(&format!("第{number}号")),
        "numbered"
    );
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM suggestions WHERE number = {number} AND period_key = (SELECT period_key FROM suggestions WHERE id = {id})")).await,
        1,
        "the number is unique in its period"
    );
    assert!(
        page.contains("2026年6月2日"),
        "2 March + 3 months (代表法第五十一条)"
    );
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM deadlines WHERE module = 'suggestions' AND item_id = {id} AND kind = 'reply' AND due_on = '2026-06-02' AND closed_at IS NULL")).await, 1);

    // The unit: operator records a contact but may not sign the reply; the head signs it.
    let mut operator = app.login("chengban").await;
    assert!(
        operator.get(&base).await.text().contains("儿科门诊"),
        "on the unit's list"
    );
    let r = operator
        .post_form(
            &format!("{item}/contact"),
            &[
                ("on_date", "2026-03-02"),
                ("form", "visit"),
                ("content", "到卫生院与代表一同察看"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = operator
        .post_form(&format!("{item}/reply"), &[("class", "B"), ("body", "x")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut head = app.login("fuzeren").await;
    let r = head
        .post_form(&format!("{item}/reply"), &[("class", ""), ("body", "")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reply needs its class"
    );
    let r = head
        .post_form(
            &format!("{item}/reply"),
            &[
                ("class", "B"),
                ("body", "已列入2026年卫生院提升计划，年内开设儿科门诊。"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The deputy: unsatisfied once reopens it; the second reply is accepted.
    let r = co
        .post_form(&format!("{item}/rate"), &[("rating", "satisfied")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "only the lead deputy rates"
    );
    deputy
        .post_form(&format!("{item}/rate"), &[("rating", "unsatisfied")])
        .await;
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE id = {id} AND state = 'rehandling'"
        ))
        .await,
        1
    );
    head.post_form(
        &format!("{item}/reply"),
        &[("class", "B"), ("body", "已落实场地和医生，9月开诊。")],
    )
    .await;
    deputy
        .post_form(&format!("{item}/rate"), &[("rating", "satisfied")])
        .await;
    let r = deputy
        .post_form(&format!("{item}/rate"), &[("rating", "satisfied")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a second evaluation is refused"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE id = {id} AND state = 'closed'"
        ))
        .await,
        1
    );

    // Class B: counted as delivered only once the unit reports it and the office verifies.
    let delivered = |html: String| -> i64 {
        html.split("id=\"stat-delivered\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let before = delivered(office.get(&base).await.text());
    operator.post_form(&format!("{item}/delivery"), &[]).await;
    assert_eq!(
        delivered(office.get(&base).await.text()),
        before,
        "reported is not yet delivered"
    );
    office.post_form(&format!("{item}/delivery"), &[]).await;
    assert_eq!(
        delivered(office.get(&base).await.text()),
        before + 1,
        "verified is"
    );
    let history = office.get(&item).await.text();
    for step in ["起草", "提交", "立案", "交办", "答复", "评价", "核实已解决"] {
        assert!(history.contains(step), "{step}");
    }

    // Others: general-office staff have no suggestions pages; a town's staff do not see the district's.
    let mut general = app.login("bangong").await;
    assert_eq!(general.get(&base).await.status, StatusCode::FORBIDDEN);
    let mut town = app.login("town_deputy").await;
    assert_eq!(town.get(&item).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_unit_may_return_only_within_the_window_and_the_api_drives_the_same_machine() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            serde_json::json!({"title": "关于白沙镇老旧小区加装电梯的建议", "content": "建议简化审批。", "category": "urban_construction"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let act = format!("/api/v1/congresses/{cid}/suggestions/{id}/actions");
    assert_eq!(
        deputy
            .json("POST", &act, serde_json::json!({"action": "submit"}))
            .await
            .json()["state"],
        "submitted"
    );
    let r = deputy
        .json("POST", &act, serde_json::json!({"action": "register"}))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "a deputy cannot register");
    let mut office = app.login("daibiao").await;
    assert_eq!(
        office
            .json("POST", &act, serde_json::json!({"action": "register"}))
            .await
            .json()["state"],
        "registered"
    );
    let unit: i64 = chengban_unit(&app).await;
    let r = office
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "assign", "lead_unit": unit, "complex": true}),
        )
        .await;
    assert_eq!(r.json()["state"], "assigned");
    let detail = office
        .get(&format!("/api/v1/congresses/{cid}/suggestions/{id}"))
        .await
        .json();
    assert_eq!(
        detail["suggestion"]["due_on"], "2026-09-02",
        "complex: six months"
    );
    assert!(detail["suggestion"]["number"].as_i64().unwrap() >= 1);
    // Ten days later the 5-working-day return window has passed.
    app.clock.advance(chrono::Duration::days(10));
    let mut operator = app.login("chengban").await;
    let r = operator
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "unit_return", "reason": "不属于本单位职责"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("已超过退办期限"));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE id = {id} AND state = 'assigned'"
        ))
        .await,
        1
    );
    assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'suggestions.unit_return' AND outcome = 'failed'").await >= 1);
}

#[tokio::test]
async fn a_return_within_the_window_goes_back_to_the_office_with_its_reason() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (id, act) = registered_through_api(&app, cid, serde_json::json!({"title": "关于增设公交站点的建议", "content": "建议在工业园区增设站点。", "category": "urban_construction"})).await;
    let mut deputy = app.login("deputy").await;
    let mut office = app.login("daibiao").await;
    let unit: i64 = chengban_unit(&app).await;
    office
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "assign", "lead_unit": unit}),
        )
        .await;
    let mut operator = app.login("chengban").await;
    let r = operator
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "unit_return", "reason": ""}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a return needs its reason"
    );
    let r = operator
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "unit_return", "reason": "属交通运输局职责"}),
        )
        .await;
    assert_eq!(r.json()["state"], "unit_returned");
    // The unit no longer sees it; the deputy sees who returned it and why.
    assert_eq!(
        operator
            .get(&format!("/api/v1/congresses/{cid}/suggestions/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let page = deputy
        .get(&format!("/c/{cid}/suggestions/{id}"))
        .await
        .text();
    assert!(page.contains("属交通运输局职责") && page.contains("退办待重新交办"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM deadlines WHERE item_id = {id} AND module = 'suggestions' AND closed_at IS NULL")).await, 0);
}

#[tokio::test]
async fn reminders_come_15_and_3_days_ahead_and_when_overdue_and_silence_is_not_satisfaction() {
    use lianxin::platform::clock::Clock;
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let (id, act) = registered_through_api(&app, cid, serde_json::json!({"title": "关于金田镇路灯维修的建议", "content": "多处路灯不亮。", "category": "public_safety"})).await;
    let mut office = app.login("daibiao").await;
    let unit: i64 = chengban_unit(&app).await;
    office
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "assign", "lead_unit": unit}),
        )
        .await;
    let link = format!("/c/{cid}/suggestions/{id}");
    let notices = |kind: &'static str| {
        let link = link.clone();
        let pool = app.state.db.pool.clone();
        async move {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE link = $1 AND kind = $2")
                    .bind(link)
                    .bind(kind)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            n
        }
    };
    let run = |days: i64| {
        app.clock.advance(chrono::Duration::days(days));
        lianxin::suggestions::reminders::run(&app.state.db, app.clock.today(), app.clock.now_ms())
    };
    // Due 2026-06-02. On 18 May (15 days ahead) and 30 May (3 days) the unit's two accounts hear.
    run(77).await.unwrap();
    assert_eq!(app.clock.today().to_string(), "2026-05-18");
    assert_eq!(notices("suggestion_due").await, 2);
    run(1).await.unwrap();
    assert_eq!(notices("suggestion_due").await, 2, "not every day");
    run(11).await.unwrap();
    assert_eq!(notices("suggestion_due").await, 4);
    // 3 June: overdue — the unit and the office.
    run(4).await.unwrap();
    let overdue = notices("suggestion_overdue").await;
    assert!(overdue >= 3, "{overdue}");
    let mut office = app.login("daibiao").await;
    assert!(
        office.get(&link).await.text().contains("id=\"overdue\""),
        "red on the page"
    );
    // Replied, then silence past the feedback window: closed as not rated.
    let mut head = app.login("fuzeren").await;
    head.json(
        "POST",
        &act,
        serde_json::json!({"action": "reply", "class": "A", "body": "已全部修复。"}),
    )
    .await;
    run(30).await.unwrap();
    let (state, rating): (String, Option<String>) =
        sqlx::query_as("SELECT state, rating FROM suggestions WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), rating),
        ("closed", None),
        "closed, and not counted as satisfied"
    );
}
