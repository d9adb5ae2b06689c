//! All SQL of the people module: persons, deputies, constituencies, stations, organisations and
//! handling units. Every query of congress-owned rows filters by `congress_id`, so an id from
//! another congress finds nothing.

mod deputies;
mod orgs;
mod persons;
mod places;

pub use deputies::*;
pub use orgs::*;
pub use persons::*;
pub use places::*;

use super::domain::{DeputyStatus, ValidDeputy, name_key};
use crate::db::{Db, Tx};
use crate::platform::ids::{CongressId, PersonId};
use crate::platform::page::Cursor;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// `rows` in the order of `ids` (search results come ranked; SQL `IN` does not keep order).
pub(super) fn in_order<T>(ids: &[i64], mut rows: Vec<T>, id_of: impl Fn(&T) -> i64) -> Vec<T> {
    rows.sort_by_key(|r| {
        ids.iter()
            .position(|i| *i == id_of(r))
            .unwrap_or(usize::MAX)
    });
    rows
}

pub(super) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
