//! The entry of every congress-scoped handler: load the congress of the path, then ask the
//! policy. A handler file of `accounts` (it reads the request's actor and the state), kept beside
//! the rules it applies.

use super::{Permission, require};
use crate::congress::Congress;
use crate::platform::error::AppError;
use crate::web::AppState;
use crate::web::ctx::Ctx;

/// Loads the congress of the path and checks the permission: deny by default, before anything
/// of the congress is read.
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
