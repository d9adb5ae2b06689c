//! Account administration, split as 三员分立 requires: the system administrator creates accounts,
//! resets their passwords and disables them; the security administrator grants and revokes roles.
//! Neither can act on their own account, and no grant may break the separation.

use super::policy::{Permission, allows};
use super::roles::{ALL_ROLES, Grant, GrantConflict, Office, Role, check_grants};
use super::{password, store};
use crate::audit::{self, Record};
use crate::congress::{self as congresses, Congress};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::{CongressId, UserId};
use crate::platform::page::clamp_limit;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

mod grants;
use grants::{add_grant, revoke_grant};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/new", get(new_user))
        .route("/admin/users/{id}", get(user))
        .route("/admin/users/{id}/grants", post(add_grant))
        .route("/admin/users/{id}/grants/{gid}/revoke", post(revoke_grant))
        .route("/admin/users/{id}/reset", post(reset_password))
        .route("/admin/users/{id}/disable", post(disable))
        .route("/admin/users/{id}/enable", post(enable))
}

/// The congresses in which the actor holds `perm` (an administrator's district and its towns).
pub async fn scope(state: &AppState, ctx: &Ctx, perm: Permission) -> AppResult<Vec<Congress>> {
    let actor = ctx.actor()?;
    let all = congresses::all(&state.db).await?;
    Ok(all
        .into_iter()
        .filter(|c| allows(actor, perm, c.target(), state.policy()))
        .collect())
}

/// Either administrator may look at accounts; each acts only within their own permission.
async fn any_admin_scope(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Congress>> {
    let mut s = scope(state, ctx, Permission::ManageAccounts).await?;
    for c in scope(state, ctx, Permission::ManageGrants).await? {
        if !s.iter().any(|x| x.id == c.id) {
            s.push(c);
        }
    }
    if s.is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(s)
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

fn record<'a>(
    ctx: &Ctx,
    now: i64,
    congress: Option<CongressId>,
    action: &'a str,
    user: i64,
    fields: &'a [&'a str],
) -> AppResult<Record<'a>> {
    let o = ctx.origin_at(now)?;
    Ok(Record::by(
        &o,
        congress,
        action,
        format!("user:{user}"),
        fields,
    ))
}

#[derive(Template)]
#[template(path = "accounts/templates/users.html")]
struct UsersPage {
    shell: Shell,
    rows: Vec<store::UserListRow>,
    q: String,
    next: Option<String>,
    can_create: bool,
}

#[derive(Deserialize)]
struct UsersQuery {
    q: Option<String>,
    after: Option<String>,
}

async fn users(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<UsersQuery>,
) -> AppResult<Response> {
    let visible = any_admin_scope(&state, &ctx).await?;
    let ids: Vec<i64> = visible.iter().map(|c| c.id.0).collect();
    let limit = clamp_limit(None);
    let search = q.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut rows = store::list_users(&state.db, &ids, search, q.after.as_deref(), limit).await?;
    let next = if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.username.clone())
    } else {
        None
    };
    let can_create = !scope(&state, &ctx, Permission::ManageAccounts)
        .await?
        .is_empty();
    let shell = Shell::new(&state, &ctx, "admin.users_title").await?;
    html(
        StatusCode::OK,
        UsersPage {
            shell,
            rows,
            q: search.unwrap_or("").to_string(),
            next,
            can_create,
        },
    )
}

#[derive(Template)]
#[template(path = "accounts/templates/user_new.html")]
struct NewUserPage {
    shell: Shell,
    username: String,
    display_name: String,
}

async fn new_user(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    if scope(&state, &ctx, Permission::ManageAccounts)
        .await?
        .is_empty()
    {
        return Err(AppError::Forbidden);
    }
    let shell = Shell::new(&state, &ctx, "admin.new_user").await?;
    html(
        StatusCode::OK,
        NewUserPage {
            shell,
            username: String::new(),
            display_name: String::new(),
        },
    )
}

#[derive(Deserialize)]
struct NewUserForm {
    username: String,
    display_name: String,
}

/// A user name: 3–32 of a–z, 0–9, `_`, `.`, `-`, starting with a letter.
pub fn valid_username(u: &str) -> bool {
    (3..=32).contains(&u.len())
        && u.starts_with(|c: char| c.is_ascii_lowercase())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
}

async fn create_user(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<NewUserForm>,
) -> AppResult<Response> {
    if scope(&state, &ctx, Permission::ManageAccounts)
        .await?
        .is_empty()
    {
        return Err(AppError::Forbidden);
    }
    let username = f.username.trim().to_lowercase();
    let display = f.display_name.trim().to_string();
    let mut errors = Vec::new();
    if !valid_username(&username) {
        errors.push(FieldError::new(Field("username"), "admin.username_invalid"));
    }
    if display.is_empty() || display.chars().count() > 50 {
        errors.push(FieldError::new(Field("display_name"), "field.required"));
    }
    let mut tx = state.db.write().await?;
    if errors.is_empty() && store::username_taken(&mut tx, &username).await? {
        errors.push(FieldError::new(Field("username"), "admin.username_taken"));
    }
    if !errors.is_empty() {
        let shell = Shell::new(&state, &ctx, "admin.new_user")
            .await?
            .with_errors(&errors);
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            NewUserPage {
                shell,
                username: f.username,
                display_name: f.display_name,
            },
        );
    }
    let otp = password::one_time();
    let hash = password::hash(&otp).map_err(AppError::internal)?;
    let now = state.clock.now_ms();
    let id = store::create_user(&mut tx, &username, &display, None, &hash, true, now).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            None,
            "accounts.user_create",
            id.0,
            &["username", "display_name", "password_hash"],
        )?,
    )
    .await?;
    tx.commit().await?;
    show_user(&state, &ctx, id, Some(otp), &[], StatusCode::CREATED).await
}

#[derive(Template)]
#[template(path = "accounts/templates/user.html")]
struct UserPage {
    shell: Shell,
    u: store::UserListRow,
    grants: Vec<(i64, String)>,
    one_time_password: Option<String>,
    can_manage_account: bool,
    can_grant: bool,
    is_self: bool,
    congresses: Vec<(String, String)>,
    roles: Vec<(String, String)>,
    offices: Vec<(String, String)>,
    units: Vec<(String, String)>,
}

async fn show_user(
    state: &AppState,
    ctx: &Ctx,
    id: UserId,
    otp: Option<String>,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let admin_scope = any_admin_scope(state, ctx).await?;
    let u = store::user_row(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = store::grant_rows(&state.db, id).await?;
    // An account with roles only outside the administrator's district is not theirs to see.
    if !rows.is_empty()
        && !rows
            .iter()
            .any(|g| admin_scope.iter().any(|c| c.id.0 == g.congress_id))
    {
        return Err(AppError::NotFound);
    }
    let shell = Shell::new(state, ctx, "admin.user_title")
        .await?
        .with_errors(errors);
    let t = shell.t;
    let name_of = |cid: i64| {
        admin_scope
            .iter()
            .find(|c| c.id.0 == cid)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| format!("#{cid}"))
    };
    let grants = rows
        .iter()
        .map(|g| {
            let office = g
                .office
                .as_deref()
                .map(|o| format!("（{}）", t.k("office", o)))
                .unwrap_or_default();
            (
                g.id,
                format!(
                    "{} · {}{}",
                    name_of(g.congress_id),
                    t.k("role", &g.role),
                    office
                ),
            )
        })
        .collect();
    let grant_scope = scope(state, ctx, Permission::ManageGrants).await?;
    let mut units = vec![(String::new(), t.t("admin.no_unit"))];
    for c in &grant_scope {
        for u in crate::people::units(&state.db, c.id, None, 1000).await? {
            units.push((u.id.to_string(), format!("{} · {}", c.short_name, u.name)));
        }
    }
    let page = UserPage {
        is_self: ctx.actor()?.user == id,
        can_manage_account: !scope(state, ctx, Permission::ManageAccounts)
            .await?
            .is_empty(),
        can_grant: !grant_scope.is_empty(),
        congresses: grant_scope
            .iter()
            .map(|c| (c.id.0.to_string(), c.name.clone()))
            .collect(),
        roles: ALL_ROLES
            .iter()
            .map(|r| (r.as_str().to_string(), t.t(r.key())))
            .collect(),
        offices: [
            ("", "admin.no_office"),
            ("deputies_affairs", "office.deputies_affairs"),
            ("general_office", "office.general_office"),
            ("personnel", "office.personnel"),
        ]
        .iter()
        .map(|(v, k)| (v.to_string(), t.t(k)))
        .collect(),
        units,
        shell,
        u,
        grants,
        one_time_password: otp,
    };
    html(status, page)
}

async fn user(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> AppResult<Response> {
    show_user(&state, &ctx, UserId(id), None, &[], StatusCode::OK).await
}

/// The system administrator's checks for acting on an account: in scope and not oneself.
async fn account_guard(state: &AppState, ctx: &Ctx, user: UserId) -> AppResult<()> {
    user_guard(state, ctx, user, Permission::ManageAccounts).await
}

/// An administrator holding `perm` may act on `user` (not on themselves, and only on accounts of
/// their congresses; others are "not found", so account ids of other districts do not leak).
pub(super) async fn user_guard(
    state: &AppState,
    ctx: &Ctx,
    user: UserId,
    perm: Permission,
) -> AppResult<()> {
    let mine = scope(state, ctx, perm).await?;
    if mine.is_empty() {
        return Err(AppError::Forbidden);
    }
    if ctx.actor()?.user == user {
        return Err(AppError::Denied("admin.not_self"));
    }
    store::user_row(&state.db, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = store::grant_rows(&state.db, user).await?;
    if !rows.is_empty()
        && !rows
            .iter()
            .any(|g| mine.iter().any(|c| c.id.0 == g.congress_id))
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
) -> AppResult<Response> {
    let user = UserId(id);
    account_guard(&state, &ctx, user).await?;
    let otp = password::one_time();
    let hash = password::hash(&otp).map_err(AppError::internal)?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    store::set_password(&mut tx, user, &hash, true, now).await?;
    store::end_other_sessions(&mut tx, user, None).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            None,
            "accounts.password_reset",
            id,
            &["password_hash"],
        )?,
    )
    .await?;
    tx.commit().await?;
    show_user(&state, &ctx, user, Some(otp), &[], StatusCode::OK).await
}

async fn set_disabled(state: &AppState, ctx: &Ctx, id: i64, disabled: bool) -> AppResult<Response> {
    let user = UserId(id);
    account_guard(state, ctx, user).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    store::set_disabled(&mut tx, user, disabled).await?;
    let action = if disabled {
        "accounts.disable"
    } else {
        "accounts.enable"
    };
    audit::append(&mut tx, &record(ctx, now, None, action, id, &["disabled"])?).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

async fn disable(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> AppResult<Response> {
    set_disabled(&state, &ctx, id, true).await
}

async fn enable(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> AppResult<Response> {
    set_disabled(&state, &ctx, id, false).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_names_are_plain_and_bounded() {
        use super::valid_username as v;
        assert!(v("wang.li") && v("abc") && v("a23456789012345678901234567890bc"));
        assert!(
            !v("ab")
                && !v("1abc")
                && !v("Wang")
                && !v("王力")
                && !v("a b c")
                && !v("a234567890123456789012345678901bc")
        );
    }
}
