//! The outbox worker. Rows are claimed with a lease (`claimed_until`), so that two server
//! processes never send the same row at once and a row claimed by a process that died is picked
//! up again when its lease runs out. A delivered row is marked `delivered_at` and never sent
//! again. Failures back off exponentially; after `MAX_ATTEMPTS` the row is marked failed.

use super::adapters::Adapter;
pub use super::store::{claim, mark_delivered, mark_failed_attempt};
use crate::db::Db;
use crate::platform::clock::Clock;
use std::sync::Arc;
use std::time::Duration;

pub const MAX_ATTEMPTS: i64 = 8;
pub(super) const LEASE_MS: i64 = 60_000;
pub(super) const BATCH: i64 = 20;

#[derive(Debug, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
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
