//! Issue 5: a suggestion's lifecycle across the deputy, the office and the unit, with the
//! statutory deadline on the legal calendar, refusals that change nothing, and the statistics.

use crate::support::*;
use axum::http::StatusCode;

async fn name_of(app: &TestApp, user: &str) -> String {
    let (n,): (String,) = sqlx::query_as(
        "SELECT p.name FROM users u JOIN persons p ON p.id = u.person_id WHERE u.username = $1",
    )
    .bind(user)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    n
}

/// Lets the standing-committee member act as the deputy they are (the demo gives them only the
/// committee role).
async fn make_deputy(app: &TestApp, user: &str, cid: i64) {
    sqlx::query(
        "INSERT INTO role_grants (user_id, congress_id, role, granted_at) SELECT id, $2, 'deputy', 0 FROM users WHERE username = $1",
    )
    .bind(user)
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
}

fn id_from(location: &str) -> i64 {
    location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

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
    let unit: i64 = app
        .count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await;
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
    let unit: i64 = app
        .count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await;
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
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            serde_json::json!({"title": "关于增设公交站点的建议", "content": "建议在工业园区增设站点。", "category": "urban_construction"}),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let act = format!("/api/v1/congresses/{cid}/suggestions/{id}/actions");
    deputy
        .json("POST", &act, serde_json::json!({"action": "submit"}))
        .await;
    let mut office = app.login("daibiao").await;
    office
        .json("POST", &act, serde_json::json!({"action": "register"}))
        .await;
    let unit: i64 = app
        .count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await;
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
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            serde_json::json!({"title": "关于金田镇路灯维修的建议", "content": "多处路灯不亮。", "category": "public_safety"}),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let act = format!("/api/v1/congresses/{cid}/suggestions/{id}/actions");
    deputy
        .json("POST", &act, serde_json::json!({"action": "submit"}))
        .await;
    let mut office = app.login("daibiao").await;
    office
        .json("POST", &act, serde_json::json!({"action": "register"}))
        .await;
    let unit: i64 = app
        .count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await;
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

#[tokio::test]
async fn a_motion_is_filed_at_a_session_decided_by_the_presidium_and_may_become_a_suggestion() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    make_deputy(&app, "changwei", cid).await;
    let cosigner = name_of(&app, "changwei").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .post_form(
            &format!("/c/{cid}/motions"),
            &[
                ("title", "关于制定示范区农贸市场管理办法的议案"),
                ("content", "案由：……；案据：……；方案：……"),
                ("cosigners", &cosigner),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = id_from(&r.location());
    let item = format!("/c/{cid}/motions/{id}");
    let mut co = app.login("changwei").await;
    co.post_form(&format!("{item}/consent"), &[("accept", "1")])
        .await;
    // 2 March is not during a session: refused, nothing changes.
    let r = deputy.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("议案只能在大会期间提出"));
    // A session sits from 1 to 6 March; with two signers the motion is still short of ten.
    let term = app
        .count(&format!(
            "SELECT MIN(id) FROM terms WHERE congress_id = {cid}"
        ))
        .await;
    let mut tx = app.state.db.begin().await.unwrap();
    lianxin::congress::store::create_session(
        &mut tx,
        lianxin::platform::ids::CongressId(cid),
        term,
        6,
        "2026-03-01",
        "2026-03-06",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let r = deputy.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("联名代表人数不足"));
    // Eight more deputies sign: ten with the lead.
    sqlx::query(
        "INSERT INTO motion_signers (congress_id, motion_id, deputy_id, consent) \
         SELECT congress_id, $1, id, 'accepted' FROM deputies WHERE congress_id = $2 AND status = 'in_office' \
         AND id NOT IN (SELECT deputy_id FROM motion_signers WHERE motion_id = $1) \
         AND id <> (SELECT lead_deputy_id FROM motions WHERE id = $1) ORDER BY id LIMIT 7",
    )
    .bind(id)
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let r = deputy.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nine are not enough"
    );
    sqlx::query(
        "INSERT INTO motion_signers (congress_id, motion_id, deputy_id, consent) \
         SELECT congress_id, $1, id, 'accepted' FROM deputies WHERE congress_id = $2 AND status = 'in_office' \
         AND id NOT IN (SELECT deputy_id FROM motion_signers WHERE motion_id = $1) \
         AND id <> (SELECT lead_deputy_id FROM motions WHERE id = $1) ORDER BY id LIMIT 1",
    )
    .bind(id)
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let r = deputy.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "ten, the lead counted");
    assert!(deputy.get(&item).await.text().contains("第1号议案"));

    // The presidium refers it, the committee reports, the presidium does not put it on the agenda.
    let mut office = app.login("daibiao").await;
    let r = office
        .post_form(
            &format!("{item}/decide"),
            &[("decision", "refer"), ("committee", ""), ("note", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a referral names the committee"
    );
    let committee = app
        .count(&format!("SELECT MIN(id) FROM organizations WHERE congress_id = {cid} AND kind = 'special_committee'"))
        .await;
    let r = office
        .post_form(
            &format!("{item}/decide"),
            &[
                ("decision", "refer"),
                ("committee", &committee.to_string()),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = office
        .post_form(
            &format!("{item}/decide"),
            &[("decision", "on_agenda"), ("note", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the committee reports first"
    );
    office
        .post_form(
            &format!("{item}/report"),
            &[("report", "建议先由政府制定规章，条件成熟时再立法。")],
        )
        .await;
    let r = office
        .post_form(
            &format!("{item}/decide"),
            &[
                ("decision", "not_on_agenda"),
                ("note", "采纳专门委员会意见"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    // The lead deputy agrees: it continues as a suggestion, submitted, with its origin in the history.
    let r = deputy
        .post_form(&format!("{item}/convert"), &[("accept", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let sid = app
        .count(&format!(
            "SELECT suggestion_id FROM motions WHERE id = {id}"
        ))
        .await;
    let page = office
        .get(&format!("/c/{cid}/suggestions/{sid}"))
        .await
        .text();
    assert!(page.contains("由第1号议案转为建议") && page.contains("待审查"));
    assert_eq!(app.count(&format!("SELECT COUNT(*) FROM suggestion_signers WHERE suggestion_id = {sid} AND consent = 'accepted'")).await, 9);

    // An institutional motion needs no signatures.
    let r = office
        .post_form(
            &format!("/c/{cid}/motions"),
            &[
                ("proposer", "government"),
                ("title", "关于批准示范区国土空间总体规划的议案"),
                ("content", "提请审议。"),
                ("cosigners", ""),
            ],
        )
        .await;
    let gov = id_from(&r.location());
    let r = office
        .post_form(&format!("/c/{cid}/motions/{gov}/file"), &[])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        office
            .get(&format!("/c/{cid}/motions/{gov}"))
            .await
            .text()
            .contains("第2号议案")
    );
}

#[tokio::test]
async fn similar_earlier_suggestions_are_shown_with_the_unit_that_usually_led_them() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .post_form(
            &format!("/c/{cid}/suggestions"),
            &[
                ("title", "关于柳河鎮衛生院開設兒科門診的建議"),
                (
                    "content",
                    "孩子看病要到城区，建议卫生院增设儿科门诊，配备儿科医生。",
                ),
                ("category", "health"),
                ("cosigners", ""),
            ],
        )
        .await;
    let id = id_from(&r.location());
    let page = deputy
        .get(&format!("/c/{cid}/suggestions/{id}"))
        .await
        .text();
    assert!(
        page.contains("id=\"similar\""),
        "traditional characters find the simplified items"
    );
    assert!(page.contains("卫生院增设儿科门诊"));
    assert!(!page.contains("加装电梯"), "unrelated items are not listed");
    deputy
        .post_form(&format!("/c/{cid}/suggestions/{id}/submit"), &[])
        .await;
    let mut office = app.login("daibiao").await;
    office
        .post_form(
            &format!("/c/{cid}/suggestions/{id}/review"),
            &[("decision", "register"), ("reason", "")],
        )
        .await;
    let page = office
        .get(&format!("/c/{cid}/suggestions/{id}"))
        .await
        .text();
    assert!(
        page.contains("id=\"usual-unit\""),
        "routing help on the assignment form"
    );
}

#[tokio::test]
async fn an_extension_never_goes_beyond_six_months_from_assignment() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            serde_json::json!({"title": "关于云岭镇山洪预警的建议", "content": "建议增设雨量监测点。", "category": "public_safety"}),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let act = format!("/api/v1/congresses/{cid}/suggestions/{id}/actions");
    deputy
        .json("POST", &act, serde_json::json!({"action": "submit"}))
        .await;
    let mut office = app.login("daibiao").await;
    office
        .json("POST", &act, serde_json::json!({"action": "register"}))
        .await;
    let unit: i64 = app
        .count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await;
    office
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "assign", "lead_unit": unit}),
        )
        .await;
    let mut operator = app.login("chengban").await;
    for (months, why) in [
        (7, "答复期限最长为交办之日起六个月"),
        (3, "延期后的期限须长于现在的期限"),
    ] {
        let r = operator
            .post_form(
                &format!("/c/{cid}/suggestions/{id}/extension"),
                &[
                    ("months", &months.to_string()),
                    ("extension_reason", "需跨部门协调"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{months}");
        assert!(r.text().contains(why), "{months}");
    }
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE id = {id} AND extension_months IS NULL"
        ))
        .await,
        1
    );
    let r = operator
        .post_form(
            &format!("/c/{cid}/suggestions/{id}/extension"),
            &[("months", "6"), ("extension_reason", "需跨部门协调")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = office
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "decide_extension", "approve": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let detail = office
        .get(&format!("/api/v1/congresses/{cid}/suggestions/{id}"))
        .await
        .json();
    assert_eq!(
        detail["suggestion"]["due_on"], "2026-09-02",
        "six months from 2 March"
    );
    assert_eq!(detail["suggestion"]["complex"], 1);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM deadlines WHERE module = 'suggestions' AND item_id = {id} AND kind = 'reply' AND closed_at IS NULL AND due_on = '2026-09-02'")).await,
        1,
        "the registry holds the new deadline"
    );
}

#[tokio::test]
async fn the_office_keeps_a_key_supervision_list_with_leaders_and_progress() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let id = app
        .count(&format!(
            "SELECT MIN(id) FROM suggestions WHERE congress_id = {cid} AND state = 'assigned'"
        ))
        .await;
    let item = format!("/c/{cid}/suggestions/{id}");
    let mut office = app.login("daibiao").await;
    let r = office
        .post_form(&format!("{item}/key"), &[("supervisor", ""), ("note", "")])
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a key item needs its supervising leader"
    );
    let r = office
        .post_form(
            &format!("{item}/key"),
            &[("supervisor", "常委会副主任 王明"), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    office
        .post_form(
            &format!("{item}/key"),
            &[
                ("supervisor", ""),
                ("note", "督办组实地察看，承办单位已制定方案"),
            ],
        )
        .await;
    let list = office
        .get(&format!("/c/{cid}/suggestions?key=1"))
        .await
        .text();
    assert!(list.contains(&format!("/suggestions/{id}\"")));
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE congress_id = {cid} AND key_supervision = 1"
        ))
        .await,
        1,
        "only that one"
    );
    let page = office.get(&item).await.text();
    assert!(page.contains("常委会副主任 王明") && page.contains("督办组实地察看"));
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.post_form(&format!("{item}/key"), &[("supervisor", "x")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn statistics_by_category_and_unit_show_delivery_beside_satisfaction_and_export_to_xlsx() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    let page = office.get(&format!("/c/{cid}/suggestions/stats")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("按类别") && text.contains("按主办单位") && text.contains("区人民政府办公室")
    );
    assert!(text.contains("医疗卫生"), "categories by their names");
    // The demo's replied items: delivery is counted of replied items, satisfaction of rated ones.
    let replied = app
        .count(&format!(
            "SELECT COUNT(*) FROM suggestions WHERE congress_id = {cid} AND replied_on IS NOT NULL"
        ))
        .await;
    let delivered = app
        .count(&format!("SELECT COUNT(*) FROM suggestions WHERE congress_id = {cid} AND (reply_class = 'A' OR delivery = 'verified')"))
        .await;
    assert!(replied > 0);
    assert!(
        text.contains(&format!("（{delivered}/{replied}）")),
        "delivered of replied"
    );
    let x = office
        .get(&format!("/c/{cid}/suggestions/stats.xlsx"))
        .await;
    assert_eq!(x.status, StatusCode::OK);
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.body.clone())).unwrap();
    use calamine::Reader;
    let sheets = wb.sheet_names().to_vec();
    assert_eq!(
        sheets,
        vec![
            "按会议或年度".to_string(),
            "按类别".to_string(),
            "按主办单位".to_string(),
            "按所涉镇".to_string()
        ]
    );
    let range = wb.worksheet_range("按主办单位").unwrap();
    assert!(range.rows().any(|r| r[0] == "区人民政府办公室"));
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.get(&format!("/c/{cid}/suggestions/stats"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_motions_api_drives_the_same_machine() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    let r = office
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/motions"),
            serde_json::json!({"proposer": "government", "title": "关于示范区预算调整方案的议案", "content": "提请审议。"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let act = format!("/api/v1/congresses/{cid}/motions/{id}/actions");
    let r = office
        .json("POST", &act, serde_json::json!({"action": "file"}))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not during a session"
    );
    let term = app
        .count(&format!(
            "SELECT MIN(id) FROM terms WHERE congress_id = {cid}"
        ))
        .await;
    let mut tx = app.state.db.begin().await.unwrap();
    lianxin::congress::store::create_session(
        &mut tx,
        lianxin::platform::ids::CongressId(cid),
        term,
        6,
        "2026-03-01",
        "2026-03-06",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        office
            .json("POST", &act, serde_json::json!({"action": "file"}))
            .await
            .json()["state"],
        "filed"
    );
    let r = office
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "decide", "decision": "on_agenda"}),
        )
        .await;
    assert_eq!(r.json()["state"], "on_agenda");
    let mut deputy = app.login("deputy").await;
    assert_eq!(
        deputy
            .get(&format!("/api/v1/congresses/{cid}/motions/{id}"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "not theirs"
    );
    let detail = office
        .get(&format!("/api/v1/congresses/{cid}/motions/{id}"))
        .await
        .json();
    assert_eq!(detail["motion"]["number"], 1);
}

/// The text of a DOCX's main part.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    xml
}

#[tokio::test]
async fn the_assignment_notice_and_the_reply_letter_come_as_word_documents_from_editable_templates()
{
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let id = app
        .count(&format!("SELECT MIN(s.id) FROM suggestions s WHERE s.congress_id = {cid} AND s.reply_class IS NOT NULL"))
        .await;
    let mut office = app.login("daibiao").await;
    let item = format!("/c/{cid}/suggestions/{id}");
    assert!(
        office
            .get(&item)
            .await
            .text()
            .contains("id=\"notice-docx\"")
    );
    let r = office.get(&format!("{item}/notice.docx")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers.get("content-type").unwrap(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let xml = docx_text(&r.body);
    let title: String =
        sqlx::query_as::<_, (String,)>("SELECT title FROM suggestions WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
            .0;
    assert!(xml.contains(&title) && xml.contains("区人民政府办公室") && xml.contains("代表法"));
    assert!(
        xml.contains("方正小标宋简体") && xml.contains("仿宋_GB2312"),
        "government document fonts"
    );
    // The deputy downloads the reply letter.
    let mut deputy = app.login("deputy").await;
    let mine = app
        .count("SELECT MIN(s.id) FROM suggestions s JOIN users u ON u.username = 'deputy' JOIN deputies d ON d.person_id = u.person_id AND d.id = s.lead_deputy_id WHERE s.reply_class IS NOT NULL")
        .await;
    let r = deputy
        .get(&format!("/c/{cid}/suggestions/{mine}/reply.docx"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(docx_text(&r.body).contains("现答复如下"));
    // The office edits the template; an empty one is refused and changes nothing.
    let r = office
        .post_form(
            &format!("/c/{cid}/suggestions/templates"),
            &[("assignment_notice", ""), ("reply_letter", "x")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM document_templates").await,
        0
    );
    let r = office
        .post_form(
            &format!("/c/{cid}/suggestions/templates"),
            &[
                ("assignment_notice", "交办通知{编号}\n\n{主办单位}：\n    请办理《{标题}》。\n\n示范区人大常委会代表工委\n{日期}"),
                ("reply_letter", "答复{编号}\n\n{领衔代表}代表：\n{答复内容}\n\n{承办单位}\n{日期}"),
                ("annual_report", "{年度}年报告\n\n    收到{收到件数}件，办成率{办成率}。\n\n代表工委\n{日期}"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let xml = docx_text(&office.get(&format!("{item}/notice.docx")).await.body);
    assert!(
        xml.contains("请办理《") && !xml.contains("认真研究办理"),
        "the office's own template"
    );
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.get(&format!("{item}/notice.docx")).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_lead_unit_replies_only_once_the_co_units_have_countersigned_or_their_window_has_passed()
 {
    use lianxin::platform::clock::Clock;
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            serde_json::json!({"title": "关于桃源镇农田水利设施维修的建议", "content": "渠道破损。", "category": "agriculture"}),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let act = format!("/api/v1/congresses/{cid}/suggestions/{id}/actions");
    deputy
        .json("POST", &act, serde_json::json!({"action": "submit"}))
        .await;
    let mut office = app.login("daibiao").await;
    office
        .json("POST", &act, serde_json::json!({"action": "register"}))
        .await;
    let lead: i64 = app
        .count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await;
    let co = app
        .count(&format!("SELECT MIN(id) FROM organizations WHERE congress_id = {cid} AND kind = 'handling_unit' AND id <> {lead}"))
        .await;
    let r = office
        .json(
            "POST",
            &act,
            serde_json::json!({"action": "assign", "lead_unit": lead, "co_units": [co]}),
        )
        .await;
    assert_eq!(r.json()["state"], "assigned");
    let mut head = app.login("fuzeren").await;
    let reply = serde_json::json!({"action": "reply", "class": "A", "body": "已修复。"});
    let r = head.json("POST", &act, reply.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("会签"), "{}", r.text());
    // The co-unit's opinion (keyed in through the service as the office does for paper).
    let office_id = app
        .count("SELECT id FROM users WHERE username = 'daibiao'")
        .await;
    let o = lianxin::suggestions::service::Origin {
        user: lianxin::platform::ids::UserId(office_id),
        client_addr: None,
        now: app.clock.now_ms(),
        today: app.clock.today(),
    };
    lianxin::suggestions::service::co_opinion(
        &app.state.db,
        lianxin::platform::ids::CongressId(cid),
        id,
        co,
        "同意",
        &o,
    )
    .await
    .unwrap();
    assert_eq!(
        head.json("POST", &act, reply.clone()).await.json()["state"],
        "replied"
    );
    assert!(
        office
            .get(&format!("/c/{cid}/suggestions/{id}"))
            .await
            .text()
            .contains("id=\"opinions\"")
    );

    // A silent co-unit holds the reply only until its window (1 month) has passed.
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            serde_json::json!({"title": "关于金田镇道路硬化的建议", "content": "道路泥泞。", "category": "urban_construction"}),
        )
        .await;
    let id2 = r.json()["id"].as_i64().unwrap();
    let act2 = format!("/api/v1/congresses/{cid}/suggestions/{id2}/actions");
    deputy
        .json("POST", &act2, serde_json::json!({"action": "submit"}))
        .await;
    office
        .json("POST", &act2, serde_json::json!({"action": "register"}))
        .await;
    office
        .json(
            "POST",
            &act2,
            serde_json::json!({"action": "assign", "lead_unit": lead, "co_units": [co]}),
        )
        .await;
    app.clock.advance(chrono::Duration::days(35));
    let mut head = app.login("fuzeren").await;
    assert_eq!(
        head.json("POST", &act2, reply).await.json()["state"],
        "replied"
    );
}

#[tokio::test]
async fn a_suggestion_names_the_town_it_concerns_and_the_statistics_count_per_town() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let qingshi = app.congress_id("青石镇").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .post_form(
            &format!("/c/{cid}/suggestions"),
            &[
                ("title", "关于青石镇集市交通疏导的建议"),
                ("content", "赶集日拥堵。"),
                ("category", "public_safety"),
                ("cosigners", ""),
                ("town", "999999"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a town of no district of ours"
    );
    assert!(r.text().contains("请选择本区的镇"));
    let r = deputy
        .post_form(
            &format!("/c/{cid}/suggestions"),
            &[
                ("title", "关于青石镇集市交通疏导的建议"),
                ("content", "赶集日拥堵。"),
                ("category", "public_safety"),
                ("cosigners", ""),
                ("town", &qingshi.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = deputy.get(&r.location()).await.text();
    assert!(page.contains("id=\"town\">青石镇<"));
    let mut office = app.login("daibiao").await;
    let stats = office
        .get(&format!("/c/{cid}/suggestions/stats"))
        .await
        .text();
    assert!(
        stats.contains("按所涉镇") && stats.contains("白沙镇"),
        "the demo's items per town"
    );
}
