//! 审计 — the audit append API. Every state-changing command calls [`append`] inside its own
//! transaction, so the change and its record commit together or not at all. Records name the
//! fields changed, never their values: the trail must not become a second copy of personal data.
//! (The security issue hash-chains these records with SM3.)

use crate::db::{Db, Tx};
use crate::platform::ids::{CongressId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub at: i64,
    pub user: Option<UserId>,
    pub congress: Option<CongressId>,
    /// `module.verb`, e.g. `people.deputy_create`.
    pub action: &'a str,
    /// `kind:id`, e.g. `deputy:42`.
    pub target: String,
    pub outcome: Outcome,
    /// Names of the fields changed (never values).
    pub fields: &'a [&'a str],
    /// Recorded for staff and administrators (等保 requires it); `None` for citizens.
    pub client_addr: Option<String>,
}

pub async fn append(tx: &mut Tx<'_>, r: &Record<'_>) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO audit_log (at, user_id, congress_id, action, target, outcome, fields, client_addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(r.at)
    .bind(r.user.map(|u| u.0))
    .bind(r.congress.map(|c| c.0))
    .bind(r.action)
    .bind(&r.target)
    .bind(r.outcome.as_str())
    .bind(r.fields.join(","))
    .bind(r.client_addr.as_deref())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Appends a record in a transaction of its own (logins and denials, which change nothing else).
pub async fn append_alone(db: &Db, r: &Record<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    append(&mut tx, r).await?;
    tx.commit().await
}

#[derive(Debug, sqlx::FromRow, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub congress_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub fields: String,
}

/// The newest records first, keyset-paged by id.
pub async fn recent(db: &Db, before: Option<i64>, limit: i64) -> Result<Vec<Entry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, at, user_id, congress_id, action, target, outcome, fields FROM audit_log \
         WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}
