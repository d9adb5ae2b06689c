//! 代表与机构 — persons, deputies (a person's membership of a congress for a term), the bodies of a
//! congress and their members, constituencies, liaison stations, and handling units; roster
//! import and export.

pub mod api;
pub mod domain;
pub mod pages;
pub mod service;
pub mod store;
pub mod xlsx;

use crate::accounts::policy::{Permission, require};
use crate::congress::Congress;
use crate::platform::error::AppError;
use crate::web::AppState;
use crate::web::ctx::Ctx;

/// Loads the congress of the path and checks the permission: the one entry to every handler here.
pub async fn guard(
    state: &AppState,
    ctx: &Ctx,
    congress_id: i64,
    perm: Permission,
) -> Result<Congress, AppError> {
    let actor = ctx.actor()?;
    let congress = crate::web::shell::congress(state, congress_id).await?;
    require(actor, perm, congress.target(), state.policy())?;
    Ok(congress)
}

/// The term new deputies join: the one in force today.
pub async fn current_term(state: &AppState, congress: &Congress) -> Result<i64, AppError> {
    let today = state.clock.today().to_string();
    crate::congress::store::current_term(&state.db, congress.id, &today)
        .await?
        .map(|t| t.id)
        .ok_or(AppError::Conflict("error.no_term"))
}

pub fn origin(state: &AppState, ctx: &Ctx) -> Result<service::Origin, AppError> {
    Ok(service::Origin {
        user: ctx.actor()?.user,
        client_addr: ctx.client_addr.clone(),
        now: state.clock.now_ms(),
    })
}
