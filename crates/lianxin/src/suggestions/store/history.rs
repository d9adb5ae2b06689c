//! The history and the signers of an item — the same shape for suggestions and for motions, so
//! one set of queries serves both (`Item` names the tables). Table names come from the enum,
//! never from input.

use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

/// Whose history and signers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Item {
    Suggestion,
    Motion,
}

impl Item {
    /// (events table, signers table, the column naming the item)
    fn tables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Item::Suggestion => ("suggestion_events", "suggestion_signers", "suggestion_id"),
            Item::Motion => ("motion_events", "motion_signers", "motion_id"),
        }
    }

    /// The items' own table.
    fn table(self) -> &'static str {
        match self {
            Item::Suggestion => "suggestions",
            Item::Motion => "motions",
        }
    }
}

/// One step in an item's history.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Event {
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub note: String,
}

/// A co-signer and their answer.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Signer {
    pub deputy_id: i64,
    pub name: String,
    /// `invited`, `accepted` or `declined`.
    pub consent: String,
}

/// What a history step records.
pub struct Step<'a> {
    pub user: Option<i64>,
    pub action: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub note: &'a str,
    pub now: i64,
}

/// Moves the item from `from` to `to`; false if it was no longer in `from` (someone else acted).
pub async fn move_state(
    tx: &mut Tx<'_>,
    item: Item,
    congress: CongressId,
    id: i64,
    from: &str,
    to: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let table = item.table();
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {table} SET state = $4, updated_at = $5 WHERE congress_id = $1 AND id = $2 AND state = $3"
    )))
    .bind(congress.0)
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn record_step(
    tx: &mut Tx<'_>,
    item: Item,
    congress: CongressId,
    id: i64,
    s: &Step<'_>,
) -> Result<(), sqlx::Error> {
    let (events, _, col) = item.tables();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {events} (congress_id, {col}, at, user_id, action, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )))
    .bind(congress.0)
    .bind(id)
    .bind(s.now)
    .bind(s.user)
    .bind(s.action)
    .bind(s.from)
    .bind(s.to)
    .bind(s.note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn steps(
    db: &Db,
    item: Item,
    congress: CongressId,
    id: i64,
) -> Result<Vec<Event>, sqlx::Error> {
    let (events, _, col) = item.tables();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT e.at, u.display_name AS actor, e.action, e.from_state, e.to_state, e.note FROM {events} e \
         LEFT JOIN users u ON u.id = e.user_id WHERE e.congress_id = $1 AND e.{col} = $2 ORDER BY e.id"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await
}

/// Invites a co-signer (again inviting one already asked changes nothing).
pub async fn invite_signer(
    tx: &mut Tx<'_>,
    item: Item,
    congress: CongressId,
    id: i64,
    deputy: i64,
) -> Result<(), sqlx::Error> {
    let (_, signers, col) = item.tables();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO {signers} (congress_id, {col}, deputy_id, consent) VALUES ($1, $2, $3, 'invited') \
         ON CONFLICT (congress_id, {col}, deputy_id) DO NOTHING"
    )))
    .bind(congress.0)
    .bind(id)
    .bind(deputy)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records an invited co-signer's answer; false if they were not (or no longer) invited.
pub async fn answer_signer(
    tx: &mut Tx<'_>,
    item: Item,
    congress: CongressId,
    id: i64,
    deputy: i64,
    consent: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let (_, signers, col) = item.tables();
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE {signers} SET consent = $4, responded_at = $5 WHERE congress_id = $1 AND {col} = $2 AND deputy_id = $3 AND consent = 'invited'"
    )))
    .bind(congress.0)
    .bind(id)
    .bind(deputy)
    .bind(consent)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn signers_of(
    db: &Db,
    item: Item,
    congress: CongressId,
    id: i64,
) -> Result<Vec<Signer>, sqlx::Error> {
    let (_, signers, col) = item.tables();
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT g.deputy_id, p.name, g.consent FROM {signers} g JOIN deputies d ON d.id = g.deputy_id \
         JOIN persons p ON p.id = d.person_id WHERE g.congress_id = $1 AND g.{col} = $2 ORDER BY g.id"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await
}
