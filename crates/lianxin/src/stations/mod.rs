//! 代表联络站 — deputies' liaison stations and homes: the directory with the deputies attached,
//! reception days (接待日) with the deputies on duty, published ahead on the public portal, and
//! the receptions station staff record on citizens' behalf. Opinions raised there join the
//! citizens' opinions module (issue 6) as it grows.

pub mod api;
pub mod domain;
pub mod pages;
pub mod public;
pub mod service;
mod store;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{on_duty, station_deputies, stations};

use crate::accounts::policy::Permission;
use crate::congress::Congress;
use crate::platform::error::AppError;
use crate::web::AppState;
use crate::web::ctx::Ctx;

/// The congress of the path, if the actor may manage its stations.
pub async fn guard(state: &AppState, ctx: &Ctx, cid: i64) -> Result<Congress, AppError> {
    crate::accounts::policy::guard(state, ctx, cid, Permission::ManageStations).await
}
