//! Sign-in, sign-out, preferences, the home page (待办) and the audit administrator's view.

use super::policy::{Permission, allows};
use super::roles::Role;
use super::{password, second_factor_pages, store};
use crate::audit::{self, Outcome, Record};
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::UserId;
use crate::web::AppState;
use crate::web::ctx::{self, Ctx, safe_next, set_cookie};
use crate::web::extract::{Form, Query};
use crate::web::shell::{Shell, current_congress, visible_congresses};
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
        .route("/home", get(home))
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
            crate::demo::ACCOUNTS
                .iter()
                .map(|(u, r, ..)| DemoAccount {
                    username: u,
                    role_key: r,
                })
                .collect()
        } else {
            Vec::new()
        },
        demo_password: if state.demo {
            crate::demo::DEMO_PASSWORD
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
        errors.push(FieldError::new("username", "login.username_required"));
    }
    if f.password.is_empty() {
        errors.push(FieldError::new("password", "login.password_required"));
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
        let error = FieldError::new("username", "login.failed");
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

/// A card on the home page: something that waits for the user, or a way in.
pub struct HomeCard {
    pub title: String,
    pub number: Option<i64>,
    pub text: String,
    pub href: String,
    pub link: String,
}

/// A deadline on the home page: days left (amber within 15 working days, red when overdue),
/// the date, and its legal basis.
pub struct DueItem {
    pub title: String,
    pub link: String,
    pub due_on: String,
    pub days_left: i64,
    pub urgency: &'static str,
    pub basis: String,
    pub warning: String,
}

#[derive(Template)]
#[template(path = "accounts/templates/home.html")]
struct HomePage {
    shell: Shell,
    congress_name: String,
    roles: Vec<String>,
    cards: Vec<HomeCard>,
    notices: Vec<crate::notify::InboxItem>,
    deadlines: Vec<DueItem>,
    calendar_reminder: String,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let shell = Shell::new(&state, &ctx, "home.title").await?;
    let scopes = visible_congresses(&state, &ctx).await?;
    let current = current_congress(&ctx, &scopes).cloned();
    let t = shell.t;
    let mut cards = Vec::new();
    let mut roles = Vec::new();
    if let Some(c) = &current {
        for g in actor.grants.iter().filter(|g| g.congress == c.id) {
            roles.push(t.t(g.role.key()));
        }
        let p = state.policy();
        if allows(actor, Permission::ViewRoster, c.target(), p) {
            let (deputies, units, stations) = crate::people::store::counts(&state.db, c.id).await?;
            cards.push(HomeCard {
                title: t.t("home.card.deputies"),
                number: Some(deputies),
                text: t.t("home.card.deputies_text"),
                href: format!("/c/{}/deputies", c.id),
                link: t.t("home.card.open_roster"),
            });
            cards.push(HomeCard {
                title: t.t("home.card.units"),
                number: Some(units),
                text: t.t("home.card.units_text"),
                href: format!("/c/{}/units", c.id),
                link: t.t("home.card.open_units"),
            });
            cards.push(HomeCard {
                title: t.t("home.card.stations"),
                number: Some(stations),
                text: t.t("home.card.stations_text"),
                href: "/#stations".into(),
                link: t.t("home.card.open_stations"),
            });
        } else if allows(actor, Permission::ViewUnits, c.target(), p) {
            cards.push(HomeCard {
                title: t.t("home.card.units"),
                number: None,
                text: t.t("home.card.units_text"),
                href: format!("/c/{}/units", c.id),
                link: t.t("home.card.open_units"),
            });
        }
        // A deputy's account without a deputy in office here handles no opinions: no card.
        if allows(actor, Permission::HandleOpinions, c.target(), p)
            && let Ok(handler) = crate::opinions::pages::handler(&state, &ctx, c).await
        {
            let today = state.clock.today().to_string();
            let (open, overdue) =
                crate::opinions::store::open_counts(&state.db, c.id, handler.scope(), &today)
                    .await?;
            cards.push(HomeCard {
                title: t.t("home.card.opinions"),
                number: Some(open),
                text: t.f("home.card.opinions_text", "n", overdue.to_string()),
                href: format!("/c/{}/opinions", c.id),
                link: t.t("home.card.open_opinions"),
            });
            if handler == crate::opinions::service::Handler::Staff {
                cards.push(HomeCard {
                    title: t.t("opinions.insight"),
                    number: None,
                    text: t.t("home.card.insight_text"),
                    href: format!("/c/{}/opinions/insight", c.id),
                    link: t.t("home.card.open_insight"),
                });
            }
        }
        if allows(actor, Permission::ViewLivelihood, c.target(), p) {
            // A unit sees the projects it leads; everyone else the congress's.
            let unit = if allows(actor, Permission::DeliverLivelihood, c.target(), p) {
                actor
                    .grants
                    .iter()
                    .find(|g| g.congress == c.id && g.organization.is_some())
                    .and_then(|g| g.organization)
            } else {
                None
            };
            let today = state.clock.today().to_string();
            let (projects, overdue) =
                crate::livelihood::store::delivery_counts(&state.db, c.id, unit, &today).await?;
            cards.push(HomeCard {
                title: t.t("home.card.livelihood"),
                number: Some(projects),
                text: t.f("home.card.livelihood_text", "n", overdue.to_string()),
                href: format!("/c/{}/livelihood", c.id),
                link: t.t("home.card.open_livelihood"),
            });
        }
        if allows(actor, Permission::ViewAudit, c.target(), p) {
            cards.push(HomeCard {
                title: t.t("nav.audit"),
                number: None,
                text: t.t("home.card.audit_text"),
                href: "/audit".into(),
                link: t.t("home.card.open_audit"),
            });
        }
        if actor.has(c.id, Role::SystemAdmin) || actor.has(c.id, Role::SecurityAdmin) {
            cards.push(HomeCard {
                title: t.t("home.card.admin"),
                number: None,
                text: t.t("home.card.admin_text"),
                href: "/admin/users".into(),
                link: t.t("nav.accounts"),
            });
        }
        if actor.has(c.id, Role::Deputy) {
            cards.push(HomeCard {
                title: t.t("home.card.deputy"),
                number: None,
                text: t.t("home.card.deputy_text"),
                href: "/".into(),
                link: t.t("home.card.open_public"),
            });
        }
    }
    let notices = crate::notify::inbox(&state.db, actor.user, 5).await?;
    let calendar = crate::calendar::store::load(&state.db).await?;
    let today = state.clock.today();
    let deadlines = crate::calendar::deadlines::open_for(&state.db, actor.user, 20)
        .await?
        .into_iter()
        .filter_map(|d| {
            let due = chrono::NaiveDate::parse_from_str(&d.due_on, "%Y-%m-%d").ok()?;
            let days_left = calendar.working_days_left(today, due);
            let warning = d
                .unloaded_years
                .split(',')
                .filter(|y| !y.is_empty())
                .map(|y| crate::platform::i18n::trf(t.0, "calendar.not_loaded", &[("year", y)]))
                .collect::<Vec<_>>()
                .join(" ");
            Some(DueItem {
                title: format!(
                    "{} · {}",
                    t.k("deadline.module", &d.module),
                    t.k("deadline.kind", &d.kind)
                ),
                link: d.link,
                due_on: d.due_on,
                urgency: if days_left < 0 {
                    "overdue"
                } else if days_left <= 15 {
                    "soon"
                } else {
                    "ok"
                },
                days_left,
                basis: format!("{}（{}）", t.t(&d.basis_rule), d.basis_source),
                warning,
            })
        })
        .collect();
    // In November and December, remind the system administrator to load next year's holidays.
    let next_year = chrono::Datelike::year(&today) + 1;
    let admin = current.as_ref().is_some_and(|c| {
        allows(
            actor,
            Permission::ManageSettings,
            c.target(),
            state.policy(),
        )
    });
    let calendar_reminder =
        if admin && chrono::Datelike::month(&today) >= 11 && !calendar.is_loaded(next_year) {
            crate::platform::i18n::trf(
                t.0,
                "calendar.reminder",
                &[("year", &next_year.to_string())],
            )
        } else {
            String::new()
        };
    let page = HomePage {
        shell,
        congress_name: current.map(|c| c.name).unwrap_or_default(),
        roles,
        cards,
        notices,
        deadlines,
        calendar_reminder,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
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
        shell = shell.with_errors(&[FieldError::new(field, "field.date_invalid")]);
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
        errors.push(FieldError::new("current", "password.current_wrong"));
    }
    if let Err(key) = password::check_policy(&actor.username, &f.new) {
        errors.push(FieldError::new("new", key));
    } else if f.new == f.current {
        errors.push(FieldError::new("new", "password.same_as_old"));
    }
    if f.new != f.confirm {
        errors.push(FieldError::new("confirm", "password.mismatch"));
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
