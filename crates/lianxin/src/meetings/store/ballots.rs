//! The SQL of sealed ballots (`ballot_seal`): the vote's public key, the sealed batches while it
//! is open, and the clear ballots written at close in one shuffled batch.

use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use rand::RngExt;

/// The vote, if it is still open, with its ballot public key (none for a vote opened before
/// ballots were sealed). Read inside the ballot's transaction after its first write; on
/// PostgreSQL the row is share-locked, so closing waits for ballots in flight to commit and a
/// ballot arriving after the close sees it closed.
pub async fn open_vote_key(
    db: &Db,
    tx: &mut Tx<'_>,
    vote: i64,
) -> Result<Option<Option<String>>, sqlx::Error> {
    let lock = if db.backend == crate::db::Backend::Postgres {
        " FOR SHARE"
    } else {
        ""
    };
    let row: Option<(String, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT state, ballot_public_key FROM votes WHERE id = $1{lock}"
    )))
    .bind(vote)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.and_then(|(state, key)| (state == "open").then_some(key)))
}

/// Keeps the vote's public key (at opening).
pub async fn set_public_key(tx: &mut Tx<'_>, vote: i64, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE votes SET ballot_public_key = $2 WHERE id = $1")
        .bind(vote)
        .bind(key)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One sealed batch of a vote's ballots, under a random key.
pub async fn insert_sealed(
    tx: &mut Tx<'_>,
    vote: i64,
    congress: CongressId,
    sealed: &str,
) -> Result<(), sqlx::Error> {
    let key = hex::encode(rand::rng().random::<[u8; 16]>());
    sqlx::query(
        "INSERT INTO sealed_ballots (vote_id, congress_id, ballot_key, sealed) VALUES ($1, $2, $3, $4)",
    )
    .bind(vote)
    .bind(congress.0)
    .bind(key)
    .bind(sealed)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The vote's sealed batches.
pub async fn sealed(tx: &mut Tx<'_>, vote: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT sealed FROM sealed_ballots WHERE vote_id = $1 ORDER BY ballot_key")
            .bind(vote)
            .fetch_all(&mut **tx)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn delete_sealed(tx: &mut Tx<'_>, vote: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sealed_ballots WHERE vote_id = $1")
        .bind(vote)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The opened ballots in the clear, kept for any recount: each under a fresh random key and
/// written in key order, a few multi-row statements for the whole vote, so that neither the order
/// of the rows nor their transaction follows any voter.
pub async fn insert_clear(
    tx: &mut Tx<'_>,
    vote: i64,
    congress: CongressId,
    contents: &[String],
) -> Result<(), sqlx::Error> {
    let mut rows: Vec<(String, &str)> = contents
        .iter()
        .map(|c| (hex::encode(rand::rng().random::<[u8; 16]>()), c.as_str()))
        .collect();
    rows.sort();
    for chunk in rows.chunks(1_000) {
        let mut sql =
            String::from("INSERT INTO ballots (vote_id, congress_id, ballot_key, content) VALUES ");
        for k in 0..chunk.len() {
            if k > 0 {
                sql.push_str(", ");
            }
            let b = 4 * k;
            sql.push_str(&format!("(${}, ${}, ${}, ${})", b + 1, b + 2, b + 3, b + 4));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, content) in chunk {
            q = q
                .bind(vote)
                .bind(congress.0)
                .bind(key.as_str())
                .bind(*content);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Of `votes`, those that are open (their ballot keys are still needed).
pub async fn open_among(db: &Db, votes: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    let mut open = Vec::new();
    for chunk in votes.chunks(500) {
        let list = chunk
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let rows: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM votes WHERE state = 'open' AND id IN ({list})"
        )))
        .fetch_all(&db.pool)
        .await?;
        open.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(open)
}
