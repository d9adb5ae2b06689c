//! Issue 4: the second factor, the security policy, sign-out everywhere, unused accounts.

use crate::support::*;
use axum::http::StatusCode;
use lianxin::accounts::second_factor::{Algorithm, DIGITS, hotp, step_at};
use lianxin::platform::clock::Clock;

/// The user's enrolled (or pending) secret, read the way the server reads it.
pub(crate) async fn secret_of(app: &TestApp, user: &str) -> Vec<u8> {
    let (sealed,): (String,) =
        sqlx::query_as("SELECT otp_secret_sealed FROM users WHERE username = $1")
            .bind(user)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert!(sealed.starts_with("sm4gcm:v1:"), "the secret is sealed");
    let hex_secret = app
        .state
        .db
        .vault
        .open_sealed("users.otp_secret_sealed", &sealed)
        .unwrap();
    hex::decode(hex_secret).unwrap()
}

fn code_now(app: &TestApp, alg: Algorithm, secret: &[u8]) -> String {
    hotp(alg, secret, step_at(app.clock.now_ms()) as u64, DIGITS)
}

pub(crate) async fn enrol(app: &TestApp, c: &mut Client<'_>, user: &str) -> Vec<String> {
    let page = c.get("/account/second-factor").await;
    assert_eq!(page.status, StatusCode::OK);
    let text = page.text();
    assert!(
        text.contains("<svg") && text.contains("manual-key"),
        "QR and manual key shown"
    );
    let secret = secret_of(app, user).await;
    let r = c
        .post_form(
            "/account/second-factor",
            &[("code", "000000"), ("next", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a wrong code is refused"
    );
    let code = code_now(app, Algorithm::Totp, &secret);
    let r = c
        .post_form("/account/second-factor", &[("code", &code), ("next", "")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let text = r.text();
    let codes: Vec<String> = text
        .split("<li><code>")
        .skip(1)
        .map(|s| s.split('<').next().unwrap().to_string())
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes shown once");
    codes
}

#[tokio::test]
async fn staff_must_enrol_under_serve_and_then_give_a_code_at_every_sign_in() {
    let mut app = TestApp::demo().await;
    app.state.demo = false; // `lianxin serve`
    let mut c = app.client();
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "daibiao"),
                ("password", PASSWORD),
                ("next", "/c/1/deputies"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.location().starts_with("/account/second-factor"),
        "{}",
        r.location()
    );
    // Nothing else is reachable before enrolment, and the half-signed-in actor holds no grants.
    let home = c.get("/home").await;
    assert!(home.location().starts_with("/account/second-factor"));
    assert_eq!(c.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
    let recovery = enrol(&app, &mut c, "daibiao").await;
    assert_eq!(
        c.get("/home").await.status,
        StatusCode::OK,
        "enrolment completes the sign-in"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL")
            .await,
        10
    );
    // Recovery codes are stored as keyed digests only.
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM recovery_codes WHERE code_digest = '{}'",
            recovery[0]
        ))
        .await,
        0
    );

    // Next sign-in: the code step.
    c.post_form("/logout", &[]).await;
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "daibiao"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert!(r.location().starts_with("/login/second-factor"));
    assert!(
        c.get("/c/1/deputies")
            .await
            .location()
            .starts_with("/login/second-factor")
    );
    let secret = secret_of(&app, "daibiao").await;
    let r = c
        .post_form("/login/second-factor", &[("code", "123456"), ("next", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("验证码不正确"));
    // The code used at enrolment (same time step) cannot be replayed.
    let used = code_now(&app, Algorithm::Totp, &secret);
    let r = c
        .post_form("/login/second-factor", &[("code", &used), ("next", "")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "replay refused");
    app.clock.advance(chrono::Duration::seconds(30));
    let fresh = code_now(&app, Algorithm::Totp, &secret);
    let r = c
        .post_form(
            "/login/second-factor",
            &[("code", &fresh), ("next", "/c/1/deputies")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/c/1/deputies");
    assert_eq!(c.get("/c/1/deputies").await.status, StatusCode::OK);

    // A recovery code works once.
    let mut d = app.client();
    d.post_form(
        "/login",
        &[
            ("username", "daibiao"),
            ("password", PASSWORD),
            ("next", ""),
        ],
    )
    .await;
    let r = d
        .post_form(
            "/login/second-factor",
            &[("code", &recovery[0].to_uppercase()), ("next", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mut e = app.client();
    e.post_form(
        "/login",
        &[
            ("username", "daibiao"),
            ("password", PASSWORD),
            ("next", ""),
        ],
    )
    .await;
    let r = e
        .post_form(
            "/login/second-factor",
            &[("code", &recovery[0]), ("next", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a used recovery code is refused"
    );

    // Sign out everywhere: c and d lose their sessions.
    let r = c.post_form("/account/sessions/end-all", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(d.get("/home").await.location().starts_with("/login"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'daibiao'").await,
        0
    );
    let actions = app
        .count("SELECT COUNT(*) FROM audit_log WHERE action IN ('accounts.second_factor_enrol', 'accounts.second_factor', 'accounts.logout_everywhere')")
        .await;
    assert!(actions >= 5, "every step is audited ({actions})");
}

#[tokio::test]
async fn wrong_codes_lock_the_account_like_wrong_passwords() {
    let mut app = TestApp::demo().await;
    app.state.demo = false;
    let mut c = app.client();
    c.post_form(
        "/login",
        &[
            ("username", "bangong"),
            ("password", PASSWORD),
            ("next", ""),
        ],
    )
    .await;
    enrol(&app, &mut c, "bangong").await;
    c.post_form("/logout", &[]).await;
    c.post_form(
        "/login",
        &[
            ("username", "bangong"),
            ("password", PASSWORD),
            ("next", ""),
        ],
    )
    .await;
    for _ in 0..4 {
        let r = c
            .post_form("/login/second-factor", &[("code", "000000"), ("next", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = c
        .post_form("/login/second-factor", &[("code", "000000"), ("next", "")])
        .await;
    assert!(
        r.location().starts_with("/login"),
        "the fifth failure locks and ends the session"
    );
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "bangong"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("暂时锁定"),
        "the one answer of every failure"
    );
    // The security administrator unlocks, and may reset the lost second factor.
    let id = app
        .count("SELECT id FROM users WHERE username = 'bangong'")
        .await;
    let mut sec = app.login("secadmin").await;
    enrol(&app, &mut sec, "secadmin").await;
    assert_eq!(
        sec.post_form(&format!("/admin/users/{id}/unlock"), &[])
            .await
            .location(),
        format!("/admin/users/{id}")
    );
    assert_eq!(
        sec.post_form(&format!("/admin/users/{id}/second-factor/reset"), &[])
            .await
            .location(),
        format!("/admin/users/{id}")
    );
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "bangong"),
                ("password", PASSWORD),
                ("next", ""),
            ],
        )
        .await;
    assert!(
        r.location().starts_with("/account/second-factor"),
        "enrols again"
    );
}

#[tokio::test]
async fn the_demo_does_not_force_the_second_factor_but_anyone_may_use_it() {
    let app = TestApp::demo().await;
    let mut c = app.login("daibiao").await;
    assert_eq!(c.get("/home").await.status, StatusCode::OK);
    let mut d = app.login("deputy").await;
    let page = d.get("/account/security").await.text();
    assert!(page.contains("尚未设置"));
    enrol(&app, &mut d, "deputy").await;
    assert!(
        d.get("/account/security")
            .await
            .text()
            .contains("totp-sha1")
    );
}

#[tokio::test]
async fn the_hmac_sm3_algorithm_is_a_policy_choice() {
    let app = TestApp::demo().await;
    let mut sec = app.login("secadmin").await;
    let r = sec
        .post_form("/admin/security-policy", &[("otp_algorithm", "hmac-sm3")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let mut c = app.login("deputy").await;
    assert!(
        c.get("/account/second-factor")
            .await
            .text()
            .contains("hmac-sm3")
    );
    let secret = secret_of(&app, "deputy").await;
    let sha1 = code_now(&app, Algorithm::Totp, &secret);
    let sm3 = code_now(&app, Algorithm::HmacSm3, &secret);
    if sha1 != sm3 {
        let r = c
            .post_form("/account/second-factor", &[("code", &sha1), ("next", "")])
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a SHA-1 code does not pass SM3"
        );
    }
    let r = c
        .post_form("/account/second-factor", &[("code", &sm3), ("next", "")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn the_policy_refuses_values_below_the_floor_and_changes_nothing() {
    let app = TestApp::demo().await;
    let mut sec = app.login("secadmin").await;
    let r = sec
        .post_form(
            "/admin/security-policy",
            &[("audit_retention_months", "5"), ("lockout_threshold", "3")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("取值须在 6–120 之间"));
    assert_eq!(app.count("SELECT COUNT(*) FROM security_settings").await, 0);
    let r = sec
        .post_form(
            "/admin/security-policy",
            &[("lockout_threshold", "3"), ("idle_timeout_minutes", "10")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Three failures now lock; ten idle minutes end a session.
    let mut c = app.client();
    for _ in 0..3 {
        c.post_form(
            "/login",
            &[
                ("username", "renshi"),
                ("password", "wrong-Password-1"),
                ("next", ""),
            ],
        )
        .await;
    }
    let r = c
        .post_form(
            "/login",
            &[("username", "renshi"), ("password", PASSWORD), ("next", "")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "locked after three"
    );
    assert!(r.text().contains("暂时锁定"));
    let mut d = app.login("bangong").await;
    app.clock.advance(chrono::Duration::minutes(11));
    assert!(d.get("/home").await.location().starts_with("/login"));
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'security.policy_change'")
            .await
            == 1,
        "the refused attempt changed nothing; the accepted one is audited"
    );
}

#[tokio::test]
async fn old_passwords_must_be_changed_and_unused_accounts_are_disabled() {
    let app = TestApp::demo().await;
    app.clock.advance(chrono::Duration::days(91));
    let mut c = app.login("bangong").await;
    assert_eq!(
        c.get("/home").await.location(),
        "/account/password",
        "90 days: change it"
    );
    // Everyone unused for 90 days is disabled, except the security administrators.
    let n = lianxin::accounts::jobs::lock_unused_accounts(&app.state.db, app.clock.now_ms())
        .await
        .unwrap();
    assert!(n > 5, "{n}");
    let sec_disabled = app
        .count("SELECT COUNT(*) FROM users WHERE username = 'secadmin' AND disabled = 1")
        .await;
    assert_eq!(sec_disabled, 0);
    let r = app
        .client()
        .post_form(
            "/login",
            &[("username", "renshi"), ("password", PASSWORD), ("next", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let id = app
        .count("SELECT id FROM users WHERE username = 'renshi'")
        .await;
    let mut sec = app.login("secadmin").await;
    let r = sec
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "Anquan-Guanli-2027"),
                ("confirm", "Anquan-Guanli-2027"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = sec
        .post_form(&format!("/admin/users/{id}/unlock"), &[])
        .await;
    assert_eq!(r.location(), format!("/admin/users/{id}"));
    let r = app
        .client()
        .post_form(
            "/login",
            &[("username", "renshi"), ("password", PASSWORD), ("next", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "unlocked");
    let again = lianxin::accounts::jobs::lock_unused_accounts(&app.state.db, app.clock.now_ms())
        .await
        .unwrap();
    assert_eq!(again, 0, "an unlocked account is not locked again at once");
}

#[tokio::test]
async fn sign_in_attempts_and_anonymous_requests_are_rate_limited_per_address() {
    use axum::body::Body;
    use axum::http::Request;
    let mut app = TestApp::demo().await;
    app.state.limiter = std::sync::Arc::new(lianxin::web::limit::Limiter::new(3, 8));
    let mut c = app.client();
    c.get("/login").await; // 1 anonymous
    for _ in 0..3 {
        let r = c
            .post_form(
                "/login",
                &[
                    ("username", "renshi"),
                    ("password", "nope-Nope-1"),
                    ("next", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = c
        .post_form(
            "/login",
            &[("username", "renshi"), ("password", PASSWORD), ("next", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers.get("retry-after").is_some());
    assert!(r.text().contains("请求过于频繁"));
    // Anonymous pages: 8 a minute (the sign-in page took one), then 429.
    for _ in 0..7 {
        assert_eq!(c.get("/find").await.status, StatusCode::OK);
    }
    assert_eq!(c.get("/find").await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_ne!(
        c.get("/healthz").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another address has its own allowance (behind the TLS proxy, X-Real-IP names it).
    let mut cfg = (*app.state.config).clone();
    cfg.tls_proxy = true;
    app.state.config = std::sync::Arc::new(cfg);
    let mut other = app.client();
    let r = other
        .send(
            Request::get("/find")
                .header("x-real-ip", "10.1.2.3")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.headers
            .get("strict-transport-security")
            .map(|v| v.to_str().unwrap().to_string()),
        Some("max-age=31536000".to_string()),
        "HSTS behind TLS"
    );
    // The next minute the allowance is back.
    app.clock.advance(chrono::Duration::seconds(61));
    let mut c = app.client();
    assert_eq!(c.get("/find").await.status, StatusCode::OK);
}

#[tokio::test]
async fn no_hsts_on_plain_http() {
    let app = TestApp::demo().await;
    let r = app.client().get("/").await;
    assert!(r.headers.get("strict-transport-security").is_none());
    assert_eq!(r.headers.get("x-frame-options").unwrap(), "DENY");
    assert!(
        r.headers
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
}
