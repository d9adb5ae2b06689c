//! The web shell: sign-in, sessions, CSRF, languages, bad input.

use crate::support::*;
use axum::http::StatusCode;

#[tokio::test]
async fn sign_in_rotates_the_session_and_sign_out_ends_it() {
    let app = TestApp::demo().await;
    let mut c = app.login("daibiao").await;
    let first = c.cookies["lx_session"].clone();
    assert_eq!(c.get("/home").await.status, StatusCode::OK);
    // Signing in again issues a new session id and ends the old one.
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "daibiao"),
                ("password", PASSWORD),
                ("next", "/home"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "an already signed-in user may sign in again"
    );
    let second = c.cookies["lx_session"].clone();
    assert_ne!(first, second);
    let mut stale = app.client();
    stale.cookies.insert("lx_session".into(), first);
    assert_eq!(stale.get("/home").await.status, StatusCode::SEE_OTHER);
    // Sign out.
    assert_eq!(
        c.post_form("/logout", &[]).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(!c.cookies.contains_key("lx_session"));
    let mut replay = app.client();
    replay.cookies.insert("lx_session".into(), second);
    assert_eq!(replay.get("/home").await.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'accounts.logout'")
            .await,
        1
    );
}

#[tokio::test]
async fn wrong_passwords_are_refused_alike_and_lock_the_account_after_five() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    let unknown = c
        .post_form(
            "/login",
            &[("username", "nobody"), ("password", "x"), ("next", "")],
        )
        .await;
    let wrong = c
        .post_form(
            "/login",
            &[("username", "daibiao"), ("password", "x"), ("next", "")],
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.text().contains("用户名或密码不正确")
            && wrong.text().contains("用户名或密码不正确")
    );
    for _ in 0..4 {
        c.post_form(
            "/login",
            &[("username", "daibiao"), ("password", "x"), ("next", "")],
        )
        .await;
    }
    let locked = c
        .post_form(
            "/login",
            &[
                ("username", "daibiao"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(
        locked.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the right password is refused while locked"
    );
    assert!(
        locked.text().contains("用户名或密码不正确"),
        "the one answer of every failure: a locked account is not told apart"
    );
    app.clock.advance(chrono::Duration::minutes(16));
    let ok = c
        .post_form(
            "/login",
            &[
                ("username", "daibiao"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(
        app.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'accounts.login' AND outcome = 'failed'"
        )
        .await
            >= 6
    );
}

#[tokio::test]
async fn an_idle_session_expires_after_thirty_minutes() {
    let app = TestApp::demo().await;
    let mut c = app.login("daibiao").await;
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(
        c.get("/home").await.status,
        StatusCode::OK,
        "29 minutes idle: still signed in"
    );
    app.clock.advance(chrono::Duration::minutes(29));
    assert_eq!(
        c.get("/home").await.status,
        StatusCode::OK,
        "activity renewed it"
    );
    app.clock.advance(chrono::Duration::minutes(31));
    let r = c.get("/home").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/login?next=%2Fhome&expired=1"),
        "{}",
        r.location()
    );
    assert!(
        c.get(&r.location()).await.text().contains("您的登录已过期"),
        "the user is told why"
    );
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut c = app.login("qingshi").await;
    let before = app.count("SELECT COUNT(*) FROM deputies").await;
    let id = id_with_check("99010219800101003");
    let body = serde_urlencoded::to_string(deputy_fields("无令牌", &id, "第1选区")).unwrap();
    let r = c
        .post_raw(
            &format!("/c/{qingshi}/deputies"),
            "application/x-www-form-urlencoded",
            body.clone().into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("表单已过期"), "explained in Chinese");
    let wrong = format!("{body}&_csrf={}", "0".repeat(64));
    assert_eq!(
        c.post_raw(
            &format!("/c/{qingshi}/deputies"),
            "application/x-www-form-urlencoded",
            wrong.into_bytes()
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // JSON through the session needs the header too.
    let mut no_header = app.login("qingshi").await;
    let req = axum::http::Request::post(format!("/api/v1/congresses/{qingshi}/deputies"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from("{}"))
        .unwrap();
    let r = no_header.send(req).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.headers["content-type"], "application/problem+json");
    assert_eq!(app.count("SELECT COUNT(*) FROM deputies").await, before);
}

#[tokio::test]
async fn a_form_with_errors_is_shown_again_then_saved_when_corrected() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut c = app.login("qingshi").await;
    let r = c
        .post_form(
            &format!("/c/{qingshi}/deputies"),
            &deputy_fields("", "123", "第1选区"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("<title>错误："), "title prefixed");
    assert!(
        html.contains("error-summary")
            && html.contains("href=\"#f-name\"")
            && html.contains("href=\"#f-id_card\"")
    );
    assert!(
        html.contains(">姓名：此项必须填写</a>"),
        "the summary names the field"
    );
    assert!(
        html.contains("value=\"果农\""),
        "what the user typed is kept"
    );
    let id = id_with_check("99010219800101004");
    let r = c
        .post_form(
            &format!("/c/{qingshi}/deputies"),
            &deputy_fields("李改正", &id, "第1选区"),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = c.get(&r.location()).await.text();
    assert!(
        page.contains("李改正") && page.contains("990102********"),
        "saved, ID masked"
    );
    let (fields,): (String,) = sqlx::query_as("SELECT fields FROM audit_log WHERE action = 'people.deputy_create' ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert!(
        fields.contains("name") && !fields.contains("李改正"),
        "audit names fields, not values"
    );
}

#[tokio::test]
async fn illegal_status_changes_are_refused() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let (id,): (i64,) =
        sqlx::query_as("SELECT id FROM deputies WHERE congress_id = $1 ORDER BY id LIMIT 1")
            .bind(qingshi)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    let mut c = app.login("qingshi").await;
    let path = format!("/c/{qingshi}/deputies/{id}/status");
    let r = c
        .post_form(
            &path,
            &[
                ("status", "terminated"),
                ("status_date", "2026-03-01"),
                ("status_reason", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a reason is required"
    );
    let r = c
        .post_form(
            &path,
            &[
                ("status", "terminated"),
                ("status_date", "2026-03-01"),
                ("status_reason", "辞职"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = c
        .post_form(
            &path,
            &[
                ("status", "in_office"),
                ("status_date", "2026-03-02"),
                ("status_reason", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("代表资格已终止"));
    let (status,): (String,) = sqlx::query_as("SELECT status FROM deputies WHERE id = $1")
        .bind(id)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "terminated");
}

#[tokio::test]
async fn the_language_switch_changes_every_page_and_errors_are_bilingual() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    let zh = c.get("/").await.text();
    assert!(zh.contains("lang=\"zh-CN\"") && zh.contains("找代表") && zh.contains("演示环境"));
    let r = c
        .post_form("/prefs", &[("lang", "en"), ("next", "/")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let en = c.get("/").await.text();
    assert!(en.contains("lang=\"en\"") && en.contains("Find my deputy") && en.contains("Demo"));
    let nf = c.get("/no/such/page").await;
    assert_eq!(nf.status, StatusCode::NOT_FOUND);
    assert!(nf.text().contains("Page not found"));
    // The API answers 404 as problem details with both languages.
    let p = c.get("/api/v1/congresses/999999").await;
    assert_eq!(p.status, StatusCode::NOT_FOUND);
    let j = p.json();
    assert_eq!(j["title_zh"], "找不到这个页面");
    assert_eq!(j["title_en"], "Page not found");
    assert_eq!(j["status"], 404);
    // Redirect targets stay on this site.
    let r = c
        .post_form("/prefs", &[("lang", "zh-CN"), ("next", "//evil.example/")])
        .await;
    assert_eq!(r.location(), "/home");
}

#[tokio::test]
async fn bad_input_gets_a_clear_answer_and_changes_nothing() {
    let app = TestApp::demo().await;
    let qingshi = app.congress_id("青石镇").await;
    let mut c = app.login("qingshi").await;
    let before = app.count("SELECT COUNT(*) FROM deputies").await;
    let csrf = c.csrf();
    // Oversized body.
    let big = format!("_csrf={csrf}&name={}", "x".repeat(2 * 1024 * 1024));
    let r = c
        .post_raw(
            &format!("/c/{qingshi}/deputies"),
            "application/x-www-form-urlencoded",
            big.into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Invalid UTF-8 in a form.
    let mut bytes = format!("_csrf={csrf}&name=").into_bytes();
    bytes.extend_from_slice(&[0xff, 0xfe, 0xfd]);
    let r = c
        .post_raw(
            &format!("/c/{qingshi}/deputies"),
            "application/x-www-form-urlencoded",
            bytes,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.text().contains("表单"));
    // Wrong content type and malformed JSON on the API.
    let req = axum::http::Request::post(format!("/api/v1/congresses/{qingshi}/deputies"))
        .header("content-type", "text/plain")
        .header("x-csrf-token", &csrf)
        .body(axum::body::Body::from("name=x"))
        .unwrap();
    let r = c.send(req).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(r.json()["title_en"], "Unsupported content type");
    let req = axum::http::Request::post(format!("/api/v1/congresses/{qingshi}/deputies"))
        .header("content-type", "application/json")
        .header("x-csrf-token", &csrf)
        .body(axum::body::Body::from("{\"name\": "))
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::BAD_REQUEST);
    // Invalid fields through the API: 422 with each field in both languages.
    let r = c.json("POST", &format!("/api/v1/congresses/{qingshi}/deputies"), serde_json::json!({"name": "", "gender": "x", "ethnicity": "",
        "party": "", "composition": "", "occupation": "", "education": "", "constituency": "", "id_card": "12345"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let j = r.json();
    let fields: Vec<&str> = j["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"id_card") && fields.contains(&"name"));
    assert!(
        j["errors"][0]["message_zh"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| c > '\u{4e00}')
    );
    // Non-numeric ids are "not found", not a server error.
    assert_eq!(
        c.get(&format!("/c/{qingshi}/deputies/abc")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(c.get("/c/-1/deputies").await.status, StatusCode::NOT_FOUND);
    // Method not allowed.
    let req = axum::http::Request::delete("/healthz")
        .header("x-csrf-token", &csrf)
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(c.send(req).await.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(app.count("SELECT COUNT(*) FROM deputies").await, before);
}

#[tokio::test]
async fn every_role_gets_a_home_page_and_the_switcher_lists_only_visible_congresses() {
    let app = TestApp::demo().await;
    for (user, ..) in lianxin::app::demo::ACCOUNTS {
        let mut c = app.login(user).await;
        let r = c.get("/home").await;
        assert_eq!(r.status, StatusCode::OK, "{user}");
        assert!(
            r.text().contains("欢迎使用连心演示环境"),
            "{user} sees the welcome notice"
        );
    }
    let mut town = app.login("qingshi").await;
    let html = town.get("/home").await.text();
    assert!(!html.contains("congress-switch"), "one scope: no switcher");
    let mut district = app.login("daibiao").await;
    let html = district.get("/home").await.text();
    assert!(html.contains("congress-switch") && html.contains("白沙镇人民代表大会"));
    // Switching to a town shows that town's roster link.
    let baisha = app.congress_id("白沙镇").await;
    district
        .post_form(
            "/prefs",
            &[("congress", &baisha.to_string()), ("next", "/home")],
        )
        .await;
    assert!(
        district
            .get("/home")
            .await
            .text()
            .contains(&format!("/c/{baisha}/deputies"))
    );
}
