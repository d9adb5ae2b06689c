//! Backup and restore of the embedded SQLite database. `VACUUM INTO` writes a consistent copy
//! while the server keeps running (readers and writers are not stopped). PostgreSQL deployments
//! use `pg_dump`/`pg_restore` (see README).

use super::{Backend, Db};
use sqlx::Connection;
use std::path::Path;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum BackupError {
    #[error("online backup is for SQLite; for PostgreSQL use pg_dump (see README)")]
    NotSqlite,
    #[error("target {0} already exists; choose a new file name")]
    Exists(String),
    #[error("{0} is not a Lianxin database: {1}")]
    NotOurs(String, String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes a consistent copy of the live database to `to` and checks it.
pub async fn backup(db: &Db, to: &Path) -> Result<(), BackupError> {
    if db.backend != Backend::Sqlite {
        return Err(BackupError::NotSqlite);
    }
    if to.exists() {
        return Err(BackupError::Exists(to.display().to_string()));
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // Created empty and owner-only first: VACUUM INTO writes into it with that mode.
    super::owner_only(to)?;
    sqlx::query("VACUUM INTO $1")
        .bind(to.display().to_string())
        .execute(&db.pool)
        .await?;
    check(to).await
}

/// Checks that `file` is an intact SQLite database carrying our schema.
pub async fn check(file: &Path) -> Result<(), BackupError> {
    let name = file.display().to_string();
    let url = format!("sqlite://{name}?mode=ro");
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url)
        .await
        .map_err(|e| BackupError::NotOurs(name.clone(), e.to_string()))?;
    let res: Result<(String,), _> = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await;
    let ok = matches!(&res, Ok((s,)) if s == "ok");
    let versions: Result<(i64,), _> = sqlx::query_as("SELECT COUNT(*) FROM schema_migrations")
        .fetch_one(&mut conn)
        .await;
    let _ = conn.close().await;
    match (ok, versions) {
        (true, Ok((n,))) if n > 0 => Ok(()),
        (false, _) => Err(BackupError::NotOurs(name, "integrity check failed".into())),
        _ => Err(BackupError::NotOurs(name, "no Lianxin schema".into())),
    }
}

/// Replaces the database file at `target` with the checked copy `from`. The server must be
/// stopped. The old file is kept beside it as `*.before-restore` until the next restore.
pub async fn restore(from: &Path, target: &Path) -> Result<(), BackupError> {
    check(from).await?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let staging = target.with_extension("restoring");
    std::fs::copy(from, &staging)?;
    super::owner_only(&staging)?;
    std::fs::File::open(&staging)?.sync_all()?;
    if target.exists() {
        std::fs::rename(target, target.with_extension("before-restore"))?;
    }
    // A stale write-ahead log would be replayed over the restored file: remove it.
    for ext in ["sqlite-wal", "sqlite-shm"] {
        let _ = std::fs::remove_file(target.with_extension(ext));
    }
    std::fs::rename(&staging, target)?;
    Ok(())
}
