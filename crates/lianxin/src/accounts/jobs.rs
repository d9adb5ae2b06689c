//! The accounts' daily jobs: expired sessions swept, the audit chains' heads signed and the
//! records past the security policy's retention pruned, unused accounts disabled.

use super::store;
use crate::audit::{self, Outcome, Record};
use crate::db::Db;
use crate::notify::scheduler::{DailyJob, JobContext, JobRun};

pub const EXPIRE_SESSIONS: DailyJob = DailyJob {
    name: "expire_sessions",
    run: expire_sessions,
};

pub const AUDIT_CHECKPOINT: DailyJob = DailyJob {
    name: "audit_checkpoint",
    run: audit_checkpoint,
};

pub const LOCK_UNUSED_ACCOUNTS: DailyJob = DailyJob {
    name: "lock_unused_accounts",
    run: |cx| {
        Box::pin(async move {
            lock_unused_accounts(cx.db, cx.clock.now_ms())
                .await
                .map(drop)
        })
    },
};

fn expire_sessions<'a>(cx: &'a JobContext<'a>) -> JobRun<'a> {
    Box::pin(async move {
        store::expire_sessions(cx.db, cx.clock.now_ms()).await?;
        Ok(())
    })
}

/// GB/T 22239 8.1.4.3 (audit records kept and protected): the chains' heads are signed daily;
/// records older than the policy's retention are pruned.
fn audit_checkpoint<'a>(cx: &'a JobContext<'a>) -> JobRun<'a> {
    Box::pin(async move {
        let now = cx.clock.now_ms();
        audit::chain::checkpoint(cx.db, cx.audit_key, now).await?;
        let policy = store::policy(cx.db).await?;
        let pruned = audit::chain::prune(cx.db, now - policy.audit_retention_ms()).await?;
        if pruned > 0 {
            tracing::info!(records = pruned, "audit records past retention pruned");
        }
        Ok(())
    })
}

/// 8.1.4.2 c: accounts unused for longer than the policy allows are disabled, each audited.
pub async fn lock_unused_accounts(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let policy = store::policy(db).await?;
    let mut tx = db.write().await?;
    let ids = store::lock_unused(&mut tx, now - policy.unused_ms()).await?;
    for id in &ids {
        audit::append(
            &mut tx,
            &Record {
                at: now,
                user: None,
                congress: None,
                action: "accounts.lock_unused",
                target: format!("user:{id}"),
                outcome: Outcome::Success,
                fields: &["disabled"],
                client_addr: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}
