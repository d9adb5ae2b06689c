//! Daily jobs. A job's row records the last day (Asia/Shanghai) it ran; a process runs a job only
//! if its conditional UPDATE moved that date forward, so with several server processes exactly
//! one runs it, and a restart the same day does not run it again.

use crate::db::Db;
use crate::platform::clock::Clock;

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

/// The daily jobs known so far. Later modules (deadline reminders) add theirs here.
pub const DAILY_JOBS: &[&str] = &[
    "expire_sessions",
    "audit_checkpoint",
    "lock_unused_accounts",
    "retention",
    "suggestion_reminders",
];

/// Runs the daily jobs that are due. `audit_key` signs the audit chains' checkpoints.
pub async fn tick(
    db: &Db,
    clock: &dyn Clock,
    audit_key: &[u8],
) -> Result<Vec<&'static str>, sqlx::Error> {
    let mut ran = Vec::new();
    for job in DAILY_JOBS {
        if claim_daily(db, job, clock).await? {
            match *job {
                "expire_sessions" => {
                    sqlx::query("DELETE FROM auth_sessions WHERE expires_at < $1")
                        .bind(clock.now_ms())
                        .execute(&db.pool)
                        .await?;
                }
                "audit_checkpoint" => {
                    let now = clock.now_ms();
                    crate::audit::chain::checkpoint(db, audit_key, now).await?;
                    let policy = crate::accounts::store::policy(db).await?;
                    let pruned =
                        crate::audit::chain::prune(db, now - policy.audit_retention_ms()).await?;
                    if pruned > 0 {
                        tracing::info!(records = pruned, "audit records past retention pruned");
                    }
                }
                "lock_unused_accounts" => {
                    lock_unused_accounts(db, clock.now_ms()).await?;
                }
                "suggestion_reminders" => {
                    let ran = crate::suggestions::reminders::run(db, clock.today(), clock.now_ms())
                        .await?;
                    tracing::info!(
                        notices = ran.notices,
                        lapsed = ran.lapsed,
                        "suggestion reminders"
                    );
                }
                "retention" => {
                    crate::privacy::retention::run(db, clock.now_ms()).await?;
                }
                _ => {}
            }
            finished(db, job, clock).await?;
            tracing::info!(job, "daily job ran");
            ran.push(*job);
        }
    }
    Ok(ran)
}

/// 8.1.4.2 c: accounts unused for longer than the policy allows are disabled, each audited.
pub async fn lock_unused_accounts(db: &Db, now: i64) -> Result<usize, sqlx::Error> {
    let policy = crate::accounts::store::policy(db).await?;
    let mut tx = db.write().await?;
    let ids = crate::accounts::store::lock_unused(&mut tx, now - policy.unused_ms()).await?;
    for id in &ids {
        crate::audit::append(
            &mut tx,
            &crate::audit::Record {
                at: now,
                user: None,
                congress: None,
                action: "accounts.lock_unused",
                target: format!("user:{id}"),
                outcome: crate::audit::Outcome::Success,
                fields: &["disabled"],
                client_addr: None,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len())
}
