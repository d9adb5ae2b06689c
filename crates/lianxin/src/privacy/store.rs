//! All SQL of the privacy module.

use super::retention::{ERASED, RULES};
use crate::db::Db;

/// Sets the contact columns of every matter closed before `cutoff` to the erased marker.
pub async fn erase_closed_contacts(db: &Db, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut erased = 0;
    let mut tx = db.write().await?;
    for (table, closed, columns) in RULES {
        let sets: Vec<String> = columns.iter().map(|c| format!("{c} = $2")).collect();
        let not_yet: Vec<String> = columns.iter().map(|c| format!("{c} <> $2")).collect();
        let sql = format!(
            "UPDATE {table} SET {} WHERE {closed} IS NOT NULL AND {closed} < $1 AND ({})",
            sets.join(", "),
            not_yet.join(" OR ")
        );
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(cutoff)
            .bind(ERASED)
            .execute(&mut *tx)
            .await?;
        erased += r.rows_affected();
    }
    tx.commit().await?;
    Ok(erased)
}

/// A data-subject request as listed and shown (the requester's details stay sealed here).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: i64,
    pub kind: String,
    pub requester_sealed: String,
    pub received_on: String,
    pub due_on: String,
    pub status: String,
    pub answer: Option<String>,
}

pub struct NewRequest<'a> {
    pub congress: i64,
    pub kind: &'a str,
    pub requester_sealed: &'a str,
    pub subject_digest: &'a str,
    pub received_on: &'a str,
    pub due_on: &'a str,
    pub by: i64,
    pub now: i64,
}

pub async fn create(tx: &mut crate::db::Tx<'_>, r: &NewRequest<'_>) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO privacy_requests (congress_id, kind, requester_sealed, subject_digest, received_on, due_on, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id",
    )
    .bind(r.congress)
    .bind(r.kind)
    .bind(r.requester_sealed)
    .bind(r.subject_digest)
    .bind(r.received_on)
    .bind(r.due_on)
    .bind(r.by)
    .bind(r.now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

const SELECT: &str =
    "SELECT id, kind, requester_sealed, received_on, due_on, status, answer FROM privacy_requests";

/// A congress's requests, open ones first, newest first (a congress receives a handful a year).
pub async fn list(db: &Db, congress: i64) -> Result<Vec<RequestRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE congress_id = $1 ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, id DESC LIMIT 500"
    )))
    .bind(congress)
    .fetch_all(&db.pool)
    .await
}

pub async fn get(db: &Db, congress: i64, id: i64) -> Result<Option<RequestRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE congress_id = $1 AND id = $2"
    )))
    .bind(congress)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Closes an open request; false if it was not open (closed meanwhile, or another congress's).
pub async fn close(
    tx: &mut crate::db::Tx<'_>,
    congress: i64,
    id: i64,
    status: &str,
    answer: &str,
    by: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE privacy_requests SET status = $3, answer = $4, closed_by = $5, closed_at = $6 \
         WHERE congress_id = $1 AND id = $2 AND status = 'open'",
    )
    .bind(congress)
    .bind(id)
    .bind(status)
    .bind(answer)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// What the platform holds about one person: identity and mandates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Mandate {
    pub congress: String,
    pub term_number: i64,
    pub status: crate::people::domain::DeputyStatus,
}

pub async fn person_name(db: &Db, person: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT name FROM persons WHERE id = $1")
        .bind(person)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|(n,)| n))
}

pub async fn mandates(db: &Db, person: i64) -> Result<Vec<Mandate>, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.name AS congress, t.number AS term_number, d.status FROM deputies d \
         JOIN congresses c ON c.id = d.congress_id JOIN terms t ON t.id = d.term_id \
         WHERE d.person_id = $1 ORDER BY t.starts_on DESC",
    )
    .bind(person)
    .fetch_all(&db.pool)
    .await
}
