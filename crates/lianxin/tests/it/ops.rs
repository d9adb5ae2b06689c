//! Operations: health, readiness, metrics, the demo seed, backup and restore.

use crate::support::*;

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    assert_eq!(c.get("/healthz").await.text(), "ok");
    assert_eq!(c.get("/readyz").await.text(), "ready");
    c.get("/").await;
    let m = c.get("/metrics").await.text();
    assert!(
        m.contains("lianxin_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"}"),
        "{m}"
    );
    assert!(m.contains("lianxin_http_request_duration_seconds_bucket{le=\"+Inf\"}"));
    assert!(m.contains("lianxin_db_pool_connections"));
}

#[tokio::test]
async fn the_demo_district_has_its_documented_size_and_seeding_is_idempotent() {
    let app = TestApp::demo().await;
    assert!(
        !lianxin::demo::seed(&app.state.db, 0).await.unwrap(),
        "second seed does nothing"
    );
    let district = app.congress_id("示范区").await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM congresses WHERE level = 'town'")
            .await,
        6
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM deputies WHERE congress_id = {district}"
        ))
        .await,
        180
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM deputies WHERE congress_id <> {district}"
        ))
        .await,
        600
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM memberships m JOIN organizations o ON o.id = m.organization_id WHERE o.kind = 'standing_committee'").await, 25);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM organizations WHERE kind = 'handling_unit'")
            .await,
        40
    );
    assert_eq!(app.count("SELECT COUNT(*) FROM stations").await, 12);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users").await as usize,
        lianxin::demo::ACCOUNTS.len() + 1
    );
    // One hash for every demo account (hashed once, not per account).
    assert_eq!(
        app.count("SELECT COUNT(DISTINCT password_hash) FROM users")
            .await,
        1
    );
    // No plain ID number is stored anywhere.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM persons WHERE id_card_masked NOT LIKE '%********%'")
            .await,
        0
    );
}

#[tokio::test]
async fn backup_is_consistent_and_restore_brings_it_back() {
    let app = TestApp::demo().await;
    if app.backend() != lianxin::db::Backend::Sqlite {
        // PostgreSQL is backed up with pg_dump; the command refuses clearly.
        let err = lianxin::db::backup::backup(&app.state.db, &app.dir.path().join("x.sqlite"))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("pg_dump"));
        return;
    }
    let file = app.dir.path().join("backups/one.sqlite");
    lianxin::db::backup::backup(&app.state.db, &file)
        .await
        .unwrap();
    assert!(
        lianxin::db::backup::backup(&app.state.db, &file)
            .await
            .is_err(),
        "never overwrites"
    );
    // Change the live database after the backup, then restore over it.
    sqlx::query("DELETE FROM notifications")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let live = app.dir.path().join("lianxin.sqlite");
    app.state.db.pool.close().await;
    lianxin::db::backup::restore(&file, &live).await.unwrap();
    let db = lianxin::db::Db::connect(&format!("sqlite://{}", live.display()), None)
        .await
        .unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM notifications")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        n as usize,
        lianxin::demo::ACCOUNTS.len(),
        "the restored copy has what the backup had"
    );
    // A file that is not ours is refused and nothing is replaced.
    let junk = app.dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(lianxin::db::backup::restore(&junk, &live).await.is_err());
}
