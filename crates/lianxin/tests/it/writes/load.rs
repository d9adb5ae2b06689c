//! The real server, while its start-up and background jobs run, takes every kind of write from
//! many clients at once: no 5xx, no dropped connection, every acknowledged write found.

use crate::support::*;
use crate::wire::{self, Answer};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the load sent and what was acknowledged.
#[derive(Default)]
struct Tally {
    sent: AtomicUsize,
    server_errors: std::sync::Mutex<Vec<String>>,
    dropped: std::sync::Mutex<Vec<String>>,
}

impl Tally {
    /// Records an answer; returns it when it came (whatever its status).
    fn note(&self, what: &str, r: std::io::Result<Answer>) -> Option<Answer> {
        self.sent.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(a) if a.status >= 500 => {
                self.server_errors.lock().unwrap().push(format!(
                    "{what}: {} {}",
                    a.status,
                    a.text()
                ));
                None
            }
            Ok(a) => Some(a),
            Err(e) => {
                self.dropped.lock().unwrap().push(format!("{what}: {e}"));
                None
            }
        }
    }
}

/// Bearer tokens for the accounts the load uses, minted before the server starts.
struct Tokens {
    office: String,
    deputy: String,
    registrar: String,
    sysadmin: String,
    town_staff: String,
    members: Vec<String>,
}

async fn tokens(db: &lianxin::db::Db, district: i64, now: i64) -> Tokens {
    let users: Vec<(i64, String)> = sqlx::query_as("SELECT id, username FROM users")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    let members: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT u.id FROM users u JOIN memberships m ON m.person_id = u.person_id \
         JOIN organizations o ON o.id = m.organization_id \
         WHERE o.kind = 'standing_committee' AND o.congress_id = $1",
    )
    .bind(district)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let mut tx = db.write().await.unwrap();
    let mut mint = async |user: i64| {
        lianxin::accounts::create_api_token(
            &mut tx,
            lianxin::platform::ids::UserId(user),
            "load",
            now,
            1,
        )
        .await
        .unwrap()
    };
    let id = |name: &str| users.iter().find(|(_, u)| u == name).unwrap().0;
    let mut t = Tokens {
        office: mint(id("bangong")).await,
        deputy: mint(id("deputy")).await,
        registrar: mint(id("daibiao")).await,
        sysadmin: mint(id("sysadmin")).await,
        town_staff: mint(id("qingshi")).await,
        members: Vec::new(),
    };
    for (u,) in &members {
        t.members.push(mint(*u).await);
    }
    tx.commit().await.unwrap();
    t
}

fn units_workbook(prefix: &str, n: usize) -> Vec<u8> {
    use lianxin::people::xlsx::{self, UNIT_COLUMNS};
    let headers: Vec<&str> = UNIT_COLUMNS.iter().map(|c| c.1).collect();
    let names: Vec<String> = (0..n).map(|i| format!("{prefix}{i:02}")).collect();
    let rows: Vec<Vec<&str>> = names
        .iter()
        .map(|n| vec![n.as_str(), "政府", "", ""])
        .collect();
    xlsx::workbook(&headers, &rows).unwrap()
}

fn multipart(kind: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----lianxin-load-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n{kind}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"units.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// What the load acknowledged, to be looked for afterwards.
#[derive(Default)]
struct Acknowledged {
    meetings: Vec<i64>,
    ballots: usize,
    vote: Option<i64>,
    opinions: Vec<String>,
    suggestions: Vec<i64>,
    settings: usize,
    units: Vec<String>,
}

const CLIENTS: usize = 6;

/// The real server, started on a demo database as an operator starts it, and from the moment its
/// port opens — while the outbox worker, the daily jobs and the start-up back-fills run — many
/// clients at once send meetings and votes, ballots, citizens' opinions through the public page
/// and the public API, suggestions through their steps, settings changes and XLSX imports.
/// Bounded: a fixed number
/// of rounds, each request with its own deadline.
#[tokio::test]
async fn every_kind_of_write_succeeds_while_the_server_starts_and_works() {
    let data = tempfile::tempdir().unwrap();
    let (url, pg_name) = wire::server_database(data.path()).await;
    let now = chrono::Utc::now().timestamp_millis();
    let db = lianxin::db::Db::connect(&url, None)
        .await
        .unwrap()
        .with_vault(lianxin::platform::vault::Vault::open(&data.path().join("keys")).unwrap());
    lianxin::db::migrate::run(&db).await.unwrap();
    lianxin::app::demo::seed(&db, now).await.unwrap();
    let district = lianxin::congress::by_region(&db, lianxin::app::demo::DISTRICT_CODE)
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let (town,): (i64,) = sqlx::query_as("SELECT congress_id FROM role_grants g JOIN users u ON u.id = g.user_id WHERE u.username = 'qingshi'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let t = Arc::new(tokens(&db, district, now).await);
    db.pool.close().await;

    let server = wire::serve(
        data.path(),
        &url,
        &[
            ("LIANXIN_ANONYMOUS_RATE", "100000"),
            ("LIANXIN_SIGN_IN_RATE", "100000"),
        ],
    )
    .await;
    let addr = Arc::new(server.addr.clone());
    let tally = Arc::new(Tally::default());
    let started = Instant::now();

    // Citizens open the public form at once — half the page, half the API — and send it three
    // seconds later (the least time a person takes).
    let citizens = async {
        let mut issued = Vec::new();
        for i in 0..CLIENTS * 2 {
            let page = i % 2 == 0;
            let path = if page {
                format!("/opinions/{district}/new")
            } else {
                format!("/api/v1/public/congresses/{district}/opinion-form")
            };
            let r = wire::send(&addr, "GET", &path, None, "", b"").await;
            if let Some(a) = tally.note("opinion form", r) {
                let csrf = a.cookie(lianxin::web::ctx::CSRF_COOKIE).unwrap_or_default();
                let stamp = if page {
                    a.text()
                        .split("name=\"issued\" value=\"")
                        .nth(1)
                        .and_then(|r| r.split('"').next())
                        .unwrap_or_default()
                        .to_string()
                } else {
                    a.json()["issued"].as_str().unwrap_or_default().to_string()
                };
                issued.push((page, stamp, csrf));
            }
        }
        tokio::time::sleep(Duration::from_millis(3_100)).await;
        let sends = issued
            .into_iter()
            .enumerate()
            .map(|(i, (page, issued, csrf))| {
                let (addr, tally) = (addr.clone(), tally.clone());
                async move {
                    let text = format!("第{i}号：河边路灯不亮已经一个月了，晚上出行很不方便");
                    let cookie = (
                        "Cookie",
                        format!("{}={csrf}", lianxin::web::ctx::CSRF_COOKIE),
                    );
                    if page {
                        // The page's form, as the browser posts it.
                        let body = serde_urlencoded::to_string([
                            ("_csrf", csrf.as_str()),
                            ("issued", issued.as_str()),
                            ("website", ""),
                            ("kind", "question"),
                            ("category", "environment"),
                            ("place", "柳河镇北岸"),
                            ("body", text.as_str()),
                            ("contact", ""),
                            ("deputy", ""),
                            ("station", ""),
                        ])
                        .unwrap();
                        let r = wire::send_with(
                            &addr,
                            "POST",
                            &format!("/opinions/{district}/new"),
                            &[cookie],
                            "application/x-www-form-urlencoded",
                            body.as_bytes(),
                        )
                        .await;
                        let a = tally.note("opinion page", r)?;
                        assert_eq!(a.status, 303, "opinion page: {}", a.text());
                        let location = a
                            .head
                            .lines()
                            .find_map(|l| {
                                l.strip_prefix("location: ")
                                    .or_else(|| l.strip_prefix("Location: "))
                            })?
                            .trim()
                            .to_string();
                        location
                            .split("code=")
                            .nth(1)?
                            .split('&')
                            .next()
                            .map(str::to_string)
                    } else {
                        let body = serde_json::json!({
                            "kind": "question", "category": "environment", "place": "柳河镇北岸",
                            "body": text, "issued": issued,
                        });
                        // As the page's script sends it: the CSRF cookie and the same token in a header.
                        let headers = [cookie, (lianxin::web::ctx::CSRF_HEADER, csrf.clone())];
                        let r = wire::send_with(
                            &addr,
                            "POST",
                            &format!("/api/v1/public/congresses/{district}/opinions"),
                            &headers,
                            "application/json",
                            body.to_string().as_bytes(),
                        )
                        .await;
                        let a = tally.note("opinion", r)?;
                        assert_eq!(a.status, 201, "opinion: {}", a.text());
                        a.json()["tracking_code"].as_str().map(str::to_string)
                    }
                }
            });
        join_all(sends.collect())
            .await
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
    };

    // Deputies draft and submit suggestions; the office registers each.
    let suggestions = join_all(
        (0..CLIENTS)
            .map(|i| {
                let (addr, tally, t) = (addr.clone(), tally.clone(), t.clone());
                async move {
                    let r = wire::json(&addr, "POST", &format!("/api/v1/congresses/{district}/suggestions"), &t.deputy,
                        serde_json::json!({"title": format!("关于第{i}小区加装电梯的建议"), "content": "建议简化审批流程。", "category": "urban_construction"})).await;
                    let a = tally.note("suggestion draft", r)?;
                    assert_eq!(a.status, 201, "draft: {}", a.text());
                    let id = a.json()["id"].as_i64()?;
                    let act = format!("/api/v1/congresses/{district}/suggestions/{id}/actions");
                    let a = tally.note("submit", wire::json(&addr, "POST", &act, &t.deputy, serde_json::json!({"action": "submit"})).await)?;
                    assert_eq!(a.status, 200, "submit: {}", a.text());
                    let a = tally.note("register", wire::json(&addr, "POST", &act, &t.registrar, serde_json::json!({"action": "register"})).await)?;
                    assert_eq!(a.status, 200, "register: {}", a.text());
                    Some(id)
                }
            })
            .collect(),
    );

    // The system administrator changes a setting again and again.
    let settings = join_all(
        (0..CLIENTS)
            .map(|i| {
                let (addr, tally, t) = (addr.clone(), tally.clone(), t.clone());
                async move {
                    let value = format!("{}wd", 5 + i % 3);
                    let r = wire::form(
                        &addr,
                        &format!("/c/{district}/settings"),
                        &t.sysadmin,
                        &[
                            ("key", "suggestion.assign_window"),
                            ("value", &value),
                            ("source_kind", "own_decision"),
                            ("source_text", "区人大常委会主任会议决定"),
                            ("decided_on", "2026-03-01"),
                        ],
                    )
                    .await;
                    let a = tally.note("setting", r)?;
                    assert_eq!(a.status, 303, "setting: {}", a.text());
                    Some(())
                }
            })
            .collect(),
    );

    // A town's staff import lists of units: preview, then confirm.
    let imports = join_all(
        (0..2)
            .map(|i| {
                let (addr, tally, t) = (addr.clone(), tally.clone(), t.clone());
                async move {
                    let prefix = format!("负载测试单位{i}号");
                    let (ct, body) = multipart("units", &units_workbook(&prefix, 20));
                    let a = tally.note(
                        "import preview",
                        wire::send(
                            &addr,
                            "POST",
                            &format!("/c/{town}/import"),
                            Some(&t.town_staff),
                            &ct,
                            &body,
                        )
                        .await,
                    )?;
                    assert_eq!(a.status, 200, "preview: {}", a.text());
                    let html = a.text();
                    let token = html
                        .split("name=\"token\" value=\"")
                        .nth(1)?
                        .split('"')
                        .next()?
                        .to_string();
                    let a = tally.note(
                        "import confirm",
                        wire::form(
                            &addr,
                            &format!("/c/{town}/import/confirm"),
                            &t.town_staff,
                            &[("token", &token), ("kind", "units")],
                        )
                        .await,
                    )?;
                    assert_eq!(a.status, 200, "confirm: {}", a.text());
                    Some(prefix)
                }
            })
            .collect(),
    );

    // The office calls meetings; one of them is opened, its members checked in, a vote taken
    // with every member's ballot sent at once, and closed.
    let meetings = async {
        let (addr, tally, t) = (addr.clone(), tally.clone(), t.clone());
        let mut ids = Vec::new();
        for i in 0..CLIENTS {
            let r = wire::json(&addr, "POST", &format!("/api/v1/congresses/{district}/meetings"), &t.office,
                serde_json::json!({"kind": "standing_committee", "title": format!("负载测试会议{i}"), "place": "会场", "starts_at": now})).await;
            let Some(a) = tally.note("meeting", r) else {
                continue;
            };
            assert_eq!(a.status, 201, "meeting: {}", a.text());
            ids.push(a.json()["id"].as_i64().unwrap());
        }
        let mid = *ids.first()?;
        let mbase = format!("/api/v1/congresses/{district}/meetings/{mid}");
        let act = |body: serde_json::Value| {
            let (addr, tally, t, path) = (
                addr.clone(),
                tally.clone(),
                t.clone(),
                format!("{mbase}/actions"),
            );
            async move {
                let a = tally.note(
                    "meeting step",
                    wire::json(&addr, "POST", &path, &t.office, body).await,
                )?;
                assert!(a.status < 300, "meeting step: {} {}", a.status, a.text());
                Some(a)
            }
        };
        act(serde_json::json!({"action": "open"})).await?;
        let view = tally
            .note(
                "meeting view",
                wire::json(&addr, "GET", &mbase, &t.office, serde_json::Value::Null).await,
            )?
            .json();
        let roll: Vec<i64> = view["roll"]
            .as_array()?
            .iter()
            .filter_map(|r| r["person_id"].as_i64())
            .collect();
        join_all(
            roll.iter()
                .map(|p| act(serde_json::json!({"action": "check_in", "person": p})))
                .collect(),
        )
        .await;
        act(serde_json::json!({"action": "add_item", "kind": "decision", "title": "负载测试表决事项"})).await?;
        let view = tally
            .note(
                "meeting view",
                wire::json(&addr, "GET", &mbase, &t.office, serde_json::Value::Null).await,
            )?
            .json();
        let item = view["items"].as_array()?.last()?["id"].clone();
        let a = tally.note(
            "vote",
            wire::json(
                &addr,
                "POST",
                &format!("{mbase}/votes"),
                &t.office,
                serde_json::json!({"item": item, "subject": "负载测试表决"}),
            )
            .await,
        )?;
        assert_eq!(a.status, 201, "vote: {}", a.text());
        let vid = a.json()["id"].as_i64()?;
        let vbase = format!("/api/v1/congresses/{district}/votes/{vid}");
        let a = tally.note(
            "vote open",
            wire::json(
                &addr,
                "POST",
                &format!("{vbase}/actions"),
                &t.office,
                serde_json::json!({"action": "open"}),
            )
            .await,
        )?;
        assert_eq!(a.status, 200, "open: {}", a.text());
        let cast = join_all(
            t.members
                .iter()
                .map(|token| {
                    let (addr, tally, path) =
                        (addr.clone(), tally.clone(), format!("{vbase}/ballot"));
                    async move {
                        let a = tally.note(
                            "ballot",
                            wire::json(
                                &addr,
                                "POST",
                                &path,
                                token,
                                serde_json::json!({"ballot": "yes"}),
                            )
                            .await,
                        )?;
                        (a.status == 201).then_some(())
                    }
                })
                .collect(),
        )
        .await;
        let ballots = cast.iter().flatten().count();
        let a = tally.note(
            "vote close",
            wire::json(
                &addr,
                "POST",
                &format!("{vbase}/actions"),
                &t.office,
                serde_json::json!({"action": "close"}),
            )
            .await,
        )?;
        assert_eq!(a.status, 200, "close: {}", a.text());
        assert_eq!(
            a.json()["result"]["counts"]["yes"].as_u64(),
            Some(ballots as u64),
            "every acknowledged ballot counted"
        );
        Some((ids, ballots, vid))
    };

    let (opinions, suggestions, settings, imports, meetings) =
        tokio::join!(citizens, suggestions, settings, imports, meetings);
    let elapsed = started.elapsed();
    let mut ack = Acknowledged {
        opinions,
        suggestions: suggestions.into_iter().flatten().collect(),
        settings: settings.into_iter().flatten().count(),
        units: imports.into_iter().flatten().collect(),
        ..Default::default()
    };
    if let Some((ids, ballots, vid)) = meetings {
        ack.meetings = ids;
        ack.ballots = ballots;
        ack.vote = Some(vid);
    }
    let log = std::fs::read_to_string(&server.log).unwrap_or_default();
    drop(server);

    let errors = tally.server_errors.lock().unwrap().clone();
    let dropped = tally.dropped.lock().unwrap().clone();
    assert!(
        errors.is_empty() && dropped.is_empty(),
        "{} requests in {elapsed:?}: {} answered 5xx, {} dropped\n{}\n{}\nserver log:\n{log}",
        tally.sent.load(Ordering::Relaxed),
        errors.len(),
        dropped.len(),
        errors.join("\n"),
        dropped.join("\n"),
    );
    assert!(
        !log.contains("database is locked"),
        "the server logged a refused write:\n{log}"
    );

    // Every acknowledged write is there.
    let db = lianxin::db::Db::connect(&url, None).await.unwrap();
    let count = async |sql: String| -> i64 {
        sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
            .fetch_one(&db.pool)
            .await
            .unwrap()
            .0
    };
    assert_eq!(ack.opinions.len(), CLIENTS * 2);
    for code in &ack.opinions {
        let n = count(format!(
            "SELECT COUNT(*) FROM opinions WHERE tracking_code = '{}'",
            code.replace('-', "")
        ))
        .await;
        assert_eq!(n, 1, "opinion {code}");
    }
    assert_eq!(ack.suggestions.len(), CLIENTS);
    for id in &ack.suggestions {
        let n = count(format!(
            "SELECT COUNT(*) FROM suggestions WHERE id = {id} AND state = 'registered'"
        ))
        .await;
        assert_eq!(n, 1, "suggestion {id} registered");
    }
    assert_eq!(ack.settings, CLIENTS);
    assert!(
        count(format!("SELECT COUNT(*) FROM congress_settings WHERE congress_id = {district} AND key = 'suggestion.assign_window'")).await == 1
    );
    assert_eq!(ack.units.len(), 2);
    for prefix in &ack.units {
        let n = count(format!(
            "SELECT COUNT(*) FROM organizations WHERE name LIKE '{prefix}%'"
        ))
        .await;
        assert_eq!(n, 20, "units imported as {prefix}");
    }
    assert_eq!(ack.meetings.len(), CLIENTS);
    for id in &ack.meetings {
        assert_eq!(
            count(format!("SELECT COUNT(*) FROM meetings WHERE id = {id}")).await,
            1
        );
    }
    assert_eq!(
        ack.ballots,
        t.members.len(),
        "every member's ballot acknowledged"
    );
    let vid = ack.vote.expect("the vote was taken");
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM vote_participation WHERE vote_id = {vid}"
        ))
        .await,
        ack.ballots as i64
    );
    db.pool.close().await;
    wire::drop_database(pg_name).await;
}
