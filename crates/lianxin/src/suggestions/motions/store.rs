//! All SQL of motions (议案). Like suggestions: every query filters by congress, state changes
//! are conditional on the state read; history, signers and state moves are the suggestions'
//! queries (`history::Item::Motion` names the tables).

use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
pub use crate::suggestions::store::history::{Event, Signer, Step};
use crate::suggestions::store::history::{
    Item, answer_signer, invite_signer, move_state, record_step, signers_of, steps,
};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Motion {
    pub id: i64,
    pub congress_id: i64,
    pub session_id: Option<i64>,
    pub proposer: String,
    pub lead_deputy_id: Option<i64>,
    pub lead_name: Option<String>,
    pub title: String,
    pub content: String,
    pub state: super::domain::MotionState,
    pub number: Option<i64>,
    pub committee: Option<String>,
    pub report: Option<String>,
    pub decision_note: Option<String>,
    pub suggestion_id: Option<i64>,
    pub created_at: i64,
}

const SELECT: &str = "SELECT m.id, m.congress_id, m.session_id, m.proposer, m.lead_deputy_id, p.name AS lead_name, m.title, m.content, \
     m.state, m.number, o.name AS committee, m.report, m.decision_note, m.suggestion_id, m.created_at FROM motions m \
     LEFT JOIN deputies d ON d.id = m.lead_deputy_id LEFT JOIN persons p ON p.id = d.person_id \
     LEFT JOIN organizations o ON o.id = m.committee_id";

pub async fn get(db: &Db, congress: CongressId, id: i64) -> Result<Option<Motion>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE m.congress_id = $1 AND m.id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Motions of a congress, newest first; `deputy` limits them to those the deputy leads or was
/// asked to sign.
pub async fn list(
    db: &Db,
    congress: CongressId,
    deputy: Option<i64>,
) -> Result<Vec<Motion>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE m.congress_id = $1 AND ($2 IS NULL OR m.lead_deputy_id = $2 \
         OR m.id IN (SELECT motion_id FROM motion_signers WHERE deputy_id = $2)) ORDER BY m.id DESC LIMIT 500"
    )))
    .bind(congress.0)
    .bind(deputy)
    .fetch_all(&db.pool)
    .await
}

/// A new motion, as drafted.
pub struct NewMotion<'a> {
    pub congress: CongressId,
    pub session: Option<i64>,
    /// `deputies` or an institutional proposer.
    pub proposer: &'a str,
    pub lead: Option<i64>,
    pub title: &'a str,
    pub content: &'a str,
    pub by: i64,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx<'_>, n: &NewMotion<'_>) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO motions (congress_id, session_id, proposer, lead_deputy_id, title, content, state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'draft', $7, $8, $8) RETURNING id",
    )
    .bind(n.congress.0)
    .bind(n.session)
    .bind(n.proposer)
    .bind(n.lead)
    .bind(n.title)
    .bind(n.content)
    .bind(n.by)
    .bind(n.now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Moves the motion from `from` to `to`; false if it was no longer in `from`.
pub async fn set_state(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    from: &str,
    to: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    move_state(tx, Item::Motion, congress, id, from, to, now).await
}

/// Sets the fields a step fills in (`number`, `committee_id`, `report`, `decision_note`,
/// `suggestion_id`); `None` leaves a field as it is.
pub struct Fill<'a> {
    pub session: Option<i64>,
    pub number: Option<i64>,
    pub committee: Option<i64>,
    pub report: Option<&'a str>,
    pub decision_note: Option<&'a str>,
    pub suggestion: Option<i64>,
}

pub async fn fill(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    f: &Fill<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE motions SET number = COALESCE($3, number), committee_id = COALESCE($4, committee_id), \
         report = COALESCE($5, report), decision_note = COALESCE($6, decision_note), \
         suggestion_id = COALESCE($7, suggestion_id), session_id = COALESCE($8, session_id) \
         WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .bind(f.number)
    .bind(f.committee)
    .bind(f.report)
    .bind(f.decision_note)
    .bind(f.suggestion)
    .bind(f.session)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The next motion number in the session (第N号议案).
pub async fn next_number(
    tx: &mut Tx<'_>,
    congress: CongressId,
    session: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM motions WHERE congress_id = $1 AND session_id = $2",
    )
    .bind(congress.0)
    .bind(session)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// Appends a step to the motion's history.
pub async fn event(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    step: &Step<'_>,
) -> Result<(), sqlx::Error> {
    record_step(tx, Item::Motion, congress, id, step).await
}

pub async fn events(db: &Db, congress: CongressId, id: i64) -> Result<Vec<Event>, sqlx::Error> {
    steps(db, Item::Motion, congress, id).await
}

pub async fn invite(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    deputy: i64,
) -> Result<(), sqlx::Error> {
    invite_signer(tx, Item::Motion, congress, id, deputy).await
}

pub async fn answer(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    deputy: i64,
    consent: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    answer_signer(tx, Item::Motion, congress, id, deputy, consent, now).await
}

pub async fn signers(db: &Db, congress: CongressId, id: i64) -> Result<Vec<Signer>, sqlx::Error> {
    signers_of(db, Item::Motion, congress, id).await
}

/// The presidium's deadline for motions at a session (`YYYY-MM-DDTHH:MM`), if set.
pub async fn motion_deadline(
    db: &Db,
    congress: CongressId,
    session: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT motion_deadline FROM sessions WHERE congress_id = $1 AND id = $2")
            .bind(congress.0)
            .bind(session)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.and_then(|(d,)| d))
}

pub async fn set_motion_deadline(
    tx: &mut Tx<'_>,
    congress: CongressId,
    session: i64,
    deadline: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET motion_deadline = $3 WHERE congress_id = $1 AND id = $2")
        .bind(congress.0)
        .bind(session)
        .bind(deadline)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
