//! The notices' SQL: the inbox, the sealed outbox and its leases, and the daily jobs' claims.

use super::worker::{BATCH, LEASE_MS, MAX_ATTEMPTS, OutboxRow, backoff_ms};
use super::{BODY, InboxItem, Notice, RECIPIENT};
use crate::db::{Db, Tx};
use crate::platform::clock::Clock;
use crate::platform::ids::UserId;
use crate::platform::vault::Vault;

/// Puts a notice in the user's inbox (in the caller's transaction).
pub async fn notify(tx: &mut Tx<'_>, n: &Notice<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (congress_id, user_id, kind, title_zh, title_en, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(n.congress.map(|c| c.0))
    .bind(n.user.0)
    .bind(n.kind)
    .bind(n.title_zh)
    .bind(n.title_en)
    .bind(n.link)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Queues an external message. The recipient (a phone number or e-mail address) and the body
/// are sealed at rest; the worker opens them only to hand them to the adapter.
pub async fn enqueue(
    tx: &mut Tx<'_>,
    vault: &Vault,
    m: &super::Message<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (congress_id, channel, recipient, subject, body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(m.congress.map(|c| c.0))
    .bind(m.channel)
    .bind(vault.seal(RECIPIENT, m.recipient)?)
    .bind(m.subject)
    .bind(vault.seal(BODY, m.body)?)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn inbox(db: &Db, user: UserId, limit: i64) -> Result<Vec<InboxItem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, title_zh, title_en, link, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user.0)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

pub async fn unread_count(db: &Db, user: UserId) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .fetch_one(&db.pool)
            .await?;
    Ok(n)
}

/// Marks one of the user's notices read; another user's notice is left alone.
pub async fn mark_read(db: &Db, user: UserId, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(id)
    .bind(user.0)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Claims up to a batch of due rows for this process, in one statement: a write first, so that
/// SQLite takes its write lock at once instead of refusing a read that later wants to write while
/// another writer (a chamber's ballots, say) holds it. The condition is evaluated again on each
/// row as it is updated, so a row another process claimed meanwhile is skipped.
pub async fn claim(db: &Db, now: i64) -> Result<Vec<OutboxRow>, sqlx::Error> {
    let mut claimed: Vec<OutboxRow> = sqlx::query_as(
        "UPDATE outbox SET claimed_until = $2 \
         WHERE id IN (SELECT id FROM outbox WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                      AND (claimed_until IS NULL OR claimed_until < $1) ORDER BY id LIMIT $3) \
         AND delivered_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < $1) \
         RETURNING id, channel, recipient, subject, body, attempts",
    )
    .bind(now)
    .bind(now + LEASE_MS)
    .bind(BATCH)
    .fetch_all(&db.pool)
    .await?;
    claimed.sort_by_key(|r| r.id);
    for row in &mut claimed {
        row.recipient = db.vault.open_sealed(super::RECIPIENT, &row.recipient)?;
        row.body = db.vault.open_sealed(super::BODY, &row.body)?;
    }
    Ok(claimed)
}

pub async fn mark_delivered(db: &Db, id: i64, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE outbox SET delivered_at = $2, attempts = attempts + 1, claimed_until = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(&db.pool)
        .await?;
    Ok(())
}

pub async fn mark_failed_attempt(
    db: &Db,
    row: &OutboxRow,
    error: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    let attempts = row.attempts + 1;
    let failed_at = (attempts >= MAX_ATTEMPTS).then_some(now);
    sqlx::query(
        "UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4, failed_at = $5, claimed_until = NULL WHERE id = $1",
    )
    .bind(row.id)
    .bind(attempts)
    .bind(now + backoff_ms(attempts))
    .bind(error.chars().take(500).collect::<String>())
    .bind(failed_at)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Tries to take today's run of `job`. True means: this process runs it now.
pub async fn claim_daily(db: &Db, job: &str, clock: &dyn Clock) -> Result<bool, sqlx::Error> {
    let today = clock.today().to_string();
    let now = clock.now_ms();
    sqlx::query("INSERT INTO scheduled_jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .bind(job)
        .execute(&db.pool)
        .await?;
    let r = sqlx::query(
        "UPDATE scheduled_jobs SET last_run_on = $2, last_started_at = $3 WHERE name = $1 AND (last_run_on IS NULL OR last_run_on < $2)",
    )
    .bind(job)
    .bind(&today)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn finished(db: &Db, job: &str, clock: &dyn Clock) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE scheduled_jobs SET last_finished_at = $2 WHERE name = $1")
        .bind(job)
        .bind(clock.now_ms())
        .execute(&db.pool)
        .await?;
    Ok(())
}
