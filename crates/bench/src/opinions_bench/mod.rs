//! `lianxin-bench opinions [--items N] [--runs N] [--seconds S] [--database-url URL]`: a national
//! consultation's worth of citizens' opinions (default 1,000,000, generated from the vocabulary
//! of roads, schools, elderly care, medical insurance, pollution, the business environment…)
//! loaded into the demo district, then:
//!
//! - search latency p50/p99 for 1-, 2- and 4-word queries (the ranked search helper and the
//!   staff's filtered list), beside a `LIKE '%…%'` scan of the same table and `SELECT 1`;
//! - near-duplicate grouping of the whole million (features, MinHash, LSH, union-find);
//! - durable intake over HTTP against the real `lianxin serve` binary with 1, 16 and 64
//!   concurrent citizens (a 303 to the tracking page is sent only after the commit);
//! - the server's resident memory, idle and at its peak.

use anyhow::{Context, Result, bail};
use lianxin::app::demo::names::Lcg;
use lianxin::platform::ids::CongressId;
use lianxin::text::similar;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod corpus;
use corpus::{load, opinion};

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// p50 and p99 (ms) of `runs` calls of `f` over the queries in turn.
async fn latency<F, Fut>(runs: usize, queries: &[&str], mut f: F) -> Result<(f64, f64)>
where
    F: FnMut(String) -> Fut,
    Fut: std::future::Future<Output = Result<usize>>,
{
    let mut times = Vec::with_capacity(runs);
    for i in 0..runs {
        let q = queries[i % queries.len()].to_string();
        let t = Instant::now();
        f(q).await?;
        times.push(ms(t.elapsed()));
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok((pct(&times, 0.5), pct(&times, 0.99)))
}

/// Groups every opinion of the congress: reads the texts in pages, computes the signatures on
/// both cores, and joins the candidates. Returns (opinions, groups of 2+, largest group,
/// opinions in groups of 2+).
async fn group_everything(
    db: &lianxin::db::Db,
    congress: CongressId,
) -> Result<(usize, usize, usize, usize)> {
    let mut sigs: Vec<[u32; similar::HASHES]> = Vec::new();
    let mut after = 0i64;
    loop {
        let page: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, body FROM opinions WHERE congress_id = $1 AND id > $2 ORDER BY id LIMIT 20000",
        )
        .bind(congress.0)
        .bind(after)
        .fetch_all(&db.pool)
        .await?;
        let Some(last) = page.last() else { break };
        after = last.0;
        let half = page.len() / 2;
        let sign = |part: &[(i64, String)]| -> Vec<[u32; similar::HASHES]> {
            part.iter()
                .map(|(_, b)| similar::signature(&similar::features(b)))
                .collect()
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| sign(&page[..half]));
            let b = sign(&page[half..]);
            (a.join().unwrap_or_default(), b)
        });
        sigs.extend(a);
        sigs.extend(b);
    }
    let roots = similar::group_all(&sigs, similar::DEFAULT_THRESHOLD);
    let mut sizes = std::collections::HashMap::new();
    for r in &roots {
        *sizes.entry(*r).or_insert(0usize) += 1;
    }
    let groups = sizes.values().filter(|s| **s > 1).count();
    let grouped = sizes.values().filter(|s| **s > 1).sum();
    let largest = sizes.values().copied().max().unwrap_or(0);
    Ok((sigs.len(), groups, largest, grouped))
}

/// One HTTP/1.1 request over a fresh connection: (status, headers+body as text).
async fn http(addr: &str, req: String) -> Result<(u16, String)> {
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::with_capacity(16 * 1024);
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok((status, text))
}

/// The form's CSRF cookie and signed `issued` time, as a citizen's browser would hold them.
async fn served_form(addr: &str, congress: i64) -> Result<(String, String)> {
    let (status, text) = http(
        addr,
        format!(
            "GET /opinions/{congress}/new HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        ),
    )
    .await?;
    if status != 200 {
        return Err(super::refused(
            &format!("GET /opinions/{congress}/new"),
            status,
            &text,
        ));
    }
    let cookie = text
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: lx_csrf="))
        .and_then(|v| v.split(';').next())
        .context("csrf cookie")?
        .to_string();
    let at = text.find("name=\"issued\" value=\"").context("issued")? + 21;
    let issued = text[at..].split('"').next().unwrap_or_default().to_string();
    Ok((cookie, issued))
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Acknowledged submissions per second with `clients` concurrent citizens for `secs` seconds.
async fn intake(
    addr: &str,
    congress: i64,
    clients: usize,
    secs: u64,
    form: &(String, String),
) -> Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (addr, form) = (addr.to_string(), form.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = Lcg(7 + c as u64);
            let towns: Vec<&str> = lianxin::app::demo::TOWNS.to_vec();
            let mut ok = 0usize;
            let mut i = 0;
            while Instant::now() < deadline {
                let (category, place, body) = opinion(&mut rng, &towns, i);
                i += 1;
                let payload = format!(
                    "_csrf={}&issued={}&website=&kind=need&category={category}&place={}&body={}&contact=&deputy=&station=",
                    enc(&form.0),
                    enc(&form.1),
                    enc(&place),
                    enc(&body)
                );
                let req = format!(
                    "POST /opinions/{congress}/new HTTP/1.1\r\nHost: {addr}\r\nCookie: lx_csrf={}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{payload}",
                    form.0,
                    payload.len()
                );
                let (status, text) = http(&addr, req).await?;
                if status != 303 {
                    return Err(super::refused(&format!("POST /opinions/{congress}/new"), status, &text));
                }
                ok += 1;
            }
            Ok::<_, anyhow::Error>(ok)
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += t.await??;
    }
    Ok(ok as f64 / secs as f64)
}

/// Citizens' opinions at a million: search against a LIKE scan, grouping, intake over HTTP.
#[derive(clap::Args)]
pub struct Args {
    /// Opinions generated.
    #[arg(long, default_value_t = 1_000_000)]
    items: usize,
    /// Queries per measure.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Seconds of intake per client count.
    #[arg(long = "seconds", default_value_t = 10)]
    secs: u64,
    /// A PostgreSQL URL instead of a SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    /// Keep the SQLite file (and keys) in DIR; a later run with the same DIR measures it again.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
    /// `grouping` (with --keep): measure only the grouping of the kept million again.
    #[arg(long, default_value = "")]
    only: String,
}

pub async fn main(a: Args) -> Result<()> {
    let Args {
        items,
        runs,
        secs,
        database_url: url,
        keep,
        only,
    } = a;
    // `--keep DIR` keeps the SQLite file (and keys) there, and a later run with the same DIR
    // measures it again without loading.
    let tmp = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("lianxin-bench-op-{}", std::process::id()))
    });
    std::fs::create_dir_all(&tmp)?;
    let reuse = keep.is_some() && tmp.join("lianxin.sqlite").exists();
    let url = url.unwrap_or_else(|| format!("sqlite://{}/lianxin.sqlite?mode=rwc", tmp.display()));
    println!(
        "# lianxin-bench opinions: {items} opinions, database {}",
        lianxin::platform::config::mask_url(&url)
    );
    let db = lianxin::db::Db::connect(&url, None)
        .await?
        .with_vault(lianxin::platform::vault::Vault::open(&tmp.join("keys"))?);
    lianxin::db::migrate::run(&db).await?;
    let now = chrono::Utc::now().timestamp_millis();
    if !reuse {
        lianxin::app::demo::seed(&db, now).await?;
    }
    let district = lianxin::congress::by_region(&db, lianxin::app::demo::DISTRICT_CODE)
        .await?
        .context("demo district")?
        .id;

    // Precision and recall of the grouping on the labelled set, at each threshold offered.
    let set = similar::labelled();
    println!(
        "\n| threshold | precision | recall | (labelled pairs: {}) |\n|---|---|---|---|",
        set.len()
    );
    for t in [0.2, 0.25, 0.3, 0.35, 0.4, 0.5] {
        let (p, r) = similar::precision_recall(&set, t);
        println!("| {t} | {p:.3} | {r:.3} | |");
    }

    if reuse {
        println!("\nreusing the opinions loaded in {}", tmp.display());
    } else {
        let started = Instant::now();
        load(&db, district, items, now).await?;
        let load_secs = started.elapsed().as_secs_f64();
        println!(
            "\nloaded {items} opinions in {load_secs:.1} s ({:.0}/s, tokens and buckets included)",
            items as f64 / load_secs
        );
    }
    // Fresh statistics, as the nightly maintenance would have them.
    sqlx::query("ANALYZE").execute(&db.pool).await?;

    if only == "grouping" {
        let started = Instant::now();
        let (n, groups, largest, grouped) = group_everything(&db, district).await?;
        println!(
            "\ngrouped {n} opinions in {:.1} s: {grouped} of them in {groups} groups of 2 or more, the largest {largest} (threshold {})",
            started.elapsed().as_secs_f64(),
            similar::DEFAULT_THRESHOLD
        );
        return Ok(());
    }
    // Search.
    let one = ["路灯", "医保", "养老院", "噪音", "幼儿园", "积水"];
    let two = [
        "幸福路 路灯",
        "医保 报销",
        "垃圾 清运",
        "学校 拥堵",
        "老旧小区 电梯",
        "企业 审批",
    ];
    let four = [
        "青石镇 幸福路 路灯 出行",
        "医保 异地 报销 手续",
        "工厂 夜间 偷排 污水",
        "学校 门口 上下学 拥堵",
        "养老院 床位 紧张 老人",
        "小区 监控 治安 安全",
    ];
    let (b50, b99) = latency(runs, &["1"], |_| async {
        sqlx::query("SELECT 1").execute(&db.pool).await?;
        Ok(1)
    })
    .await?;
    println!(
        "\n| query | search p50 ms | p99 ms | list (filtered, newest first) p50 ms | p99 ms | LIKE scan p50 ms | p99 ms | LIKE / search (p50) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!("| baseline `SELECT 1` | {b50:.3} | {b99:.3} | | | | | |");
    let like_runs = (runs / 20).max(5);
    for (label, qs) in [
        ("1 word", &one[..]),
        ("2 words", &two[..]),
        ("4 words", &four[..]),
    ] {
        let (s50, s99) = latency(runs, qs, |q| {
            let db = &db;
            async move {
                Ok(
                    lianxin::search::search(db, district, "opinion", &q, None, 20)
                        .await?
                        .len(),
                )
            }
        })
        .await?;
        let (l50, l99) = latency(runs, qs, |q| {
            let db = &db;
            async move {
                let f = lianxin::opinions::Filter {
                    q,
                    ..Default::default()
                };
                Ok(lianxin::opinions::list(
                    db,
                    district,
                    lianxin::opinions::Scope::All,
                    &f,
                    None,
                    None,
                    50,
                )
                .await?
                .len())
            }
        })
        .await?;
        // The same question without an index: every word must appear, and ranking the best
        // 20 needs every match, so the scan reads the whole table (no LIMIT).
        let (k50, k99) = latency(like_runs, qs, |q| {
            let db = &db;
            async move {
                Ok(
                    lianxin::search::like_scan(db, district, "opinion", &q, i64::MAX)
                        .await?
                        .len(),
                )
            }
        })
        .await?;
        println!(
            "| {label} | {s50:.2} | {s99:.2} | {l50:.2} | {l99:.2} | {k50:.1} | {k99:.1} | {:.0}× |",
            k50 / s50
        );
    }

    // Grouping.
    let started = Instant::now();
    let (n, groups, largest, grouped) = group_everything(&db, district).await?;
    println!(
        "\ngrouped {n} opinions in {:.1} s: {grouped} of them in {groups} groups of 2 or more, the largest {largest} (threshold {})",
        started.elapsed().as_secs_f64(),
        similar::DEFAULT_THRESHOLD
    );
    db.pool.close().await;

    // Intake over HTTP against the real server.
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
        // One address posts for all the bench's citizens: the per-address limit is lifted.
        .env("LIANXIN_ANONYMOUS_RATE", "1000000")
        .stdout(std::process::Stdio::null())
        .spawn()
        .with_context(|| {
            format!(
                "start {} (build it first: cargo build --release)",
                exe.display()
            )
        })?;
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
    let form = served_form(&addr, district.0).await?;
    // A person takes more than three seconds to write; so does the bench, once.
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    println!("\n| concurrent citizens | acknowledged submissions/s |\n|---|---|");
    for clients in [1usize, 16, 64] {
        let rate = intake(&addr, district.0, clients, secs, &form).await?;
        println!("| {clients} | {rate:.0} |");
        super::completed();
    }
    let (rss, peak) = super::rss_kib(pid);
    println!(
        "\nserver memory: idle {:.0} MiB, now {:.0} MiB, peak {:.0} MiB",
        idle as f64 / 1024.0,
        rss as f64 / 1024.0,
        peak as f64 / 1024.0
    );
    drop(server);
    if keep.is_none() && !url.starts_with("postgres") {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}
