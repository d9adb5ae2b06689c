//! The security pages: the account's own security page (its second factor, its sessions, ending
//! them all), the security policy (security administrator, 等保 floors), and unlocking or
//! resetting another account's second factor.

use super::admin::{scope, user_guard};
use super::policy::Permission;
use super::second_factor_pages::{html, record};
use super::security_policy::{self, PARAMS, PolicyError};
use super::store;
use crate::audit::{self, Outcome, Record};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::UserId;
use crate::web::AppState;
use crate::web::ctx::{self, Ctx, set_cookie};
use crate::web::extract::{Form, Id};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/security", get(security_page))
        .route("/account/sessions/end-all", post(end_all_sessions))
        .route("/admin/security-policy", get(policy_page).post(save_policy))
        .route("/admin/users/{id}/unlock", post(unlock))
        .route("/admin/users/{id}/second-factor/reset", post(reset))
}

#[derive(Template)]
#[template(path = "accounts/templates/security.html")]
struct SecurityPage {
    shell: Shell,
    enrolled: bool,
    algorithm: String,
    recovery_left: i64,
    recovery_codes: Vec<String>,
    tokens: Vec<super::tokens::TokenView>,
}

async fn security_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    security_view(&state, &ctx, &[], Vec::new()).await
}

pub(super) async fn security_view(
    state: &AppState,
    ctx: &Ctx,
    errors: &[FieldError],
    recovery_codes: Vec<String>,
) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let otp = store::otp_state(&state.db, actor.user).await?;
    let enrolled = otp.as_ref().is_some_and(|o| o.otp_enabled_at.is_some());
    let algorithm = otp
        .and_then(|o| o.otp_algorithm)
        .filter(|_| enrolled)
        .unwrap_or_default();
    let shell = Shell::new(state, ctx, "security.title")
        .await?
        .with_errors(errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        SecurityPage {
            shell,
            enrolled,
            algorithm,
            recovery_left: store::unused_recovery_codes(&state.db, actor.user).await?,
            recovery_codes,
            tokens: super::tokens::views(state, actor.user).await?,
        },
    )
}

/// 8.1.4.1 b: sign out everywhere — every session of the user ends, this one included.
async fn end_all_sessions(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
) -> AppResult<Response> {
    let actor = ctx.actor()?.clone();
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    store::end_all_sessions(&mut tx, actor.user).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            actor.user,
            "accounts.logout_everywhere",
            actor.user.0,
            Outcome::Success,
            &[],
        ),
    )
    .await?;
    tx.commit().await?;
    // Like sign-out: to the public home page, with the session cookie cleared.
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

/// One row of the policy form.
pub struct PolicyRow {
    pub key: &'static str,
    pub value: String,
    pub min: i64,
    pub max: i64,
    pub basis: &'static str,
}

#[derive(Template)]
#[template(path = "accounts/templates/security_policy.html")]
struct PolicyPage {
    shell: Shell,
    rows: Vec<PolicyRow>,
    algorithm: String,
    saved: bool,
}

async fn policy_guard(state: &AppState, ctx: &Ctx) -> AppResult<()> {
    if scope(state, ctx, Permission::ManageSecurity)
        .await?
        .is_empty()
    {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

fn policy_rows(
    p: &security_policy::SecurityPolicy,
    form: Option<&HashMap<String, String>>,
) -> Vec<PolicyRow> {
    let current = |key: &str| -> i64 {
        match key {
            "password_max_age_days" => p.password_max_age_days,
            "lockout_threshold" => p.lockout_threshold,
            "lockout_minutes" => p.lockout_minutes,
            "unused_account_days" => p.unused_account_days,
            "idle_timeout_minutes" => p.idle_timeout_minutes,
            "session_lifetime_hours" => p.session_lifetime_hours,
            "audit_retention_months" => p.audit_retention_months,
            "contact_retention_months" => p.contact_retention_months,
            _ => 0,
        }
    };
    PARAMS
        .iter()
        .map(|param| PolicyRow {
            key: param.key,
            value: form
                .and_then(|f| f.get(param.key).cloned())
                .unwrap_or_else(|| current(param.key).to_string()),
            min: param.min,
            max: param.max,
            basis: param.basis,
        })
        .collect()
}

async fn policy_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    policy_guard(&state, &ctx).await?;
    let p = store::policy(&state.db).await?;
    let shell = Shell::new(&state, &ctx, "security_policy.title").await?;
    html(
        StatusCode::OK,
        PolicyPage {
            shell,
            rows: policy_rows(&p, None),
            algorithm: p.otp_algorithm.as_str().to_string(),
            saved: false,
        },
    )
}

/// Saves the whole policy form: every value is checked against its floor first, and nothing is
/// stored unless all are valid.
async fn save_policy(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    policy_guard(&state, &ctx).await?;
    let actor = ctx.actor()?.clone();
    let now = state.clock.now_ms();
    let mut errors = Vec::new();
    let mut valid = Vec::new();
    let keys = PARAMS
        .iter()
        .map(|p| p.key)
        .chain([security_policy::OTP_ALGORITHM_KEY]);
    for key in keys {
        let Some(value) = f.get(key) else { continue };
        match security_policy::validate(key, value) {
            Ok(v) => valid.push((key, v)),
            Err(e) => {
                let (msg, arg) = match e {
                    PolicyError::OutOfRange { min, max } => {
                        ("security_policy.out_of_range", Some(format!("{min}–{max}")))
                    }
                    PolicyError::UnknownAlgorithm => ("security_policy.bad_algorithm", None),
                    PolicyError::NotANumber | PolicyError::UnknownKey => {
                        ("security_policy.not_a_number", None)
                    }
                };
                let field = PARAMS
                    .iter()
                    .map(|p| p.key)
                    .chain([security_policy::OTP_ALGORITHM_KEY])
                    .find(|k| *k == key)
                    .unwrap_or("policy");
                let mut fe = FieldError::new(Field(field), msg);
                if let Some(a) = arg {
                    fe = fe.with_arg(a);
                }
                errors.push(fe);
            }
        }
    }
    let p = store::policy(&state.db).await?;
    if !errors.is_empty() {
        let shell = Shell::new(&state, &ctx, "security_policy.title")
            .await?
            .with_errors(&errors);
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            PolicyPage {
                shell,
                rows: policy_rows(&p, Some(&f)),
                algorithm: f
                    .get(security_policy::OTP_ALGORITHM_KEY)
                    .cloned()
                    .unwrap_or_default(),
                saved: false,
            },
        );
    }
    let mut tx = state.db.write().await?;
    let changed: Vec<&str> = valid.iter().map(|(k, _)| *k).collect();
    for (key, value) in &valid {
        store::set_policy_value(&mut tx, key, value, actor.user, now).await?;
    }
    audit::append(
        &mut tx,
        &Record {
            at: now,
            user: Some(actor.user),
            congress: None,
            action: "security.policy_change",
            target: "security_policy".into(),
            outcome: Outcome::Success,
            fields: &changed,
            client_addr: ctx.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    let p = store::policy(&state.db).await?;
    let shell = Shell::new(&state, &ctx, "security_policy.title").await?;
    html(
        StatusCode::OK,
        PolicyPage {
            shell,
            rows: policy_rows(&p, None),
            algorithm: p.otp_algorithm.as_str().to_string(),
            saved: true,
        },
    )
}

/// The security administrator lifts a lockout (failed attempts) or an unused-account lock.
async fn unlock(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> AppResult<Response> {
    let user = UserId(id);
    user_guard(&state, &ctx, user, Permission::ManageSecurity).await?;
    let actor = ctx.actor()?.clone();
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    store::unlock(&mut tx, user, now).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            actor.user,
            "security.unlock",
            id,
            Outcome::Success,
            &["locked_until", "failed_logins", "disabled"],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

/// The security administrator removes a user's second factor (a lost phone); the user enrols
/// again at the next sign-in. Every session of that user ends.
async fn reset(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> AppResult<Response> {
    let user = UserId(id);
    user_guard(&state, &ctx, user, Permission::ManageSecurity).await?;
    let actor = ctx.actor()?.clone();
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    store::reset_otp(&mut tx, user).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            actor.user,
            "security.second_factor_reset",
            id,
            Outcome::Success,
            &["otp_secret", "recovery_codes"],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}
