//! Near-duplicate grouping on submission, and the office's merge and split. The similarity
//! itself is `text::similar` (pure); here it meets the opinions of one congress.

use super::super::store;
use super::invalid;
use crate::audit::{self, Outcome, Record};
use crate::db::{Db, Tx};
use crate::platform::error::AppError;
use crate::platform::ids::CongressId;
use crate::platform::origin::Origin;
use crate::text::similar;

/// Candidates read per LSH bucket: the most recent, as a new complaint repeats a recent one.
const PER_BUCKET: i64 = 8;

/// The congress's threshold (`opinion.similarity`).
pub async fn threshold(db: &Db, congress: CongressId) -> Result<f64, AppError> {
    let r = crate::settings::get(db, congress, "opinion.similarity").await?;
    Ok(r.and_then(|r| r.value.parse().ok())
        .unwrap_or(similar::DEFAULT_THRESHOLD))
}

/// Links a new opinion to the most similar open one of its congress, if any reaches the
/// threshold (joining its group, or forming one with it), and files its buckets.
pub(crate) async fn link(
    db: &Db,
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    body: &str,
    user: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    let features = similar::features(body);
    let buckets = similar::buckets(congress.0, &similar::signature(&features));
    let t = threshold(db, congress).await?;
    let best = store::candidates(tx, congress, &buckets, PER_BUCKET)
        .await?
        .into_iter()
        .filter(|c| c.id != id)
        .map(|c| {
            let s = similar::jaccard(&features, &similar::features(&c.body));
            (s, c)
        })
        .filter(|(s, _)| *s >= t)
        .max_by(|a, b| a.0.total_cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
    if let Some((_, c)) = best {
        let group = c.group_id.unwrap_or(c.id);
        store::set_group(tx, congress, &[c.id, id], group).await?;
        store::event(tx, congress, id, user, "grouped", "", now).await?;
    }
    store::set_buckets(tx, congress, id, &buckets).await?;
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
        return Err(invalid("primary", "opinion.primary_not_in_group"));
    };
    if !p.is_open() || p.merged_into.is_some() {
        return Err(invalid("primary", "opinion.primary_not_open"));
    }
    let mut tx = db.begin().await?;
    let merged = store::merge(&mut tx, congress, group, primary, o.now).await?;
    if merged.is_empty() {
        return Err(invalid("primary", "opinion.nothing_to_merge"));
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
        return Err(invalid("group", "opinion.not_in_group"));
    }
    let mut tx = db.begin().await?;
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
