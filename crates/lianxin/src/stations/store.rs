//! All SQL of reception days and receptions. Every query filters by congress. (Stations
//! themselves are created with the roster, in `people`; here they are only read.)

use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

/// A station of a congress, with its deputies' count.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StationRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
    pub contact: String,
    pub deputies: i64,
}

pub async fn stations(db: &Db, congress: CongressId) -> Result<Vec<StationRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.kind, s.name, s.address, s.opening_hours, s.contact, \
         (SELECT COUNT(*) FROM deputies d WHERE d.station_id = s.id AND d.status = 'in_office') AS deputies \
         FROM stations s WHERE s.congress_id = $1 ORDER BY s.id",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
}

pub async fn station(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<StationRow>, sqlx::Error> {
    Ok(stations(db, congress)
        .await?
        .into_iter()
        .find(|s| s.id == id))
}

/// The deputies attached to a station (in office), by name.
pub async fn station_deputies(
    db: &Db,
    congress: CongressId,
    station: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id, p.name FROM deputies d JOIN persons p ON p.id = d.person_id \
         WHERE d.congress_id = $1 AND d.station_id = $2 AND d.status = 'in_office' ORDER BY d.id",
    )
    .bind(congress.0)
    .bind(station)
    .fetch_all(&db.pool)
    .await
}

/// Schedules a checked reception day (`domain::check`) at a station.
pub async fn insert_day(
    tx: &mut Tx<'_>,
    congress: CongressId,
    station: i64,
    day: &super::domain::Day,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO reception_days (congress_id, station_id, on_date, starts_at, ends_at, topic, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(congress.0)
    .bind(station)
    .bind(day.on_date.to_string())
    .bind(&day.starts_at)
    .bind(&day.ends_at)
    .bind(&day.topic)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn add_on_duty(
    tx: &mut Tx<'_>,
    congress: CongressId,
    day: i64,
    deputy: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO reception_day_deputies (congress_id, reception_day_id, deputy_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(congress.0)
    .bind(day)
    .bind(deputy)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A reception day with its station and the deputies on duty (names joined with 、).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DayRow {
    pub id: i64,
    pub station_id: i64,
    pub station: String,
    pub address: String,
    pub on_date: String,
    pub starts_at: String,
    pub ends_at: String,
    pub topic: String,
    /// Null for a day that stands.
    pub cancelled_at: Option<i64>,
    pub cancel_reason: Option<String>,
}

const DAY: &str = "SELECT r.id, r.station_id, s.name AS station, s.address, r.on_date, r.starts_at, r.ends_at, r.topic, \
     r.cancelled_at, r.cancel_reason FROM reception_days r JOIN stations s ON s.id = r.station_id";

/// Days of a congress (one station's when given) from `from` on, soonest first; with `past`,
/// the days before `from`, latest first.
pub async fn days(
    db: &Db,
    congress: CongressId,
    station: Option<i64>,
    from: &str,
    past: bool,
    limit: i64,
) -> Result<Vec<DayRow>, sqlx::Error> {
    let mut sql = format!("{DAY} WHERE r.congress_id = $1");
    sql.push_str(if past {
        " AND r.on_date < $2"
    } else {
        " AND r.on_date >= $2"
    });
    if station.is_some() {
        sql.push_str(" AND r.station_id = $4");
    }
    sql.push_str(if past {
        " ORDER BY r.on_date DESC, r.starts_at DESC LIMIT $3"
    } else {
        " ORDER BY r.on_date, r.starts_at LIMIT $3"
    });
    let mut q = sqlx::query_as::<_, DayRow>(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(from)
        .bind(limit);
    if let Some(s) = station {
        q = q.bind(s);
    }
    q.fetch_all(&db.pool).await
}

pub async fn day(db: &Db, congress: CongressId, id: i64) -> Result<Option<DayRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DAY} WHERE r.congress_id = $1 AND r.id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// The names of the deputies on duty on a day.
pub async fn on_duty(
    db: &Db,
    congress: CongressId,
    day: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id, p.name FROM reception_day_deputies r JOIN deputies d ON d.id = r.deputy_id \
         JOIN persons p ON p.id = d.person_id WHERE r.congress_id = $1 AND r.reception_day_id = $2 ORDER BY d.id",
    )
    .bind(congress.0)
    .bind(day)
    .fetch_all(&db.pool)
    .await
}

/// Cancels a day that stands; false if it was cancelled meanwhile.
pub async fn cancel_day(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    reason: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE reception_days SET cancelled_at = $3, cancel_reason = $4 WHERE congress_id = $1 AND id = $2 AND cancelled_at IS NULL",
    )
    .bind(congress.0)
    .bind(id)
    .bind(now)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A reception on a reception day: the deputy who received (if one did), the visitor's details
/// (sealed) and the matter.
pub struct NewReception<'a> {
    pub day: i64,
    pub deputy: Option<i64>,
    pub visitor: Option<&'a str>,
    pub matter: &'a str,
}

pub async fn insert_reception(
    db: &Db,
    tx: &mut Tx<'_>,
    congress: CongressId,
    r: &NewReception<'_>,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO receptions (congress_id, reception_day_id, deputy_id, visitor_sealed, matter, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(congress.0)
    .bind(r.day)
    .bind(r.deputy)
    .bind(db.vault.seal_opt(VISITOR, r.visitor)?)
    .bind(r.matter)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub const VISITOR: &str = "receptions.visitor_sealed";

/// id, deputy's name, sealed visitor, matter, created_at — as the query returns them.
type ReceptionDbRow = (i64, Option<String>, Option<String>, String, i64);

/// A recorded reception; the visitor opened from the vault (callers mask it for display).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReceptionRow {
    pub id: i64,
    pub deputy: Option<String>,
    pub visitor: Option<String>,
    pub matter: String,
    pub created_at: i64,
}

pub async fn receptions(
    db: &Db,
    congress: CongressId,
    day: i64,
) -> Result<Vec<ReceptionRow>, sqlx::Error> {
    let rows: Vec<ReceptionDbRow> = sqlx::query_as(
        "SELECT r.id, p.name, r.visitor_sealed, r.matter, r.created_at FROM receptions r \
         LEFT JOIN deputies d ON d.id = r.deputy_id LEFT JOIN persons p ON p.id = d.person_id \
         WHERE r.congress_id = $1 AND r.reception_day_id = $2 ORDER BY r.id",
    )
    .bind(congress.0)
    .bind(day)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::new();
    for (id, deputy, visitor, matter, created_at) in rows {
        out.push(ReceptionRow {
            id,
            deputy,
            visitor: db.vault.open_opt(VISITOR, visitor.as_deref())?,
            matter,
            created_at,
        });
    }
    Ok(out)
}
