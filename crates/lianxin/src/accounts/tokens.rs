//! API 令牌 — the user's own API tokens, listed and revoked (on the security page and through
//! the API), and the security administrator's revocation of all of a user's tokens. A token's
//! life is capped by the security policy (`token_max_days`), it stops working when unused for
//! `token_idle_days`, and all of a user's tokens end with a password change or reset, a
//! disabled account and "sign out everywhere" (`store::revoke_tokens`).

use super::policy::Permission;
use super::second_factor_pages::record;
use super::store;
use crate::audit::{self, Outcome};
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::UserId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Id;
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/account/tokens/{id}/revoke", post(revoke_page))
        .route("/admin/users/{id}/tokens/revoke", post(revoke_all))
}

/// A token as its owner's page lists it.
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
}

/// The user's tokens for the security page.
pub async fn views(state: &AppState, user: UserId) -> AppResult<Vec<TokenView>> {
    Ok(store::tokens(&state.db, user)
        .await?
        .into_iter()
        .map(|t| TokenView {
            id: t.id,
            name: t.name,
            created: crate::platform::clock::format_ms(t.created_at),
            expires: crate::platform::clock::format_ms(t.expires_at),
            last_used: t
                .last_used_at
                .map(crate::platform::clock::format_ms)
                .unwrap_or_else(|| "—".into()),
        })
        .collect())
}

/// The signed-in user's API tokens (never the tokens themselves).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "accounts",
    responses((status = 200, body = crate::platform::page::Page<store::TokenRow>), (status = 401, body = crate::web::errors::Problem)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<axum::Json<crate::platform::page::Page<store::TokenRow>>> {
    let actor = ctx.actor()?;
    Ok(axum::Json(crate::platform::page::Page::all(
        store::tokens(&state.db, actor.user).await?,
    )))
}

async fn revoke_own(state: &AppState, ctx: &Ctx, id: i64) -> AppResult<()> {
    let actor = ctx.actor()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    if !store::revoke_token(&mut tx, actor.user, id).await? {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        &record(
            ctx,
            now,
            actor.user,
            "accounts.token_revoke",
            actor.user.0,
            Outcome::Success,
            &["token"],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes one of the signed-in user's tokens (404 for another's: nothing is told).
#[utoipa::path(post, path = "/api/v1/tokens/{id}/revoke", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem)))]
pub async fn revoke_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
) -> AppResult<Response> {
    revoke_own(&state, &ctx, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT.into_response())
}

async fn revoke_page(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> AppResult<Response> {
    revoke_own(&state, &ctx, id).await?;
    Ok(Redirect::to("/account/security").into_response())
}

/// The security administrator revokes every API token of a user (a lost laptop, a leaver).
async fn revoke_all(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> AppResult<Response> {
    let user = UserId(id);
    super::admin::user_guard(&state, &ctx, user, Permission::ManageSecurity).await?;
    let actor = ctx.actor()?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let n = store::revoke_tokens(&mut tx, user).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            actor.user,
            "accounts.tokens_revoke_all",
            id,
            Outcome::Success,
            if n > 0 { &["tokens"] } else { &[] },
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}
