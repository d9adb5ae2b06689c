//! Sign-in, sign-out, preferences and the audit administrator's view.

use super::policy::{Permission, allows};
use super::{password, second_factor_pages, store};
use crate::audit::{self, Outcome, Record};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::UserId;
use crate::web::AppState;
use crate::web::ctx::{self, Ctx, safe_next, set_cookie};
use crate::web::extract::{Form, Query};
use crate::web::shell::{Shell, visible_congresses};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/prefs", post(prefs))
        .route("/audit", get(audit_page))
        .route("/audit/export.xlsx", get(audit_export))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
}

/// A demo account as listed on the login page and in the README.
pub struct DemoAccount {
    pub username: &'static str,
    pub role_key: &'static str,
}

#[derive(Template)]
#[template(path = "accounts/templates/login.html")]
struct LoginPage {
    shell: Shell,
    next: String,
    username: String,
    demo_accounts: Vec<DemoAccount>,
    demo_password: &'static str,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    /// Set when the user was sent here because their session ended.
    expired: Option<String>,
}

async fn login_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<NextQuery>,
) -> AppResult<Response> {
    if ctx.actor.is_some() {
        return Ok(Redirect::to(safe_next(q.next.as_deref().unwrap_or("/home"))).into_response());
    }
    let mut shell = Shell::new(&state, &ctx, "login.title").await?;
    shell.session_expired |= q.expired.is_some();
    render_login(
        &state,
        shell,
        q.next.unwrap_or_default(),
        String::new(),
        StatusCode::OK,
    )
}

fn render_login(
    state: &AppState,
    shell: Shell,
    next: String,
    username: String,
    status: StatusCode,
) -> AppResult<Response> {
    let page = LoginPage {
        shell,
        next,
        username,
        demo_accounts: if state.demo {
            (state.demo_sign_in.accounts)()
                .into_iter()
                .map(|(username, role_key)| DemoAccount { username, role_key })
                .collect()
        } else {
            Vec::new()
        },
        demo_password: if state.demo {
            state.demo_sign_in.password
        } else {
            ""
        },
    };
    Ok((status, Html(page.render().map_err(AppError::internal)?)).into_response())
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Secrets are cleared from memory when the form is dropped (GB/T 22239-2019 8.1.4.10).
impl Drop for LoginForm {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.password);
    }
}

async fn login(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let now = state.clock.now_ms();
    let username = f.username.trim().to_string();
    let mut errors = Vec::new();
    if username.is_empty() {
        errors.push(FieldError::new(
            Field("username"),
            "login.username_required",
        ));
    }
    if f.password.is_empty() {
        errors.push(FieldError::new(
            Field("password"),
            "login.password_required",
        ));
    }
    if !errors.is_empty() {
        let shell = Shell::new(&state, &ctx, "login.title")
            .await?
            .with_errors(&errors);
        return render_login(
            &state,
            shell,
            f.next.clone(),
            username,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let policy = store::policy(&state.db).await?;
    let user = store::find_user(&state.db, &username).await?;
    let attempt = |user: Option<i64>, outcome: Outcome| Record {
        at: now,
        user: user.map(UserId),
        congress: None,
        action: "accounts.login",
        target: format!("user:{}", user.unwrap_or(0)),
        outcome,
        fields: &[],
        client_addr: ctx.client_addr.clone(),
    };
    // The same work and the same answer for every failure — an unknown name, a wrong password,
    // a locked or disabled account — so that neither the time nor the message tells which
    // accounts exist or are locked: the hash is always verified.
    let (ok, locked) = match &user {
        Some(u) => {
            let locked = u.locked_until.is_some_and(|t| t > now);
            let verified = password::verify(&f.password, &u.password_hash);
            (verified && !locked && u.disabled == 0, locked)
        }
        None => {
            let _ = password::verify(&f.password, password::DUMMY_HASH);
            (false, false)
        }
    };
    if !ok {
        if let Some(u) = &user
            && !locked
        {
            let lock =
                (u.failed_logins + 1 >= policy.lockout_threshold).then_some(now + policy.lock_ms());
            store::record_login_failure(&state.db, u.id, lock).await?;
        }
        audit::append_alone(
            &state.db,
            &attempt(user.as_ref().map(|u| u.id), Outcome::Failed),
        )
        .await?;
        let error = FieldError::new(Field("username"), "login.failed");
        let shell = Shell::new(&state, &ctx, "login.title")
            .await?
            .with_errors(&[error]);
        return render_login(
            &state,
            shell,
            f.next.clone(),
            username,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let Some(user) = user else {
        return Err(AppError::internal("unreachable"));
    };
    // A new session id at every sign-in (no fixation); the old one, if any, ends.
    if let Some(old) = &ctx.session_token {
        store::end_session(&state.db, old).await?;
    }
    let uid = UserId(user.id);
    let stage = second_factor_pages::stage_after_password(&state, uid).await?;
    let mut tx = state.db.write().await?;
    // 8.1.4.1 a: a password older than the policy allows must be changed now.
    store::expire_old_password(&mut tx, uid, now - policy.password_max_age_ms()).await?;
    let token = store::start_session(&mut tx, uid, now, stage, &policy).await?;
    audit::append(&mut tx, &attempt(Some(user.id), Outcome::Success)).await?;
    tx.commit().await?;
    let next = safe_next(if f.next.is_empty() { "/home" } else { &f.next });
    let target = second_factor_pages::next_step(stage, next);
    let mut resp = Redirect::to(&target).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            ctx::SESSION_COOKIE,
            &token,
            None,
            ctx::cookies_secure(&state, &headers),
        ),
    );
    resp.headers_mut()
        .append(header::SET_COOKIE, ctx::fresh_csrf_cookie(&state, &headers));
    Ok(resp)
}

async fn logout(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    if let Some(token) = &ctx.session_token {
        store::end_session(&state.db, token).await?;
        if let Some(actor) = &ctx.actor {
            audit::append_alone(
                &state.db,
                &Record {
                    at: state.clock.now_ms(),
                    user: Some(actor.user),
                    congress: None,
                    action: "accounts.logout",
                    target: format!("user:{}", actor.user.0),
                    outcome: Outcome::Success,
                    fields: &[],
                    client_addr: ctx.client_addr.clone(),
                },
            )
            .await?;
        }
    }
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            ctx::SESSION_COOKIE,
            "",
            Some(0),
            ctx::cookies_secure(&state, &headers),
        ),
    );
    Ok(resp)
}

#[derive(Deserialize)]
struct PrefsForm {
    lang: Option<String>,
    large: Option<String>,
    congress: Option<String>,
    #[serde(default)]
    next: String,
}

/// Language, large text and the congress switcher: remembered in cookies for a year.
async fn prefs(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<PrefsForm>,
) -> AppResult<Response> {
    let secure = ctx::cookies_secure(&state, &headers);
    let year = Some(365 * 86_400);
    let mut resp =
        Redirect::to(safe_next(if f.next.is_empty() { "/" } else { &f.next })).into_response();
    let h = resp.headers_mut();
    if let Some(lang) = f
        .lang
        .as_deref()
        .and_then(crate::platform::i18n::Lang::parse)
    {
        h.append(
            header::SET_COOKIE,
            set_cookie(ctx::LANG_COOKIE, lang.code(), year, secure),
        );
    }
    if let Some(large) = f.large.as_deref() {
        h.append(
            header::SET_COOKIE,
            set_cookie(
                ctx::LARGE_COOKIE,
                if large == "1" { "1" } else { "0" },
                year,
                secure,
            ),
        );
    }
    if let Some(c) = f.congress.as_deref() {
        let id: i64 = c
            .parse()
            .map_err(|_| AppError::BadRequest("error.bad_form"))?;
        h.append(
            header::SET_COOKIE,
            set_cookie(ctx::CONGRESS_COOKIE, &id.to_string(), year, secure),
        );
    }
    Ok(resp)
}

#[derive(Template)]
#[template(path = "accounts/templates/audit.html")]
struct AuditPage {
    shell: Shell,
    entries: Vec<audit::Entry>,
    filter: audit::Filter,
    /// The filter as a query string, for the next page and the export link.
    query: String,
    next: Option<i64>,
}

#[derive(Deserialize)]
struct AuditQuery {
    before: Option<i64>,
    #[serde(flatten)]
    filter: audit::Filter,
}

/// The audit administrator's guard: only they read the trail, and every reading is recorded.
async fn audit_guard(
    state: &AppState,
    ctx: &Ctx,
    action: &'static str,
    filter: &audit::Filter,
) -> AppResult<()> {
    let actor = ctx.actor()?;
    let scopes = visible_congresses(state, ctx).await?;
    if !scopes
        .iter()
        .any(|c| allows(actor, Permission::ViewAudit, c.target(), state.policy()))
    {
        return Err(AppError::Forbidden);
    }
    // Reading the trail is itself on the trail (the audit administrator is audited too).
    audit::append_alone(
        &state.db,
        &Record {
            at: state.clock.now_ms(),
            user: Some(actor.user),
            congress: None,
            action,
            target: format!(
                "audit_log:user={}:action={}:target={}:from={}:to={}",
                filter.user, filter.action, filter.target, filter.from, filter.to
            ),
            outcome: Outcome::Success,
            fields: &[],
            client_addr: ctx.client_addr.clone(),
        },
    )
    .await?;
    Ok(())
}

fn filter_query(f: &audit::Filter) -> String {
    serde_urlencoded::to_string([
        ("user", &f.user),
        ("action", &f.action),
        ("target", &f.target),
        ("from", &f.from),
        ("to", &f.to),
    ])
    .unwrap_or_default()
}

async fn audit_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    audit_guard(&state, &ctx, "audit.read", &q.filter).await?;
    let mut shell = Shell::new(&state, &ctx, "audit.title").await?;
    if let Err(field) = q.filter.bounds() {
        shell = shell.with_errors(&[FieldError::new(Field(field), "field.date_invalid")]);
        let page = AuditPage {
            shell,
            entries: Vec::new(),
            query: filter_query(&q.filter),
            filter: q.filter,
            next: None,
        };
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(page.render().map_err(AppError::internal)?),
        )
            .into_response());
    }
    let mut entries = audit::search(&state.db, &q.filter, q.before, 101).await?;
    let next = if entries.len() > 100 {
        entries.truncate(100);
        entries.last().map(|e| e.id)
    } else {
        None
    };
    let page = AuditPage {
        shell,
        entries,
        query: filter_query(&q.filter),
        filter: q.filter,
        next,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}

/// The matching records as XLSX (at most 50,000, newest first).
async fn audit_export(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<AuditQuery>,
) -> AppResult<Response> {
    audit_guard(&state, &ctx, "audit.export", &q.filter).await?;
    q.filter
        .bounds()
        .map_err(|_| AppError::BadRequest("field.date_invalid"))?;
    let bytes = audit::export(&state.db, &q.filter)
        .await
        .map_err(AppError::internal)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "accounts/templates/password.html")]
struct PasswordPage {
    shell: Shell,
    forced: bool,
    done: bool,
}

async fn password_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let shell = Shell::new(&state, &ctx, "password.title").await?;
    let page = PasswordPage {
        shell,
        forced: actor.must_change_password,
        done: false,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}

#[derive(Deserialize)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

impl Drop for PasswordForm {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.current);
        zeroize::Zeroize::zeroize(&mut self.new);
        zeroize::Zeroize::zeroize(&mut self.confirm);
    }
}

/// Changes one's own password: the current one is checked, the new one must meet the policy;
/// every other session of the user ends.
async fn change_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let actor = ctx.actor()?.clone();
    let stored = store::password_hash(&state.db, actor.user)
        .await?
        .unwrap_or_default();
    let mut errors = Vec::new();
    if !password::verify(&f.current, &stored) {
        errors.push(FieldError::new(Field("current"), "password.current_wrong"));
    }
    if let Err(key) = password::check_policy(&actor.username, &f.new) {
        errors.push(FieldError::new(Field("new"), key));
    } else if f.new == f.current {
        errors.push(FieldError::new(Field("new"), "password.same_as_old"));
    }
    if f.new != f.confirm {
        errors.push(FieldError::new(Field("confirm"), "password.mismatch"));
    }
    if !errors.is_empty() {
        let shell = Shell::new(&state, &ctx, "password.title")
            .await?
            .with_errors(&errors);
        let page = PasswordPage {
            shell,
            forced: actor.must_change_password,
            done: false,
        };
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(page.render().map_err(AppError::internal)?),
        )
            .into_response());
    }
    let hash = password::hash(&f.new).map_err(AppError::internal)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    store::set_password(&mut tx, actor.user, &hash, false, now).await?;
    store::end_other_sessions(&mut tx, actor.user, ctx.session_token.as_deref()).await?;
    audit::append(
        &mut tx,
        &Record {
            at: now,
            user: Some(actor.user),
            congress: None,
            action: "accounts.password_change",
            target: format!("user:{}", actor.user.0),
            outcome: Outcome::Success,
            fields: &["password_hash"],
            client_addr: ctx.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    let mut shell = Shell::new(&state, &ctx, "password.title").await?;
    shell.user_name = Some(actor.display_name.clone());
    let page = PasswordPage {
        shell,
        forced: false,
        done: true,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}
