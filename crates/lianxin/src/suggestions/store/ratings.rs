//! The SQL of evaluations (评价): one row per rater and round.

use super::super::domain::Rating;
use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

/// One evaluation of a reply.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RatingRow {
    pub deputy_id: i64,
    pub name: String,
    /// 0 for the first reply, 1 after a re-handling.
    pub round: i64,
    pub rating: String,
    pub comment: String,
    pub created_at: i64,
}

/// One deputy's evaluation of a reply in a round (0 first, 1 after a re-handling).
pub struct NewRating<'a> {
    pub deputy: i64,
    pub round: i64,
    pub rating: Rating,
    pub comment: &'a str,
}

/// Records an evaluation; false when this deputy already rated this round.
pub async fn insert_rating(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    r: &NewRating<'_>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO suggestion_ratings (congress_id, suggestion_id, deputy_id, round, rating, comment, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (congress_id, suggestion_id, deputy_id, round) DO NOTHING",
    )
    .bind(congress.0)
    .bind(id)
    .bind(r.deputy)
    .bind(r.round)
    .bind(r.rating.as_str())
    .bind(r.comment)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The evaluations of an item, oldest first.
pub async fn ratings(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Vec<RatingRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.deputy_id, p.name, r.round, r.rating, r.comment, r.created_at FROM suggestion_ratings r \
         JOIN deputies d ON d.id = r.deputy_id JOIN persons p ON p.id = d.person_id \
         WHERE r.congress_id = $1 AND r.suggestion_id = $2 ORDER BY r.id",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await
}
