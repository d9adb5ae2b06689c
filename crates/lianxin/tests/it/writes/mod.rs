//! No request is refused because another one is writing (issue 16): every write transaction is
//! opened in one place (`db::tx`), and the real server, while its start-up and background jobs
//! run, takes every kind of write from many clients at once with no 5xx, no dropped connection,
//! and every acknowledged write found afterwards.

mod load;

use crate::support::*;
use std::time::Duration;

/// Lines of Rust that open a transaction: `begin`, `begin_with`, or `BEGIN` sent as SQL.
fn transaction_openings(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .filter(|l| {
            l.contains(".begin()")
                || l.contains("begin_with(")
                || l.contains("try_begin")
                || l.to_ascii_uppercase().contains("\"BEGIN")
        })
        .map(|l| l.trim().to_string())
        .collect()
}

#[test]
fn the_scan_finds_a_transaction_opened_another_way() {
    assert_eq!(
        transaction_openings("let mut tx = db.pool.begin().await?;\n// db.pool.begin()\n"),
        vec!["let mut tx = db.pool.begin().await?;"]
    );
    assert_eq!(
        transaction_openings(r#"sqlx::raw_sql("BEGIN; UPDATE t SET a = 1;")"#).len(),
        1
    );
    assert!(transaction_openings("let mut tx = db.write().await?;").is_empty());
}

/// Every transaction in the product, the benchmarks and the tests is opened by `db::tx`.
#[test]
fn every_transaction_is_opened_by_db_tx() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for root in [
        manifest.join("src"),
        manifest.join("tests"),
        manifest.join("../bench/src"),
    ] {
        for (rel, text) in rust_sources(&root) {
            if rel == "db/tx.rs" || rel == "it/writes/mod.rs" {
                continue;
            }
            for line in transaction_openings(&text) {
                found.push(format!("{}: {line}", root.join(&rel).display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "open transactions with Db::write or Db::read:\n{}",
        found.join("\n")
    );
}

/// A write that cannot get the lock in time (a backup or another process holding it) is told
/// "busy, not saved, try again" — 503 with `Retry-After` on the API, a page in Chinese — and
/// nothing is written.
#[tokio::test]
async fn a_write_that_cannot_get_the_lock_is_answered_busy_and_changes_nothing() {
    let mut app = TestApp::demo().await;
    let cid = app.congress_id("示范区").await;
    app.state.db = app
        .state
        .db
        .clone()
        .with_write_wait(Duration::from_millis(300));
    let before = app.count("SELECT COUNT(*) FROM suggestions").await;
    let mut deputy = app.login("deputy").await;
    let mut sys = app.login("sysadmin").await;
    // The holder: this process's write lock on SQLite; the congress's audit-chain row on
    // PostgreSQL, which every command of the congress updates (lock_timeout then answers).
    let mut hold = app.state.db.write().await.unwrap();
    if app.backend() == lianxin::db::Backend::Postgres {
        sqlx::query("UPDATE audit_chains SET last_seq = last_seq WHERE chain = $1")
            .bind(cid)
            .execute(&mut *hold)
            .await
            .unwrap();
    }
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            serde_json::json!({"title": "关于忙时提交的建议", "content": "内容。", "category": "agriculture"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 503, "{}", r.text());
    assert_eq!(
        r.headers.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("2")
    );
    let p = r.json();
    assert_eq!(p["type"], "urn:lianxin:error:error.busy");
    assert!(p["title_zh"].as_str().unwrap().contains("没有保存"));
    assert!(p["title_en"].as_str().unwrap().contains("not saved"));
    let r = sys
        .post_form(
            &format!("/c/{cid}/settings"),
            &[
                ("key", "suggestion.assign_window"),
                ("value", "6wd"),
                ("source_kind", "own_decision"),
                ("source_text", "区人大常委会主任会议决定"),
                ("decided_on", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 503);
    assert!(r.text().contains("系统繁忙"), "{}", r.text());
    assert!(r.headers.contains_key("retry-after"));
    hold.rollback().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM suggestions").await, before);
    assert_eq!(
        app.count(&format!("SELECT COUNT(*) FROM congress_settings WHERE congress_id = {cid} AND key = 'suggestion.assign_window'")).await,
        0,
        "nothing written"
    );
    // Once the lock is free, the same request is saved.
    let r = deputy
        .json(
            "POST",
            &format!("/api/v1/congresses/{cid}/suggestions"),
            serde_json::json!({"title": "关于忙时提交的建议", "content": "内容。", "category": "agriculture"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.text());
}
