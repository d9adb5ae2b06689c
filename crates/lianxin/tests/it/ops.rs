//! Operations: health, readiness, metrics, the demo seed, backup and restore.

use crate::support::*;
use axum::http::StatusCode;

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
        !lianxin::app::demo::seed(&app.state.db, 0).await.unwrap(),
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
        // The seed's author, the role accounts, and changwei02…changwei24 for the 23
        // standing-committee members without a role account (a meeting run from phones).
        lianxin::app::demo::ACCOUNTS.len() + 1 + 23
    );
    // The deputies' names and the place names go into the segmenter's dictionary at start-up.
    assert!(
        lianxin::search::warm_dictionary(&app.state.db)
            .await
            .unwrap()
            > 780
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
    let had = app.count("SELECT COUNT(*) FROM notifications").await;
    assert!(had >= lianxin::app::demo::ACCOUNTS.len() as i64);
    let file = app.dir.path().join("backups/one.sqlite");
    lianxin::db::backup::backup(&app.state.db, &file)
        .await
        .unwrap();
    // The database, its WAL and the backup are the owner's only (they say who voted and when).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in [
            app.dir.path().join("lianxin.sqlite"),
            app.dir.path().join("lianxin.sqlite-wal"),
            file.clone(),
        ] {
            let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{} is {mode:o}", f.display());
        }
    }
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
    assert_eq!(n, had, "the restored copy has what the backup had");
    // A file that is not ours is refused and nothing is replaced.
    let junk = app.dir.path().join("junk.sqlite");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(lianxin::db::backup::restore(&junk, &live).await.is_err());
}

fn lianxin(data: &std::path::Path) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_lianxin"));
    c.env("LIANXIN_DATA", data)
        .env_remove("LIANXIN_DATABASE_URL")
        .env("LIANXIN_LOG", "warn");
    c.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    c
}

async fn wait_ready(addr: &str) {
    for _ in 0..600 {
        if let Ok(mut s) = tokio::net::TcpStream::connect(addr).await {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let _ = s.write_all(b"GET /readyz HTTP/1.0\r\n\r\n").await;
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf).await;
            if buf.contains("200 OK") {
                return;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("server at {addr} did not become ready");
}

fn signal(pid: u32, sig: &str) {
    assert!(
        std::process::Command::new("kill")
            .arg(sig)
            .arg(pid.to_string())
            .status()
            .unwrap()
            .success()
    );
}

#[tokio::test]
async fn sigterm_stops_the_server_gracefully() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = lianxin(data.path())
        .arg("demo")
        .env("LIANXIN_LISTEN", &addr)
        .spawn()
        .unwrap();
    wait_ready(&addr).await;
    signal(child.id(), "-TERM");
    let mut waited = 0;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(waited < 300, "did not stop within 15 s of SIGTERM");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        waited += 1;
    };
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn a_process_killed_mid_import_leaves_all_or_nothing() {
    let data = tempfile::tempdir().unwrap();
    // A district and its term, then a large valid file.
    assert!(
        lianxin(data.path())
            .arg("migrate")
            .status()
            .unwrap()
            .success()
    );
    let url = format!("sqlite://{}/lianxin.sqlite", data.path().display());
    let db = lianxin::db::Db::connect(&url, None).await.unwrap();
    let mut tx = db.write().await.unwrap();
    let c = lianxin::congress::create(
        &mut tx,
        None,
        lianxin::congress::CongressLevel::District,
        "压力区人民代表大会",
        "压力区",
        "970100",
        0,
    )
    .await
    .unwrap();
    lianxin::congress::create_term(&mut tx, c, 1, "2020-01-01", "2099-12-31")
        .await
        .unwrap();
    lianxin::people::create_constituency(&mut tx, c, "第1选区", None)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db.pool.close().await;
    let headers: Vec<&str> = lianxin::people::xlsx::DEPUTY_COLUMNS
        .iter()
        .map(|c| c.1)
        .collect();
    let ids: Vec<String> = (0..10_000)
        .map(|i| crate::support::id_with_check(&format!("970101198001{:05}", i)))
        .collect();
    let rows: Vec<Vec<&str>> = ids
        .iter()
        .map(|id| {
            vec![
                "压测代表",
                "男",
                "汉族",
                id.as_str(),
                "群众",
                "工人",
                "工人",
                "大学",
                "第1选区",
                "",
                "",
            ]
        })
        .collect();
    let file = data.path().join("big.xlsx");
    std::fs::write(
        &file,
        lianxin::people::xlsx::workbook(&headers, &rows).unwrap(),
    )
    .unwrap();
    let mut child = lianxin(data.path())
        .args([
            "import", "--kind", "deputies", "--region", "970100", "--file",
        ])
        .arg(&file)
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import finished before the kill: make the file larger"
    );
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    let _ = child.wait();
    let db = lianxin::db::Db::connect(&url, None).await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM deputies")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let (persons,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM persons")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        n, 0,
        "an import killed before it was acknowledged left {n} rows"
    );
    assert_eq!(persons, 0);
    let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(check, "ok");
}

#[tokio::test]
async fn a_database_failure_is_a_plain_500_page_and_readiness_says_so() {
    let app = TestApp::demo().await;
    let mut c = app.client();
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    app.state.db.pool.close().await;
    let r = c.get("/").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    let html = r.text();
    assert!(
        html.contains("系统出现问题") && html.contains("没有改变任何数据"),
        "explained in Chinese"
    );
    assert!(
        !html.contains("pool") && !html.contains("sqlx"),
        "no internals leak to the page"
    );
    let p = c.get("/api/v1/congresses").await;
    assert_eq!(p.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(p.json()["title_en"], "Something went wrong");
    assert_eq!(
        c.get("/readyz").await.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(
        c.get("/healthz").await.status,
        StatusCode::OK,
        "the process itself is up"
    );
}

#[tokio::test]
async fn the_benchmark_seeder_builds_indexed_congresses() {
    let app = TestApp::empty().await;
    let spec = lianxin::app::demo::scale::Spec {
        persons: 1200,
        deputies: 600,
        districts: 2,
        towns_per_district: 2,
    };
    let made = lianxin::app::demo::scale::seed(&app.state.db, &spec, 0, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(made.congresses, 6);
    assert_eq!(made.largest_deputies, 60);
    assert_eq!(app.count("SELECT COUNT(*) FROM persons").await, 1200);
    assert_eq!(app.count("SELECT COUNT(*) FROM deputies").await, 600);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM search_docs WHERE kind = 'deputy'")
            .await,
        600
    );
    let (name,): (String,) = sqlx::query_as(
        "SELECT p.name FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.id = $1",
    )
    .bind(made.sample_deputy)
    .fetch_one(&app.state.db.pool)
    .await
    .unwrap();
    let hits = lianxin::search::search(&app.state.db, made.largest, "deputy", &name, None, 50)
        .await
        .unwrap();
    assert!(
        hits.iter().any(|h| h.item_id == made.sample_deputy),
        "{name} is found"
    );
}
