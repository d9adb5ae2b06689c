//! 合并提交 — the group-commit writer that a burst of independent writes shares (a chamber's
//! ballots, a consultation's opinions): one task takes whatever has queued (up to
//! [`Batch::MAX`]), writes it in one write transaction and answers each submitter only after
//! the commit, so nothing is acknowledged that is not on disk and one fsync serves the batch. If
//! the batch fails as a whole, each item is written in a transaction of its own, so that one bad
//! item never costs the others theirs. A slice says how its items are written ([`Batch`]); this
//! module owns the queue, the batching, the commit and the fallback.

use super::{Db, Tx};
use crate::platform::error::AppError;
use std::future::Future;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// How one kind of item is written.
pub trait Batch: Send + Sync + 'static {
    type Item: Send + Sync + 'static;
    type Output: Send + 'static;
    /// The most items one commit takes.
    const MAX: usize;
    /// For the log: what a batch holds ("ballot", "opinion").
    const NAME: &'static str;

    /// Writes `items` in `tx`, one answer per item in order. An item refused inside the batch
    /// (a second ballot, say) answers its own error; an `Err` of the whole fails the batch, which
    /// is rolled back and written item by item.
    fn write(
        &self,
        db: &Db,
        tx: &mut Tx<'static>,
        items: &[&Self::Item],
    ) -> impl Future<Output = Result<Vec<Result<Self::Output, AppError>>, AppError>> + Send;
}

struct Job<B: Batch> {
    item: B::Item,
    reply: oneshot::Sender<Result<B::Output, AppError>>,
}

/// A handle to the writer (cheap to clone; the writer stops when every handle is dropped).
pub struct GroupWriter<B: Batch> {
    tx: mpsc::Sender<Job<B>>,
}

impl<B: Batch> Clone for GroupWriter<B> {
    fn clone(&self) -> Self {
        GroupWriter {
            tx: self.tx.clone(),
        }
    }
}

impl<B: Batch> GroupWriter<B> {
    /// Starts the writer on the current runtime.
    pub fn start(db: Db, batch: B) -> Self {
        let (tx, rx) = mpsc::channel(4 * B::MAX);
        tokio::spawn(writer(db, Arc::new(batch), rx));
        GroupWriter { tx }
    }

    /// Queues an item and waits until it is committed (or refused).
    pub async fn submit(&self, item: B::Item) -> Result<B::Output, AppError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Job { item, reply })
            .await
            .map_err(|_| AppError::internal(format!("{} writer stopped", B::NAME)))?;
        answer
            .await
            .map_err(|_| AppError::internal(format!("{} writer dropped an item", B::NAME)))?
    }
}

/// Writes `items` in one transaction of their own (the batch path, for one item or a fallback).
pub async fn write_alone<B: Batch>(
    db: &Db,
    batch: &B,
    items: &[&B::Item],
) -> Result<Vec<Result<B::Output, AppError>>, AppError> {
    let mut tx = db.write().await?;
    let out = batch.write(db, &mut tx, items).await?;
    tx.commit().await?;
    Ok(out)
}

async fn writer<B: Batch>(db: Db, batch: Arc<B>, mut rx: mpsc::Receiver<Job<B>>) {
    let mut jobs: Vec<Job<B>> = Vec::with_capacity(B::MAX);
    while let Some(first) = rx.recv().await {
        jobs.push(first);
        while jobs.len() < B::MAX {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let items: Vec<&B::Item> = jobs.iter().map(|j| &j.item).collect();
        match write_alone(&db, batch.as_ref(), &items).await {
            Ok(out) if out.len() == jobs.len() => {
                for (job, r) in jobs.drain(..).zip(out) {
                    let _ = job.reply.send(r);
                }
            }
            failed => {
                if jobs.len() > 1 {
                    let error = match &failed {
                        Err(e) => e.to_string(),
                        Ok(_) => "one answer per item expected".into(),
                    };
                    tracing::warn!(batch = jobs.len(), kind = B::NAME, %error, "batch failed; committing one by one");
                }
                for job in jobs.drain(..) {
                    let r = match write_alone(&db, batch.as_ref(), &[&job.item]).await {
                        Ok(mut out) => out
                            .pop()
                            .unwrap_or_else(|| Err(AppError::internal("no answer"))),
                        Err(e) => Err(e),
                    };
                    let _ = job.reply.send(r);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes numbers into a table; 13 fails the whole batch, 7 is refused alone.
    struct Numbers;

    impl Batch for Numbers {
        type Item = i64;
        type Output = i64;
        const MAX: usize = 4;
        const NAME: &'static str = "number";

        async fn write(
            &self,
            _db: &Db,
            tx: &mut Tx<'static>,
            items: &[&i64],
        ) -> Result<Vec<Result<i64, AppError>>, AppError> {
            let mut out = Vec::new();
            for n in items {
                if **n == 13 {
                    return Err(AppError::internal("thirteen"));
                }
                if **n == 7 {
                    out.push(Err(AppError::Conflict("seven")));
                    continue;
                }
                sqlx::query("INSERT INTO t (n) VALUES ($1)")
                    .bind(**n)
                    .execute(&mut **tx)
                    .await?;
                out.push(Ok(**n * 10));
            }
            Ok(out)
        }
    }

    #[tokio::test]
    async fn a_burst_is_committed_in_batches_and_a_bad_item_costs_only_itself() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.sqlite?mode=rwc", dir.path().display());
        let db = Db::connect(&url, None).await.unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER)")
            .execute(&db.pool)
            .await
            .unwrap();
        let w = GroupWriter::start(db.clone(), Numbers);
        let answers = futures_join(&w, &[1, 2, 7, 13, 5, 6]).await;
        assert_eq!(answers[0].as_ref().ok(), Some(&10));
        assert!(matches!(answers[2], Err(AppError::Conflict("seven"))));
        assert!(answers[3].is_err(), "13 fails, alone");
        assert_eq!(answers[5].as_ref().ok(), Some(&60));
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(n, 4, "1, 2, 5 and 6 written; 7 refused; 13 failed alone");
    }

    async fn futures_join(w: &GroupWriter<Numbers>, items: &[i64]) -> Vec<Result<i64, AppError>> {
        let mut handles = Vec::new();
        for n in items {
            let w = w.clone();
            let n = *n;
            handles.push(tokio::spawn(async move { w.submit(n).await }));
        }
        let mut out = Vec::new();
        for h in handles {
            out.push(h.await.unwrap());
        }
        out
    }
}
