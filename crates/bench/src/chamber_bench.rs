//! `lianxin-bench chamber`: a full chamber voting at once on one item, against the real
//! `lianxin serve` binary — every member's ballot sent at the same moment, each on the connection
//! the member's phone holds, acknowledged only once durable (201 after the commit). Reports ballots per second,
//! p50/p99 latency, the time from closing to the published, sealed result, the server's memory,
//! and the recount of a 1,000,000-ballot rating; with `/healthz` measured in the same run.
//!
//! Usage: `lianxin-bench chamber [--members 500] [--votes 10] [--ballots 1000000]
//! [--database-url URL]`

use anyhow::{Context, Result, bail};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One request with a bearer token over a fresh connection: (status, body, elapsed).
async fn call(
    addr: &str,
    method: &str,
    path: &str,
    token: &str,
    body: &str,
) -> Result<(u16, String, Duration)> {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::with_capacity(8 * 1024);
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body, start.elapsed()))
}

/// A member's phone: one kept-alive connection, as a page left open in the room has.
struct Conn {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: &str) -> Result<Conn> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Conn { s, buf: Vec::new() })
    }

    /// One request on the connection: (status, body, elapsed).
    async fn call(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: &str,
    ) -> Result<(u16, String, Duration)> {
        let start = Instant::now();
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.s.write_all(req.as_bytes()).await?;
        let mut chunk = [0u8; 8192];
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = self.s.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).to_ascii_lowercase();
        let status = head.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .context("a response without content-length")?;
        while self.buf.len() < head_end + len {
            let n = self.s.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed");
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let body = String::from_utf8_lossy(&self.buf[head_end..head_end + len]).into_owned();
        self.buf.drain(..head_end + len);
        Ok((status, body, start.elapsed()))
    }
}

async fn ok(addr: &str, method: &str, path: &str, token: &str, body: &str) -> Result<String> {
    let (status, text, _) = call(addr, method, path, token, body).await?;
    if !(200..300).contains(&status) {
        return Err(super::refused(
            &format!("{method} {path} {body}"),
            status,
            &text,
        ));
    }
    Ok(text)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    pct(&v, 0.5)
}

/// A chamber of `members`: persons, accounts with bearer tokens, and a standing-committee body
/// holding them (the newest body of its kind, so that a meeting calls it).
async fn chamber(
    db: &lianxin::db::Db,
    district: lianxin::platform::ids::CongressId,
    members: usize,
    now: i64,
) -> Result<Vec<String>> {
    use lianxin::accounts;
    use lianxin::accounts::roles::{Grant, Role};
    let hash = lianxin::accounts::password::hash(lianxin::app::demo::DEMO_PASSWORD)
        .map_err(anyhow::Error::msg)?;
    let mut tx = db.write().await?;
    let org = lianxin::people::create_org(
        &mut tx,
        district,
        "standing_committee",
        None,
        "基准测试·全体会议",
        None,
        now,
    )
    .await?;
    let mut tokens = Vec::with_capacity(members);
    for i in 0..members {
        let name = format!("基准代表{i:03}");
        let (person,): (i64,) = sqlx::query_as(
            "INSERT INTO persons (name, name_key, gender, ethnicity, created_at) VALUES ($1, $1, 'female', '汉族', $2) RETURNING id",
        )
        .bind(&name)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        lianxin::people::add_membership(
            &mut tx,
            district,
            org,
            lianxin::platform::ids::PersonId(person),
            "member",
            None,
        )
        .await?;
        let user = accounts::create_user(
            &mut tx,
            &format!("bench{i:03}"),
            &name,
            Some(person),
            &hash,
            false,
            now,
        )
        .await?;
        accounts::grant(
            &mut tx,
            user,
            &Grant {
                congress: district,
                role: Role::StandingCommitteeMember,
                office: None,
                organization: None,
            },
            now,
        )
        .await?;
        tokens.push(accounts::create_api_token(&mut tx, user, "bench", now, 1).await?);
    }
    tx.commit().await?;
    Ok(tokens)
}

/// A full chamber voting at once: durable ballots per second, latency, close to published.
#[derive(clap::Args)]
pub struct Args {
    /// Members present, each voting from a phone.
    #[arg(long, default_value_t = 500)]
    members: usize,
    /// Votes taken, one after the other.
    #[arg(long, default_value_t = 10)]
    votes: usize,
    /// Ballots of the in-process recount.
    #[arg(long, default_value_t = 1_000_000)]
    ballots: usize,
    /// A PostgreSQL URL instead of a temporary SQLite file.
    #[arg(long)]
    database_url: Option<String>,
}

pub async fn main(a: Args) -> Result<()> {
    let Args {
        members,
        votes,
        ballots,
        database_url: url,
    } = a;
    // The recount of a large rating, in process: the function `lianxin tally` and the server use.
    let grades = ["satisfied", "basically_satisfied", "dissatisfied"];
    let input = serde_json::json!({
        "rule": "rating", "body": "congress", "members": ballots, "present": ballots,
        "ballots": (0..ballots).map(|i| grades[(i * 7 + i / 3) % 3]).collect::<Vec<_>>(),
    })
    .to_string();
    let mut parse_and_count = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let out = lianxin::meetings::recount::recount_json(&input).map_err(anyhow::Error::msg)?;
        parse_and_count.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(out.valid);
    }
    println!(
        "# lianxin-bench chamber\n\nrecount of a {ballots}-ballot rating (parse the JSON and count, median of 5): {:.0} ms ({} MiB of JSON)",
        median(parse_and_count),
        input.len() / (1024 * 1024)
    );

    let tmp = std::env::temp_dir().join(format!("lianxin-bench-ch-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let url = url.unwrap_or_else(|| format!("sqlite://{}/lianxin.sqlite?mode=rwc", tmp.display()));
    let db = lianxin::db::Db::connect(&url, None)
        .await?
        .with_vault(lianxin::platform::vault::Vault::open(&tmp.join("keys"))?);
    lianxin::db::migrate::run(&db).await?;
    let now = chrono::Utc::now().timestamp_millis();
    lianxin::app::demo::seed(&db, now).await?;
    let district = lianxin::congress::by_region(&db, lianxin::app::demo::DISTRICT_CODE)
        .await?
        .context("demo district")?
        .id;
    let tokens = chamber(&db, district, members, now).await?;
    let (office,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'bangong'")
        .fetch_one(&db.pool)
        .await?;
    let mut tx = db.write().await?;
    let staff = lianxin::accounts::create_api_token(
        &mut tx,
        lianxin::platform::ids::UserId(office),
        "bench",
        now,
        1,
    )
    .await?;
    tx.commit().await?;
    db.pool.close().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let exe = std::env::current_exe()?.with_file_name("lianxin");
    let child = std::process::Command::new(&exe)
        .arg("serve")
        .env("LIANXIN_DATA", &tmp)
        .env("LIANXIN_DATABASE_URL", &url)
        .env("LIANXIN_LISTEN", &addr)
        .env("LIANXIN_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .with_context(|| format!("start {} (cargo build --release first)", exe.display()))?;
    let server = super::Server(child);
    let pid = server.0.id();
    let up = Instant::now();
    while !matches!(super::get(&addr, "/readyz", "").await, Ok((200, _))) {
        if up.elapsed() > Duration::from_secs(60) {
            bail!("server did not start");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (idle, _) = super::rss_kib(pid);
    let c = district.0;

    // The meeting: called (the roll is the chamber), opened, every member checked in.
    let created = ok(&addr, "POST", &format!("/api/v1/congresses/{c}/meetings"), &staff,
        &serde_json::json!({"kind": "standing_committee", "title": "基准测试全体会议", "place": "会场", "starts_at": now}).to_string()).await?;
    let mid: serde_json::Value = serde_json::from_str(&created)?;
    let mid = mid["id"].as_i64().context("meeting id")?;
    let mbase = format!("/api/v1/congresses/{c}/meetings/{mid}");
    ok(
        &addr,
        "POST",
        &format!("{mbase}/actions"),
        &staff,
        r#"{"action":"open"}"#,
    )
    .await?;
    let view: serde_json::Value =
        serde_json::from_str(&ok(&addr, "GET", &mbase, &staff, "").await?)?;
    let roll = view["roll"].as_array().context("roll")?.clone();
    if roll.len() != members {
        bail!("the meeting called {} members, not {members}", roll.len());
    }
    for r in &roll {
        let body = serde_json::json!({"action": "check_in", "person": r["person_id"]}).to_string();
        ok(&addr, "POST", &format!("{mbase}/actions"), &staff, &body).await?;
    }

    // Every member's phone holds a connection, as a page left open does.
    let mut phones = Vec::with_capacity(members);
    for _ in 0..members {
        phones.push(Conn::open(&addr).await?);
    }
    // Baseline in the same run: the whole chamber asking /healthz at once on those connections.
    let mut base_lat = Vec::new();
    let t = Instant::now();
    let tasks: Vec<_> = phones
        .drain(..)
        .map(|mut p| {
            tokio::spawn(async move {
                let r = p.call("GET", "/healthz", "", "").await;
                (p, r)
            })
        })
        .collect();
    for task in tasks {
        let (p, r) = task.await?;
        base_lat.push(r?.2.as_secs_f64() * 1000.0);
        phones.push(p);
    }
    let base_rate = members as f64 / t.elapsed().as_secs_f64();
    base_lat.sort_by(f64::total_cmp);

    let (mut rates, mut lat, mut publish) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..votes {
        ok(&addr, "POST", &format!("{mbase}/actions"), &staff,
            &serde_json::json!({"action": "add_item", "kind": "decision", "title": format!("基准表决事项{round}")}).to_string()).await?;
        let view: serde_json::Value =
            serde_json::from_str(&ok(&addr, "GET", &mbase, &staff, "").await?)?;
        let item_id = view["items"]
            .as_array()
            .and_then(|a| a.last())
            .context("item")?["id"]
            .clone();
        let created = ok(
            &addr,
            "POST",
            &format!("{mbase}/votes"),
            &staff,
            &serde_json::json!({"item": item_id, "subject": format!("基准表决{round}")})
                .to_string(),
        )
        .await?;
        let vid = serde_json::from_str::<serde_json::Value>(&created)?["id"]
            .as_i64()
            .context("vote")?;
        let vbase = format!("/api/v1/congresses/{c}/votes/{vid}");
        ok(
            &addr,
            "POST",
            &format!("{vbase}/actions"),
            &staff,
            r#"{"action":"open"}"#,
        )
        .await?;
        let t = Instant::now();
        let tasks: Vec<_> = phones
            .drain(..)
            .zip(&tokens)
            .enumerate()
            .map(|(i, (mut p, token))| {
                let (token, path) = (token.clone(), format!("{vbase}/ballot"));
                let choice = ["yes", "yes", "no", "abstain"][i % 4];
                tokio::spawn(async move {
                    let r = p
                        .call(
                            "POST",
                            &path,
                            &token,
                            &format!(r#"{{"ballot":"{choice}"}}"#),
                        )
                        .await;
                    (p, r)
                })
            })
            .collect();
        for task in tasks {
            let (p, r) = task.await?;
            let (status, text, d) = r?;
            if status != 201 {
                return Err(super::refused(
                    &format!("POST {vbase}/ballot"),
                    status,
                    &text,
                ));
            }
            lat.push(d.as_secs_f64() * 1000.0);
            phones.push(p);
        }
        rates.push(members as f64 / t.elapsed().as_secs_f64());
        let t = Instant::now();
        let closed: serde_json::Value = serde_json::from_str(
            &ok(
                &addr,
                "POST",
                &format!("{vbase}/actions"),
                &staff,
                r#"{"action":"close"}"#,
            )
            .await?,
        )?;
        publish.push(t.elapsed().as_secs_f64() * 1000.0);
        let yes = (0..members).filter(|i| i % 4 < 2).count() as u64;
        if closed["result"]["counts"]["yes"].as_u64() != Some(yes) {
            bail!("the count is wrong: {}", closed["result"]);
        }
        super::completed();
    }
    lat.sort_by(f64::total_cmp);
    let (rss, peak) = super::rss_kib(pid);
    let rate = median(rates.clone());
    println!(
        "\n{members} members present; {votes} votes; each: every member's ballot sent at the same moment on the connection their phone holds\n"
    );
    println!("| measure | value |\n|---|---:|");
    println!("| `/healthz` from {members} phones at once: requests/s | {base_rate:.0} |");
    println!(
        "| `/healthz` p50 / p99 ms | {:.1} / {:.1} |",
        pct(&base_lat, 0.5),
        pct(&base_lat, 0.99)
    );
    println!(
        "| durable ballots/s (median of {votes} votes; min {:.0}, max {:.0}) | **{rate:.0}** |",
        rates.iter().copied().fold(f64::INFINITY, f64::min),
        rates.iter().copied().fold(0.0, f64::max)
    );
    println!(
        "| ballot latency p50 / p99 ms (all {} ballots) | {:.1} / {:.1} |",
        lat.len(),
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );
    println!(
        "| close → published sealed result, median ms | {:.1} |",
        median(publish)
    );
    println!(
        "| server memory: idle / now / peak MiB | {:.0} / {:.0} / {:.0} |",
        idle as f64 / 1024.0,
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    println!(
        "\nOpenSlides 3.3 in-memory SQLite (peer-openslides.md): 33–41 votes/s → ratio {:.0}× to {:.0}×",
        rate / 41.0,
        rate / 33.0
    );
    drop(server);
    if !url.starts_with("postgres") {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}
