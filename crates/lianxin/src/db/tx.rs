//! The one place that opens transactions. A command that writes opens [`Db::write`]; a read that
//! must see one snapshot opens [`Db::read`]. A source scan in the test suite refuses any other way
//! of beginning a transaction.
//!
//! Why: SQLite begins a plain `BEGIN` deferred, as a reader, and upgrades to the write lock at
//! the first write. When another connection has written in between, SQLite refuses the upgrade at
//! once (`SQLITE_BUSY`, "database is locked"), whatever `busy_timeout` says, because waiting could
//! deadlock. So every write transaction on SQLite is `BEGIN IMMEDIATE`: the write lock is taken
//! first and a concurrent command waits for it. Inside this process writers queue on an async
//! lock (fair, and a waiting writer holds no pooled connection, so pages keep reading); other
//! processes (the CLI, a backup) are waited for by `busy_timeout`.
//!
//! Busy is an answer: a writer that cannot get its turn within [`WRITE_WAIT`] gets
//! [`sqlx::Error::PoolTimedOut`], which the web layer answers with 503 and `Retry-After`
//! ([`is_busy`]); the log names the transaction that held the lock and for how long.
//!
//! PostgreSQL runs at READ COMMITTED, where no statement fails with a serialization failure, but
//! two commands that lock the same rows in opposite order deadlock and one is aborted (40P01);
//! [`is_retryable`](crate::platform::error::is_retryable) tells the web layer to run such a request once more.

use super::{Backend, Db};
use crate::platform::error::is_busy;
use std::panic::Location;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a writer waits for its turn before the answer is "busy, try again". The same as
/// SQLite's `busy_timeout` and PostgreSQL's `lock_timeout` (set in [`Db::connect`]).
pub const WRITE_WAIT: Duration = Duration::from_secs(10);

/// A transaction that held the write lock this long is named in the log.
pub const SLOW_WRITE: Duration = Duration::from_secs(2);

/// A transaction: sqlx's, plus (on SQLite) this process's turn at the write lock, held until
/// commit, rollback or drop. Dereferences to the connection, so `&mut *tx` is an executor.
pub struct Tx<'a> {
    inner: sqlx::Transaction<'a, sqlx::Any>,
    _turn: Option<Turn>,
    backend: Backend,
}

impl<'a> Tx<'a> {
    /// Which database the transaction runs on, for the few statements that differ (store files).
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl<'a> std::ops::Deref for Tx<'a> {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        &self.inner
    }
}

impl<'a> std::ops::DerefMut for Tx<'a> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.inner
    }
}

/// This process's write lock: who holds it, since when, and how long a writer waits for it.
#[derive(Clone)]
pub struct WriteLock {
    turn: Arc<tokio::sync::Mutex<()>>,
    holder: Arc<Mutex<Option<(&'static Location<'static>, Instant)>>>,
    wait: Duration,
}

impl Default for WriteLock {
    fn default() -> Self {
        WriteLock {
            turn: Arc::default(),
            holder: Arc::default(),
            wait: WRITE_WAIT,
        }
    }
}

impl WriteLock {
    /// The site and age of the current holder, for the log.
    fn holder(&self) -> Option<(String, u128)> {
        let held = self.holder.lock().ok()?;
        held.map(|(site, since)| (site.to_string(), since.elapsed().as_millis()))
    }
}

/// One writer's turn: releases the lock when dropped and names a slow holder in the log.
struct Turn {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    holder: Arc<Mutex<Option<(&'static Location<'static>, Instant)>>>,
    site: &'static Location<'static>,
    since: Instant,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let held = self.since.elapsed();
        if held >= SLOW_WRITE {
            tracing::warn!(site = %self.site, held_ms = held.as_millis() as u64, "slow write transaction");
        }
        if let Ok(mut h) = self.holder.lock() {
            *h = None;
        }
    }
}

impl Db {
    /// Opens a write transaction (on SQLite `BEGIN IMMEDIATE`, after this process's turn at the
    /// write lock). Every command that writes in more than one statement goes through here.
    #[track_caller]
    #[allow(clippy::disallowed_methods)] // timing code: lock waits and holds, for the log
    pub fn write(&self) -> impl Future<Output = Result<Tx<'static>, sqlx::Error>> + Send + '_ {
        let site = Location::caller();
        async move {
            if self.backend == Backend::Postgres {
                let inner = self.pool.begin().await?;
                return Ok(Tx {
                    inner,
                    _turn: None,
                    backend: self.backend,
                });
            }
            let waited = Instant::now();
            let guard = match tokio::time::timeout(
                self.write_lock.wait,
                self.write_lock.turn.clone().lock_owned(),
            )
            .await
            {
                Ok(g) => g,
                Err(_) => {
                    let (held_by, held_ms) = self
                        .write_lock
                        .holder()
                        .unwrap_or_else(|| ("another process".into(), 0));
                    tracing::warn!(
                        site = %site,
                        waited_ms = waited.elapsed().as_millis() as u64,
                        held_by,
                        held_ms = held_ms as u64,
                        "write lock busy: the command was not run"
                    );
                    return Err(sqlx::Error::PoolTimedOut);
                }
            };
            if let Ok(mut h) = self.write_lock.holder.lock() {
                *h = Some((site, Instant::now()));
            }
            let turn = Turn {
                _guard: guard,
                holder: self.write_lock.holder.clone(),
                site,
                since: Instant::now(),
            };
            match self.pool.begin_with("BEGIN IMMEDIATE").await {
                Ok(inner) => Ok(Tx {
                    inner,
                    _turn: Some(turn),
                    backend: self.backend,
                }),
                Err(e) => {
                    if is_busy(&e) {
                        tracing::warn!(
                            site = %site,
                            waited_ms = waited.elapsed().as_millis() as u64,
                            "write lock held by another process past busy_timeout: the command was not run"
                        );
                    }
                    Err(e)
                }
            }
        }
    }

    /// The same database with writers waiting at most `wait` for their turn (tests).
    pub fn with_write_wait(mut self, wait: Duration) -> Db {
        self.write_lock.wait = wait;
        self
    }

    /// Opens a read transaction: one snapshot for several queries, never a write (deferred).
    pub async fn read(&self) -> Result<Tx<'static>, sqlx::Error> {
        let inner = self.pool.begin().await?;
        Ok(Tx {
            inner,
            _turn: None,
            backend: self.backend,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::error::is_retryable;

    async fn sqlite() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.sqlite?mode=rwc", dir.path().display());
        let db = Db::connect(&url, None).await.unwrap();
        sqlx::query("CREATE TABLE t (n INTEGER)")
            .execute(&db.pool)
            .await
            .unwrap();
        (dir, db)
    }

    /// A command that reads, waits a little, then writes what it read, in `tx`.
    async fn read_then_write(mut tx: Tx<'static>) -> Result<(), sqlx::Error> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t")
            .fetch_one(&mut *tx)
            .await?;
        tokio::time::sleep(Duration::from_millis(30)).await;
        sqlx::query("INSERT INTO t (n) VALUES ($1)")
            .bind(n)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    /// Two commands that read, then write, at the same time: with deferred transactions one is
    /// refused at once ("database is locked"); through `write` both succeed.
    #[tokio::test]
    async fn concurrent_read_then_write_commands_both_succeed() {
        let (_dir, db) = sqlite().await;
        let run = |db: Db| async move { read_then_write(db.write().await?).await };
        let results = futures_util::future::join_all((0..6).map(|_| run(db.clone()))).await;
        for r in &results {
            assert!(r.is_ok(), "{r:?}");
        }
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(n, 6);
        // Serialised: each saw the ones before it.
        let (distinct,): (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT n) FROM t")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(distinct, 6);
    }

    /// The same commands through a plain deferred `BEGIN` fail: the test above can fail.
    #[tokio::test]
    async fn deferred_transactions_are_refused_the_upgrade() {
        let (_dir, db) = sqlite().await;
        let run = |db: Db| async move { read_then_write(db.read().await?).await };
        let results = futures_util::future::join_all((0..4).map(|_| run(db.clone()))).await;
        let refused: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(!refused.is_empty(), "expected a refused upgrade");
        assert!(refused.iter().all(|e| is_busy(e)), "{refused:?}");
    }

    /// A writer that cannot get its turn in time is told "busy", not left waiting for ever.
    #[tokio::test]
    async fn a_writer_that_cannot_get_its_turn_is_busy() {
        let (_dir, db) = sqlite().await;
        let db = db.with_write_wait(Duration::from_millis(200));
        let held = db.write().await.unwrap();
        let err = match db.write().await {
            Err(e) => e,
            Ok(_) => panic!("a second writer got the lock"),
        };
        assert!(is_busy(&err));
        assert!(!is_retryable(&err));
        held.commit().await.unwrap();
        assert!(db.write().await.is_ok(), "the turn is given back at commit");
    }
}
