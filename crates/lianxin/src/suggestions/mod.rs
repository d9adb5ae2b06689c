//! 代表建议 — deputies' suggestions: drafting with co-signers' consent, registration and
//! numbering, assignment to handling units with the statutory reply deadline (代表法 Art 51) on
//! the legal calendar, return, contacts, replies with their class, the deputy's evaluation,
//! re-handling, delivery tracking and the statistics that show delivery, not only satisfaction.

pub mod api;
pub mod document_pages;
pub mod documents;
pub mod domain;
pub mod motions;
pub mod pages;
pub mod public;
pub mod reminders;
pub mod service;
pub mod stats;
mod store;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{Scope, deputy_of_user, deputy_users, get, list, office_users, stats, unit_users};

use crate::accounts::policy::{Permission, allows};
use crate::accounts::roles::Role;
use crate::congress::Congress;
use crate::platform::error::AppError;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use service::Capacity;

/// What a citizen may know of the suggestion their opinion became: its number (empty while it
/// is a draft) and its state key (`suggestion.state.*`) — nothing else.
pub async fn progress(
    db: &crate::db::Db,
    congress: crate::platform::ids::CongressId,
    id: i64,
) -> Result<Option<(String, String)>, AppError> {
    Ok(store::get(db, congress, id)
        .await?
        .map(|s| (s.number.map(|n| n.to_string()).unwrap_or_default(), s.state)))
}

/// The congress of the path, if the actor may open suggestions there at all.
pub async fn guard(state: &AppState, ctx: &Ctx, cid: i64) -> Result<Congress, AppError> {
    crate::accounts::policy::guard(state, ctx, cid, Permission::ViewSuggestions).await
}

/// In what capacity the actor works on this congress's suggestions: the office first, then a
/// unit, then as a deputy. Staff of other offices read as the office does not: they are refused.
pub async fn capacity(
    state: &AppState,
    ctx: &Ctx,
    congress: &Congress,
) -> Result<Capacity, AppError> {
    let actor = ctx.actor()?;
    let p = state.policy();
    if allows(actor, Permission::HandleSuggestions, congress.target(), p) {
        return Ok(Capacity::Office);
    }
    if let Some(g) = actor.grants.iter().find(|g| {
        g.congress == congress.id && matches!(g.role, Role::UnitOperator | Role::UnitHead)
    }) && let Some(unit) = g.organization
    {
        let head = actor.grants.iter().any(|h| {
            h.congress == congress.id && h.role == Role::UnitHead && h.organization == Some(unit)
        });
        return Ok(Capacity::Unit { unit, head });
    }
    if allows(actor, Permission::DraftSuggestions, congress.target(), p)
        && let Some((deputy, _)) =
            store::deputy_of_user(&state.db, congress.id, actor.user.0).await?
    {
        return Ok(Capacity::Deputy(deputy));
    }
    Err(AppError::Forbidden)
}
