//! Signing in as an attacker tries it (issue 17): cookies under TLS, redirects to another host,
//! code guesses after a new sign-in, the answers of failed sign-ins, a stale session cookie,
//! the CSRF token across the sign-in, the enrolment page reloaded.

use crate::security::{enrol, secret_of};
use crate::support::*;
use axum::http::StatusCode;

/// Behind a TLS proxy (`tls_proxy = true`) every cookie is `Secure`, also when the proxy does
/// not send `X-Forwarded-Proto`: the session cookie of a sign-in, the CSRF cookie, preferences.
#[tokio::test]
async fn every_cookie_is_secure_when_the_deployment_says_tls() {
    let mut app = TestApp::demo().await;
    let mut cfg = (*app.state.config).clone();
    cfg.tls_proxy = true;
    app.state.config = std::sync::Arc::new(cfg);
    let mut c = app.client();
    let r = c
        .post_form(
            "/login",
            &[("username", "deputy"), ("password", PASSWORD), ("next", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookies: Vec<String> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("lx_session=")),
        "{cookies:?}"
    );
    for cookie in &cookies {
        assert!(cookie.contains("; Secure"), "not Secure: {cookie}");
    }
    let r = c
        .post_form("/prefs", &[("lang", "en"), ("next", "/home")])
        .await;
    for v in r.headers.get_all("set-cookie") {
        assert!(v.to_str().unwrap().contains("; Secure"), "{v:?}");
    }
}

/// A sign-in's `next` that a browser would turn into another host goes home instead.
#[tokio::test]
async fn a_sign_in_never_redirects_to_another_host() {
    let app = TestApp::demo().await;
    for next in [
        "/\t/evil.example",
        "/\n/evil.example",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example",
    ] {
        let mut c = app.client();
        let r = c
            .post_form(
                "/login",
                &[
                    ("username", "deputy"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/home", "next = {next:?}");
    }
    let mut c = app.client();
    let r = c
        .post_form(
            "/login",
            &[
                ("username", "deputy"),
                ("password", PASSWORD),
                ("next", "/c/1/suggestions"),
            ],
        )
        .await;
    assert_eq!(
        r.location(),
        "/c/1/suggestions",
        "a path of this site is kept"
    );
}

/// A thief who has the password gets no more code guesses by signing in again: the correct
/// password does not forget the code's failures; only a complete sign-in does.
#[tokio::test]
async fn signing_in_again_gives_no_new_guesses_at_the_code() {
    let mut app = TestApp::demo().await;
    app.state.demo = false;
    let mut c = app.client();
    let login = [
        ("username", "bangong"),
        ("password", PASSWORD),
        ("next", ""),
    ];
    c.post_form("/login", &login).await;
    enrol(&app, &mut c, "bangong").await;
    c.post_form("/logout", &[]).await;
    // Four wrong codes, sign in again with the password, and again four: the fifth failure of
    // the account locks it, whatever came between.
    c.post_form("/login", &login).await;
    for _ in 0..4 {
        let r = c
            .post_form("/login/second-factor", &[("code", "000000"), ("next", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut thief = app.client();
    let r = thief.post_form("/login", &login).await;
    assert!(
        r.location().starts_with("/login/second-factor"),
        "{}",
        r.location()
    );
    let r = thief
        .post_form("/login/second-factor", &[("code", "000000"), ("next", "")])
        .await;
    assert!(
        r.location().starts_with("/login"),
        "the fifth failure locks"
    );
    let r = thief.post_form("/login", &login).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "locked: the password alone gets nowhere"
    );
    assert!(r.text().contains("暂时锁定"));
}

/// An unknown name, a wrong password, a locked account with its right password and a disabled
/// one get the same answer: the page does not tell which accounts exist or are locked.
#[tokio::test]
async fn every_failed_sign_in_gets_the_same_answer() {
    let app = TestApp::demo().await;
    let message = |html: &str| {
        html.split("class=\"field-error\"")
            .nth(1)
            .and_then(|r| r.split_once('>'))
            .and_then(|(_, m)| m.split('<').next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no field error in {html}"))
    };
    let try_login = async |user: &str, password: &str| {
        let r = app
            .client()
            .post_form(
                "/login",
                &[("username", user), ("password", password), ("next", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{user}");
        message(&r.text())
    };
    let unknown = try_login("nobody-here", PASSWORD).await;
    let wrong = try_login("deputy", "wrong-password-1").await;
    // Lock `renshi` with five wrong passwords; disable `baisha`.
    for _ in 0..5 {
        try_login("renshi", "wrong-password-1").await;
    }
    let locked = try_login("renshi", PASSWORD).await;
    sqlx::query("UPDATE users SET disabled = 1 WHERE username = 'baisha'")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let disabled = try_login("baisha", PASSWORD).await;
    assert!(unknown.contains("用户名或密码不正确"), "{unknown}");
    assert_eq!(wrong, unknown);
    assert_eq!(locked, unknown, "a locked account is not told apart");
    assert_eq!(disabled, unknown, "a disabled account is not told apart");
}

/// Signing in from a browser that still holds an expired session cookie works: the stale
/// cookie's clearing does not follow (and cancel) the new session; and the sign-in gives a new
/// CSRF token, so a token planted before it stops working.
#[tokio::test]
async fn a_sign_in_over_a_stale_session_works_and_rotates_the_csrf_token() {
    let app = TestApp::demo().await;
    let mut c = app.login("deputy").await;
    let before = c.csrf();
    // The session expires (a day later), the cookie stays in the browser.
    app.clock.advance(chrono::Duration::days(1));
    let r = c
        .post_form(
            "/login",
            &[("username", "deputy"), ("password", PASSWORD), ("next", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let sessions: Vec<String> = r
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .filter(|v| v.starts_with("lx_session="))
        .collect();
    assert_eq!(
        sessions.len(),
        1,
        "one session cookie, the new one: {sessions:?}"
    );
    assert!(!sessions[0].contains("Max-Age=0"));
    assert_eq!(c.get("/home").await.status, StatusCode::OK, "signed in");
    assert_ne!(c.csrf(), before, "a new CSRF token at sign-in");
    assert_eq!(c.csrf().len(), 64);
    // The page's forms carry the new token and work.
    let r = c
        .post_form("/prefs", &[("lang", "zh"), ("next", "/home")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

/// Opening the enrolment page again shows the same secret: a reload or a link preview does not
/// replace the secret the user is scanning.
#[tokio::test]
async fn opening_the_enrolment_page_twice_keeps_its_secret() {
    let app = TestApp::demo().await;
    let mut c = app.login("deputy").await;
    let key = |html: String| {
        html.split("id=\"manual-key\"")
            .nth(1)
            .and_then(|r| r.split_once('>'))
            .and_then(|(_, m)| m.split('<').next())
            .map(str::to_string)
            .unwrap_or_else(|| panic!("no key in the page"))
    };
    let first = key(c.get("/account/second-factor").await.text());
    let again = key(c.get("/account/second-factor").await.text());
    assert_eq!(first, again);
    let secret = secret_of(&app, "deputy").await;
    assert_eq!(key(c.get("/account/second-factor").await.text()), first);
    assert_eq!(secret_of(&app, "deputy").await, secret, "nothing changed");
}
