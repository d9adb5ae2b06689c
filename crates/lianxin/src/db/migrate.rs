//! Migrations, embedded in the binary, one file per backend per version. The two files of a
//! version must define the same tables and columns (checked by a test that parses both, and on
//! PostgreSQL runs by a test that compares the live schemas). Rule for changes: expand, then
//! contract — add columns and tables first, remove old ones only after no release reads them.

use super::{Backend, Db};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "foundation",
        sqlite: include_str!("migrations/sqlite/0001_foundation.sql"),
        postgres: include_str!("migrations/postgres/0001_foundation.sql"),
    },
    Migration {
        version: 2,
        name: "shared_layers",
        sqlite: include_str!("migrations/sqlite/0002_shared_layers.sql"),
        postgres: include_str!("migrations/postgres/0002_shared_layers.sql"),
    },
    Migration {
        version: 3,
        name: "audit_chain",
        sqlite: include_str!("migrations/sqlite/0003_audit_chain.sql"),
        postgres: include_str!("migrations/postgres/0003_audit_chain.sql"),
    },
    Migration {
        version: 4,
        name: "security",
        sqlite: include_str!("migrations/sqlite/0004_security.sql"),
        postgres: include_str!("migrations/postgres/0004_security.sql"),
    },
    Migration {
        version: 5,
        name: "suggestions",
        sqlite: include_str!("migrations/sqlite/0005_suggestions.sql"),
        postgres: include_str!("migrations/postgres/0005_suggestions.sql"),
    },
    Migration {
        version: 6,
        name: "motions",
        sqlite: include_str!("migrations/sqlite/0006_motions.sql"),
        postgres: include_str!("migrations/postgres/0006_motions.sql"),
    },
    Migration {
        version: 7,
        name: "suggestion_extras",
        sqlite: include_str!("migrations/sqlite/0007_suggestion_extras.sql"),
        postgres: include_str!("migrations/postgres/0007_suggestion_extras.sql"),
    },
    Migration {
        version: 8,
        name: "stations",
        sqlite: include_str!("migrations/sqlite/0008_stations.sql"),
        postgres: include_str!("migrations/postgres/0008_stations.sql"),
    },
    Migration {
        version: 9,
        name: "opinions",
        sqlite: include_str!("migrations/sqlite/0009_opinions.sql"),
        postgres: include_str!("migrations/postgres/0009_opinions.sql"),
    },
    Migration {
        version: 10,
        name: "opinion_routing",
        sqlite: include_str!("migrations/sqlite/0010_opinion_routing.sql"),
        postgres: include_str!("migrations/postgres/0010_opinion_routing.sql"),
    },
    Migration {
        version: 11,
        name: "meetings",
        sqlite: include_str!("migrations/sqlite/0011_meetings.sql"),
        postgres: include_str!("migrations/postgres/0011_meetings.sql"),
    },
    Migration {
        version: 12,
        name: "livelihood",
        sqlite: include_str!("migrations/sqlite/0012_livelihood.sql"),
        postgres: include_str!("migrations/postgres/0012_livelihood.sql"),
    },
    Migration {
        version: 13,
        name: "sealed_ballots",
        sqlite: include_str!("migrations/sqlite/0013_sealed_ballots.sql"),
        postgres: include_str!("migrations/postgres/0013_sealed_ballots.sql"),
    },
    Migration {
        version: 14,
        name: "tenant_keys",
        sqlite: include_str!("migrations/sqlite/0014_tenant_keys.sql"),
        postgres: include_str!("migrations/postgres/0014_tenant_keys.sql"),
    },
];

/// Applies every migration not yet applied, each in its own transaction. On PostgreSQL an
/// advisory lock keeps two starting servers from migrating at once; SQLite's write lock does the
/// same there. Returns the versions applied.
pub async fn run(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    run_through(db, i64::MAX).await
}

/// Applies the migrations not yet applied up to and including `last` (an upgrade test starts
/// from an older schema with data in it).
pub async fn run_through(db: &Db, last: i64) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .execute(&db.pool)
    .await?;
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version <= last) {
        let mut tx = db.write().await?;
        if db.backend == Backend::Postgres {
            // A second server waits for the first one's migrations however long they take.
            sqlx::query("SET LOCAL lock_timeout = 0")
                .execute(&mut *tx)
                .await?;
            sqlx::query("SELECT pg_advisory_xact_lock(727274)")
                .execute(&mut *tx)
                .await?;
        }
        let done: Option<(i64,)> =
            sqlx::query_as("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(m.version)
                .fetch_optional(&mut *tx)
                .await?;
        if done.is_some() {
            tx.rollback().await?;
            continue;
        }
        let sql = match db.backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(crate::platform::clock::Clock::now_ms(
            &crate::platform::clock::SystemClock,
        ))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "migration applied");
        applied.push(m.version);
    }
    Ok(applied)
}

/// Tables and their columns as declared by a migration's CREATE TABLE statements (lower-cased).
pub fn declared_columns(sql: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out = std::collections::BTreeMap::new();
    let mut current: Option<String> = None;
    for line in sql.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("CREATE TABLE ") {
            let name = rest
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches('(')
                .to_lowercase();
            out.insert(name.clone(), Vec::new());
            current = Some(name);
        } else if line.starts_with(')') {
            current = None;
        } else if let Some(t) = &current {
            let first = line.split_whitespace().next().unwrap_or("");
            let is_constraint = matches!(
                first,
                "UNIQUE" | "PRIMARY" | "FOREIGN" | "CHECK" | "CONSTRAINT" | ""
            ) || first.starts_with("--");
            if !is_constraint && let Some(cols) = out.get_mut(t) {
                cols.push(first.to_lowercase());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_declare_the_same_tables_and_columns() {
        for m in MIGRATIONS {
            let s = declared_columns(m.sqlite);
            let p = declared_columns(m.postgres);
            if p.is_empty() && m.postgres.contains("ALTER TABLE") {
                // Keys only (0014): PostgreSQL alters them in place, SQLite has to rebuild the
                // tables; the live schemas are compared by the suite (tests/it/schema.rs).
                continue;
            }
            assert!(!s.is_empty(), "migration {} declares no tables", m.version);
            assert_eq!(
                s, p,
                "migration {} differs between SQLite and PostgreSQL",
                m.version
            );
        }
    }

    #[test]
    fn every_congress_owned_table_carries_congress_id() {
        // Global tables are listed on purpose; everything else belongs to a congress.
        let global = [
            "congresses",
            "persons",
            "users",
            "auth_sessions",
            "api_tokens",
            "scheduled_jobs",
            "audit_log",
            "holiday_years",
            "audit_chains",
            "audit_checkpoints",
            "recovery_codes",
            "security_settings",
        ];
        for m in MIGRATIONS {
            for (table, cols) in declared_columns(m.sqlite) {
                if !global.contains(&table.as_str()) {
                    assert!(
                        cols.iter().any(|c| c == "congress_id"),
                        "{table} lacks congress_id"
                    );
                }
            }
        }
    }
}
