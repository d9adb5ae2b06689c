//! Figures for the office's insight page: per place (town or community) and per station, the
//! opinions received, answered, answered on time and the citizens' ratings; the texts of a
//! month for its keywords.

use crate::db::Db;
use crate::platform::ids::CongressId;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Tally {
    /// The place or the station's name (empty: not given / no station).
    pub name: String,
    pub received: i64,
    pub answered: i64,
    /// Answered no later than the due date.
    pub on_time: i64,
    pub satisfied: i64,
    pub basically_satisfied: i64,
    pub unsatisfied: i64,
}

const FIGURES: &str = "COUNT(*) AS received, \
     SUM(CASE WHEN o.state = 'answered' THEN 1 ELSE 0 END) AS answered, \
     SUM(CASE WHEN o.state = 'answered' AND (o.due_on IS NULL OR o.answered_on <= o.due_on) THEN 1 ELSE 0 END) AS on_time, \
     SUM(CASE WHEN o.rating = 'satisfied' THEN 1 ELSE 0 END) AS satisfied, \
     SUM(CASE WHEN o.rating = 'basically_satisfied' THEN 1 ELSE 0 END) AS basically_satisfied, \
     SUM(CASE WHEN o.rating = 'unsatisfied' THEN 1 ELSE 0 END) AS unsatisfied";

/// Per place, received since `since_ms`, most opinions first.
pub async fn by_place(
    db: &Db,
    congress: CongressId,
    since_ms: i64,
) -> Result<Vec<Tally>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT o.place AS name, {FIGURES} FROM opinions o WHERE o.congress_id = $1 AND o.created_at >= $2 \
         GROUP BY o.place ORDER BY COUNT(*) DESC, o.place LIMIT 30"
    )))
    .bind(congress.0)
    .bind(since_ms)
    .fetch_all(&db.pool)
    .await
}

/// Per station, received since `since_ms`.
pub async fn by_station(
    db: &Db,
    congress: CongressId,
    since_ms: i64,
) -> Result<Vec<Tally>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(s.name, '') AS name, {FIGURES} FROM opinions o LEFT JOIN stations s ON s.id = o.station_id \
         WHERE o.congress_id = $1 AND o.created_at >= $2 GROUP BY s.name ORDER BY COUNT(*) DESC, s.name LIMIT 30"
    )))
    .bind(congress.0)
    .bind(since_ms)
    .fetch_all(&db.pool)
    .await
}

/// The texts received in `[from_ms, to_ms)`, newest first, at most `limit` (for keywords).
pub async fn texts(
    db: &Db,
    congress: CongressId,
    from_ms: i64,
    to_ms: i64,
    limit: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT body FROM opinions WHERE congress_id = $1 AND created_at >= $2 AND created_at < $3 ORDER BY id DESC LIMIT $4",
    )
    .bind(congress.0)
    .bind(from_ms)
    .bind(to_ms)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(b,)| b).collect())
}

/// The open opinions in a handler's scope, and how many of them are past their date.
pub async fn open_counts(
    db: &Db,
    congress: CongressId,
    scope: super::Scope,
    today: &str,
) -> Result<(i64, i64), sqlx::Error> {
    let (cond, who) = match scope {
        super::Scope::All => ("", 0),
        super::Scope::Deputy(d) => (" AND deputy_id = $3 AND holder = 'congress'", d),
        super::Scope::Unit(u) => (" AND unit_id = $3 AND holder = 'unit'", u),
    };
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_on < $2 THEN 1 ELSE 0 END), 0) FROM opinions \
         WHERE congress_id = $1 AND state IN ('received', 'reopened'){cond}"
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(today);
    if !cond.is_empty() {
        q = q.bind(who);
    }
    q.fetch_one(&db.pool).await
}
