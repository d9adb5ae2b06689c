//! The SQL of publication (公开): the office publishes a replied item's reply on the public
//! portal; the portal reads only published items, and only the fields that may be public.

use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

/// Publishes (`Some(now)`) or withdraws (`None`) an item's reply.
pub async fn set_published(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    at: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE suggestions SET published_at = $3 WHERE congress_id = $1 AND id = $2 AND replied_on IS NOT NULL",
    )
    .bind(congress.0)
    .bind(id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A published reply as the portal shows it. The reply text is redacted again on the way out.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Published {
    pub id: i64,
    pub number: Option<i64>,
    pub title: String,
    pub category: String,
    pub lead_name: String,
    pub unit: String,
    pub class: String,
    pub body: String,
    pub replied_on: String,
    pub published_at: i64,
}

/// Published replies of a congress, newest first, `limit` at a time before `before` (an id).
pub async fn published(
    db: &Db,
    congress: CongressId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Published>, sqlx::Error> {
    // The latest reply of each item (a re-handled item has two).
    let mut sql = String::from(
        "SELECT s.id, s.number, s.title, s.category, p.name AS lead_name, o.name AS unit, r.class, r.body, r.replied_on, s.published_at \
         FROM suggestions s JOIN deputies d ON d.id = s.lead_deputy_id JOIN persons p ON p.id = d.person_id \
         JOIN suggestion_replies r ON r.suggestion_id = s.id \
           AND r.id = (SELECT MAX(r2.id) FROM suggestion_replies r2 WHERE r2.suggestion_id = s.id) \
         JOIN organizations o ON o.id = r.unit_id \
         WHERE s.congress_id = $1 AND s.published_at IS NOT NULL",
    );
    if before.is_some() {
        sql.push_str(" AND s.id < $3");
    }
    sql.push_str(" ORDER BY s.id DESC LIMIT $2");
    let mut q = sqlx::query_as::<_, Published>(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(limit);
    if let Some(b) = before {
        q = q.bind(b);
    }
    q.fetch_all(&db.pool).await
}

/// One published reply.
pub async fn published_one(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<Published>, sqlx::Error> {
    let rows = published(db, congress, Some(id + 1), 1).await?;
    Ok(rows.into_iter().find(|p| p.id == id))
}
