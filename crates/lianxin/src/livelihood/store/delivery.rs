//! The SQL of a selected project's delivery and supervision: milestones, reports, the
//! supervision group, problems.

use super::{MilestoneRow, ProblemRow, ReportRow};
use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;

pub async fn insert_milestone(
    tx: &mut Tx<'_>,
    congress: CongressId,
    project: i64,
    title: &str,
    weight: i64,
    due_on: &str,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO livelihood_milestones (congress_id, project_id, title, weight, due_on, percent) VALUES ($1, $2, $3, $4, $5, 0) RETURNING id",
    )
    .bind(congress.0)
    .bind(project)
    .bind(title)
    .bind(weight)
    .bind(due_on)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn milestones(db: &Db, project: i64) -> Result<Vec<MilestoneRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, project_id, title, weight, due_on, percent, done_on FROM livelihood_milestones WHERE project_id = $1 ORDER BY due_on, id",
    )
    .bind(project)
    .fetch_all(&db.pool)
    .await
}

/// The milestones of every project of a cycle (for the overview's progress bars).
pub async fn cycle_milestones(db: &Db, cycle: i64) -> Result<Vec<MilestoneRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.project_id, m.title, m.weight, m.due_on, m.percent, m.done_on FROM livelihood_milestones m \
         JOIN livelihood_projects p ON p.id = m.project_id WHERE p.cycle_id = $1 ORDER BY m.due_on, m.id",
    )
    .bind(cycle)
    .fetch_all(&db.pool)
    .await
}

pub async fn set_milestone(
    tx: &mut Tx<'_>,
    project: i64,
    id: i64,
    percent: i64,
    done_on: Option<&str>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE livelihood_milestones SET percent = $3, done_on = $4 WHERE project_id = $1 AND id = $2",
    )
    .bind(project)
    .bind(id)
    .bind(percent)
    .bind(done_on)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// A report on a project (progress, mid-year, year-end) or a supervision visit's findings; the
/// progress in per cent for a report, none for a visit.
pub struct NewReport<'a> {
    pub kind: &'a str,
    pub body: &'a str,
    pub progress: Option<i64>,
}

pub async fn insert_report(
    tx: &mut Tx<'_>,
    congress: CongressId,
    project: i64,
    r: &NewReport<'_>,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO livelihood_reports (congress_id, project_id, kind, body, progress, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(congress.0)
    .bind(project)
    .bind(r.kind)
    .bind(r.body)
    .bind(r.progress)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn reports(db: &Db, project: i64) -> Result<Vec<ReportRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.project_id, r.kind, r.body, r.progress, u.display_name AS author, r.created_at \
         FROM livelihood_reports r JOIN users u ON u.id = r.created_by WHERE r.project_id = $1 ORDER BY r.id DESC",
    )
    .bind(project)
    .fetch_all(&db.pool)
    .await
}

// ---- supervision

pub async fn add_supervisor(
    tx: &mut Tx<'_>,
    congress: CongressId,
    project: i64,
    person: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO livelihood_supervisors (project_id, congress_id, person_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
    )
    .bind(project)
    .bind(congress.0)
    .bind(person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The supervision group: (person, name, user).
pub async fn supervisors(
    db: &Db,
    project: i64,
) -> Result<Vec<(i64, String, Option<i64>)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.person_id, p.name, (SELECT MIN(u.id) FROM users u WHERE u.person_id = s.person_id) \
         FROM livelihood_supervisors s JOIN persons p ON p.id = s.person_id WHERE s.project_id = $1 ORDER BY p.name_key",
    )
    .bind(project)
    .fetch_all(&db.pool)
    .await
}

/// A deputy in office of this congress, by person (for a supervision group): their name.
pub async fn deputy_in_office(
    db: &Db,
    congress: CongressId,
    person: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT p.name FROM deputies d JOIN persons p ON p.id = d.person_id \
         WHERE d.congress_id = $1 AND d.person_id = $2 AND d.status = 'in_office' LIMIT 1",
    )
    .bind(congress.0)
    .bind(person)
    .fetch_optional(&db.pool)
    .await
}

pub async fn insert_problem(
    tx: &mut Tx<'_>,
    congress: CongressId,
    project: i64,
    origin: &str,
    body: &str,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO livelihood_problems (congress_id, project_id, origin, body, state, created_by, created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
    )
    .bind(congress.0)
    .bind(project)
    .bind(origin)
    .bind(body)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn problems(db: &Db, project: i64) -> Result<Vec<ProblemRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, project_id, origin, body, state, rectification, created_at, closed_at FROM livelihood_problems WHERE project_id = $1 ORDER BY id",
    )
    .bind(project)
    .fetch_all(&db.pool)
    .await
}

pub async fn problem(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<ProblemRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, project_id, origin, body, state, rectification, created_at, closed_at FROM livelihood_problems WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// `answered` with the unit's rectification (from open or answered), or `closed` (from
/// answered); false when the problem was not in a state that allows it.
pub async fn set_problem(
    tx: &mut Tx<'_>,
    id: i64,
    to: &str,
    rectification: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let sql = if to == "closed" {
        "UPDATE livelihood_problems SET state = 'closed', closed_at = $3 WHERE id = $1 AND state = 'answered'"
    } else {
        "UPDATE livelihood_problems SET state = 'answered', rectification = $2 WHERE id = $1 AND state IN ('open', 'answered')"
    };
    Ok(sqlx::query(sql)
        .bind(id)
        .bind(rectification)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        == 1)
}
