//! One congress's staff never read or change another congress's data, through pages or API.

use crate::support::*;
use axum::http::StatusCode;

#[tokio::test]
async fn town_staff_cannot_read_or_change_another_towns_data() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let baisha = app.congress_id("白沙镇").await;
    let district = app.congress_id("示范区").await;
    let (other_deputy,): (i64,) =
        sqlx::query_as("SELECT id FROM deputies WHERE congress_id = $1 ORDER BY id LIMIT 1")
            .bind(baisha)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let mut c = app.login("qingshi").await;

    // Own town: allowed.
    assert_eq!(
        c.get(&format!("/c/{qingshi}/deputies")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        c.get(&format!("/api/v1/congresses/{qingshi}/deputies"))
            .await
            .status,
        StatusCode::OK
    );

    // Another town and the district: refused on every read path.
    for path in [
        format!("/c/{baisha}"),
        format!("/api/v1/congresses/{baisha}/members"),
        format!("/c/{baisha}/deputies"),
        format!("/c/{baisha}/deputies/{other_deputy}"),
        format!("/c/{baisha}/units"),
        format!("/c/{baisha}/export/deputies.xlsx"),
        format!("/c/{district}/deputies"),
        format!("/api/v1/congresses/{baisha}/deputies"),
        format!("/api/v1/congresses/{baisha}/deputies/{other_deputy}"),
    ] {
        let r = c.get(&path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!r.text().contains("deputy-list"), "{path} leaked the list");
    }
    // The other town's deputy id under one's own congress finds nothing (rows are scoped by congress).
    assert_eq!(
        c.get(&format!("/c/{qingshi}/deputies/{other_deputy}"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        c.get(&format!(
            "/api/v1/congresses/{qingshi}/deputies/{other_deputy}"
        ))
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Writes to the other town: refused, and nothing changes.
    let before = app
        .count(&format!(
            "SELECT COUNT(*) FROM deputies WHERE congress_id = {baisha}"
        ))
        .await;
    let id = id_with_check("99010219800101001");
    let fields = deputy_fields("越权测试", &id, "第1选区");
    assert_eq!(
        c.post_form(&format!("/c/{baisha}/deputies"), &fields)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.post_form(&format!("/c/{baisha}/deputies/{other_deputy}"), &fields)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let body = serde_json::json!({"name": "越权测试", "gender": "male", "ethnicity": "汉族", "party": "群众", "composition": "工人",
        "occupation": "工人", "education": "大学", "constituency": "第1选区"});
    assert_eq!(
        c.json(
            "POST",
            &format!("/api/v1/congresses/{baisha}/deputies"),
            body.clone()
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        c.json(
            "PUT",
            &format!("/api/v1/congresses/{baisha}/deputies/{other_deputy}"),
            body
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM deputies WHERE congress_id = {baisha}"
        ))
        .await,
        before
    );
    let (name,): (String,) = sqlx::query_as(
        "SELECT p.name FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.id = $1",
    )
    .bind(other_deputy)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    assert_ne!(name, "越权测试");
}

#[tokio::test]
async fn district_staff_read_towns_but_do_not_change_them() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut c = app.login("daibiao").await;
    assert_eq!(
        c.get(&format!("/c/{qingshi}/deputies")).await.status,
        StatusCode::OK
    );
    let id = id_with_check("99010219800101002");
    let r = c
        .post_form(
            &format!("/c/{qingshi}/deputies"),
            &deputy_fields("区里代填", &id, "第1选区"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn administrators_and_anonymous_users_see_no_roster() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    for user in ["sysadmin", "auditadmin", "secadmin", "deputy", "qunzhong"] {
        let mut c = app.login(user).await;
        assert_eq!(
            c.get(&format!("/c/{district}/deputies")).await.status,
            StatusCode::FORBIDDEN,
            "{user}"
        );
    }
    let mut anon = app.client();
    let r = anon.get(&format!("/c/{district}/deputies")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login?next="));
    assert_eq!(
        anon.get(&format!("/api/v1/congresses/{district}/deputies"))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // The audit trail is the audit administrator's alone.
    let mut audit = app.login("auditadmin").await;
    assert_eq!(audit.get("/audit").await.status, StatusCode::OK);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.read'")
            .await,
        1,
        "reading is audited"
    );
    let mut staff = app.login("daibiao").await;
    assert_eq!(staff.get("/audit").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn public_find_my_deputy_publishes_no_personal_numbers() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut anon = app.client();
    let r = anon.get(&format!("/find?congress={qingshi}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("public-deputies"));
    let r = anon
        .get(&format!("/api/v1/public/congresses/{qingshi}/deputies"))
        .await;
    let list = r.json()["items"].clone();
    assert_eq!(list.as_array().unwrap().len(), 100);
    let text = r.text();
    assert!(
        !text.contains("id_card") && !text.contains("birth") && !text.contains("9901"),
        "{}",
        &text[..200]
    );
}

#[tokio::test]
async fn the_overview_shows_the_bodies_and_their_members() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let mut c = app.login("changwei").await;
    let html = c.get(&format!("/c/{district}")).await.text();
    assert!(html.contains("示范区人大常委会") && html.contains("主任"));
    assert!(html.contains("第18届"));
    let members = c
        .get(&format!("/api/v1/congresses/{district}/members"))
        .await
        .json()["items"]
        .clone();
    let sc: Vec<_> = members
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "standing_committee")
        .collect();
    assert_eq!(sc.len(), 25);
    assert_eq!(sc[0]["post"], "chair", "the chair is listed first");
    assert!(
        members
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["kind"] == "presidium")
    );
}
