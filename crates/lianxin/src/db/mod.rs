//! The database: one connection pool over sqlx's `Any` driver, so that the same code runs on the
//! embedded SQLite file and on PostgreSQL; the URL chooses at run time. Queries use `$n`
//! placeholders, which both backends accept. Backend-specific SQL lives only in store files and
//! branches on [`Backend`].

mod text_column;
pub use crate::{__text_column as text_column, __words as words};
pub mod backup;
pub mod group_commit;
pub mod migrate;
pub mod rekey;
pub mod tx;

pub use crate::platform::error::{is_busy, is_retryable};
pub use tx::Tx;

use crate::platform::vault::Vault;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The keys for personal data at rest; locked (every use fails) until [`Db::with_vault`].
    pub vault: Arc<Vault>,
    /// Writers' turns on SQLite ([`Db::write`]).
    write_lock: tx::WriteLock,
}

impl Db {
    /// Connects to `url`. For SQLite the parent directory is created and the connection pragmas
    /// set: WAL (readers never wait for the writer), foreign keys, a busy timeout so concurrent
    /// writers queue instead of failing, `secure_delete` (deleted personal data is overwritten),
    /// and `synchronous=FULL` so that an acknowledged commit survives a crash or power loss.
    /// For PostgreSQL, `schema` (used by tests) sets the search path of every connection, and a
    /// lock timeout makes a command that cannot get its row locks answer "busy" as on SQLite.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        if backend == Backend::Sqlite
            && let Some(path) = sqlite_path(url)
            && let Some(dir) = Path::new(&path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        // A file that exists, or that the URL asks to be created (`mode=rwc`).
        if backend == Backend::Sqlite
            && let Some(path) = sqlite_path(url)
            && (Path::new(&path).exists() || url.contains("mode=rwc"))
        {
            owner_only(Path::new(&path)).map_err(sqlx::Error::Io)?;
        }
        let schema = schema.map(str::to_owned);
        // sqlx warns of statements slower than a second (its default; the SQL without values).
        let opts = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            // busy_timeout is tx::WRITE_WAIT.
                            conn.execute(
                                "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; \
                                 PRAGMA secure_delete=ON; PRAGMA synchronous=FULL;",
                            )
                            .await?;
                        }
                        Backend::Postgres => {
                            // tx::WRITE_WAIT.
                            conn.execute("SET lock_timeout = '10s'").await?;
                            if let Some(s) = schema {
                                let sql = format!("SET search_path TO \"{}\"", s.replace('"', ""));
                                conn.execute(sqlx::AssertSqlSafe(sql)).await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        Ok(Db {
            pool,
            backend,
            vault: Arc::new(Vault::locked()),
            write_lock: tx::WriteLock::default(),
        })
    }

    /// The same pool with the installation's key store opened.
    pub fn with_vault(mut self, vault: Vault) -> Db {
        self.vault = Arc::new(vault);
        self
    }

    /// A single plain connection without our pragmas: for inspecting a file read-only (backups).
    pub async fn connect_plain(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect_with(AnyConnectOptions::from_str(url)?)
            .await?;
        Ok(Db {
            pool,
            backend,
            vault: Arc::new(Vault::locked()),
            write_lock: tx::WriteLock::default(),
        })
    }

    /// Readiness: the database answers a trivial query.
    pub async fn ready(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// The file path of a `sqlite://PATH?params` URL.
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}

/// Makes a SQLite database file owner-only (0600), creating it so if it does not exist, and its
/// WAL and shared-memory files where they exist: SQLite creates those with the database file's
/// permissions, so a new database never has a world-readable moment. Personal data is sealed,
/// but the file also says who voted and when (issue 17).
pub fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
            Err(e) => return Err(e),
        }
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side = path.as_os_str().to_owned();
            side.push(suffix);
            let side = std::path::PathBuf::from(side);
            if side.exists() {
                std::fs::set_permissions(&side, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (used with `ESCAPE '\'`).
pub fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_paths_are_read_from_urls() {
        assert_eq!(
            super::sqlite_path("sqlite://./data/x.sqlite?mode=rwc").as_deref(),
            Some("./data/x.sqlite")
        );
        assert_eq!(super::sqlite_path("sqlite::memory:"), None);
        assert_eq!(super::like_escape("50%_a\\"), "50\\%\\_a\\\\");
    }
}
