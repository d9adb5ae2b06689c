//! Administration: accounts by the system administrator, roles by the security administrator
//! (三员分立), forced change of one-time passwords, and congresses, terms and sessions.

use crate::support::*;
use axum::http::StatusCode;

fn otp_of(html: &str) -> String {
    html.split("<code id=\"otp\">")
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_new_account_gets_a_one_time_password_a_role_and_must_change_the_password() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let mut sys = app.login("sysadmin").await;
    let r = sys
        .post_form(
            "/admin/users",
            &[("username", "wang.clerk"), ("display_name", "王文书")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let otp = otp_of(&r.text());
    assert_eq!(otp.len(), 16);
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'wang.clerk'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    // The system administrator grants no roles.
    let r = sys
        .post_form(
            &format!("/admin/users/{id}/grants"),
            &[
                ("congress", &district.to_string()),
                ("role", "staff"),
                ("office", "deputies_affairs"),
                ("organization", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The security administrator does; the separation of the three administrators holds.
    let mut sec = app.login("secadmin").await;
    assert_eq!(
        sec.post_form(
            "/admin/users",
            &[("username", "x.y"), ("display_name", "X")]
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let r = sec
        .post_form(
            &format!("/admin/users/{id}/grants"),
            &[
                ("congress", &district.to_string()),
                ("role", "staff"),
                ("office", ""),
                ("organization", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "staff needs an office"
    );
    let r = sec
        .post_form(
            &format!("/admin/users/{id}/grants"),
            &[
                ("congress", &district.to_string()),
                ("role", "staff"),
                ("office", "deputies_affairs"),
                ("organization", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = sec
        .post_form(
            &format!("/admin/users/{id}/grants"),
            &[
                ("congress", &district.to_string()),
                ("role", "audit_admin"),
                ("office", ""),
                ("organization", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("三员分立"));
    let (secid,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'secadmin'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = sec
        .post_form(
            &format!("/admin/users/{secid}/grants"),
            &[
                ("congress", &district.to_string()),
                ("role", "staff"),
                ("office", "personnel"),
                ("organization", ""),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "no administrator acts on their own account"
    );

    // The new user signs in with the one-time password and can do nothing before changing it.
    let mut u = app.client();
    let r = u
        .post_form(
            "/login",
            &[("username", "wang.clerk"), ("password", &otp), ("next", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = u.get(&format!("/c/{district}/deputies")).await;
    assert_eq!(r.location(), "/account/password");
    assert_eq!(u.get("/api/v1/me").await.status, StatusCode::FORBIDDEN);
    let r = u
        .post_form(
            "/account/password",
            &[("current", &otp), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("至少需要 10 位"));
    let r = u
        .post_form(
            "/account/password",
            &[
                ("current", "wrong"),
                ("new", "Renda-2026-wang"),
                ("confirm", "Renda-2026-wang"),
            ],
        )
        .await;
    assert!(r.text().contains("当前密码不正确"));
    let r = u
        .post_form(
            "/account/password",
            &[
                ("current", &otp),
                ("new", "Renda-2026-wang"),
                ("confirm", "Renda-2026-wang"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.text().contains("password-changed"));
    assert_eq!(
        u.get(&format!("/c/{district}/deputies")).await.status,
        StatusCode::OK,
        "the granted role works"
    );
    assert!(app.count("SELECT COUNT(*) FROM audit_log WHERE action IN ('accounts.user_create', 'accounts.grant', 'accounts.password_change')").await >= 3);
}

#[tokio::test]
async fn reset_and_disable_end_the_users_sessions() {
    let app = TestApp::demo().await;
    let mut staff = app.login("bangong").await;
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'bangong'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let mut sys = app.login("sysadmin").await;
    let r = sys
        .post_form(&format!("/admin/users/{id}/reset"), &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let otp = otp_of(&r.text());
    assert_eq!(
        staff.get("/home").await.status,
        StatusCode::SEE_OTHER,
        "signed out by the reset"
    );
    let mut again = app.client();
    assert_eq!(
        again
            .post_form(
                "/login",
                &[
                    ("username", "bangong"),
                    ("password", PASSWORD),
                    ("next", "")
                ]
            )
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        again
            .post_form(
                "/login",
                &[("username", "bangong"), ("password", &otp), ("next", "")]
            )
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        sys.post_form(&format!("/admin/users/{id}/disable"), &[])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        again.get("/home").await.status,
        StatusCode::SEE_OTHER,
        "disabled: signed out"
    );
    let r = again
        .post_form(
            "/login",
            &[("username", "bangong"), ("password", &otp), ("next", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The audit administrator sees the accounts list only through the audit trail.
    let mut audit = app.login("auditadmin").await;
    assert_eq!(
        audit.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn congresses_terms_and_sessions_are_added_with_checked_dates() {
    let app = TestApp::demo().await;
    let district = app.congress_id("示范区").await;
    let mut sys = app.login("sysadmin").await;
    assert_eq!(sys.get("/admin/congresses").await.status, StatusCode::OK);
    let r = sys
        .post_form(
            "/admin/congresses/towns",
            &[
                ("district", &district.to_string()),
                ("name", "新港镇人民代表大会"),
                ("short_name", "新港镇"),
                ("region_code", "990101"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "division code taken"
    );
    let r = sys
        .post_form(
            "/admin/congresses/towns",
            &[
                ("district", &district.to_string()),
                ("name", "新港镇人民代表大会"),
                ("short_name", "新港镇"),
                ("region_code", "990107"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let town = app.congress_id("新港镇").await;
    let r = sys
        .post_form(
            "/admin/congresses/terms",
            &[
                ("congress", &town.to_string()),
                ("number", "18"),
                ("starts_on", "2027-01-01"),
                ("ends_on", "2026-12-31"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("结束日期不能早于开始日期"));
    let r = sys
        .post_form(
            "/admin/congresses/terms",
            &[
                ("congress", &town.to_string()),
                ("number", "18"),
                ("starts_on", "2021-12-25"),
                ("ends_on", "2026-12-24"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (term,): (i64,) = sqlx::query_as("SELECT id FROM terms WHERE congress_id = $1")
        .bind(town)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = sys
        .post_form(
            "/admin/congresses/sessions",
            &[
                ("term", &term.to_string()),
                ("number", "1"),
                ("opens_on", "2027-01-05"),
                ("closes_on", "2027-01-06"),
            ],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside the term"
    );
    let r = sys
        .post_form(
            "/admin/congresses/sessions",
            &[
                ("term", &term.to_string()),
                ("number", "1"),
                ("opens_on", "2022-01-05"),
                ("closes_on", "2022-01-06"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Business staff cannot.
    let mut staff = app.login("daibiao").await;
    assert_eq!(
        staff.get("/admin/congresses").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        staff
            .post_form(
                "/admin/congresses/towns",
                &[
                    ("district", &district.to_string()),
                    ("name", "x"),
                    ("short_name", "x"),
                    ("region_code", "990108")
                ]
            )
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_cli_bootstraps_the_three_administrators_with_one_time_passwords() {
    let data = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lianxin"));
    cmd.args([
        "admin",
        "bootstrap",
        "--region",
        "970200",
        "--name",
        "新城区人民代表大会",
    ])
    .env("LIANXIN_DATA", data.path())
    .env_remove("LIANXIN_DATABASE_URL")
    .env("LIANXIN_LOG", "warn");
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_lowercase()))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    for (line, role) in lines
        .iter()
        .zip(["system_admin", "security_admin", "audit_admin"])
    {
        assert!(line.contains(role), "{line}");
        assert_eq!(line.split_whitespace().last().unwrap().len(), 16);
    }
    // Running it again refuses: bootstrap happens once.
    let again = cmd.output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}
