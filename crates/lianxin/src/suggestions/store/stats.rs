//! The statistics queries: the same nine counts for the whole congress or per group, optionally
//! limited to numbering periods (a session `s<id>`, a recess year `y<year>`).

use super::super::domain::Delivery;
use crate::db::Db;
use crate::platform::ids::CongressId;
use serde::Serialize;

/// Counts for the statistics, per state and the delivery measures.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Stats {
    pub received: i64,
    pub registered: i64,
    pub assigned: i64,
    pub replied: i64,
    pub replied_on_time: i64,
    pub rated: i64,
    pub satisfied: i64,
    pub delivered: i64,
    pub overdue: i64,
}

/// One row of a breakdown: a category, a lead unit, a town or a period, with its counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StatsRow {
    pub label: String,
    pub stats: Stats,
}

/// A label and the nine counts of [`Stats`], as the breakdown query returns them.
type CountsRow = (String, i64, i64, i64, i64, i64, i64, i64, i64, i64);

/// The nine counts. "Delivered" (办成) is class A, or class B verified solved; "satisfied"
/// counts 满意 and 基本满意 among rated items only.
const COUNTS: &str = "COUNT(*) FILTER (WHERE s.state NOT IN ('draft', 'withdrawn')), \
   COUNT(*) FILTER (WHERE s.number IS NOT NULL), \
   COUNT(*) FILTER (WHERE s.assigned_on IS NOT NULL), \
   COUNT(*) FILTER (WHERE s.replied_on IS NOT NULL), \
   COUNT(*) FILTER (WHERE s.replied_on IS NOT NULL AND s.replied_on <= s.due_on), \
   COUNT(*) FILTER (WHERE s.rating IS NOT NULL), \
   COUNT(*) FILTER (WHERE s.rating IN ('satisfied', 'basically_satisfied')), \
   COUNT(*) FILTER (WHERE s.reply_class = 'A' OR s.delivery = 'verified'), \
   COUNT(*) FILTER (WHERE s.state IN ('assigned', 'rehandling') AND s.due_on < $2)";

/// A breakdown of the statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Category,
    Unit,
    Town,
    /// The numbering period (a session or a recess year).
    Period,
}

impl By {
    pub fn parse(s: &str) -> Option<By> {
        match s {
            "category" => Some(By::Category),
            "unit" => Some(By::Unit),
            "town" => Some(By::Town),
            "period" => Some(By::Period),
            _ => None,
        }
    }
}

fn period_filter(periods: &[String]) -> String {
    if periods.is_empty() {
        return String::new();
    }
    let marks: Vec<String> = (0..periods.len()).map(|i| format!("${}", i + 3)).collect();
    format!(" AND s.period_key IN ({})", marks.join(", "))
}

fn counts(r: &CountsRow) -> Stats {
    Stats {
        received: r.1,
        registered: r.2,
        assigned: r.3,
        replied: r.4,
        replied_on_time: r.5,
        rated: r.6,
        satisfied: r.7,
        delivered: r.8,
        overdue: r.9,
    }
}

/// The totals of a congress (of the given periods; all when empty).
pub async fn stats(
    db: &Db,
    congress: CongressId,
    today: &str,
    periods: &[String],
) -> Result<Stats, sqlx::Error> {
    let sql = format!(
        "SELECT '' AS label, {COUNTS} FROM suggestions s WHERE s.congress_id = $1 AND s.state <> 'draft'{}",
        period_filter(periods)
    );
    let mut q = sqlx::query_as::<_, CountsRow>(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(today);
    for p in periods {
        q = q.bind(p);
    }
    Ok(counts(&q.fetch_one(&db.pool).await?))
}

/// The statistics per category, lead unit, town or period (of the given periods; all when empty).
pub async fn stats_by(
    db: &Db,
    congress: CongressId,
    by: By,
    today: &str,
    periods: &[String],
) -> Result<Vec<StatsRow>, sqlx::Error> {
    let (label, from) = match by {
        By::Town => (
            "COALESCE(t.short_name, '—')",
            "suggestions s LEFT JOIN congresses t ON t.id = s.town_congress_id",
        ),
        By::Unit => (
            "o.name",
            "suggestions s JOIN suggestion_units l ON l.suggestion_id = s.id AND l.role = 'lead' AND l.returned_at IS NULL \
             JOIN organizations o ON o.id = l.unit_id",
        ),
        By::Category => ("s.category", "suggestions s"),
        By::Period => ("s.period_key", "suggestions s"),
    };
    let order = if by == By::Period { "1" } else { "2 DESC, 1" };
    let sql = format!(
        "SELECT {label}, {COUNTS} FROM {from} WHERE s.congress_id = $1 AND s.state <> 'draft'{} \
         GROUP BY {label} ORDER BY {order}",
        period_filter(periods)
    );
    let mut q = sqlx::query_as::<_, CountsRow>(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(today);
    for p in periods {
        q = q.bind(p);
    }
    Ok(q.fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| StatsRow {
            label: r.0.clone(),
            stats: counts(r),
        })
        .collect())
}

/// The numbering periods that hold submitted items, newest first.
pub async fn periods(db: &Db, congress: CongressId) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT period_key FROM suggestions WHERE congress_id = $1 AND state <> 'draft'",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await?;
    let mut keys: Vec<String> = rows.into_iter().map(|(k,)| k).collect();
    keys.sort_by(|a, b| b.cmp(a));
    Ok(keys)
}

/// A key-supervision item (重点督办) for the annual report.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyItem {
    pub number: Option<i64>,
    pub title: String,
    pub unit: Option<String>,
    pub supervisor: Option<String>,
    pub reply_class: Option<String>,
    pub delivery: Delivery,
}

/// The key-supervision items of the given periods (all when empty), in number order.
pub async fn key_items(
    db: &Db,
    congress: CongressId,
    periods: &[String],
) -> Result<Vec<KeyItem>, sqlx::Error> {
    let marks: Vec<String> = (0..periods.len()).map(|i| format!("${}", i + 2)).collect();
    let filter = if periods.is_empty() {
        String::new()
    } else {
        format!(" AND s.period_key IN ({})", marks.join(", "))
    };
    let sql = format!(
        "SELECT s.number, s.title, o.name AS unit, s.supervisor, s.reply_class, s.delivery \
         FROM suggestions s LEFT JOIN suggestion_units l ON l.suggestion_id = s.id AND l.role = 'lead' AND l.returned_at IS NULL \
         LEFT JOIN organizations o ON o.id = l.unit_id \
         WHERE s.congress_id = $1 AND s.key_supervision = 1{filter} ORDER BY s.period_key, s.number"
    );
    let mut q = sqlx::query_as::<_, KeyItem>(sqlx::AssertSqlSafe(sql)).bind(congress.0);
    for p in periods {
        q = q.bind(p);
    }
    q.fetch_all(&db.pool).await
}
