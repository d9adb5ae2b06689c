//! `lianxin-bench`: builds a synthetic district at scale (default 1,000,000 persons and 50,000
//! deputies across 210 congresses) next to the demo district, starts the real `lianxin serve`
//! binary on it, and measures page and API latency (p50/p99 over sequential requests), throughput
//! under concurrent clients, and the server's resident memory. Every figure is printed with the
//! `/healthz` baseline measured in the same run, because these machines are noisy.
//!
//! Usage: `cargo run --release -p lianxin-bench -- [--persons N] [--deputies N] [--requests N]
//! [--database-url URL] [--keep DIR]`, or a subcommand (`search`, `crypto`, `suggestions`,
//! `chamber`, `opinions`); `--help` on each says its options.
//!
//! A benchmark that meets an error has failed: every harness stops at the first 5xx or refused
//! request, prints the request and the answer and how many runs had completed, and exits
//! non-zero, so that no figure comes from a run with errors.

#![allow(clippy::print_stdout)]
// A benchmark is timing code: it measures with Instant and stamps its data with the wall clock.
#![allow(clippy::disallowed_methods)]

use anyhow::{Context, Result, bail};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(clap::Parser)]
#[command(
    name = "lianxin-bench",
    about = "Benchmarks of Lianxin against the real server, with a baseline measured in the same run",
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    bench: Option<Bench>,
    #[command(flatten)]
    district: Args,
}

#[derive(clap::Subcommand)]
enum Bench {
    /// Full-text search of a million documents against a LIKE scan.
    Search(SearchArgs),
    /// Sealing personal data at rest.
    Crypto(crypto_bench::Args),
    /// Deputies' suggestions at scale.
    Suggestions(suggestions_bench::Args),
    /// A full chamber voting at once.
    Chamber(chamber_bench::Args),
    /// Citizens' opinions at a million.
    Opinions(opinions_bench::Args),
}

/// The synthetic district at scale: page and API latency, throughput, memory.
#[derive(clap::Args)]
struct Args {
    /// Persons generated.
    #[arg(long, default_value_t = 1_000_000)]
    persons: u64,
    /// Deputies generated.
    #[arg(long, default_value_t = 50_000)]
    deputies: u64,
    /// Sequential requests per page.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    /// A PostgreSQL URL instead of a SQLite file.
    #[arg(long)]
    database_url: Option<String>,
    /// Keep the data in DIR instead of a temporary folder.
    #[arg(long)]
    keep: Option<std::path::PathBuf>,
}

#[derive(clap::Args)]
struct SearchArgs {
    /// Documents indexed.
    #[arg(long, default_value_t = 1_000_000)]
    docs: usize,
    /// Queries per measure.
    #[arg(long, default_value_t = 50)]
    runs: usize,
    /// A PostgreSQL URL instead of a temporary SQLite file.
    #[arg(long)]
    database_url: Option<String>,
}

/// Runs (votes, measures, client counts) that completed before an error, for the failure message.
static COMPLETED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Counts one completed run of the harness.
fn completed() {
    COMPLETED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The error of a request that was refused or failed: what was sent and what came back.
fn refused(request: &str, status: u16, answer: &str) -> anyhow::Error {
    let answer: String = answer.chars().take(2_000).collect();
    anyhow::anyhow!("the request {request} answered {status}:\n{answer}")
}

struct Server(Child);
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 GET over a fresh connection; returns the status and the elapsed time.
async fn get(addr: &str, path: &str, token: &str) -> Result<(u16, Duration)> {
    let (status, _, elapsed) = get_text(addr, path, token).await?;
    Ok((status, elapsed))
}

/// One HTTP/1.1 GET over a fresh connection: (status, the answer as text, elapsed).
async fn get_text(addr: &str, path: &str, token: &str) -> Result<(u16, String, Duration)> {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).await?;
    s.set_nodelay(true)?;
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).await?;
    let mut buf = Vec::with_capacity(64 * 1024);
    s.read_to_end(&mut buf).await?;
    let status = std::str::from_utf8(&buf[..buf.len().min(12)])
        .ok()
        .and_then(|l| l.get(9..12))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    Ok((
        status,
        String::from_utf8_lossy(&buf).into_owned(),
        start.elapsed(),
    ))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

async fn measure(addr: &str, path: &str, token: &str, n: usize) -> Result<(Duration, Duration)> {
    let mut times = Vec::with_capacity(n);
    for i in 0..n + n.min(20) {
        let (status, text, t) = get_text(addr, path, token).await?;
        if status != 200 {
            return Err(refused(&format!("GET {path}"), status, &text));
        }
        // The first ones warm up.
        if i >= n.min(20) {
            times.push(t);
        }
    }
    times.sort();
    Ok((percentile(&times, 0.5), percentile(&times, 0.99)))
}

/// Requests per second with `clients` concurrent connections for `secs` seconds.
async fn throughput(addr: &str, path: &str, token: &str, clients: usize, secs: u64) -> Result<f64> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (addr, path, token) = (addr.to_string(), path.to_string(), token.to_string());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while Instant::now() < deadline {
                let (status, text, _) = get_text(&addr, &path, &token).await?;
                if status != 200 {
                    return Err(refused(&format!("GET {path}"), status, &text));
                }
                n += 1;
            }
            Ok::<_, anyhow::Error>(n)
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await??;
    }
    Ok(total as f64 / secs as f64)
}

fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

mod chamber_bench;
mod crypto_bench;
mod opinions_bench;
mod search_bench;
mod suggestions_bench;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = <Cli as clap::Parser>::parse();
    let result = match cli.bench {
        None => district_main(cli.district).await,
        Some(Bench::Search(a)) => search_main(a).await,
        Some(Bench::Crypto(a)) => crypto_bench::main(a),
        Some(Bench::Suggestions(a)) => suggestions_bench::main(a).await,
        Some(Bench::Chamber(a)) => chamber_bench::main(a).await,
        Some(Bench::Opinions(a)) => opinions_bench::main(a).await,
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "\nlianxin-bench FAILED after {} completed runs — no figure of this run may be used:\n{e:#}",
                    COMPLETED.load(std::sync::atomic::Ordering::Relaxed)
                );
            }
            std::process::ExitCode::FAILURE
        }
    }
}

async fn district_main(a: Args) -> Result<()> {
    let tmp = tempfile_dir(a.keep.clone())?;
    let url = a
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/lianxin.sqlite?mode=rwc", tmp.display()));
    println!(
        "# lianxin-bench: {} persons, {} deputies, database {}",
        a.persons,
        a.deputies,
        lianxin::platform::config::mask_url(&url)
    );
    // The key store the server will use (LIANXIN_DATA/keys): the seeder seals with it.
    let db = lianxin::db::Db::connect(&url, None)
        .await?
        .with_vault(lianxin::platform::vault::Vault::open(&tmp.join("keys"))?);
    lianxin::db::migrate::run(&db).await?;
    let now = chrono_now_ms();
    lianxin::app::demo::seed(&db, now).await?;

    let bar = indicatif::ProgressBar::new(a.persons + a.deputies);
    bar.set_style(indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} rows ({per_sec}) {msg}",
    )?);
    let started = Instant::now();
    let spec = lianxin::app::demo::scale::Spec {
        persons: a.persons,
        deputies: a.deputies,
        districts: 10,
        towns_per_district: 20,
    };
    let made =
        lianxin::app::demo::scale::seed(&db, &spec, now, &|done, _| bar.set_position(done)).await?;
    bar.finish();
    let seed_secs = started.elapsed().as_secs_f64();
    println!(
        "seeded in {seed_secs:.1} s ({:.0} rows/s); {} congresses; largest has {} deputies",
        (a.persons + a.deputies) as f64 / seed_secs,
        made.congresses,
        made.largest_deputies
    );

    // A staff account on the largest congress, with an API token (also accepted by pages).
    let token = staff_token(&db, made.largest, now).await?;
    db.pool.close().await;

    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let addr = format!("127.0.0.1:{port}");
    let exe = std::env::current_exe()?.with_file_name("lianxin");
    let child = Command::new(&exe)
        .arg("serve")
        .env("LIANXIN_DATA", &tmp)
        .env("LIANXIN_DATABASE_URL", &url)
        .env("LIANXIN_LISTEN", &addr)
        .env("LIANXIN_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| {
            format!(
                "start {} (build it first: cargo build --release)",
                exe.display()
            )
        })?;
    let server = Server(child);
    let pid = server.0.id();
    let up = Instant::now();
    while !matches!(get(&addr, "/readyz", "").await, Ok((200, _))) {
        if up.elapsed() > Duration::from_secs(30) {
            bail!("server did not start");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (idle_rss, _) = rss_kib(pid);
    let c = made.largest.0;
    let n = a.requests;
    // The last page of the largest roster, to show that keyset pages cost the same deep down.
    let last_cursor = last_page_cursor(&addr, c, &token).await?;
    let endpoints: Vec<(&str, String)> = vec![
        ("baseline GET /healthz", "/healthz".into()),
        ("public home page /", "/".into()),
        ("roster page 1 (HTML)", format!("/c/{c}/deputies")),
        (
            "roster last page (HTML, keyset)",
            format!("/c/{c}/deputies?after={last_cursor}"),
        ),
        (
            "roster name search (HTML)",
            format!("/c/{c}/deputies?q=%E7%8E%8B"),
        ),
        (
            "deputy detail (HTML)",
            format!("/c/{c}/deputies/{}", made.sample_deputy),
        ),
        (
            "roster page 1 (API, 50 rows)",
            format!("/api/v1/congresses/{c}/deputies"),
        ),
        (
            "deputy detail (API)",
            format!("/api/v1/congresses/{c}/deputies/{}", made.sample_deputy),
        ),
        (
            "find my deputy (public)",
            format!("/find?congress={c}&constituency=1"),
        ),
    ];
    println!();
    println!("| request | p50 ms | p99 ms | p50 / baseline p50 |");
    println!("|---|---:|---:|---:|");
    let mut baseline = Duration::ZERO;
    for (name, path) in &endpoints {
        let (p50, p99) = measure(&addr, path, &token, n).await?;
        completed();
        if baseline.is_zero() {
            baseline = p50;
        }
        println!(
            "| {name} | {:.2} | {:.2} | {:.1}× |",
            ms(p50),
            ms(p99),
            p50.as_secs_f64() / baseline.as_secs_f64()
        );
    }
    let rps_health = throughput(&addr, "/healthz", &token, 16, 5).await?;
    let rps_list = throughput(&addr, &format!("/c/{c}/deputies"), &token, 16, 5).await?;
    let (rss, hwm) = rss_kib(pid);
    println!();
    println!(
        "throughput, 16 concurrent clients, 5 s: /healthz {rps_health:.0} req/s; roster page 1 (HTML) {rps_list:.0} req/s"
    );
    println!(
        "server memory: idle {:.1} MiB after start; {:.1} MiB after load (peak {:.1} MiB)",
        idle_rss as f64 / 1024.0,
        rss as f64 / 1024.0,
        hwm as f64 / 1024.0
    );
    if let Some(p) = lianxin::db::sqlite_path(&url) {
        let size = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
        println!("database file: {:.0} MiB", size as f64 / 1_048_576.0);
    }
    drop(server);
    if a.keep.is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

/// `lianxin-bench search [--docs N] [--runs N] [--database-url URL]`
async fn search_main(a: SearchArgs) -> Result<()> {
    let SearchArgs {
        docs,
        runs,
        database_url: url,
    } = a;
    let tmp = tempfile_dir(None)?;
    let url = url.unwrap_or_else(|| format!("sqlite://{}/lianxin.sqlite?mode=rwc", tmp.display()));
    println!(
        "# lianxin-bench search: {docs} texts, database {}",
        lianxin::platform::config::mask_url(&url)
    );
    let db = lianxin::db::Db::connect(&url, None).await?;
    lianxin::db::migrate::run(&db).await?;
    let mut tx = db.write().await?;
    let c = lianxin::congress::create(
        &mut tx,
        None,
        lianxin::congress::CongressLevel::District,
        "检索测试区人民代表大会",
        "检索测试区",
        &format!("96{:04}", std::process::id() % 10_000),
        0,
    )
    .await?;
    tx.commit().await?;
    search_bench::run(&db, c, docs, runs).await?;
    if let Some(p) = lianxin::db::sqlite_path(&url) {
        println!(
            "database file: {:.0} MiB",
            std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0) as f64 / 1_048_576.0
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

fn tempfile_dir(keep: Option<std::path::PathBuf>) -> Result<std::path::PathBuf> {
    let dir = keep.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("lianxin-bench-{}", std::process::id()))
    });
    if dir.join("lianxin.sqlite").exists() {
        bail!(
            "{} already holds a database; choose an empty directory",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn chrono_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

async fn staff_token(
    db: &lianxin::db::Db,
    congress: lianxin::platform::ids::CongressId,
    now: i64,
) -> Result<String> {
    use lianxin::accounts;
    use lianxin::accounts::roles::{Grant, Office, Role};
    let mut tx = db.write().await?;
    let user =
        accounts::create_user(&mut tx, "bench-staff", "bench", None, "!", false, now).await?;
    accounts::grant(
        &mut tx,
        user,
        &Grant {
            congress,
            role: Role::Staff,
            office: Some(Office::DeputiesAffairs),
            organization: None,
        },
        now,
    )
    .await?;
    let token = accounts::create_api_token(&mut tx, user, "bench", now, 1).await?;
    tx.commit().await?;
    Ok(token)
}

/// Walks the API pages of the largest roster to find the cursor of its last page.
async fn last_page_cursor(addr: &str, congress: i64, token: &str) -> Result<String> {
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/api/v1/congresses/{congress}/deputies?limit=50&after={a}"),
            None => format!("/api/v1/congresses/{congress}/deputies?limit=50"),
        };
        let body = get_body(addr, &path, token).await?;
        let next = body
            .split("\"next\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .map(str::to_string);
        match next {
            Some(n) => after = Some(percent(&n)),
            None => return after.context("roster has a single page"),
        }
    }
}

async fn get_body(addr: &str, path: &str, token: &str) -> Result<String> {
    let mut s = TcpStream::connect(addr).await?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").as_bytes()).await?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await?;
    let text = String::from_utf8_lossy(&buf).into_owned();
    Ok(text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default())
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
