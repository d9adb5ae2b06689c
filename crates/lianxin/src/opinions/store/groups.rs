//! Near-duplicate groups: the LSH buckets of each opinion, the candidates sharing them, the
//! group an opinion joins, and staff merging (one answer for all) and splitting.

use super::{Opinion, SELECT};
use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

pub async fn set_buckets(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    buckets: &[i64],
) -> Result<(), sqlx::Error> {
    if buckets.is_empty() {
        return Ok(());
    }
    // One statement for all of them: this runs for every submission, inside the group commit.
    let values: Vec<String> = (0..buckets.len())
        .map(|i| format!("($1, ${}, $2)", i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO opinion_buckets (congress_id, bucket, opinion_id) VALUES {} ON CONFLICT DO NOTHING",
        values.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(id);
    for b in buckets {
        q = q.bind(b);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// An open opinion sharing a bucket with a new one, with the group it belongs to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Candidate {
    pub id: i64,
    pub group_id: Option<i64>,
}

/// The opinions sharing the buckets: the latest `per_bucket` of each bucket (an index range
/// each, however large the bucket has grown), once per bucket shared — so an opinion sharing
/// more buckets comes back more often.
pub async fn bucket_mates(
    tx: &mut Tx<'_>,
    buckets: &[i64],
    per_bucket: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    if buckets.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<String> = (0..buckets.len())
        .map(|i| {
            format!(
                "SELECT opinion_id FROM (SELECT opinion_id FROM opinion_buckets WHERE bucket = ${} ORDER BY opinion_id DESC LIMIT $1) b{i}",
                i + 2
            )
        })
        .collect();
    let mut q = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(parts.join(" UNION ALL ")))
        .bind(per_bucket);
    for b in buckets {
        q = q.bind(b);
    }
    Ok(q.fetch_all(&mut **tx)
        .await?
        .into_iter()
        .map(|(i,)| i)
        .collect())
}

/// Which of the given opinions are open in the congress, with their groups.
pub async fn open_of(
    tx: &mut Tx<'_>,
    congress: CongressId,
    ids: &[i64],
) -> Result<Vec<Candidate>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT id, group_id FROM opinions WHERE congress_id = $1 AND state IN ('received', 'reopened') AND id IN ({})",
        list.join(", ")
    );
    let mut q = sqlx::query_as::<_, Candidate>(sqlx::AssertSqlSafe(sql)).bind(congress.0);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(&mut **tx).await
}

/// The texts of the given opinions of the congress (group leaders, to compare with).
pub async fn bodies(
    tx: &mut Tx<'_>,
    congress: CongressId,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT id, body FROM opinions WHERE congress_id = $1 AND id IN ({})",
        list.join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql)).bind(congress.0);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(&mut **tx).await
}

/// Puts opinions in a group (by the group's id).
pub async fn set_group(
    tx: &mut Tx<'_>,
    congress: CongressId,
    ids: &[i64],
    group: i64,
) -> Result<(), sqlx::Error> {
    for id in ids {
        sqlx::query("UPDATE opinions SET group_id = $3 WHERE congress_id = $1 AND id = $2")
            .bind(congress.0)
            .bind(id)
            .bind(group)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// A group of similar opinions as the office's list shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct GroupRow {
    pub group_id: i64,
    pub size: i64,
    pub open: i64,
    pub merged: i64,
    /// The first opinion's text, to recognise the matter.
    pub body: String,
}

/// The congress's groups of two or more, largest first.
pub async fn groups(
    db: &Db,
    congress: CongressId,
    limit: i64,
) -> Result<Vec<GroupRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT g.group_id, g.size, g.open, g.merged, f.body FROM \
         (SELECT group_id, COUNT(*) AS size, SUM(CASE WHEN state IN ('received', 'reopened') THEN 1 ELSE 0 END) AS open, \
          SUM(CASE WHEN merged_into IS NOT NULL THEN 1 ELSE 0 END) AS merged \
          FROM opinions WHERE congress_id = $1 AND group_id IS NOT NULL GROUP BY group_id HAVING COUNT(*) > 1) g \
         JOIN opinions f ON f.id = g.group_id ORDER BY g.size DESC, g.group_id LIMIT $2",
    )
    .bind(congress.0)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

pub async fn members(
    db: &Db,
    congress: CongressId,
    group: i64,
) -> Result<Vec<Opinion>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE o.congress_id = $1 AND o.group_id = $2 ORDER BY o.id"
    )))
    .bind(congress.0)
    .bind(group)
    .fetch_all(&db.pool)
    .await
}

/// 合并办理: every open member of the group not merged yet is handled with `primary`. Returns
/// the ids merged.
pub async fn merge(
    tx: &mut Tx<'_>,
    congress: CongressId,
    group: i64,
    primary: i64,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM opinions WHERE congress_id = $1 AND group_id = $2 AND id <> $3 AND merged_into IS NULL \
         AND state IN ('received', 'reopened') ORDER BY id",
    )
    .bind(congress.0)
    .bind(group)
    .bind(primary)
    .fetch_all(&mut **tx)
    .await?;
    for (id,) in &ids {
        sqlx::query(
            "UPDATE opinions SET merged_into = $3, updated_at = $4 WHERE congress_id = $1 AND id = $2",
        )
        .bind(congress.0)
        .bind(id)
        .bind(primary)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(ids.into_iter().map(|(i,)| i).collect())
}

/// 拆分: the opinion leaves its group (and whatever was merged into it is handled on its own
/// again). Returns the ids that were merged into it.
pub async fn split(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let freed: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM opinions WHERE congress_id = $1 AND merged_into = $2 ORDER BY id",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query("UPDATE opinions SET merged_into = NULL, updated_at = $3 WHERE congress_id = $1 AND merged_into = $2")
        .bind(congress.0)
        .bind(id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE opinions SET group_id = NULL, merged_into = NULL, updated_at = $3 WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(freed.into_iter().map(|(i,)| i).collect())
}

/// Answers the open opinions merged into `primary` with its answer; returns their ids.
pub async fn answer_merged(
    tx: &mut Tx<'_>,
    congress: CongressId,
    primary: i64,
    answer: &str,
    on: &str,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM opinions WHERE congress_id = $1 AND merged_into = $2 AND state IN ('received', 'reopened') ORDER BY id",
    )
    .bind(congress.0)
    .bind(primary)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE opinions SET state = 'answered', answer = $3, answered_on = $4, updated_at = $5 \
         WHERE congress_id = $1 AND merged_into = $2 AND state IN ('received', 'reopened')",
    )
    .bind(congress.0)
    .bind(primary)
    .bind(answer)
    .bind(on)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(ids.into_iter().map(|(i,)| i).collect())
}
