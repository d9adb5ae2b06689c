//! All SQL of the settings module: current values and their history.

use super::registry::SourceKind;
use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub key: String,
    pub value: String,
    pub source_kind: String,
    pub source_text: String,
    pub decided_on: Option<String>,
}

pub async fn current(db: &Db, congress: CongressId) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as("SELECT key, value, source_kind, source_text, decided_on FROM congress_settings WHERE congress_id = $1")
        .bind(congress.0)
        .fetch_all(&db.pool)
        .await
}

/// A parameter's new value with its source: the kind, the text that names it (the decision, or
/// the regulation and article), and the date of the congress's own decision.
pub struct Change<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub source: SourceKind,
    pub source_text: &'a str,
    /// `YYYY-MM-DD`, for [`SourceKind::OwnDecision`] only.
    pub decided_on: Option<&'a str>,
}

/// Sets a value and keeps the change in the history.
pub async fn set(
    tx: &mut Tx<'_>,
    congress: CongressId,
    c: &Change<'_>,
    now: i64,
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO congress_settings (congress_id, key, value, source_kind, source_text, decided_on, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (congress_id, key) DO UPDATE SET value = $3, source_kind = $4, source_text = $5, decided_on = $6, updated_at = $7, updated_by = $8",
    )
    .bind(congress.0)
    .bind(c.key)
    .bind(c.value)
    .bind(c.source.as_str())
    .bind(c.source_text)
    .bind(c.decided_on)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO congress_settings_history (congress_id, key, value, source_kind, source_text, decided_on, changed_at, changed_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(congress.0)
    .bind(c.key)
    .bind(c.value)
    .bind(c.source.as_str())
    .bind(c.source_text)
    .bind(c.decided_on)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct HistoryRow {
    pub key: String,
    pub value: String,
    pub source_kind: String,
    pub source_text: String,
    pub decided_on: Option<String>,
    pub changed_at: i64,
}

pub async fn history(
    db: &Db,
    congress: CongressId,
    limit: i64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT key, value, source_kind, source_text, decided_on, changed_at FROM congress_settings_history WHERE congress_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(congress.0)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}
