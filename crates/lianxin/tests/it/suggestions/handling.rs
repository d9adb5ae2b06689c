//! Handling help and follow-up: similar items and the usual unit, extensions within six months,
//! key supervision, co-units' countersigning and the town concerned.

use super::*;

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
    let (id, act) = registered_through_api(&app, cid, serde_json::json!({"title": "关于云岭镇山洪预警的建议", "content": "建议增设雨量监测点。", "category": "public_safety"})).await;
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
async fn the_lead_unit_replies_only_once_the_co_units_have_countersigned_or_their_window_has_passed()
 {
    use lianxin::platform::clock::Clock;
    let app = TestApp::demo().await;
    app.passwords_last_a_year().await;
    let cid = app.congress_id("示范区").await;
    let (id, act) = registered_through_api(&app, cid, serde_json::json!({"title": "关于桃源镇农田水利设施维修的建议", "content": "渠道破损。", "category": "agriculture"})).await;
    let mut deputy = app.login("deputy").await;
    let mut office = app.login("daibiao").await;
    let lead: i64 = chengban_unit(&app).await;
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
