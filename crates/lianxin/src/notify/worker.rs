//! The outbox worker. Rows are claimed with a lease (`claimed_until`), so that two server
//! processes never send the same row at once and a row claimed by a process that died is picked
//! up again when its lease runs out. A delivered row is marked `delivered_at` and never sent
//! again. Failures back off exponentially; after `MAX_ATTEMPTS` the row is marked failed.

use super::adapters::Adapter;
use crate::db::Db;
use crate::platform::clock::Clock;
use std::sync::Arc;
use std::time::Duration;

pub const MAX_ATTEMPTS: i64 = 8;
const LEASE_MS: i64 = 60_000;
const BATCH: i64 = 20;

#[derive(Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
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

/// 30 s, 1 min, 2 min, … capped at 1 hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let shift = attempts.clamp(1, 8) - 1;
    (30_000i64 << shift).min(3_600_000)
}

/// Delivers one batch; returns how many rows were delivered.
pub async fn run_once(db: &Db, adapter: &Adapter, clock: &dyn Clock) -> Result<usize, sqlx::Error> {
    let rows = claim(db, clock.now_ms()).await?;
    let mut delivered = 0;
    for row in rows {
        match adapter.deliver(&row).await {
            Ok(()) => {
                mark_delivered(db, row.id, clock.now_ms()).await?;
                delivered += 1;
            }
            Err(e) => {
                tracing::warn!(outbox_id = row.id, channel = %row.channel, error = %e, "delivery failed");
                mark_failed_attempt(db, &row, &e, clock.now_ms()).await?;
            }
        }
    }
    Ok(delivered)
}

/// Runs until `shutdown` fires.
pub async fn run(
    db: Db,
    adapter: Adapter,
    clock: Arc<dyn Clock>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = run_once(&db, &adapter, clock.as_ref()).await {
            tracing::error!(error = %e, "outbox worker");
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(super::backoff_ms(1), 30_000);
        assert_eq!(super::backoff_ms(2), 60_000);
        assert_eq!(super::backoff_ms(8), 3_600_000);
        assert_eq!(super::backoff_ms(50), 3_600_000);
    }
}
