//! Notifications: the outbox commits with the change, is delivered once over real SMTP and HTTP
//! to listeners on loopback, retried on failure, and daily jobs run once per day.

use crate::support::*;
use lianxin::notify::adapters::Adapter;
use lianxin::notify::{scheduler, worker};
use lianxin::platform::clock::Clock;
use lianxin::platform::config::NotifyAdapter;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// A minimal SMTP server on loopback that records each message it accepts.
async fn smtp_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let sink = sink.clone();
            tokio::spawn(async move {
                let (r, mut w) = stream.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let mut data = String::new();
                let mut in_data = false;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if in_data {
                        if line == ".\r\n" {
                            in_data = false;
                            sink.lock().unwrap().push(std::mem::take(&mut data));
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                        }
                        continue;
                    }
                    let reply: &[u8] = match &line[..4.min(line.len())] {
                        "EHLO" => b"250-test\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go\r\n"
                        }
                        "QUIT" => return,
                        _ => b"250 ok\r\n",
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (addr, got)
}

async fn enqueue(app: &TestApp, recipient: &str) -> i64 {
    let mut tx = app.state.db.write().await.unwrap();
    let message = lianxin::notify::Message {
        congress: None,
        channel: "email",
        recipient,
        subject: "建议已交办",
        body: "您领衔的第12号建议已交办。\n.点开头的行",
    };
    let id = lianxin::notify::enqueue(&mut tx, &app.state.db.vault, &message, app.clock.now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn smtp_delivery_happens_once_even_after_a_restart() {
    let app = TestApp::empty().await;
    let (addr, got) = smtp_server().await;
    let adapter = Adapter(NotifyAdapter::Smtp {
        addr,
        from: "lianxin@example.test".into(),
    });
    enqueue(&app, "deputy@example.test").await;
    assert_eq!(
        worker::run_once(&app.state.db, &adapter, app.clock.as_ref())
            .await
            .unwrap(),
        1
    );
    // A "restarted" worker finds nothing left to send.
    assert_eq!(
        worker::run_once(&app.state.db, &adapter, app.clock.as_ref())
            .await
            .unwrap(),
        0
    );
    app.clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        worker::run_once(&app.state.db, &adapter, app.clock.as_ref())
            .await
            .unwrap(),
        0
    );
    let msgs = got.lock().unwrap().clone();
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].contains("Subject: =?UTF-8?Q?"), "{}", msgs[0]);
    assert!(
        msgs[0].contains("您领衔的第12号建议已交办") && msgs[0].contains("\r\n..点开头的行"),
        "dot-stuffed body: {}",
        msgs[0]
    );
}

#[tokio::test]
async fn failed_deliveries_back_off_then_succeed_and_a_claimed_row_is_not_sent_twice() {
    let app = TestApp::empty().await;
    // Nothing listens here yet: the first attempt fails.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let adapter = Adapter(NotifyAdapter::Webhook {
        url: format!("http://{addr}/sms"),
    });
    let id = enqueue(&app, "13800000000").await;
    assert_eq!(
        worker::run_once(&app.state.db, &adapter, app.clock.as_ref())
            .await
            .unwrap(),
        0
    );
    let (attempts, err): (i64, Option<String>) =
        sqlx::query_as("SELECT attempts, last_error FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!(attempts, 1);
    assert!(err.unwrap().contains("connect"));
    // Not due yet.
    assert!(
        worker::claim(&app.state.db, app.clock.now_ms())
            .await
            .unwrap()
            .is_empty()
    );
    // The gateway comes up; after the back-off the row goes out with its idempotency key.
    let listener = TcpListener::bind(addr).await.unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = seen.clone();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 8192];
        let n = s.read(&mut buf).await.unwrap();
        *sink.lock().unwrap() = String::from_utf8_lossy(&buf[..n]).into_owned();
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
    });
    app.clock.advance(chrono::Duration::seconds(31));
    // Two workers race for the row: only one claims it.
    let a = worker::claim(&app.state.db, app.clock.now_ms())
        .await
        .unwrap();
    let b = worker::claim(&app.state.db, app.clock.now_ms())
        .await
        .unwrap();
    assert_eq!(a.len() + b.len(), 1);
    let row = a.into_iter().chain(b).next().unwrap();
    adapter.deliver(&row).await.unwrap();
    worker::mark_delivered(&app.state.db, row.id, app.clock.now_ms())
        .await
        .unwrap();
    let req = seen.lock().unwrap().clone();
    assert!(
        req.starts_with("POST /sms HTTP/1.1")
            && req.contains(&format!("Idempotency-Key: outbox-{id}")),
        "{req}"
    );
    app.clock.advance(chrono::Duration::hours(3));
    assert!(
        worker::claim(&app.state.db, app.clock.now_ms())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_notice_commits_with_its_change_or_not_at_all() {
    let app = TestApp::demo().await;
    let (user,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'daibiao'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let notice = lianxin::notify::Notice {
        congress: None,
        user: lianxin::platform::ids::UserId(user),
        kind: "test",
        title_zh: "测试通知",
        title_en: "Test notice",
        link: "/home",
    };
    let external = ("email", "x@example.test");
    let before = app.count("SELECT COUNT(*) FROM outbox").await;
    let mut tx = app.state.db.write().await.unwrap();
    lianxin::notify::notify_external(
        &mut tx,
        &app.state.db.vault,
        &notice,
        external,
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, before);
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notifications WHERE kind = 'test'")
            .await,
        0
    );
    let mut tx = app.state.db.write().await.unwrap();
    lianxin::notify::notify_external(
        &mut tx,
        &app.state.db.vault,
        &notice,
        external,
        app.clock.now_ms(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, before + 1);
    // The inbox shows it with an unread count, and only its owner can mark it read.
    let mut c = app.login("daibiao").await;
    let html = c.get("/inbox").await.text();
    assert!(html.contains("测试通知"));
    let (nid,): (i64,) = sqlx::query_as("SELECT id FROM notifications WHERE kind = 'test'")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let mut other = app.login("bangong").await;
    other.post_form(&format!("/inbox/{nid}/read"), &[]).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notifications WHERE kind = 'test' AND read_at IS NULL")
            .await,
        1
    );
    c.post_form(&format!("/inbox/{nid}/read"), &[]).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM notifications WHERE kind = 'test' AND read_at IS NULL")
            .await,
        0
    );
}

#[tokio::test]
async fn a_daily_job_runs_once_per_day_across_processes() {
    let app = TestApp::empty().await;
    let db = &app.state.db;
    assert!(
        scheduler::claim_daily(db, "job", app.clock.as_ref())
            .await
            .unwrap()
    );
    assert!(
        !scheduler::claim_daily(db, "job", app.clock.as_ref())
            .await
            .unwrap(),
        "second process, same day"
    );
    app.clock.advance(chrono::Duration::hours(5));
    assert!(
        !scheduler::claim_daily(db, "job", app.clock.as_ref())
            .await
            .unwrap(),
        "later the same day"
    );
    app.clock.advance(chrono::Duration::hours(24));
    assert!(
        scheduler::claim_daily(db, "job", app.clock.as_ref())
            .await
            .unwrap(),
        "next day"
    );
    // Expired sessions are swept by the daily job.
    let demo = TestApp::demo().await;
    let _c = demo.login("daibiao").await;
    assert_eq!(demo.count("SELECT COUNT(*) FROM auth_sessions").await, 1);
    demo.clock.advance(chrono::Duration::hours(13));
    assert_eq!(
        lianxin::app::jobs::tick(&demo.state.db, demo.clock.as_ref(), &[1u8; 32])
            .await
            .unwrap(),
        lianxin::app::jobs::names()
    );
    assert!(
        demo.count("SELECT COUNT(*) FROM audit_checkpoints").await >= 1,
        "the chains' heads were signed"
    );
    assert_eq!(demo.count("SELECT COUNT(*) FROM auth_sessions").await, 0);
}
