//! Near-duplicate grouping on submission, and the office's merge and split. The similarity
//! itself is `text::similar` (pure); here it meets the opinions of one congress.

use super::super::store;
use crate::audit::{self, Outcome, Record};
use crate::db::{Db, Tx};
use crate::platform::error::AppError;
use crate::platform::error::Field;
use crate::platform::ids::CongressId;
use crate::platform::origin::Origin;
use crate::text::similar;

/// Candidates read per LSH bucket.
const PER_BUCKET: i64 = similar::PER_BUCKET as i64;

/// Opinions sharing buckets looked at, those sharing the most first.
const MATES_READ: usize = 16;

/// Group leaders compared exactly with a new opinion, at most.
const LEADERS_COMPARED: usize = 6;

/// The features of recent group leaders' texts, by the texts' digest: content-addressed, so an
/// entry is never stale whatever database or congress the text came from. Emptied when full
/// (popular groups come back at once).
type FeatureCache = std::collections::HashMap<[u8; 32], std::sync::Arc<Vec<u64>>>;
static LEADER_FEATURES: std::sync::LazyLock<std::sync::Mutex<FeatureCache>> =
    std::sync::LazyLock::new(Default::default);
const LEADER_CACHE: usize = 20_000;

fn features_cached(body: &str) -> std::sync::Arc<Vec<u64>> {
    let key = crate::platform::seal::sm3_bytes(body.as_bytes());
    if let Ok(cache) = LEADER_FEATURES.lock()
        && let Some(f) = cache.get(&key)
    {
        return f.clone();
    }
    let f = std::sync::Arc::new(similar::features(body));
    if let Ok(mut cache) = LEADER_FEATURES.lock() {
        if cache.len() >= LEADER_CACHE {
            cache.clear();
        }
        cache.insert(key, f.clone());
    }
    f
}

/// What grouping needs of a text, computed before the write (it costs a segmentation).
#[derive(Debug, Clone)]
pub struct Features {
    pub features: Vec<u64>,
    pub buckets: Vec<i64>,
}

impl Features {
    pub fn of(congress: CongressId, body: &str) -> Features {
        let features = similar::features(body);
        let buckets = similar::buckets(congress.0, &similar::signature(&features));
        Features { features, buckets }
    }
}

/// The congress's threshold (`opinion.similarity`).
pub async fn threshold(db: &Db, congress: CongressId) -> Result<f64, AppError> {
    let r = crate::settings::get(db, congress, "opinion.similarity").await?;
    Ok(r.and_then(|r| r.value.parse().ok())
        .unwrap_or(similar::DEFAULT_THRESHOLD))
}

/// Links a new opinion to the group of the open opinions of its congress whose leader it
/// resembles most, if any reaches the threshold (an ungrouped candidate leads a new group), and
/// files its buckets. As in `similar::group_all`, the comparison is with the leader, so that
/// groups do not chain from one matter to the next.
pub(crate) async fn link(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    text: &Features,
    threshold: f64,
    user: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    let (features, buckets) = (&text.features, &text.buckets);
    // The leaders the candidates belong to, those sharing the most buckets first; only the
    // first few are compared exactly (each comparison segments a text).
    let mut shared: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for mate in store::bucket_mates(tx, buckets, PER_BUCKET).await? {
        if mate != id {
            *shared.entry(mate).or_default() += 1;
        }
    }
    let mut mates: Vec<(usize, i64)> = shared.into_iter().map(|(m, n)| (n, m)).collect();
    mates.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    mates.truncate(MATES_READ);
    let ids: Vec<i64> = mates.iter().map(|(_, m)| *m).collect();
    let mut votes: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for c in store::open_of(tx, congress, &ids).await? {
        let n = mates
            .iter()
            .find(|(_, m)| *m == c.id)
            .map_or(1, |(n, _)| *n);
        *votes.entry(c.group_id.unwrap_or(c.id)).or_default() += n;
    }
    let mut leaders: Vec<(usize, i64)> = votes.into_iter().map(|(l, n)| (n, l)).collect();
    leaders.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    leaders.truncate(LEADERS_COMPARED);
    let ids: Vec<i64> = leaders.iter().map(|(_, l)| *l).collect();
    let mut known = Vec::new();
    for (leader, body) in store::bodies(tx, congress, &ids).await? {
        known.push((leader, features_cached(&body)));
    }
    let best = known
        .into_iter()
        .map(|(leader, f)| (similar::jaccard(features, f.as_slice()), leader))
        .filter(|(s, _)| *s >= threshold)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    if let Some((_, leader)) = best {
        store::set_group(tx, congress, &[leader, id], leader).await?;
        store::event(tx, congress, id, user, "grouped", "", now).await?;
    }
    store::set_buckets(tx, congress, id, buckets).await?;
    Ok(())
}

/// 合并办理 — the office handles a group's open opinions as one: `primary`'s answer reaches
/// every citizen of the group. Returns how many were merged.
pub async fn merge(
    db: &Db,
    congress: CongressId,
    group: i64,
    primary: i64,
    o: &Origin,
) -> Result<usize, AppError> {
    let members = store::members(db, congress, group).await?;
    if members.len() < 2 {
        return Err(AppError::NotFound);
    }
    let Some(p) = members.iter().find(|m| m.id == primary) else {
        return Err(AppError::field(
            Field("primary"),
            "opinion.primary_not_in_group",
        ));
    };
    if !p.is_open() || p.merged_into.is_some() {
        return Err(AppError::field(
            Field("primary"),
            "opinion.primary_not_open",
        ));
    }
    let mut tx = db.write().await?;
    let merged = store::merge(&mut tx, congress, group, primary, o.now).await?;
    if merged.is_empty() {
        return Err(AppError::field(
            Field("primary"),
            "opinion.nothing_to_merge",
        ));
    }
    for m in &merged {
        store::event(
            &mut tx,
            congress,
            *m,
            Some(o.user.0),
            "merged",
            "与反映同一问题的意见合并办理，答复将同时告知您",
            o.now,
        )
        .await?;
    }
    store::event(
        &mut tx,
        congress,
        primary,
        Some(o.user.0),
        "merged_primary",
        "",
        o.now,
    )
    .await?;
    audit::append(
        &mut tx,
        &Record {
            at: o.now,
            user: Some(o.user),
            congress: Some(congress),
            action: "opinions.merge",
            target: format!("opinion:{primary}"),
            outcome: Outcome::Success,
            fields: &["merged_into"],
            client_addr: o.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(merged.len())
}

/// 拆分 — the office takes an opinion out of its group; whatever was merged into it is handled
/// on its own again. The history of each keeps the step.
pub async fn split(db: &Db, congress: CongressId, id: i64, o: &Origin) -> Result<(), AppError> {
    let op = store::get(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if op.group_id.is_none() {
        return Err(AppError::field(Field("group"), "opinion.not_in_group"));
    }
    let mut tx = db.write().await?;
    let freed = store::split(&mut tx, congress, id, o.now).await?;
    let note = if op.merged_into.is_some() {
        "不再与其他意见合并，单独办理"
    } else {
        ""
    };
    store::event(&mut tx, congress, id, Some(o.user.0), "split", note, o.now).await?;
    for f in freed {
        store::event(
            &mut tx,
            congress,
            f,
            Some(o.user.0),
            "split",
            "不再与其他意见合并，单独办理",
            o.now,
        )
        .await?;
    }
    audit::append(
        &mut tx,
        &Record {
            at: o.now,
            user: Some(o.user),
            congress: Some(congress),
            action: "opinions.split",
            target: format!("opinion:{id}"),
            outcome: Outcome::Success,
            fields: &["group_id", "merged_into"],
            client_addr: o.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
