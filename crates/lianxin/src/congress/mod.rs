//! 人民代表大会 — congresses (the tenants: a district and its towns), their terms (届) and
//! sessions (次会议).

pub mod admin;
pub mod api;
pub mod sealing;
mod store;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{all, by_region, create, create_session, create_term, current_term, get, sessions};

use crate::platform::ids::CongressId;
use serde::Serialize;

/// 区人大 / 镇人大
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CongressLevel {
    District,
    Town,
}

impl CongressLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            CongressLevel::District => "district",
            CongressLevel::Town => "town",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "district" => Some(CongressLevel::District),
            "town" => Some(CongressLevel::Town),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Congress {
    #[schema(value_type = i64)]
    pub id: CongressId,
    #[schema(value_type = Option<i64>)]
    pub parent: Option<CongressId>,
    pub level: CongressLevel,
    pub name: String,
    pub short_name: String,
    pub region_code: String,
}

/// The congress an action targets, with its parent district when it is a town
/// (what `accounts::policy` decides on).
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub congress: CongressId,
    pub parent: Option<CongressId>,
}

impl Congress {
    pub fn target(&self) -> Target {
        Target {
            congress: self.id,
            parent: self.parent,
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Term {
    pub id: i64,
    pub number: i64,
    pub starts_on: String,
    pub ends_on: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Session {
    pub id: i64,
    pub term_id: i64,
    pub number: i64,
    pub opens_on: String,
    pub closes_on: String,
}
