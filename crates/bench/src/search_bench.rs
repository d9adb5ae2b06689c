//! `lianxin-bench search`: normalisation and segmentation throughput (characters per second), and
//! search latency over generated Chinese texts (default 1,000,000) — the in-database full-text
//! search against a `LIKE '%…%'` scan, in the same run.

use anyhow::Result;
use lianxin::platform::ids::CongressId;
use std::time::{Duration, Instant};

const SUBJECTS: &[&str] = &[
    "小区停车难",
    "老旧小区加装电梯",
    "垃圾分类收运",
    "学校周边交通拥堵",
    "社区卫生服务中心排队",
    "乡村道路破损",
    "路灯不亮",
    "夜间施工噪音",
    "物业服务收费",
    "养老服务站点不足",
    "农贸市场环境",
    "公交线路调整",
    "雨污管网改造",
    "河道水质",
    "外卖电动车乱停",
    "菜市场价格",
    "托育机构收费",
    "医保报销流程",
    "公共厕所不足",
    "健身器材损坏",
];
const PLACES: &[&str] = &[
    "青石镇",
    "白沙镇",
    "柳河镇",
    "松岗镇",
    "桃源镇",
    "云溪镇",
    "东湖社区",
    "西园社区",
    "南街村",
    "北山村",
];
const ASKS: &[&str] = &[
    "希望有关部门尽快研究解决",
    "建议增加投入并明确责任单位",
    "请区人大代表督促落实",
    "群众反映强烈，建议列入民生实事项目",
    "建议完善长效管理机制",
    "请承办单位答复办理进度",
    "建议组织代表开展专题视察",
];

use lianxin::app::demo::names::Lcg;

/// An opinion-like text of 40–120 characters; one in ten in traditional characters.
fn text(rng: &mut Lcg, i: usize) -> (String, String) {
    let place = rng.pick(PLACES);
    let subject = rng.pick(SUBJECTS);
    let title = format!("关于{place}{subject}问题的意见");
    let mut body = format!(
        "{place}居民反映，{subject}问题已持续较长时间，影响群众日常生活。{}。",
        rng.pick(ASKS)
    );
    if rng.next_u64().is_multiple_of(3) {
        body.push_str(&format!("另外，{}也需要关注。", rng.pick(SUBJECTS)));
    }
    // A handful of documents carry a rare name, for the selective query.
    if i % 100_000 == 7 {
        body.push_str("联系人欧阳明月。");
    }
    if i % 10 == 3 {
        (hanconv::s2t(&title), hanconv::s2t(&body))
    } else {
        (title, body)
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

pub async fn run(
    db: &lianxin::db::Db,
    congress: CongressId,
    docs: usize,
    runs: usize,
) -> Result<()> {
    let mut rng = Lcg(2026);
    // 1. Text throughput on 100,000 texts.
    let sample: Vec<String> = (0..100_000.min(docs))
        .map(|i| {
            let (t, b) = text(&mut rng, i);
            format!("{t} {b}")
        })
        .collect();
    let chars: usize = sample.iter().map(|s| s.chars().count()).sum();
    let t0 = Instant::now();
    for s in &sample {
        std::hint::black_box(lianxin::text::normalize(s));
    }
    let norm = t0.elapsed();
    let t0 = Instant::now();
    for s in &sample {
        std::hint::black_box(lianxin::text::tokens(s));
    }
    let seg = t0.elapsed();
    println!(
        "normalisation: {:.1} M chars/s; normalisation + segmentation (jieba + bigrams): {:.2} M chars/s ({} texts, {} chars)",
        chars as f64 / norm.as_secs_f64() / 1e6,
        chars as f64 / seg.as_secs_f64() / 1e6,
        sample.len(),
        chars
    );

    // 2. Index `docs` texts (bulk, 500 rows per statement).
    let bar = indicatif::ProgressBar::new(docs as u64);
    let t0 = Instant::now();
    let mut rng = Lcg(2026);
    let mut tx = db.write().await?;
    let mut i = 0;
    while i < docs {
        let n = 500.min(docs - i);
        let mut sql = String::from(
            "INSERT INTO search_docs (congress_id, kind, item_id, title, body, tokens, updated_at) VALUES ",
        );
        let mut rows = Vec::with_capacity(n);
        for k in 0..n {
            let (title, body) = text(&mut rng, i + k);
            let tokens = lianxin::search::doc_tokens(&lianxin::search::Doc {
                congress,
                kind: "opinion",
                item_id: (i + k) as i64,
                title: &title,
                body: &body,
            });
            let b = k * 6;
            if k > 0 {
                sql.push(',');
            }
            sql.push_str(&format!(
                "(${}, 'opinion', ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6
            ));
            rows.push((i + k, title, body, tokens));
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (item, title, body, tokens) in rows {
            q = q
                .bind(congress.0)
                .bind(item as i64)
                .bind(title)
                .bind(body)
                .bind(tokens)
                .bind(0i64);
        }
        q.execute(&mut *tx).await?;
        i += n;
        bar.set_position(i as u64);
        if i % 100_000 == 0 {
            tx.commit().await?;
            tx = db.write().await?;
        }
    }
    tx.commit().await?;
    bar.finish_and_clear();
    println!(
        "indexed {docs} texts in {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // 3. Queries: selective, medium, frequent, traditional script; search vs LIKE in the same run.
    let queries = [
        ("selective (a rare name)", "欧阳明月"),
        ("medium (one subject)", "加装电梯"),
        ("frequent (in most texts)", "居民"),
        ("traditional script query", "垃圾分類"),
    ];
    println!();
    println!(
        "| query | hits (first page) | search p50 ms | search p99 ms | LIKE p50 ms | LIKE p99 ms | LIKE / search |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, q) in queries {
        let mut s_times = Vec::new();
        let mut l_times = Vec::new();
        let mut hits = 0;
        for _ in 0..runs {
            let t = Instant::now();
            hits = lianxin::search::search(db, congress, "opinion", q, None, 20)
                .await?
                .len()
                .min(20);
            s_times.push(t.elapsed());
            let t = Instant::now();
            std::hint::black_box(lianxin::search::like_scan(db, congress, "opinion", q, 20).await?);
            l_times.push(t.elapsed());
        }
        s_times.sort();
        l_times.sort();
        println!(
            "| {name}: `{q}` | {hits} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0}× |",
            ms(pct(&s_times, 0.5)),
            ms(pct(&s_times, 0.99)),
            ms(pct(&l_times, 0.5)),
            ms(pct(&l_times, 0.99)),
            pct(&l_times, 0.5).as_secs_f64() / pct(&s_times, 0.5).as_secs_f64()
        );
    }
    Ok(())
}
