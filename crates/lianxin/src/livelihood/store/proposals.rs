//! The SQL of proposals: inserted once per opinion or suggestion in a cycle (the unique indexes
//! decide), listed, and settled into a project or rejected with a reason.

use super::*;

pub struct NewProposalRow<'a> {
    pub cycle: i64,
    pub source: &'a str,
    pub opinion_id: Option<i64>,
    pub suggestion_id: Option<i64>,
    pub place: &'a str,
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub group_id: Option<i64>,
    pub by: Option<i64>,
}

/// Inserts a proposal; none when its opinion or suggestion is already proposed in the cycle
/// (the unique indexes decide, also between two requests at once).
pub async fn insert_proposal(
    tx: &mut Tx<'_>,
    congress: CongressId,
    p: &NewProposalRow<'_>,
    now: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO livelihood_proposals (congress_id, cycle_id, source, opinion_id, suggestion_id, place, category, title, body, group_id, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'received', $11, $12) ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(congress.0)
    .bind(p.cycle)
    .bind(p.source)
    .bind(p.opinion_id)
    .bind(p.suggestion_id)
    .bind(p.place)
    .bind(p.category)
    .bind(p.title)
    .bind(p.body)
    .bind(p.group_id)
    .bind(p.by)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn proposals(db: &Db, cycle: i64) -> Result<Vec<ProposalRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PROPOSAL} WHERE cycle_id = $1 ORDER BY id"
    )))
    .bind(cycle)
    .fetch_all(&db.pool)
    .await
}

pub async fn proposal(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<ProposalRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PROPOSAL} WHERE congress_id = $1 AND id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Whether an opinion or a suggestion was already proposed in this cycle.
pub async fn proposed_from(
    db: &Db,
    cycle: i64,
    opinion: Option<i64>,
    suggestion: Option<i64>,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM livelihood_proposals WHERE cycle_id = $1 AND (opinion_id = $2 OR suggestion_id = $3)",
    )
    .bind(cycle)
    .bind(opinion)
    .bind(suggestion)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

/// Adopts proposals (and those grouped with them) into a project, or rejects one with a reason;
/// only proposals still received change.
pub async fn settle_proposals(
    tx: &mut Tx<'_>,
    cycle: i64,
    ids: &[i64],
    state: &str,
    reason: Option<&str>,
    project: Option<i64>,
) -> Result<u64, sqlx::Error> {
    let mut n = 0;
    for id in ids {
        n += sqlx::query(
            "UPDATE livelihood_proposals SET state = $3, reason = $4, project_id = $5 \
             WHERE cycle_id = $1 AND (id = $2 OR group_id = $2) AND state = 'received'",
        )
        .bind(cycle)
        .bind(id)
        .bind(state)
        .bind(reason)
        .bind(project)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(n)
}
