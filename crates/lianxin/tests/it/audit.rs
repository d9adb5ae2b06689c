//! The tamper-evident audit trail: SM3 chains per congress, HMAC-SM3 checkpoints, `audit verify`.

use crate::support::*;
use lianxin::audit::chain::{self, Break};
use lianxin::audit::{Outcome, Record, append};
use lianxin::platform::ids::CongressId;

const KEY: [u8; 32] = [42u8; 32];

async fn chain_of(app: &TestApp, short: &str) -> i64 {
    app.congress_id(short).await
}

#[tokio::test]
async fn an_edited_record_is_found() {
    let app = TestApp::demo().await;
    let report = chain::verify(&app.state.db, &KEY).await.unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
    assert!(report.records > 780, "the seed's commands are on record");
    let town = chain_of(&app, "青石镇").await;
    sqlx::query("UPDATE audit_log SET action = 'people.forged' WHERE chain = $1 AND seq = 7")
        .bind(town)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let report = chain::verify(&app.state.db, &KEY).await.unwrap();
    assert_eq!(
        report.breaks,
        vec![Break::Edited {
            chain: town,
            seq: 7
        }],
        "only that congress's chain, at that record"
    );
}

#[tokio::test]
async fn a_deleted_record_and_a_deleted_newest_record_are_found() {
    let app = TestApp::demo().await;
    let town = chain_of(&app, "白沙镇").await;
    sqlx::query("DELETE FROM audit_log WHERE chain = $1 AND seq = 5")
        .bind(town)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let report = chain::verify(&app.state.db, &KEY).await.unwrap();
    assert_eq!(
        report.breaks,
        vec![Break::Missing {
            chain: town,
            seq: 5
        }]
    );
    let other = chain_of(&app, "柳河镇").await;
    let (last,): (i64,) = sqlx::query_as("SELECT MAX(seq) FROM audit_log WHERE chain = $1")
        .bind(other)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE chain = $1 AND seq = $2")
        .bind(other)
        .bind(last)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let report = chain::verify(&app.state.db, &KEY).await.unwrap();
    assert!(
        report.breaks.contains(&Break::HeadMismatch {
            chain: other,
            expected_seq: last,
            found_seq: last - 1
        }),
        "{:?}",
        report.breaks
    );
}

#[tokio::test]
async fn a_re_chained_table_fails_its_checkpoint() {
    let app = TestApp::demo().await;
    assert!(chain::checkpoint(&app.state.db, &KEY, 0).await.unwrap() > 0);
    assert!(
        chain::verify(&app.state.db, &KEY)
            .await
            .unwrap()
            .breaks
            .is_empty()
    );
    // Someone without the key cannot produce a checkpoint that verifies.
    let report = chain::verify(&app.state.db, &[1u8; 32]).await.unwrap();
    assert!(
        report
            .breaks
            .iter()
            .all(|b| matches!(b, Break::Checkpoint { .. }))
            && !report.breaks.is_empty()
    );
    sqlx::query("UPDATE audit_checkpoints SET mac = 'forged' WHERE id = (SELECT MIN(id) FROM audit_checkpoints)").execute(&app.state.db.pool).await.unwrap();
    assert_eq!(
        chain::verify(&app.state.db, &KEY)
            .await
            .unwrap()
            .breaks
            .len(),
        1
    );
}

#[tokio::test]
async fn concurrent_commands_of_one_congress_never_fork_its_chain() {
    let app = TestApp::empty().await;
    let mut tx = app.state.db.write().await.unwrap();
    let c = lianxin::congress::create(
        &mut tx,
        None,
        lianxin::congress::CongressLevel::District,
        "并发区人民代表大会",
        "并发区",
        "970300",
        0,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..40i64 {
        let db = app.state.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.write().await.unwrap();
            let target = format!("test:{i}");
            append(
                &mut tx,
                &Record {
                    at: i,
                    user: None,
                    congress: Some(CongressId(c.0)),
                    action: "test.concurrent",
                    target,
                    outcome: Outcome::Success,
                    fields: &["x"],
                    client_addr: None,
                },
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = chain::verify(&app.state.db, &KEY).await.unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(DISTINCT seq) FROM audit_log WHERE chain = {}",
            c.0
        ))
        .await,
        40
    );
}

#[tokio::test]
async fn the_cli_verifies_the_trail_and_fails_on_tampering() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_lianxin"))
            .args(args)
            .env("LIANXIN_DATA", data.path())
            .env_remove("LIANXIN_DATABASE_URL")
            .env("LIANXIN_LOG", "warn")
            .output()
            .unwrap()
    };
    assert!(
        run(&[
            "admin",
            "bootstrap",
            "--region",
            "970400",
            "--name",
            "验证区人民代表大会"
        ])
        .status
        .success()
    );
    assert!(run(&["audit", "checkpoint"]).status.success());
    assert!(
        data.path().join("keys/audit-checkpoint.key").exists(),
        "the key lives outside the database"
    );
    let ok = run(&["audit", "verify"]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact"));
    let db = lianxin::db::Db::connect(
        &format!("sqlite://{}/lianxin.sqlite", data.path().display()),
        None,
    )
    .await
    .unwrap();
    sqlx::query("UPDATE audit_log SET target = 'user:999' WHERE seq = 2")
        .execute(&db.pool)
        .await
        .unwrap();
    db.pool.close().await;
    let bad = run(&["audit", "verify"]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stdout).contains("Edited"),
        "{}",
        String::from_utf8_lossy(&bad.stdout)
    );
}

#[tokio::test]
async fn records_from_before_the_chain_are_chained_once() {
    let app = TestApp::demo().await;
    // A record as a release without the chain would have written it.
    sqlx::query("INSERT INTO audit_log (at, user_id, congress_id, action, target, outcome, fields, client_addr) VALUES (1, NULL, NULL, 'legacy.act', 'x:1', 'success', '', NULL)")
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE digest = ''")
            .await,
        1,
        "one unchained record"
    );
    assert_eq!(chain::backfill(&app.state.db).await.unwrap(), 1);
    assert_eq!(
        chain::backfill(&app.state.db).await.unwrap(),
        0,
        "idempotent"
    );
    assert!(
        chain::verify(&app.state.db, &KEY)
            .await
            .unwrap()
            .breaks
            .is_empty()
    );
}

#[tokio::test]
async fn the_audit_administrator_searches_and_exports_the_trail_and_is_audited_doing_so() {
    use axum::http::StatusCode;
    let app = TestApp::demo().await;
    // Some sign-ins to find.
    let _ = app.login("daibiao").await;
    let _ = app.login("daibiao").await;
    let _ = app.login("bangong").await;
    let mut a = app.login("auditadmin").await;
    let page = a.get("/audit?user=daibiao&action=accounts.login").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert_eq!(
        html.matches("<code>accounts.login</code>").count(),
        2,
        "daibiao's two sign-ins only"
    );
    let r = a.get("/audit?from=2026-13-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("日期格式"));
    // The day filter: everything of the test's day (2026-03-02 Shanghai), nothing the day before.
    assert!(
        a.get("/audit?from=2026-03-02&to=2026-03-02")
            .await
            .text()
            .contains("accounts.login")
    );
    assert!(
        !a.get("/audit?to=2026-03-01&action=accounts.login")
            .await
            .text()
            .contains("<code>accounts.login</code>")
    );
    let x = a.get("/audit/export.xlsx?action=accounts.login").await;
    assert_eq!(x.status, StatusCode::OK);
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(x.body.clone())).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(
        range.height(),
        1 + 4,
        "header and the four sign-ins (three staff, one audit administrator)"
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.export'")
            .await,
        1
    );
    assert!(
        app.count("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.read'")
            .await
            >= 4
    );
}

#[tokio::test]
async fn pruning_keeps_six_months_and_verification_still_holds_afterwards() {
    use lianxin::platform::clock::Clock;
    let app = TestApp::demo().await;
    let town = chain_of(&app, "青石镇").await;
    chain::checkpoint(&app.state.db, &KEY, app.clock.now_ms())
        .await
        .unwrap();
    let old = app
        .count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE chain = {town}"
        ))
        .await;
    // Five months on: nothing is old enough.
    app.clock.advance(chrono::Duration::days(150));
    let policy = lianxin::accounts::policy(&app.state.db).await.unwrap();
    let five_months_on = app.clock.now_ms();
    assert_eq!(
        chain::prune(&app.state.db, five_months_on - policy.audit_retention_ms())
            .await
            .unwrap(),
        0
    );
    // New records after the checkpoint, then past the retention (12 months by default).
    let mut tx = app.state.db.write().await.unwrap();
    append(
        &mut tx,
        &Record {
            at: five_months_on,
            user: None,
            congress: Some(CongressId(town)),
            action: "test.later",
            target: "x:1".into(),
            outcome: Outcome::Success,
            fields: &[],
            client_addr: None,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    app.clock.advance(chrono::Duration::days(250));
    let now = app.clock.now_ms();
    let pruned = chain::prune(&app.state.db, now - policy.audit_retention_ms())
        .await
        .unwrap();
    assert!(
        pruned >= old as u64,
        "the records up to the old checkpoint went ({pruned})"
    );
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM audit_log WHERE chain = {town}"
        ))
        .await,
        1,
        "the later record stays"
    );
    let report = chain::verify(&app.state.db, &KEY).await.unwrap();
    assert!(report.breaks.is_empty(), "{:?}", report.breaks);
    // Deleting more than the anchor allows is still caught.
    sqlx::query("DELETE FROM audit_log WHERE chain = $1")
        .bind(town)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let report = chain::verify(&app.state.db, &KEY).await.unwrap();
    assert!(!report.breaks.is_empty());
    // Moving the anchor by hand (without a signed checkpoint there) is caught too.
    let district = chain_of(&app, "示范区").await;
    sqlx::query("UPDATE audit_chains SET pruned_through = pruned_through + 3 WHERE chain = $1")
        .bind(district)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let report = chain::verify(&app.state.db, &KEY).await.unwrap();
    assert!(
        report.breaks.iter().any(|b| matches!(b,
            Break::Checkpoint { chain, .. } | Break::HeadMismatch { chain, .. } if *chain == district)),
        "{:?}",
        report.breaks
    );
}

#[tokio::test]
async fn a_sealed_result_verifies_against_the_congress_key_and_only_unaltered() {
    let app = TestApp::demo().await;
    let cid = CongressId(app.congress_id("示范区").await);
    let other = CongressId(app.congress_id("青石镇").await);
    let result = "第3号议案：应到 150，赞成 120，反对 3，弃权 2；通过".as_bytes();
    let seal = lianxin::congress::sealing::seal_result(&app.state.db, cid, result, 0)
        .await
        .unwrap();
    assert_eq!(seal.key_version, 1);
    assert!(
        lianxin::congress::sealing::verify(&app.state.db, cid, result, &seal)
            .await
            .unwrap()
    );
    assert!(
        !lianxin::congress::sealing::verify(
            &app.state.db,
            cid,
            "第3号议案：应到 150，赞成 121".as_bytes(),
            &seal
        )
        .await
        .unwrap()
    );
    assert!(
        !lianxin::congress::sealing::verify(&app.state.db, other, result, &seal)
            .await
            .unwrap(),
        "another congress's key does not vouch for it"
    );
    // A new key version signs from now on; the old seal still verifies with its version.
    assert_eq!(
        lianxin::congress::sealing::rotate(&app.state.db, cid, 0)
            .await
            .unwrap(),
        2
    );
    let newer = lianxin::congress::sealing::seal_result(&app.state.db, cid, result, 0)
        .await
        .unwrap();
    assert_eq!(newer.key_version, 2);
    assert!(
        lianxin::congress::sealing::verify(&app.state.db, cid, result, &seal)
            .await
            .unwrap()
    );
    assert!(
        lianxin::congress::sealing::verify(&app.state.db, cid, result, &newer)
            .await
            .unwrap()
    );
    // The private key is in the key store, not the database.
    assert!(
        app.dir
            .path()
            .join(format!("keys/seal-c{}-v1.key", cid.0))
            .exists()
    );
}
