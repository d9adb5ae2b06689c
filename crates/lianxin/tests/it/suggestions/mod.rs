//! Issue 5: deputies' suggestions and motions across the deputy, the office and the units, with
//! the statutory deadlines on the legal calendar and refusals that change nothing. The helpers
//! here walk an item to the step a test starts from.

use crate::support::*;
use axum::http::StatusCode;

mod documents;
mod files;
mod handling;
mod lifecycle;
mod motions;
mod office;

pub(super) async fn name_of(app: &TestApp, user: &str) -> String {
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
pub(super) async fn make_deputy(app: &TestApp, user: &str, cid: i64) {
    sqlx::query(
        "INSERT INTO role_grants (user_id, congress_id, role, granted_at) SELECT id, $2, 'deputy', 0 FROM users WHERE username = $1",
    )
    .bind(user)
    .bind(cid)
    .execute(&app.state.db.pool)
    .await
    .unwrap();
}

pub(super) fn id_from(location: &str) -> i64 {
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

pub(super) async fn draft_with_cosigner(app: &TestApp, cid: i64, content: &str) -> (i64, String) {
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
pub(super) async fn submit_and_assign(app: &TestApp, item: &str) {
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
    let unit = chengban_unit(app).await;
    let r = office
        .post_form(
            &format!("{item}/assign"),
            &[("lead_unit", &unit.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

/// The unit head replies with `class` and `body`.
pub(super) async fn reply(app: &TestApp, item: &str, class: &str, body: &str) {
    let mut head = app.login("fuzeren").await;
    let r = head
        .post_form(
            &format!("{item}/reply"),
            &[("class", class), ("body", body)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
}

pub(super) fn multipart(purpose: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let b = "----lianxin-test";
    let mut body = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\n{purpose}\r\n--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{b}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={b}"), body)
}

pub(super) async fn upload(
    c: &mut Client<'_>,
    item: &str,
    purpose: &str,
    name: &str,
    bytes: &[u8],
) -> Resp {
    let (ct, body) = multipart(purpose, name, bytes);
    let path = format!("{item}/attachments?_csrf={}", c.csrf());
    c.post_raw(&path, &ct, body).await
}

pub(super) async fn state_of(app: &TestApp, id: i64) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT state FROM suggestions WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    s
}

pub(super) const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n";

pub(super) async fn notices_of(app: &TestApp, user: &str, id: i64) -> Vec<String> {
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

/// A suggestion drafted by `deputy` through the API (`draft` is its JSON), submitted, and
/// registered by the office. Returns its id and its actions URL.
pub(super) async fn registered_through_api(
    app: &TestApp,
    cid: i64,
    draft: serde_json::Value,
) -> (i64, String) {
    let mut deputy = app.login("deputy").await;
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            draft,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let act = format!("/api/v1/congresses/{cid}/suggestions/{id}/actions");
    deputy
        .json("POST", &act, serde_json::json!({"action": "submit"}))
        .await;
    let mut office = app.login("daibiao").await;
    let r = office
        .json("POST", &act, serde_json::json!({"action": "register"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (id, act)
}

/// The handling unit of the demo's `chengban` (operator) and `fuzeren` (head) accounts.
pub(super) async fn chengban_unit(app: &TestApp) -> i64 {
    app.count("SELECT g.organization_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'chengban'")
        .await
}

/// A session of the district congress sitting from 1 to 6 March 2026 (the test clock's 2 March
/// falls inside it).
pub(super) async fn open_session(app: &TestApp, cid: i64) {
    let term = app
        .count(&format!(
            "SELECT MIN(id) FROM terms WHERE congress_id = {cid}"
        ))
        .await;
    let mut tx = app.state.db.write().await.unwrap();
    lianxin::congress::create_session(
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
}
