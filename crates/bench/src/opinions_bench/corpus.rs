//! The generated million: a citizen's opinion in the words citizens use (a town and a street or
//! community of the demo, one of 46 problems in eight categories, how long, what it does, what is
//! asked; one in ten in traditional characters), and its bulk load with the search tokens and
//! LSH buckets the real path writes.

use anyhow::Result;
use lianxin::app::demo::names::Lcg;
use lianxin::platform::ids::CongressId;
use lianxin::text::similar;

const STREETS: &[&str] = &[
    "幸福路",
    "人民路",
    "建设路",
    "中心路",
    "和平街",
    "解放路",
    "新华路",
    "滨江路",
    "南湖路",
    "老街",
];
const COMMUNITIES: &[&str] = &[
    "阳光小区",
    "和平小区",
    "滨江花园",
    "翠湖苑",
    "东河村",
    "红星村",
    "西山村",
    "城南社区",
    "城北社区",
];
/// (category, problems) — the matters citizens raise most.
const PROBLEMS: &[(&str, &[&str])] = &[
    (
        "roads_transport",
        &[
            "路灯坏了",
            "路面坑洼不平",
            "红绿灯故障",
            "公交班次太少",
            "乱停车堵塞道路",
            "人行道被占用",
            "缺少减速带",
            "下雨积水严重",
        ],
    ),
    (
        "schools",
        &[
            "学校门口上下学拥堵",
            "学位紧张孩子入学难",
            "校车存在安全隐患",
            "学校周边小摊卖三无食品",
            "幼儿园收费偏高",
            "课后托管服务不足",
        ],
    ),
    (
        "elderly_care",
        &[
            "老年食堂太少",
            "养老院床位紧张",
            "高龄补贴申请繁琐",
            "缺少日间照料中心",
            "独居老人无人照看",
            "老旧小区没有电梯",
        ],
    ),
    (
        "medical_insurance",
        &[
            "医保异地报销手续繁琐",
            "门诊报销比例偏低",
            "社区卫生站药品不全",
            "看病排队时间长",
            "医保卡在药店不能用",
            "慢性病认定程序复杂",
        ],
    ),
    (
        "environment",
        &[
            "工厂夜间偷排污水",
            "垃圾几天没人清运",
            "河道漂浮垃圾",
            "烧烤油烟扰民",
            "工地夜间施工噪音",
            "养殖场臭味很大",
        ],
    ),
    (
        "business",
        &[
            "小微企业开办手续多",
            "审批时间太长",
            "企业融资难",
            "市场摊位费上涨",
            "企业招工难",
            "营商环境有待优化",
        ],
    ),
    (
        "housing",
        &[
            "老旧小区改造进度慢",
            "物业不作为",
            "楼道堆满杂物",
            "房屋漏水无人维修",
            "公租房申请难",
        ],
    ),
    (
        "public_safety",
        &[
            "小区监控坏了",
            "电动车乱拉电线充电",
            "消防通道被堵",
            "夜间治安差",
            "河边缺少护栏",
        ],
    ),
];
const OPENERS: &[&str] = &[
    "",
    "您好，",
    "反映一个问题：",
    "我是附近的居民，",
    "作为老住户，",
];
const DURATIONS: &[&str] = &[
    "好几天了",
    "一个多月了",
    "很长时间了",
    "已经半年了",
    "反复出现",
];
const EFFECTS: &[&str] = &[
    "影响出行",
    "存在安全隐患",
    "群众意见很大",
    "老人孩子很不方便",
    "晚上很不安全",
    "严重影响生活",
];
const REQUESTS: &[&str] = &[
    "希望尽快解决。",
    "请有关部门重视。",
    "建议尽快协调处理。",
    "盼回复！",
    "希望人大代表督促解决。",
];

/// One generated opinion: (category, place, text); one in ten in traditional characters.
pub(super) fn opinion(rng: &mut Lcg, towns: &[&str], i: usize) -> (&'static str, String, String) {
    let (category, problems) = PROBLEMS[(rng.next_u64() % PROBLEMS.len() as u64) as usize];
    let town = towns[(rng.next_u64() % towns.len() as u64) as usize];
    let place = if rng.next_u64().is_multiple_of(2) {
        format!("{town}{}", rng.pick(STREETS))
    } else {
        format!("{town}{}", rng.pick(COMMUNITIES))
    };
    let body = format!(
        "{}{place}{}，{}，{}，{}",
        rng.pick(OPENERS),
        rng.pick(problems),
        rng.pick(DURATIONS),
        rng.pick(EFFECTS),
        rng.pick(REQUESTS)
    );
    let body = if i % 10 == 3 {
        hanconv::s2t(&body)
    } else {
        body
    };
    (category, place, body)
}

struct Row {
    category: &'static str,
    place: String,
    body: String,
    tokens: String,
    buckets: Vec<i64>,
}

/// Loads `items` generated opinions in transactions of 2,000 (multi-row inserts), computing
/// the search tokens and LSH buckets on both cores.
pub(super) async fn load(
    db: &lianxin::db::Db,
    congress: CongressId,
    items: usize,
    now: i64,
) -> Result<()> {
    let (max_id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM opinions")
        .fetch_one(&db.pool)
        .await?;
    let towns: Vec<&str> = lianxin::app::demo::TOWNS.to_vec();
    let mut rng = Lcg(20_261_129);
    let bar = indicatif::ProgressBar::new(items as u64);
    bar.set_style(indicatif::ProgressStyle::with_template(
        "{elapsed_precise} [{bar:40}] {pos}/{len} opinions ({per_sec})",
    )?);
    const BATCH: usize = 2_000;
    let mut next = 0usize;
    while next < items {
        let n = BATCH.min(items - next);
        let raw: Vec<_> = (0..n)
            .map(|k| opinion(&mut rng, &towns, next + k))
            .collect();
        // Tokens and buckets on two threads: the segmenter is the cost.
        let half = raw.len() / 2;
        let compute = |part: &[(&'static str, String, String)], base: usize| -> Vec<Row> {
            part.iter()
                .enumerate()
                .map(|(k, (category, place, body))| {
                    let doc = lianxin::search::Doc {
                        congress,
                        kind: "opinion",
                        item_id: max_id + 1 + (base + k) as i64,
                        title: "",
                        body,
                    };
                    Row {
                        category,
                        place: place.clone(),
                        body: body.clone(),
                        tokens: lianxin::search::doc_tokens(&doc),
                        buckets: similar::buckets(
                            congress.0,
                            &similar::signature(&similar::features(body)),
                        ),
                    }
                })
                .collect()
        };
        let rows: Vec<Row> = std::thread::scope(|s| {
            let a = s.spawn(|| compute(&raw[..half], next));
            let b = compute(&raw[half..], next + half);
            let mut a = a.join().unwrap_or_default();
            a.extend(b);
            a
        });
        let mut tx = db.write().await?;
        for (chunk_no, chunk) in rows.chunks(500).enumerate() {
            let first = max_id + 1 + (next + chunk_no * 500) as i64;
            let mut sql = String::from(
                "INSERT INTO opinions (id, congress_id, tracking_code, kind, category, place, channel, body, share_contact, state, created_at, updated_at, due_on, holder) VALUES ",
            );
            for k in 0..chunk.len() {
                let b = k * 7;
                sql.push_str(&format!(
                    "{}(${}, ${}, ${}, 'need', ${}, ${}, 'web', ${}, 0, 'received', ${}, ${}, '2099-12-31', 'congress')",
                    if k == 0 { "" } else { ", " },
                    b + 1,
                    b + 2,
                    b + 3,
                    b + 4,
                    b + 5,
                    b + 6,
                    b + 7,
                    b + 7
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, r) in chunk.iter().enumerate() {
                let id = first + k as i64;
                q = q
                    .bind(id)
                    .bind(congress.0)
                    .bind(format!("B{id:09}"))
                    .bind(r.category)
                    .bind(r.place.clone())
                    .bind(r.body.clone())
                    .bind(now - (items - (next + chunk_no * 500 + k)) as i64 * 1000);
            }
            q.execute(&mut *tx).await?;
            let mut sql = String::from(
                "INSERT INTO search_docs (congress_id, kind, item_id, title, body, tokens, updated_at) VALUES ",
            );
            for k in 0..chunk.len() {
                let b = k * 3;
                sql.push_str(&format!(
                    "{}({}, 'opinion', ${}, '', ${}, ${}, {now})",
                    if k == 0 { "" } else { ", " },
                    congress.0,
                    b + 1,
                    b + 2,
                    b + 3
                ));
            }
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (k, r) in chunk.iter().enumerate() {
                q = q
                    .bind(first + k as i64)
                    .bind(r.body.clone())
                    .bind(r.tokens.clone());
            }
            q.execute(&mut *tx).await?;
            let mut sql = String::from(
                "INSERT INTO opinion_buckets (congress_id, bucket, opinion_id) VALUES ",
            );
            let mut binds = Vec::new();
            for (k, r) in chunk.iter().enumerate() {
                for b in &r.buckets {
                    binds.push((*b, first + k as i64));
                }
            }
            for (k, _) in binds.iter().enumerate() {
                sql.push_str(&format!(
                    "{}({}, ${}, ${})",
                    if k == 0 { "" } else { ", " },
                    congress.0,
                    2 * k + 1,
                    2 * k + 2
                ));
            }
            sql.push_str(" ON CONFLICT DO NOTHING");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (b, id) in binds {
                q = q.bind(b).bind(id);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        next += n;
        bar.set_position(next as u64);
    }
    bar.finish();
    if db.backend == lianxin::db::Backend::Postgres {
        sqlx::query("SELECT setval(pg_get_serial_sequence('opinions', 'id'), (SELECT MAX(id) FROM opinions))")
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}
