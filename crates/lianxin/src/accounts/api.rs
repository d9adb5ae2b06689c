//! `/api/v1/me` and API tokens.

use super::roles::Grant;
use super::store;
use crate::audit::{self, Outcome, Record};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(me))
        .route("/tokens", get(super::tokens::list).post(create_token))
        .route("/tokens/{id}/revoke", post(super::tokens::revoke_api))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
}

/// The signed-in user and their roles per congress.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts",
    responses((status = 200, body = Me), (status = 401, body = crate::web::errors::Problem)))]
pub async fn me(ctx: Ctx) -> AppResult<axum::Json<Me>> {
    let a = ctx.actor()?;
    Ok(axum::Json(Me {
        id: a.user.0,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        grants: a.grants.clone(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// What the token is for (shown in the token list).
    pub name: String,
    /// Lifetime in days, 1 to the security policy's `token_max_days` (default: that, at most 90).
    pub days: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenCreated {
    /// Shown once; send as `Authorization: Bearer <token>`.
    pub token: String,
    pub expires_in_days: i64,
}

/// Creates an API token for the signed-in user. Needs a browser session (a token cannot mint
/// tokens) and the CSRF header.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "accounts", request_body = TokenRequest,
    responses((status = 201, body = TokenCreated), (status = 401, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    ctx: Ctx,
    Json(req): Json<TokenRequest>,
) -> AppResult<(StatusCode, axum::Json<TokenCreated>)> {
    let actor = ctx.actor()?;
    if ctx.session_token.is_none() {
        return Err(AppError::Forbidden);
    }
    let name = req.name.trim();
    // The security policy caps a token's life.
    let max = store::policy(&state.db).await?.token_max_days;
    let days = req.days.unwrap_or(max.min(90));
    let mut errs = Vec::new();
    if name.is_empty() || name.chars().count() > 100 {
        errs.push(FieldError::new(Field("name"), "field.required"));
    }
    if !(1..=max).contains(&days) {
        errs.push(FieldError::new(Field("days"), "field.days_range").with_arg(max));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let token = store::create_api_token(&mut tx, actor.user, name, now, days).await?;
    audit::append(
        &mut tx,
        &Record {
            at: now,
            user: Some(actor.user),
            congress: None,
            action: "accounts.token_create",
            target: format!("user:{}", actor.user.0),
            outcome: Outcome::Success,
            fields: &["name", "expires_at"],
            client_addr: ctx.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(TokenCreated {
            token,
            expires_in_days: days,
        }),
    ))
}
