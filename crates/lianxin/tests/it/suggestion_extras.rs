//! Issue 5, the rest of the lifecycle: attachments sealed at rest, every signer's evaluation,
//! suggestions in a delegation's name, publication on the portal with personal data removed,
//! statistics per session with the annual report, and the presidium's deadline for motions.

use crate::support::*;
use axum::http::StatusCode;

/// Lets the standing-committee member act as the deputy they are.
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

/// A draft by `deputy`, co-signed (and consented) by `changwei`. Returns its path.
async fn draft_with_cosigner(app: &TestApp, cid: i64, content: &str) -> (i64, String) {
    make_deputy(app, "changwei", cid).await;
    let cosigner = name_of(app, "changwei").await;
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .post_form(
            &format!("/c/{cid}/suggestions"),
            &[
                ("title", "关于青石镇老街排水改造的建议"),
                ("content", content),
                ("category", "urban_construction"),
                ("cosigners", &cosigner),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let id = id_from(&r.location());
    let item = format!("/c/{cid}/suggestions/{id}");
    let mut co = app.login("changwei").await;
    co.post_form(&format!("{item}/consent"), &[("accept", "1")])
        .await;
    (id, item)
}

/// Submits, registers and assigns the item to `chengban`'s unit.
async fn submit_and_assign(app: &TestApp, item: &str) {
    let mut deputy = app.login("deputy").await;
    let r = deputy.post_form(&format!("{item}/submit"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut office = app.login("daibiao").await;
    office
        .post_form(
            &format!("{item}/review"),
            &[("decision", "register"), ("reason", "")],
        )
        .await;
    let unit = app
        .count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await;
    let r = office
        .post_form(
            &format!("{item}/assign"),
            &[("lead_unit", &unit.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

/// The unit head replies with `class` and `body`.
async fn reply(app: &TestApp, item: &str, class: &str, body: &str) {
    let mut head = app.login("fuzeren").await;
    let r = head
        .post_form(
            &format!("{item}/reply"),
            &[("class", class), ("body", body)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

fn multipart(purpose: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let b = "----lianxin-test";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{purpose}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

async fn upload(c: &mut Client<'_>, item: &str, purpose: &str, name: &str, bytes: &[u8]) -> Resp {
    let (ct, body) = multipart(purpose, name, bytes);
    let path = format!("{item}/attachments?_csrf={}", c.csrf());
    c.post_raw(&path, &ct, body).await
}

async fn state_of(app: &TestApp, id: i64) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT state FROM suggestions WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    s
}

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n";

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
    assert!(sealed.starts_with("sm4gcm:v") && !sealed.contains("PDF"));
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

#[tokio::test]
async fn statistics_per_session_and_year_and_the_annual_report_as_word() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    let page = office.get(&format!("/c/{cid}/suggestions/stats")).await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(text.contains("按会议或年度") && text.contains("<svg class=\"chart\""));
    // The demo's items are numbered per recess year: the year's selection narrows to them.
    let (key,): (String,) = sqlx::query_as(
        "SELECT period_key FROM suggestions WHERE congress_id = $1 AND state <> 'draft' GROUP BY period_key ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .bind(cid)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let in_period = app
        .count(&format!("SELECT COUNT(*) FROM suggestions WHERE congress_id = {cid} AND period_key = '{key}' AND state NOT IN ('draft', 'withdrawn')"))
        .await;
    let one = office
        .get(&format!("/c/{cid}/suggestions/stats?period={key}"))
        .await
        .text();
    assert!(one.contains(&format!("<dd>{in_period}</dd>")), "{key}");
    let x = office
        .get(&format!("/c/{cid}/suggestions/stats.xlsx?period={key}"))
        .await;
    assert_eq!(x.status, StatusCode::OK);

    let year = if let Some(y) = key.strip_prefix('y') {
        y.to_string()
    } else {
        "2026".to_string()
    };
    let r = office
        .get(&format!("/c/{cid}/suggestions/report.docx?year={year}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.body[..2], b"PK");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(r.body.clone())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    assert!(xml.contains(&format!("关于{year}年代表建议办理情况的报告")));
    assert!(
        xml.contains("办成率") && xml.contains("黑体"),
        "sections as headings"
    );
    assert!(!xml.contains('{'), "every placeholder filled");
    let r = office
        .get(&format!("/c/{cid}/suggestions/report.docx?year=20x6"))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut unit = app.login("chengban").await;
    assert_eq!(
        unit.get(&format!("/c/{cid}/suggestions/report.docx?year={year}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn after_the_presidiums_deadline_no_motion_is_filed() {
    let app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    let mut office = app.login("daibiao").await;
    // No session sits on 2 March: nothing to set.
    let r = office
        .post_form(
            &format!("/c/{cid}/motions/deadline"),
            &[("deadline", "2026-03-02T12:00")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
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
    let r = office
        .post_form(
            &format!("/c/{cid}/motions/deadline"),
            &[("deadline", "2026-03-20T12:00")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside the session"
    );
    assert!(r.text().contains("须在本次会议会期之内"));
    // The clock reads 10:00 on 2 March; the presidium closed filing at 09:30.
    let r = office
        .json(
            "PUT",
            &format!("/api/v1/congresses/{cid}/motions/deadline"),
            serde_json::json!({"deadline": "2026-03-02T09:30"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["deadline"], "2026-03-02T09:30");
    let r = office
        .post_form(
            &format!("/c/{cid}/motions"),
            &[
                ("proposer", "government"),
                ("title", "关于示范区养老服务条例的议案"),
                ("content", "案由：……"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let item = r.location();
    let r = office.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("已过大会主席团规定的议案截止时间"));
    // The presidium extends it to noon: the same motion is filed.
    office
        .post_form(
            &format!("/c/{cid}/motions/deadline"),
            &[("deadline", "2026-03-02T12:00")],
        )
        .await;
    assert!(
        office
            .get(&format!("/c/{cid}/motions"))
            .await
            .text()
            .contains("2026-03-02 12:00")
    );
    let r = office.post_form(&format!("{item}/file"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

/// The notices a user holds for an item, by kind.
async fn notices_of(app: &TestApp, user: &str, id: i64) -> Vec<String> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT n.kind FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = $1 AND n.link LIKE $2 ORDER BY n.id",
    )
    .bind(user)
    .bind(format!("%/suggestions/{id}"))
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    rows.into_iter().map(|(k,)| k).collect()
}

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
    let unit_id = app
        .count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await;
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
