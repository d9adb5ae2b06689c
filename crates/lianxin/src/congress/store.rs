//! All SQL of the congress module.

use super::{Congress, CongressLevel, Session, Term};
use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;

type Row = (i64, Option<i64>, String, String, String, String);

fn from_row((id, parent, level, name, short_name, region_code): Row) -> Option<Congress> {
    Some(Congress {
        id: CongressId(id),
        parent: parent.map(CongressId),
        level: CongressLevel::parse(&level)?,
        name,
        short_name,
        region_code,
    })
}

const COLS: &str = "id, parent_id, level, name, short_name, region_code";

pub async fn all(db: &Db) -> Result<Vec<Congress>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM congresses ORDER BY parent_id IS NOT NULL, region_code"
    )))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().filter_map(from_row).collect())
}

pub async fn get(db: &Db, id: CongressId) -> Result<Option<Congress>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM congresses WHERE id = $1"
    )))
    .bind(id.0)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.and_then(from_row))
}

pub async fn by_region(db: &Db, code: &str) -> Result<Option<Congress>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLS} FROM congresses WHERE region_code = $1"
    )))
    .bind(code)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.and_then(from_row))
}

pub async fn create(
    tx: &mut Tx<'_>,
    parent: Option<CongressId>,
    level: CongressLevel,
    name: &str,
    short_name: &str,
    region_code: &str,
    now: i64,
) -> Result<CongressId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO congresses (parent_id, level, name, short_name, region_code, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(parent.map(|p| p.0))
    .bind(level.as_str())
    .bind(name)
    .bind(short_name)
    .bind(region_code)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(CongressId(id))
}

pub async fn create_term(
    tx: &mut Tx<'_>,
    c: CongressId,
    number: i64,
    starts: &str,
    ends: &str,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO terms (congress_id, number, starts_on, ends_on) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(c.0)
            .bind(number)
            .bind(starts)
            .bind(ends)
            .fetch_one(&mut **tx)
            .await?;
    Ok(id)
}

pub async fn create_session(
    tx: &mut Tx<'_>,
    c: CongressId,
    term: i64,
    number: i64,
    opens: &str,
    closes: &str,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO sessions (congress_id, term_id, number, opens_on, closes_on) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(c.0)
    .bind(term)
    .bind(number)
    .bind(opens)
    .bind(closes)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The term in force on `today` (or the latest one).
pub async fn current_term(
    db: &Db,
    c: CongressId,
    today: &str,
) -> Result<Option<Term>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, number, starts_on, ends_on FROM terms WHERE congress_id = $1 \
         ORDER BY (starts_on <= $2 AND ends_on >= $2) DESC, number DESC LIMIT 1",
    )
    .bind(c.0)
    .bind(today)
    .fetch_optional(&db.pool)
    .await
}

pub async fn sessions(db: &Db, c: CongressId) -> Result<Vec<Session>, sqlx::Error> {
    sqlx::query_as("SELECT id, term_id, number, opens_on, closes_on FROM sessions WHERE congress_id = $1 ORDER BY term_id, number")
        .bind(c.0)
        .fetch_all(&db.pool)
        .await
}

pub async fn terms(db: &Db, c: CongressId) -> Result<Vec<Term>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, number, starts_on, ends_on FROM terms WHERE congress_id = $1 ORDER BY number",
    )
    .bind(c.0)
    .fetch_all(&db.pool)
    .await
}

/// A term with the id of its congress.
pub async fn term(db: &Db, id: i64) -> Result<Option<(i64, Term)>, sqlx::Error> {
    let row: Option<(i64, i64, i64, String, String)> = sqlx::query_as(
        "SELECT congress_id, id, number, starts_on, ends_on FROM terms WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(c, id, number, starts_on, ends_on)| {
        (
            c,
            Term {
                id,
                number,
                starts_on,
                ends_on,
            },
        )
    }))
}

/// The newest sealing key's version and public half for a congress, if it has one.
pub async fn seal_key(db: &Db, congress: CongressId) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT version, public_key FROM seal_keys WHERE congress_id = $1 ORDER BY version DESC LIMIT 1",
    )
    .bind(congress.0)
    .fetch_optional(&db.pool)
    .await
}

/// The public half of a congress's sealing key of `version` (for verification).
pub async fn seal_public_key(
    db: &Db,
    congress: CongressId,
    version: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT public_key FROM seal_keys WHERE congress_id = $1 AND version = $2")
            .bind(congress.0)
            .bind(version)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(k,)| k))
}

pub async fn record_seal_key(
    db: &Db,
    congress: CongressId,
    version: i64,
    public_key: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO seal_keys (congress_id, version, public_key, created_at) VALUES ($1, $2, $3, $4)")
        .bind(congress.0)
        .bind(version)
        .bind(public_key)
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(())
}
