//! The SQL of livelihood projects: cycles and their phases, proposals, candidate projects,
//! milestones, reports, supervision groups and problems. Every query names the congress.

use super::domain::{ProjectState, ProposalState};
use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

mod delivery;
mod proposals;
pub use delivery::*;
pub use proposals::*;

/// 年度周期 — a congress's cycle for one year.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CycleRow {
    pub id: i64,
    pub year: i64,
    pub title: String,
    /// N — the projects to select.
    pub places: i64,
    /// The contest ratio in percent over N (0: only more candidates than places).
    pub ratio_percent: i64,
    /// `choose` (up to N) or `per_item` (赞成/反对/弃权 on each).
    pub ballot_form: String,
    /// The approvals a project needs: `over_half_of_members` (the default, 组织法 Art 25),
    /// `over_half_of_present` or `most_votes` — the session's 票决办法.
    pub selection_rule: String,
    pub review_item_id: Option<i64>,
    pub review_opinion: Option<String>,
    pub reviewed_at: Option<i64>,
    pub vote_id: Option<i64>,
    /// `selected`, `runoff` or `shortfall`, once the vote's result is recorded.
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub rating_item_id: Option<i64>,
    pub created_at: i64,
}

const CYCLE: &str = "SELECT id, year, title, places, ratio_percent, ballot_form, selection_rule, review_item_id, review_opinion, reviewed_at, vote_id, outcome, outcome_note, rating_item_id, created_at FROM livelihood_cycles";

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PhaseRow {
    pub phase: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// 候选项目 — a candidate project, and once voted a selected (or not selected) project.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ProjectRow {
    pub id: i64,
    pub cycle_id: i64,
    pub title: String,
    pub content: String,
    pub targets: String,
    pub budget_yuan: i64,
    pub lead_unit_id: i64,
    pub lead_unit: String,
    pub timetable: String,
    pub responsible: Option<String>,
    /// `candidate`, `withdrawn`, `selected` or `not_selected`.
    pub state: ProjectState,
    /// The approvals the selection vote gave it.
    pub approvals: Option<i64>,
    pub rating_vote_id: Option<i64>,
    /// The rating's verdict: `satisfied` or `unsatisfied`.
    pub rating: Option<String>,
    pub created_at: i64,
}

const PROJECT: &str = "SELECT p.id, p.cycle_id, p.title, p.content, p.targets, p.budget_yuan, p.lead_unit_id, o.name AS lead_unit, p.timetable, p.responsible, p.state, p.approvals, p.rating_vote_id, p.rating, p.created_at FROM livelihood_projects p JOIN organizations o ON o.id = p.lead_unit_id";

/// 征集的建议 — a proposal.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ProposalRow {
    pub id: i64,
    pub cycle_id: i64,
    /// `public`, `deputy`, `station`, `opinion`, `suggestion` or `staff`.
    pub source: String,
    pub opinion_id: Option<i64>,
    pub suggestion_id: Option<i64>,
    pub place: String,
    pub category: String,
    pub title: String,
    pub body: String,
    /// The proposal it was grouped with (similar text).
    pub group_id: Option<i64>,
    /// `received`, `adopted` or `rejected`.
    pub state: ProposalState,
    /// Why it was not adopted (published).
    pub reason: Option<String>,
    pub project_id: Option<i64>,
    pub created_at: i64,
}

const PROPOSAL: &str = "SELECT id, cycle_id, source, opinion_id, suggestion_id, place, category, title, body, group_id, state, reason, project_id, created_at FROM livelihood_proposals";

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MilestoneRow {
    pub id: i64,
    pub project_id: i64,
    pub title: String,
    pub weight: i64,
    pub due_on: String,
    pub percent: i64,
    pub done_on: Option<String>,
}

/// A progress, mid-year or year-end report, or a supervision visit.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ReportRow {
    pub id: i64,
    pub project_id: i64,
    pub kind: String,
    pub body: String,
    /// The project's progress when reported.
    pub progress: Option<i64>,
    pub author: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ProblemRow {
    pub id: i64,
    pub project_id: i64,
    /// `visit` or `rating` (the rectification an unsatisfactory rating requires).
    pub origin: String,
    pub body: String,
    /// `open`, `answered` (the unit reported its rectification) or `closed`.
    pub state: String,
    pub rectification: Option<String>,
    pub created_at: i64,
    pub closed_at: Option<i64>,
}

// ---- cycles

/// A new year's cycle: N projects to select, the candidates' ratio, the ballot form and the
/// selection rule.
pub struct NewCycleRow<'a> {
    pub year: i64,
    pub title: &'a str,
    pub places: i64,
    pub ratio_percent: i64,
    pub ballot_form: &'a str,
    pub selection_rule: &'a str,
}

pub async fn insert_cycle(
    tx: &mut Tx<'_>,
    congress: CongressId,
    c: &NewCycleRow<'_>,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO livelihood_cycles (congress_id, year, title, places, ratio_percent, ballot_form, selection_rule, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $9, $7, $8) RETURNING id",
    )
    .bind(congress.0)
    .bind(c.year)
    .bind(c.title)
    .bind(c.places)
    .bind(c.ratio_percent)
    .bind(c.ballot_form)
    .bind(by)
    .bind(now)
    .bind(c.selection_rule)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn year_taken(db: &Db, congress: CongressId, year: i64) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM livelihood_cycles WHERE congress_id = $1 AND year = $2",
    )
    .bind(congress.0)
    .bind(year)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

pub async fn insert_phase(
    tx: &mut Tx<'_>,
    congress: CongressId,
    cycle: i64,
    phase: &str,
    starts_on: &str,
    ends_on: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO livelihood_phases (cycle_id, congress_id, phase, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(cycle)
    .bind(congress.0)
    .bind(phase)
    .bind(starts_on)
    .bind(ends_on)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn cycles(db: &Db, congress: CongressId) -> Result<Vec<CycleRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CYCLE} WHERE congress_id = $1 ORDER BY year DESC"
    )))
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
}

pub async fn cycle(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<CycleRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CYCLE} WHERE congress_id = $1 AND id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn phases(db: &Db, cycle: i64) -> Result<Vec<PhaseRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT phase, starts_on, ends_on FROM livelihood_phases WHERE cycle_id = $1 ORDER BY starts_on, ends_on",
    )
    .bind(cycle)
    .fetch_all(&db.pool)
    .await
}

/// Sets the cycle's review agenda item, selection vote or rating agenda item. `column` is one of
/// a fixed list, never user input. A new vote clears the outcome of the previous one.
pub async fn set_cycle_link(
    tx: &mut Tx<'_>,
    cycle: i64,
    column: CycleLink,
    id: i64,
) -> Result<(), sqlx::Error> {
    let sql = match column {
        CycleLink::ReviewItem => "UPDATE livelihood_cycles SET review_item_id = $2 WHERE id = $1",
        CycleLink::Vote => {
            "UPDATE livelihood_cycles SET vote_id = $2, outcome = NULL, outcome_note = NULL WHERE id = $1"
        }
        CycleLink::RatingItem => "UPDATE livelihood_cycles SET rating_item_id = $2 WHERE id = $1",
    };
    sqlx::query(sql)
        .bind(cycle)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum CycleLink {
    ReviewItem,
    Vote,
    RatingItem,
}

pub async fn set_review_opinion(
    tx: &mut Tx<'_>,
    cycle: i64,
    opinion: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE livelihood_cycles SET review_opinion = $2, reviewed_at = $3 WHERE id = $1")
        .bind(cycle)
        .bind(opinion)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records the vote's outcome once per vote; false if it was recorded already.
pub async fn set_outcome(
    tx: &mut Tx<'_>,
    cycle: i64,
    outcome: &str,
    note: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE livelihood_cycles SET outcome = $2, outcome_note = $3 WHERE id = $1 AND outcome IS NULL",
    )
    .bind(cycle)
    .bind(outcome)
    .bind(note)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

// ---- projects

pub struct NewProjectRow<'a> {
    pub cycle: i64,
    pub title: &'a str,
    pub content: &'a str,
    pub targets: &'a str,
    pub budget_yuan: i64,
    pub lead_unit: i64,
    pub timetable: &'a str,
    pub responsible: Option<&'a str>,
    pub by: i64,
}

pub async fn insert_project(
    tx: &mut Tx<'_>,
    congress: CongressId,
    p: &NewProjectRow<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO livelihood_projects (congress_id, cycle_id, title, content, targets, budget_yuan, lead_unit_id, timetable, responsible, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'candidate', $10, $11) RETURNING id",
    )
    .bind(congress.0)
    .bind(p.cycle)
    .bind(p.title)
    .bind(p.content)
    .bind(p.targets)
    .bind(p.budget_yuan)
    .bind(p.lead_unit)
    .bind(p.timetable)
    .bind(p.responsible)
    .bind(p.by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Amends a candidate's content, targets, budget and timetable (the review may amend the list).
pub async fn amend_project(
    tx: &mut Tx<'_>,
    id: i64,
    content: &str,
    targets: &str,
    budget_yuan: i64,
    timetable: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE livelihood_projects SET content = $2, targets = $3, budget_yuan = $4, timetable = $5 WHERE id = $1 AND state = 'candidate'",
    )
    .bind(id)
    .bind(content)
    .bind(targets)
    .bind(budget_yuan)
    .bind(timetable)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn unit_exists(db: &Db, congress: CongressId, unit: i64) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM organizations WHERE congress_id = $1 AND id = $2 AND kind = 'handling_unit'",
    )
    .bind(congress.0)
    .bind(unit)
    .fetch_one(&db.pool)
    .await?;
    Ok(n > 0)
}

pub async fn units(db: &Db, congress: CongressId) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name FROM organizations WHERE congress_id = $1 AND kind = 'handling_unit' ORDER BY name",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
}

pub async fn projects(db: &Db, cycle: i64) -> Result<Vec<ProjectRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PROJECT} WHERE p.cycle_id = $1 ORDER BY p.approvals DESC, p.id"
    )))
    .bind(cycle)
    .fetch_all(&db.pool)
    .await
}

pub async fn project(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<ProjectRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PROJECT} WHERE p.congress_id = $1 AND p.id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Moves a project from one state to another, with its approvals; false if it was not in `from`.
pub async fn set_project_state(
    tx: &mut Tx<'_>,
    id: i64,
    from: ProjectState,
    to: ProjectState,
    approvals: Option<i64>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE livelihood_projects SET state = $3, approvals = COALESCE($4, approvals) WHERE id = $1 AND state = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(approvals)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn set_rating_vote(tx: &mut Tx<'_>, id: i64, vote: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE livelihood_projects SET rating_vote_id = $2 WHERE id = $1")
        .bind(id)
        .bind(vote)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a rating's verdict once; false if it was recorded already.
pub async fn set_rating(tx: &mut Tx<'_>, id: i64, verdict: &str) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("UPDATE livelihood_projects SET rating = $2 WHERE id = $1 AND rating IS NULL")
            .bind(id)
            .bind(verdict)
            .execute(&mut **tx)
            .await?
            .rows_affected()
            == 1,
    )
}

pub async fn set_responsible(tx: &mut Tx<'_>, id: i64, who: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE livelihood_projects SET responsible = $2 WHERE id = $1")
        .bind(id)
        .bind(who)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// ---- statistics

/// Proposals of a cycle by (place, category, source, state), counted.
pub async fn proposal_counts(
    db: &Db,
    cycle: i64,
) -> Result<Vec<(String, String, String, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT place, category, source, state, COUNT(*) FROM livelihood_proposals WHERE cycle_id = $1 GROUP BY place, category, source, state",
    )
    .bind(cycle)
    .fetch_all(&db.pool)
    .await
}

/// The congress's deputies in office: (person, name), by name.
pub async fn deputies_in_office(
    db: &Db,
    congress: CongressId,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT DISTINCT d.person_id, p.name, d.name_key FROM deputies d JOIN persons p ON p.id = d.person_id \
         WHERE d.congress_id = $1 AND d.status = 'in_office' ORDER BY d.name_key",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
    .map(|rows: Vec<(i64, String, String)>| rows.into_iter().map(|(i, n, _)| (i, n)).collect())
}

/// The person an account belongs to (a deputy's account), if any.
pub async fn person_of_user(db: &Db, user: i64) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT person_id FROM users WHERE id = $1")
        .bind(user)
        .fetch_optional(&db.pool)
        .await
        .map(Option::flatten)
}

/// Selected projects being delivered and their milestones overdue on `today` (unfinished, due
/// before it), in the congress — of one lead unit's projects, if given.
pub async fn delivery_counts(
    db: &Db,
    congress: CongressId,
    unit: Option<i64>,
    today: &str,
) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(DISTINCT p.id), COALESCE(SUM(CASE WHEN m.percent < 100 AND m.due_on < $3 THEN 1 ELSE 0 END), 0) \
         FROM livelihood_projects p LEFT JOIN livelihood_milestones m ON m.project_id = p.id \
         WHERE p.congress_id = $1 AND p.state = 'selected' AND p.rating IS NULL AND ($2 IS NULL OR p.lead_unit_id = $2)",
    )
    .bind(congress.0)
    .bind(unit)
    .bind(today)
    .fetch_one(&db.pool)
    .await
}
