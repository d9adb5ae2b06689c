//! Attachments sealed at rest, every signer's evaluation, delegation suggestions and publication
//! on the portal with personal data removed.

use super::*;

#[tokio::test]
async fn attachments_follow_the_item_state_are_sealed_at_rest_and_refused_when_not_what_they_claim()
{
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (id, item) = draft_with_cosigner(&app, cid, "老街每逢大雨积水，商户进水。").await;
    let mut deputy = app.login("deputy").await;

    // Refused files change nothing and say why.
    let r = upload(&mut deputy, &item, "material", "照片.png", PDF).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("文件内容与扩展名不符"));
    let r = upload(&mut deputy, &item, "material", "脚本.html", b"<script>").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("只能上传PDF"));
    let r = upload(&mut deputy, &item, "reply", "答复.pdf", PDF).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a deputy cannot add reply material"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM attachments WHERE owner_kind = 'suggestion' AND owner_id = {id}"
        ))
        .await,
        0
    );

    // The lead deputy's material, while drafting.
    let r = upload(&mut deputy, &item, "material", "老街积水照片说明.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = deputy.get(&item).await.text();
    assert!(page.contains("老街积水照片说明.pdf") && page.contains("建议材料"));
    let aid = app
        .count(&format!(
            "SELECT MAX(id) FROM attachments WHERE owner_id = {id}"
        ))
        .await;
    // Sealed at rest: the stored value is not the file.
    let (sealed,): (String,) = sqlx::query_as("SELECT body_sealed FROM attachments WHERE id = $1")
        .bind(aid)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(sealed.starts_with("sm4gcm:v") && !sealed.contains("%PDF-"));
    // The co-signer downloads it, as an attachment with its Chinese name.
    let mut co = app.login("changwei").await;
    let r = co.get(&format!("{item}/attachments/{aid}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, PDF);
    assert!(
        r.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    // Another unit sees nothing of the item.
    let mut other = app.login("bangong").await;
    let r = other.get(&format!("{item}/attachments/{aid}")).await;
    assert!(matches!(
        r.status,
        StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ));

    // After submission the deputy can no longer add files.
    submit_and_assign(&app, &item).await;
    let r = upload(&mut deputy, &item, "material", "补充.pdf", PDF).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM audit_log WHERE action = 'suggestions.attach' AND outcome = 'failed' AND target = 'suggestion:{id}'"))
            .await,
        2,
        "both refusals on entitlement are audited"
    );

    // The unit's reply material stays with the unit until the reply is sent.
    let mut unit = app.login("chengban").await;
    let (ct, body) = multipart("reply", "排水改造方案.docx", b"PK\x03\x04rest-of-zip");
    let csrf = unit.csrf();
    let r = unit
        .post_raw(
            &format!("/api/v1/congresses/{cid}/suggestions/{id}/attachments?_csrf={csrf}"),
            &ct,
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let reply_file = r.json()["id"].as_i64().unwrap();
    let r = deputy
        .get(&format!(
            "/api/v1/congresses/{cid}/suggestions/{id}/attachments/{reply_file}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not before the reply");
    reply(&app, &item, "B", "已列入2026年老旧管网改造计划。").await;
    let r = deputy
        .get(&format!(
            "/api/v1/congresses/{cid}/suggestions/{id}/attachments/{reply_file}"
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let detail = deputy
        .get(&format!("/api/v1/congresses/{cid}/suggestions/{id}"))
        .await
        .json();
    assert_eq!(detail["attachments"].as_array().unwrap().len(), 2);
    // Once replied, the unit can no longer remove it: the deputy has seen it.
    let r = unit
        .post_form(&format!("{item}/attachments/{reply_file}/delete"), &[])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM attachments WHERE owner_kind = 'suggestion' AND owner_id = {id}"
        ))
        .await,
        2
    );
}

#[tokio::test]
async fn every_signer_rates_when_the_congress_says_so_and_a_split_is_not_satisfaction() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    sqlx::query(
        "INSERT INTO congress_settings (congress_id, key, value, source_kind, source_text, decided_on, updated_at, updated_by) \
         SELECT $1, 'suggestion.rating_by', 'every_signer', 'own_decision', '主任会议决定', '2026-01-05', 0, id FROM users WHERE username = 'daibiao'",
    )
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let (id, item) = draft_with_cosigner(&app, cid, "排水管网老化。").await;
    submit_and_assign(&app, &item).await;
    reply(&app, &item, "C", "受资金限制，暂无法实施。").await;

    let mut deputy = app.login("deputy").await;
    let mut co = app.login("changwei").await;
    let r = deputy
        .post_form(
            &format!("{item}/rate"),
            &[("rating", "satisfied"), ("comment", "说明了原因")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        state_of(&app, id).await,
        "replied",
        "waits for the co-signer"
    );
    assert!(co.get(&item).await.text().contains("id=\"rate-submit\""));
    let r = deputy
        .post_form(&format!("{item}/rate"), &[("rating", "unsatisfied")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不能重复评价"));
    // Someone who did not sign is not entitled.
    let mut stranger = app.login("daibiao").await;
    let r = stranger
        .post_form(&format!("{item}/rate"), &[("rating", "satisfied")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // One satisfied, one unsatisfied: a tie goes to the lower rating and reopens the item.
    let r = co
        .post_form(
            &format!("{item}/rate"),
            &[("rating", "unsatisfied"), ("comment", "没有提出替代办法")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(state_of(&app, id).await, "rehandling");
    let page = deputy.get(&item).await.text();
    assert!(page.contains("说明了原因") && page.contains("没有提出替代办法"));

    // Second round: only the lead rates before the window ends; the daily job settles on it.
    reply(&app, &item, "B", "已争取专项资金，明年实施。").await;
    deputy
        .post_form(
            &format!("{item}/rate"),
            &[("rating", "basically_satisfied")],
        )
        .await;
    assert_eq!(state_of(&app, id).await, "replied");
    app.clock.advance(chrono::Duration::days(40));
    let ran = lianxin::suggestions::reminders::run(
        &app.state.db,
        app.state.clock.today(),
        app.state.clock.now_ms(),
    )
    .await
    .unwrap();
    assert!(ran.lapsed >= 1);
    assert_eq!(state_of(&app, id).await, "closed");
    let (rating,): (Option<String>,) =
        sqlx::query_as("SELECT rating FROM suggestions WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        rating.as_deref(),
        Some("basically_satisfied"),
        "the rating given decides, not silence"
    );
}

#[tokio::test]
async fn a_delegation_proposes_only_while_the_congress_sits() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let delegation = app
        .count(&format!(
            "SELECT MIN(id) FROM organizations WHERE congress_id = {cid} AND kind = 'delegation'"
        ))
        .await;
    sqlx::query("UPDATE deputies SET delegation_id = $1 WHERE id = (SELECT d.id FROM users u JOIN deputies d ON d.person_id = u.person_id WHERE u.username = 'deputy' AND d.congress_id = $2)")
        .bind(delegation)
        .bind(cid)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let mut deputy = app.login("deputy").await;
    let form = [
        ("title", "关于增设青石镇公交线路的建议"),
        ("content", "青石镇到城区只有一条公交线路。"),
        ("category", "urban_construction"),
        ("as_delegation", "true"),
    ];
    let before = app.count("SELECT COUNT(*) FROM suggestions").await;
    let r = deputy
        .post_form(&format!("/c/{cid}/suggestions"), &form)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("只有在人民代表大会会议期间"));
    assert_eq!(app.count("SELECT COUNT(*) FROM suggestions").await, before);

    open_session(&app, cid).await;
    assert!(
        deputy
            .get(&format!("/c/{cid}/suggestions/new"))
            .await
            .text()
            .contains("id=\"f-as_delegation\"")
    );
    let r = deputy
        .post_form(&format!("/c/{cid}/suggestions"), &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = id_from(&r.location());
    assert_eq!(
        app.count(&format!(
            "SELECT delegation_id FROM suggestions WHERE id = {id}"
        ))
        .await,
        delegation
    );
    let page = deputy.get(&r.location()).await.text();
    assert!(page.contains("id=\"delegation\""));
}

#[tokio::test]
async fn the_office_publishes_a_reply_and_the_portal_shows_it_without_personal_data() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let (id, item) = draft_with_cosigner(&app, cid, "老街排水。").await;
    let mut office = app.login("daibiao").await;
    // Nothing to publish before the reply.
    let r = office
        .post_form(&format!("{item}/publish"), &[("publish", "true")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    submit_and_assign(&app, &item).await;
    reply(
        &app,
        &item,
        "A",
        "已完成改造。联系人王工，电话13912344321，邮箱wang.gong@example.cn。",
    )
    .await;
    let mut anonymous = app.client();
    assert_eq!(
        anonymous.get(&format!("/replies/{cid}/{id}")).await.status,
        StatusCode::NOT_FOUND,
        "not published yet"
    );
    let r = office
        .post_form(&format!("{item}/publish"), &[("publish", "true")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = anonymous.get(&format!("/replies/{cid}")).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains("老街排水改造"));
    let page = anonymous.get(&format!("/replies/{cid}/{id}")).await.text();
    assert!(page.contains("已完成改造"));
    assert!(
        !page.contains("13912344321") && !page.contains("wang.gong@"),
        "personal data removed"
    );
    assert!(page.contains("139******21"));
    let api = anonymous
        .get(&format!("/api/v1/public/congresses/{cid}/replies"))
        .await
        .json();
    let items = api["items"].as_array().unwrap();
    assert!(items.iter().any(|i| i["id"] == id));
    assert!(!api.to_string().contains("13912344321"));
    // Withdrawn: gone from the portal.
    office
        .post_form(&format!("{item}/publish"), &[("publish", "false")])
        .await;
    assert_eq!(
        anonymous.get(&format!("/replies/{cid}/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    // A congress that does not publish refuses, and says why.
    sqlx::query(
        "INSERT INTO congress_settings (congress_id, key, value, source_kind, source_text, decided_on, updated_at, updated_by) \
         SELECT $1, 'suggestion.publication', 'none', 'own_decision', '主任会议决定', '2026-01-05', 0, id FROM users WHERE username = 'daibiao'",
    )
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
    let r = office
        .post_form(&format!("{item}/publish"), &[("publish", "true")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("不允许公开建议答复"));
    // A unit cannot publish.
    let mut unit = app.login("chengban").await;
    let r = unit
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions/{id}/actions"),
            serde_json::json!({"action": "publish"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}
