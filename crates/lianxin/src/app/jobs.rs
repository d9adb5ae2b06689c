//! The daily jobs of every slice, run in this order once a day by whichever server process claims
//! each first ([`crate::notify::scheduler::claim_daily`]).

use crate::db::Db;
use crate::notify::scheduler::{DailyJob, JobContext, claim_daily, finished};
use crate::platform::clock::Clock;

/// The jobs, in the order they run.
pub const DAILY_JOBS: &[DailyJob] = &[
    crate::accounts::jobs::EXPIRE_SESSIONS,
    crate::accounts::jobs::AUDIT_CHECKPOINT,
    crate::accounts::jobs::LOCK_UNUSED_ACCOUNTS,
    crate::privacy::retention::DAILY,
    crate::suggestions::reminders::DAILY,
];

/// The jobs' names, in order.
pub fn names() -> Vec<&'static str> {
    DAILY_JOBS.iter().map(|j| j.name).collect()
}

/// Runs the daily jobs that are due; returns the names of those this process ran.
/// `audit_key` signs the audit chains' checkpoints.
pub async fn tick(
    db: &Db,
    clock: &dyn Clock,
    audit_key: &[u8],
) -> Result<Vec<&'static str>, sqlx::Error> {
    let cx = JobContext {
        db,
        clock,
        audit_key,
    };
    let mut ran = Vec::new();
    for job in DAILY_JOBS {
        if claim_daily(db, job.name, clock).await? {
            (job.run)(&cx).await?;
            finished(db, job.name, clock).await?;
            tracing::info!(job = job.name, "daily job ran");
            ran.push(job.name);
        }
    }
    Ok(ran)
}
