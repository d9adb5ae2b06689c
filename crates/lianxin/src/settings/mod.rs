//! 规则参数 — congress settings: the rule parameters that vary between provinces and congresses,
//! each with its value and source ([`registry`] is the pure part). Modules read them with
//! [`load`] and show, next to every rule, its value and source.

pub mod pages;
pub mod registry;
pub mod service;
mod store;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{Change, set};

use crate::db::Db;
use crate::platform::ids::CongressId;
use registry::{PARAMS, Param, Period, SourceKind};

/// A parameter's value in one congress, with where it comes from.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Resolved {
    pub key: String,
    pub value: String,
    /// law / by_reference / own_decision / preset / product_default
    pub source_kind: String,
    pub source: String,
    pub decided_on: Option<String>,
    /// True until the congress confirms the value (a product default or an unconfirmed preset).
    pub unconfirmed: bool,
}

impl Resolved {
    pub fn period(&self) -> Option<Period> {
        Period::decode(&self.value)
    }
}

/// All parameters of a congress: its own values where set, the defaults elsewhere.
pub async fn load(db: &Db, congress: CongressId) -> Result<Vec<Resolved>, sqlx::Error> {
    let rows = store::current(db, congress).await?;
    Ok(PARAMS
        .iter()
        .map(|p: &Param| match rows.iter().find(|r| r.key == p.key) {
            Some(r) => Resolved {
                key: p.key.into(),
                value: r.value.clone(),
                unconfirmed: matches!(
                    SourceKind::parse(&r.source_kind),
                    Some(SourceKind::Preset | SourceKind::ProductDefault)
                ),
                source_kind: r.source_kind.clone(),
                source: r.source_text.clone(),
                decided_on: r.decided_on.clone(),
            },
            None => Resolved {
                key: p.key.into(),
                value: p.default.into(),
                source_kind: p.default_source.as_str().into(),
                source: p.default_cite.into(),
                decided_on: None,
                unconfirmed: p.default_source == SourceKind::ProductDefault,
            },
        })
        .collect())
}

/// One parameter of a congress.
pub async fn get(
    db: &Db,
    congress: CongressId,
    key: &str,
) -> Result<Option<Resolved>, sqlx::Error> {
    Ok(load(db, congress).await?.into_iter().find(|r| r.key == key))
}
