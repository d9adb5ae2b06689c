//! Daily jobs (每日任务): the interface a slice offers its jobs by ([`DailyJob`]) and the claim
//! that runs each once a day. A job's row records the last day (Asia/Shanghai) it ran; a process
//! runs a job only if its conditional UPDATE moved that date forward, so with several server
//! processes exactly one runs it, and a restart the same day does not run it again. The list of
//! jobs is the application layer's (`app::jobs`).

pub use super::store::{claim_daily, finished};
use crate::db::Db;
use crate::platform::clock::Clock;
use std::future::Future;
use std::pin::Pin;

/// What a job is given: the database, the clock, and the key that signs the audit checkpoints.
pub struct JobContext<'a> {
    pub db: &'a Db,
    pub clock: &'a dyn Clock,
    pub audit_key: &'a [u8],
}

/// One run of a job.
pub type JobRun<'a> = Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 'a>>;

/// A slice's daily job: its name (the `scheduled_jobs` row) and what it does.
#[derive(Clone, Copy)]
pub struct DailyJob {
    pub name: &'static str,
    pub run: for<'a> fn(&'a JobContext<'a>) -> JobRun<'a>,
}
