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
