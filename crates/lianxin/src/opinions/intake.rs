//! 受理队列 — group commit for opinions. At a consultation's peak thousands of citizens submit
//! at once; one commit (one fsync) per opinion would cap intake at the disk's sync rate, and
//! concurrent write transactions would queue on SQLite's single writer. So submissions go to one
//! writer task that takes whatever has queued (up to `MAX_BATCH`), writes it in one transaction
//! and answers each submitter only after the commit: nothing is acknowledged that is not on disk.
//! If the batch fails (a rare tracking-code collision, say), each opinion is retried in a
//! transaction of its own, so one bad submission never costs the others theirs.

use super::service::{Prepared, Received, store_prepared};
use crate::db::Db;
use crate::platform::error::AppError;
use tokio::sync::{mpsc, oneshot};

/// The most opinions one commit takes.
pub const MAX_BATCH: usize = 128;

struct Job {
    prepared: Prepared,
    reply: oneshot::Sender<Result<Received, AppError>>,
}

/// A handle to the writer (cheap to clone; the writer stops when every handle is dropped).
#[derive(Clone)]
pub struct Intake {
    tx: mpsc::Sender<Job>,
}

impl Intake {
    /// Starts the writer on the current runtime.
    pub fn start(db: Db) -> Intake {
        let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(db, rx));
        Intake { tx }
    }

    /// Queues a prepared opinion and waits until it is committed.
    pub async fn submit(&self, prepared: Prepared) -> Result<Received, AppError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { prepared, reply })
            .await
            .map_err(|_| AppError::internal("intake writer stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("intake writer dropped a job"))?
    }
}

async fn writer(db: Db, mut rx: mpsc::Receiver<Job>) {
    let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        jobs.push(first);
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        match commit_batch(&db, &jobs).await {
            Ok(done) => {
                for (job, r) in jobs.drain(..).zip(done) {
                    let _ = job.reply.send(Ok(r));
                }
            }
            Err(e) => {
                if jobs.len() > 1 {
                    tracing::warn!(batch = jobs.len(), error = %e, "intake batch failed; committing one by one");
                }
                for job in jobs.drain(..) {
                    let r = super::service::store_alone(&db, &job.prepared).await;
                    let _ = job.reply.send(r);
                }
            }
        }
    }
}

async fn commit_batch(db: &Db, jobs: &[Job]) -> Result<Vec<Received>, AppError> {
    let mut tx = db.write().await?;
    let mut done = Vec::with_capacity(jobs.len());
    for job in jobs {
        done.push(store_prepared(db, &mut tx, &job.prepared).await?);
    }
    tx.commit().await?;
    Ok(done)
}
