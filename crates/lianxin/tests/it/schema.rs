//! The two backends' schemas stay in step: same tables, same columns.

use crate::support::*;
use std::collections::BTreeSet;

async fn sqlite_columns() -> BTreeSet<(String, String)> {
    let dir = tempfile::tempdir().unwrap();
    let db = lianxin::db::Db::connect(
        &format!("sqlite://{}/s.sqlite?mode=rwc", dir.path().display()),
        None,
    )
    .await
    .unwrap();
    lianxin::db::migrate::run(&db).await.unwrap();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE 'search_fts%'",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    rows.into_iter().collect()
}

#[tokio::test]
async fn live_schemas_match_on_both_backends() {
    let lite = sqlite_columns().await;
    assert!(lite.contains(&("deputies".into(), "congress_id".into())));
    let Some(_) = pg_url() else {
        // Without PostgreSQL the declared schemas are compared by the unit test in db::migrate.
        return;
    };
    let app = TestApp::empty().await;
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .unwrap();
    let pg: BTreeSet<(String, String)> = rows.into_iter().collect();
    assert_eq!(lite, pg);
}

// ---------------------------------------------------------------------------------------------
// The tenant-key rules (issue 18): what a sharded PostgreSQL (Citus, rows distributed by
// `congress_id`; anchors-wave2.md §E.3) needs of the schema, checked on the live schema of each
// backend so that a new module's tables are born with them.

/// Tables shared by all congresses, and why. Everything else is a tenant table.
const SHARED: &[(&str, &str)] = &[
    (
        "schema_migrations",
        "the schema's own version: one per database",
    ),
    (
        "congresses",
        "the tree of congresses (province, district, town): every tenant row refers to it; a reference table",
    ),
    (
        "persons",
        "a person spans levels (a deputy of a town and of the district is one person, erased once)",
    ),
    ("users", "an account spans every congress it serves in"),
    (
        "auth_sessions",
        "signing in comes before any congress is known",
    ),
    ("api_tokens", "belong to an account, not to a congress"),
    ("recovery_codes", "belong to an account, not to a congress"),
    (
        "holiday_years",
        "the State Council's national holiday calendar",
    ),
    (
        "security_settings",
        "the platform's security policy (等保), one for all congresses",
    ),
    (
        "scheduled_jobs",
        "the daily jobs' last runs, one per deployment",
    ),
    (
        "audit_log",
        "kept by chain (a congress, or 0 for the platform's own events), not by congress_id; one hash chain must stay one sequence",
    ),
    (
        "audit_chains",
        "the head of each audit chain, keyed by chain",
    ),
    (
        "audit_checkpoints",
        "the signed checkpoints of each audit chain, keyed by chain",
    ),
    (
        "notifications",
        "a person's inbox across every congress they serve (account notices have no congress); distributed by user, not by congress",
    ),
    (
        "outbox",
        "the delivery queue of SMS and e-mail, short-lived rows claimed by one worker; kept on the coordinator",
    ),
];

/// A table as the rules need it, read from either backend.
#[derive(Debug, Default, Clone)]
struct Table {
    name: String,
    /// (name, declared type, not null)
    columns: Vec<(String, String, bool)>,
    primary_key: Vec<String>,
    uniques: Vec<Vec<String>>,
    /// (columns, parent table, parent columns)
    foreign_keys: Vec<(Vec<String>, String, Vec<String>)>,
}

/// Every breach of the rules, in words.
fn breaches(tables: &[Table]) -> Vec<String> {
    let shared = |t: &str| SHARED.iter().any(|(n, _)| *n == t);
    let mut out = Vec::new();
    for (name, _) in SHARED {
        if !tables.iter().any(|t| t.name == *name) {
            out.push(format!("{name}: listed as shared but not in the schema"));
        }
    }
    for t in tables {
        for (c, ty, _) in &t.columns {
            let is_id = c == "id" || c.ends_with("_id");
            if is_id && !matches!(ty.to_ascii_lowercase().as_str(), "bigint" | "integer") {
                out.push(format!("{}.{c}: an id is {ty}, not BIGINT", t.name));
            }
        }
        if shared(&t.name) {
            continue;
        }
        match t.columns.iter().find(|(c, _, _)| c == "congress_id") {
            None => {
                out.push(format!("{}: a tenant table without congress_id (or list it as shared, with the reason)", t.name));
                continue;
            }
            Some((_, _, false)) => out.push(format!("{}.congress_id may be NULL", t.name)),
            Some(_) => {}
        }
        let has = |cols: &[String]| cols.iter().any(|c| c == "congress_id");
        // SQLite's rowid (`id INTEGER PRIMARY KEY`) stands with UNIQUE (congress_id, id).
        let rowid_stands_in =
            t.primary_key == ["id"] && t.uniques.iter().any(|u| u == &["congress_id", "id"]);
        if !has(&t.primary_key) && !rowid_stands_in {
            out.push(format!(
                "{}: primary key {:?} without congress_id",
                t.name, t.primary_key
            ));
        }
        for u in &t.uniques {
            if !has(u) {
                out.push(format!("{}: unique key {u:?} without congress_id", t.name));
            }
        }
        for (cols, parent, pcols) in &t.foreign_keys {
            if shared(parent) {
                continue;
            }
            let lined_up = cols
                .iter()
                .position(|c| c == "congress_id")
                .is_some_and(|i| pcols.get(i).is_some_and(|p| p == "congress_id"));
            if !lined_up {
                out.push(format!(
                    "{}: foreign key {cols:?} → {parent} {pcols:?} does not carry congress_id on both sides",
                    t.name
                ));
            }
        }
    }
    for t in tables.iter().filter(|t| shared(&t.name)) {
        for (cols, parent, _) in &t.foreign_keys {
            if !shared(parent) {
                out.push(format!(
                    "{}: a shared table refers to the tenant table {parent} by {cols:?}",
                    t.name
                ));
            }
        }
    }
    out
}

fn strings(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

async fn sqlite_tables(db: &lianxin::db::Db) -> Vec<Table> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_fts%' ORDER BY name",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for (name,) in names {
        let cols: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(&name)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let mut pk: Vec<(i64, String)> = cols
            .iter()
            .filter(|c| c.3 > 0)
            .map(|c| (c.3, c.0.clone()))
            .collect();
        pk.sort();
        let uniques: Vec<(String,)> = sqlx::query_as(
            "SELECT (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(l.name) ORDER BY seqno)) \
             FROM pragma_index_list($1) l WHERE l.\"unique\" = 1 AND l.origin <> 'pk'",
        )
        .bind(&name)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let fks: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT group_concat(\"from\", ','), MAX(\"table\"), group_concat(\"to\", ',') \
             FROM (SELECT * FROM pragma_foreign_key_list($1) ORDER BY id, seq) GROUP BY id",
        )
        .bind(&name)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        out.push(Table {
            name,
            // SQLite's primary key columns are NOT NULL in effect for the rowid.
            columns: cols
                .iter()
                .map(|c| (c.0.clone(), c.1.clone(), c.2 == 1 || c.3 > 0))
                .collect(),
            primary_key: pk.into_iter().map(|(_, c)| c).collect(),
            uniques: uniques.iter().map(|(u,)| strings(u)).collect(),
            foreign_keys: fks
                .iter()
                .map(|(c, p, pc)| (strings(c), p.clone(), strings(pc)))
                .collect(),
        });
    }
    out
}

async fn postgres_tables(db: &lianxin::db::Db) -> Vec<Table> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut out = Vec::new();
    for (name,) in names {
        let cols: Vec<(String, String, bool)> = sqlx::query_as(
            "SELECT column_name::text, data_type::text, is_nullable = 'NO' FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(&name)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        // Each key's columns in key order; `u` covers unique constraints, the indexes cover
        // unique indexes that are not constraints (partial ones).
        let keys: Vec<(String, String)> = sqlx::query_as(
            "SELECT CASE WHEN x.indisprimary THEN 'p' ELSE 'u' END, \
             (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n) \
              JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) \
             FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_namespace s ON s.oid = c.relnamespace \
             WHERE s.nspname = current_schema() AND c.relname = $1 AND x.indisunique",
        )
        .bind(&name)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        let fks: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(f.conkey) WITH ORDINALITY k(attnum, n) \
              JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum), \
             f.confrelid::regclass::text, \
             (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(f.confkey) WITH ORDINALITY k(attnum, n) \
              JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.attnum) \
             FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid JOIN pg_namespace s ON s.oid = c.relnamespace \
             WHERE s.nspname = current_schema() AND c.relname = $1 AND f.contype = 'f'",
        )
        .bind(&name)
        .fetch_all(&db.pool)
        .await
        .unwrap();
        out.push(Table {
            name,
            columns: cols,
            primary_key: keys
                .iter()
                .filter(|k| k.0 == "p")
                .flat_map(|k| strings(&k.1))
                .collect(),
            uniques: keys
                .iter()
                .filter(|k| k.0 == "u")
                .map(|k| strings(&k.1))
                .collect(),
            foreign_keys: fks
                .iter()
                .map(|(c, p, pc)| (strings(c), p.clone(), strings(pc)))
                .collect(),
        });
    }
    out
}

#[tokio::test]
async fn every_tenant_table_keeps_its_congress_in_every_key_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let db = lianxin::db::Db::connect(
        &format!("sqlite://{}/s.sqlite?mode=rwc", dir.path().display()),
        None,
    )
    .await
    .unwrap();
    lianxin::db::migrate::run(&db).await.unwrap();
    let lite = sqlite_tables(&db).await;
    assert!(lite.len() > 60, "read the schema: {}", lite.len());
    assert_eq!(breaches(&lite), Vec::<String>::new(), "SQLite");
    if pg_url().is_some() {
        let app = TestApp::empty().await;
        let pg = postgres_tables(&app.state.db).await;
        assert_eq!(pg.len(), lite.len());
        assert_eq!(breaches(&pg), Vec::<String>::new(), "PostgreSQL");
        // Both backends declare the same foreign keys.
        let fks = |ts: &[Table]| -> BTreeSet<(String, Vec<String>, String)> {
            ts.iter()
                .flat_map(|t| {
                    t.foreign_keys
                        .iter()
                        .map(|(c, p, _)| (t.name.clone(), c.clone(), p.clone()))
                })
                .collect()
        };
        assert_eq!(fks(&lite), fks(&pg));
    }
}

/// Each rule refuses the schema that breaks it.
#[test]
fn the_tenant_key_rules_catch_what_they_are_for() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let col = |n: &str, t: &str, nn: bool| (n.to_string(), t.to_string(), nn);
    let shared: Vec<Table> = SHARED
        .iter()
        .map(|(n, _)| Table {
            name: n.to_string(),
            ..Table::default()
        })
        .collect();
    let good = Table {
        name: "items".into(),
        columns: vec![
            col("id", "bigint", true),
            col("congress_id", "bigint", true),
            col("parent_id", "bigint", false),
        ],
        primary_key: s(&["congress_id", "id"]),
        uniques: vec![s(&["congress_id", "parent_id"])],
        foreign_keys: vec![
            (
                s(&["congress_id", "parent_id"]),
                "items".into(),
                s(&["congress_id", "id"]),
            ),
            (s(&["congress_id"]), "congresses".into(), s(&["id"])),
        ],
    };
    let check = |t: Table| {
        let mut all = shared.clone();
        all.push(t);
        breaches(&all)
    };
    assert_eq!(check(good.clone()), Vec::<String>::new());
    let cases: Vec<(&str, Table)> = vec![
        (
            "without congress_id",
            Table {
                columns: vec![col("id", "bigint", true)],
                ..good.clone()
            },
        ),
        (
            "may be NULL",
            Table {
                columns: vec![
                    col("id", "bigint", true),
                    col("congress_id", "bigint", false),
                ],
                ..good.clone()
            },
        ),
        (
            "primary key",
            Table {
                primary_key: s(&["id"]),
                ..good.clone()
            },
        ),
        (
            "unique key",
            Table {
                uniques: vec![s(&["parent_id"])],
                ..good.clone()
            },
        ),
        (
            "foreign key",
            Table {
                foreign_keys: vec![(s(&["parent_id"]), "items".into(), s(&["id"]))],
                ..good.clone()
            },
        ),
        (
            "not BIGINT",
            Table {
                columns: vec![
                    col("id", "integer", true),
                    col("congress_id", "bigint", true),
                    col("parent_id", "text", false),
                ],
                ..good.clone()
            },
        ),
    ];
    for (words, t) in cases {
        let found = check(t);
        assert!(
            found.iter().any(|b| b.contains(words)),
            "{words}: {found:?}"
        );
    }
    // A shared table may not point into a tenant table, and the list names real tables.
    let mut all = shared.clone();
    all.push(good.clone());
    all[0]
        .foreign_keys
        .push((s(&["item_id"]), "items".into(), s(&["id"])));
    assert!(
        breaches(&all)
            .iter()
            .any(|b| b.contains("a shared table refers"))
    );
    assert!(
        breaches(&[good])
            .iter()
            .any(|b| b.contains("listed as shared but not in the schema"))
    );
}

/// A table's columns in their order, on the app's backend.
pub async fn columns_of(app: &TestApp, table: &str) -> Vec<String> {
    let sql = match app.backend() {
        lianxin::db::Backend::Sqlite => "SELECT name FROM pragma_table_info($1) ORDER BY cid",
        lianxin::db::Backend::Postgres => {
            "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() \
             AND table_name = $1 ORDER BY ordinal_position"
        }
    };
    let rows: Vec<(String,)> = sqlx::query_as(sql)
        .bind(table)
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    rows.into_iter().map(|(c,)| c).collect()
}

/// The tenant keys arrive on a database that already holds a district's work: the demo district
/// written under migration 13 on SQLite (with an opinion transferred to a town, whose history 0014 moves
/// along), then 0014 — every row kept, every new key holding.
#[tokio::test]
async fn a_database_with_data_takes_the_tenant_keys() {
    // On SQLite, whose rebuild of every table is what could lose or break rows; PostgreSQL alters
    // its keys in place (and today's transfer, used by the seeding, needs its new keys already).
    let dir = tempfile::tempdir().unwrap();
    let db = lianxin::db::Db::connect(
        &format!("sqlite://{}/s.sqlite?mode=rwc", dir.path().display()),
        None,
    )
    .await
    .unwrap()
    .with_vault(lianxin::platform::vault::Vault::open(&dir.path().join("keys")).unwrap());
    lianxin::db::migrate::run_through(&db, 13).await.unwrap();
    // Today's code names the new keys in its ON CONFLICT clauses: stand-ins for the seeding only
    // (each is a superset of a key 0013 has, so no row can break it).
    let stand_ins = [
        ("x1", "search_docs (congress_id, kind, item_id)"),
        (
            "x2",
            "suggestion_signers (congress_id, suggestion_id, deputy_id)",
        ),
        ("x3", "motion_signers (congress_id, motion_id, deputy_id)"),
        (
            "x4",
            "suggestion_ratings (congress_id, suggestion_id, deputy_id, round)",
        ),
        (
            "x5",
            "suggestion_opinions (congress_id, suggestion_id, unit_id)",
        ),
    ];
    for (name, on) in stand_ins {
        let sql = format!("CREATE UNIQUE INDEX {name} ON {on}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&db.pool)
            .await
            .unwrap();
    }
    assert!(
        lianxin::app::demo::seed(&db, start_time().timestamp_millis())
            .await
            .unwrap()
    );
    for (name, _) in stand_ins {
        let sql = format!("DROP INDEX {name}");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&db.pool)
            .await
            .unwrap();
    }
    // A transfer made before 0014 left the opinion's history in the old congress.
    let (moved, town): (i64, i64) = sqlx::query_as(
        "SELECT e.opinion_id, e.congress_id FROM opinion_events e WHERE e.action = 'transferred' ORDER BY e.id LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE opinion_events SET congress_id = (SELECT parent_id FROM congresses WHERE id = $2) WHERE opinion_id = $1 AND action <> 'transferred'")
        .bind(moved)
        .bind(town)
        .execute(&db.pool)
        .await
        .unwrap();
    let tables: Vec<String> = sqlite_tables(&db)
        .await
        .into_iter()
        .map(|t| t.name)
        .collect();
    let mut before = Vec::new();
    for t in &tables {
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(&db.pool)
            .await
            .unwrap();
        before.push(n);
    }
    assert!(
        before.iter().sum::<i64>() > 1000,
        "the demo wrote its district"
    );
    assert_eq!(lianxin::db::migrate::run(&db).await.unwrap(), vec![14]);
    for (t, n) in tables
        .iter()
        .zip(&before)
        .filter(|(t, _)| *t != "schema_migrations")
    {
        let (m,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {t}")))
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(m, *n, "{t}: rows kept");
    }
    let (left,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM opinion_events WHERE opinion_id = $1 AND congress_id <> $2",
    )
    .bind(moved)
    .bind(town)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(left, 0, "the history went with the opinion");
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    assert_eq!(breaches(&sqlite_tables(&db).await), Vec::<String>::new());
}
