//! 审计 — the audit append API. Every state-changing command calls [`append`] inside its own
//! transaction, so the change and its record commit together or not at all. Records name the
//! fields changed, never their values: the trail must not become a second copy of personal data.
//! Records are hash-chained with SM3, one chain per congress, and checkpointed with HMAC-SM3
//! under a key kept outside the database ([`chain`]); `lianxin audit verify` finds the first
//! edited or deleted record.

pub mod chain;

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

/// Appends the record to its congress's chain (chain 0 for records of no congress): the chain's
/// head row is updated first, which on PostgreSQL locks it until commit, so two commands of one
/// congress never take the same place in the chain while other congresses are not held up; on
/// SQLite the database's write lock does the same.
pub async fn append(tx: &mut Tx<'_>, r: &Record<'_>) -> Result<i64, sqlx::Error> {
    let chain_id = r.congress.map_or(0, |c| c.0);
    sqlx::query("INSERT INTO audit_chains (chain, last_seq, last_digest) VALUES ($1, 0, '') ON CONFLICT (chain) DO NOTHING")
        .bind(chain_id)
        .execute(&mut **tx)
        .await?;
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE audit_chains SET last_seq = last_seq + 1 WHERE chain = $1 RETURNING last_seq, last_digest")
            .bind(chain_id)
            .fetch_one(&mut **tx)
            .await?;
    let fields = r.fields.join(",");
    let entry = chain::Entry {
        chain: chain_id,
        seq,
        at: r.at,
        user: r.user.map(|u| u.0),
        congress: r.congress.map(|c| c.0),
        action: r.action.to_string(),
        target: r.target.clone(),
        outcome: r.outcome.as_str().to_string(),
        fields: fields.clone(),
        client_addr: r.client_addr.clone(),
    };
    let digest = chain::digest(&prev, &entry);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO audit_log (at, user_id, congress_id, action, target, outcome, fields, client_addr, chain, seq, prev_digest, digest) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(r.at)
    .bind(r.user.map(|u| u.0))
    .bind(r.congress.map(|c| c.0))
    .bind(r.action)
    .bind(&r.target)
    .bind(r.outcome.as_str())
    .bind(fields)
    .bind(r.client_addr.as_deref())
    .bind(chain_id)
    .bind(seq)
    .bind(&prev)
    .bind(&digest)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_chains SET last_digest = $2 WHERE chain = $1")
        .bind(chain_id)
        .bind(&digest)
        .execute(&mut **tx)
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
