//! The SQL of follow-up: extension requests and deadlines, key supervision, document templates
//! and co-units' opinions.

use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

/// Records a unit's extension request (or clears it with `None`).
pub async fn set_extension_request(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    months: Option<i64>,
    reason: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE suggestions SET extension_months = $3, extension_reason = $4 WHERE congress_id = $1 AND id = $2")
        .bind(congress.0)
        .bind(id)
        .bind(months)
        .bind(reason)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets a new reply deadline after an approved extension.
pub async fn set_due(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    due_on: &str,
    complex: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE suggestions SET due_on = $3, complex = $4 WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .bind(due_on)
    .bind(i64::from(complex))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks an item for key supervision with its supervising leader (or lifts it with `None`).
pub async fn set_key_supervision(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    supervisor: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE suggestions SET key_supervision = $3, supervisor = $4 WHERE congress_id = $1 AND id = $2")
        .bind(congress.0)
        .bind(id)
        .bind(i64::from(supervisor.is_some()))
        .bind(supervisor)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The congress's own template of a document kind, if it set one.
pub async fn template(
    db: &Db,
    congress: CongressId,
    kind: &str,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT body FROM document_templates WHERE congress_id = $1 AND kind = $2")
            .bind(congress.0)
            .bind(kind)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(b,)| b))
}

pub async fn set_template(
    tx: &mut Tx<'_>,
    congress: CongressId,
    kind: &str,
    body: &str,
    by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO document_templates (congress_id, kind, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (congress_id, kind) DO UPDATE SET body = $3, updated_by = $4, updated_at = $5",
    )
    .bind(congress.0)
    .bind(kind)
    .bind(body)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records (or replaces) a co-unit's opinion on the item.
pub async fn set_opinion(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    unit: i64,
    opinion: &str,
    by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO suggestion_opinions (congress_id, suggestion_id, unit_id, opinion, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (congress_id, suggestion_id, unit_id) DO UPDATE SET opinion = $4, created_by = $5, created_at = $6",
    )
    .bind(congress.0)
    .bind(id)
    .bind(unit)
    .bind(opinion)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Opinion {
    pub unit_id: i64,
    pub unit: String,
    pub opinion: String,
    pub created_at: i64,
}

pub async fn opinions(db: &Db, congress: CongressId, id: i64) -> Result<Vec<Opinion>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.unit_id, o.name AS unit, p.opinion, p.created_at FROM suggestion_opinions p JOIN organizations o ON o.id = p.unit_id \
         WHERE p.congress_id = $1 AND p.suggestion_id = $2 ORDER BY p.id",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await
}

/// 并案: links `id` to `into` (both of this congress); false if `id` was merged meanwhile.
pub async fn set_merged(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    into: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE suggestions SET merged_into = $3 WHERE congress_id = $1 AND id = $2 AND merged_into IS NULL",
    )
    .bind(congress.0)
    .bind(id)
    .bind(into)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The items merged into `id`, oldest first.
pub async fn merged_items(db: &Db, congress: CongressId, id: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM suggestions WHERE congress_id = $1 AND merged_into = $2 ORDER BY id",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(i,)| i).collect())
}
