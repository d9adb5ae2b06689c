//! `lianxin-bench suggestions [--items N] [--runs N] [--database-url URL]`: the demo district
//! plus N synthetic suggestions (bulk-inserted in every state, 1/10 of them submitted), then
//!
//! - submission throughput: drafting and submitting through the real commands (each one
//!   transaction with its history, audit record and search indexing), sequentially;
//! - the office inbox: a page of submitted items, of all items, and the statistics block,
//!   as p50/p99 over `runs` calls, beside `SELECT 1` measured in the same run.

use anyhow::{Context, Result};
use lianxin::platform::ids::{CongressId, UserId};
use lianxin::suggestions::service::{DraftInput, Origin};
use lianxin::suggestions::{self, Scope};
use std::time::Instant;

fn pct(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

/// Deputies' suggestions at scale: the office's lists, search and statistics.
#[derive(clap::Args)]
pub struct Args {
    /// Suggestions generated.
    #[arg(long, default_value_t = 100_000)]
    items: usize,
    /// Requests per measure.
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// A PostgreSQL URL instead of a temporary SQLite file.
    #[arg(long)]
    database_url: Option<String>,
}

pub async fn main(a: Args) -> Result<()> {
    let Args {
        items,
        runs,
        database_url: url,
    } = a;
    let tmp = std::env::temp_dir().join(format!("lianxin-bench-sugg-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let url = url.unwrap_or_else(|| format!("sqlite://{}/lianxin.sqlite?mode=rwc", tmp.display()));
    println!(
        "# lianxin-bench suggestions: {items} items, database {}",
        lianxin::platform::config::mask_url(&url)
    );
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
    let deputies: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM deputies WHERE congress_id = $1 AND status = 'in_office' ORDER BY id",
    )
    .bind(district.0)
    .fetch_all(&db.pool)
    .await?;
    let states = [
        "submitted",
        "registered",
        "assigned",
        "assigned",
        "replied",
        "closed",
        "closed",
        "closed",
        "closed",
        "closed",
    ];
    let t = Instant::now();
    let batch = 500;
    for start in (0..items).step_by(batch) {
        let mut tx = db.write().await?;
        let n = batch.min(items - start);
        let mut sql = String::from(
            "INSERT INTO suggestions (congress_id, lead_deputy_id, title, content, category, period_kind, period_key, number, state, due_on, replied_on, created_at, updated_at) VALUES ",
        );
        for k in 0..n {
            let b = k * 10;
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, 'other', 'recess', ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 10
            ));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for k in 0..n {
            let i = start + k;
            let st = states[i % states.len()];
            let numbered = st != "submitted";
            q = q
                .bind(district.0)
                .bind(deputies[i % deputies.len()].0)
                .bind(format!("关于第{i}号合成事项的建议"))
                .bind("合成内容，用于基准测试。")
                .bind(format!("y{}", 2000 + i / 5000))
                .bind(numbered.then_some((i % 5000) as i64 + 1_000_000))
                .bind(st)
                .bind(Some("2026-06-01").filter(|_| numbered))
                .bind(Some("2026-05-01").filter(|_| st == "replied" || st == "closed"))
                .bind(now);
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
    }
    println!(
        "seeded {items} suggestions in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // A bulk load leaves PostgreSQL's planner statistics describing the 36 demo items until
    // autovacuum's next pass (within a minute); until then it plans for a tiny table (seq scans
    // in every look-up). Measure what a running installation sees: after the analyze.
    if db.backend == lianxin::db::Backend::Postgres {
        sqlx::query("ANALYZE").execute(&db.pool).await?;
    }

    // Submission throughput through the real commands.
    let (office,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE username = 'daibiao'")
        .fetch_one(&db.pool)
        .await?;
    let n_submit = 300usize;
    let mut per = Vec::with_capacity(n_submit);
    let t = Instant::now();
    for i in 0..n_submit {
        let lead = deputies[i % deputies.len()].0;
        let o = Origin {
            user: UserId(office),
            client_addr: None,
            now,
            today: chrono::Utc::now().date_naive(),
        };
        let t1 = Instant::now();
        let id = lianxin::suggestions::service::draft(
            &db,
            district,
            lead,
            &DraftInput {
                title: format!("关于基准测试第{i}号的建议"),
                content: "基准测试：起草并提交。".into(),
                category: "other".into(),
                cosigners: String::new(),
                town: String::new(),
                as_delegation: false,
            },
            &o,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        lianxin::suggestions::service::lead_action(&db, district, id, lead, false, &o)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        per.push(t1.elapsed().as_secs_f64() * 1000.0);
    }
    let total = t.elapsed().as_secs_f64();
    println!(
        "submission (draft + submit, 2 transactions each): {:.0} suggestions/s sequential; p50 {:.2} ms, p99 {:.2} ms",
        n_submit as f64 / total,
        pct(per.clone(), 0.5),
        pct(per, 0.99)
    );

    // The office inbox.
    async fn time<F, Fut>(runs: usize, mut f: F) -> Result<(f64, f64)>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<()>>,
    {
        let mut v = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            f().await?;
            v.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        Ok((pct(v.clone(), 0.5), pct(v, 0.99)))
    }
    let c: CongressId = district;
    let today = chrono::Utc::now().date_naive().to_string();
    let base = time(runs, || async {
        sqlx::query("SELECT 1").execute(&db.pool).await?;
        Ok(())
    })
    .await?;
    let rows = [
        (
            "inbox: submitted, first page (50)",
            time(runs, || async {
                suggestions::list(&db, c, Scope::All, Some("submitted"), None, 50).await?;
                Ok(())
            })
            .await?,
        ),
        (
            "inbox: all states, first page (50)",
            time(runs, || async {
                suggestions::list(&db, c, Scope::All, None, None, 50).await?;
                Ok(())
            })
            .await?,
        ),
        (
            "inbox: a deputy's own items",
            time(runs, || async {
                suggestions::list(&db, c, Scope::Deputy(deputies[7].0), None, None, 50).await?;
                Ok(())
            })
            .await?,
        ),
        (
            "statistics block (counts over all items)",
            time(runs.min(50), || async {
                suggestions::stats(&db, c, &today, &[]).await?;
                Ok(())
            })
            .await?,
        ),
    ];
    println!("| query | p50 ms | p99 ms | p50 / SELECT 1 |");
    println!("|---|---:|---:|---:|");
    println!(
        "| baseline SELECT 1 | {:.3} | {:.3} | 1.0× |",
        base.0, base.1
    );
    for (name, (p50, p99)) in rows {
        println!(
            "| {name} | {p50:.2} | {p99:.2} | {:.0}× |",
            p50 / base.0.max(0.001)
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
