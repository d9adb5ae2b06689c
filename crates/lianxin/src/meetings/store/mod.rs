//! All SQL of meetings and votes. Every query filters by congress or by a meeting or vote the
//! caller has already found in its congress. Ballot rows carry no voter, no time and no row id.

pub mod ballots;
mod roll;
mod votes;
pub use roll::*;
pub use votes::*;

use super::domain::{Attendance, ItemKind, MeetingKind, MeetingState, VoteMethod, VoteState};
use crate::db::{Backend, Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MeetingRow {
    pub id: i64,
    pub congress_id: i64,
    pub kind: MeetingKind,
    pub organization_id: Option<i64>,
    pub title: String,
    pub place: String,
    pub starts_at: i64,
    pub state: MeetingState,
    #[serde(skip)]
    pub check_in_key: String,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
}

const MEETING: &str = "SELECT id, congress_id, kind, organization_id, title, place, starts_at, state, check_in_key, opened_at, closed_at FROM meetings";

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RollRow {
    pub person_id: i64,
    #[serde(skip)]
    pub user_id: Option<i64>,
    pub name: String,
    pub capacity: String,
    pub attendance: Attendance,
    pub checked_in_at: Option<i64>,
    pub checked_in_via: Option<String>,
    pub leave_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ItemRow {
    pub id: i64,
    pub position: i64,
    pub kind: ItemKind,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct VoteRow {
    pub id: i64,
    pub meeting_id: i64,
    pub item_id: i64,
    pub rule: String,
    pub method: VoteMethod,
    pub subject: String,
    pub seats: Option<i64>,
    /// JSON list of names, in ballot order.
    pub candidates: Option<String>,
    pub post: Option<String>,
    pub state: VoteState,
    pub members: Option<i64>,
    pub present: Option<i64>,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub method_note: Option<String>,
    pub published: Option<String>,
    pub result: Option<String>,
    pub passed: Option<i64>,
    pub digest: Option<String>,
    pub signature: Option<String>,
    pub seal_version: Option<i64>,
    /// A selection's ballot form (票决办法): `choose` up to N, or `per_item`.
    pub ballot_form: Option<String>,
    /// A selection's threshold rule (票决办法); none: more than half of all members.
    pub selection_rule: Option<String>,
    /// 1 while dead row versions of the closed vote's ballot tables remain (PostgreSQL).
    pub purge_pending: i64,
}

const VOTE: &str = "SELECT id, meeting_id, item_id, rule, method, subject, seats, candidates, post, state, members, present, opened_at, closed_at, method_note, published, result, passed, digest, signature, seal_version, ballot_form, selection_rule, purge_pending FROM votes";

/// A meeting to be planned.
pub struct NewMeetingRow<'a> {
    pub kind: super::domain::MeetingKind,
    /// The body that meets (its standing committee, presidium or committee), if any.
    pub organization: Option<i64>,
    pub title: &'a str,
    pub place: &'a str,
    pub starts_at: i64,
    pub check_in_key: &'a str,
}

pub async fn insert_meeting(
    tx: &mut Tx<'_>,
    congress: CongressId,
    m: &NewMeetingRow<'_>,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO meetings (congress_id, kind, organization_id, title, place, starts_at, state, check_in_key, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8, $9) RETURNING id",
    )
    .bind(congress.0)
    .bind(m.kind.as_str())
    .bind(m.organization)
    .bind(m.title)
    .bind(m.place)
    .bind(m.starts_at)
    .bind(m.check_in_key)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The body of a kind in a congress (its standing committee; its latest presidium).
pub async fn body_of(
    tx: &mut Tx<'_>,
    congress: CongressId,
    kind: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM organizations WHERE congress_id = $1 AND kind = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(congress.0)
    .bind(kind)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Calls the body's current members (for a chairpersons' meeting only the chair and vice-chairs);
/// each member's account, if they have one, is linked so that they can check in and vote.
pub async fn call_members(
    tx: &mut Tx<'_>,
    congress: CongressId,
    meeting: i64,
    organization: i64,
    chairs_only: bool,
) -> Result<u64, sqlx::Error> {
    let posts = if chairs_only {
        " AND m.post IN ('chair', 'vice_chair')"
    } else {
        ""
    };
    let sql = format!(
        "INSERT INTO meeting_roll (meeting_id, congress_id, person_id, user_id, name, capacity, attendance) \
         SELECT DISTINCT $1, $2, p.id, (SELECT MIN(u.id) FROM users u WHERE u.person_id = p.id AND u.disabled = 0), p.name, 'member', 'expected' \
         FROM memberships m JOIN persons p ON p.id = m.person_id \
         WHERE m.organization_id = $3 AND m.congress_id = $2 AND m.ends_on IS NULL{posts}"
    );
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(meeting)
        .bind(congress.0)
        .bind(organization)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Calls every deputy in office (a congress sitting).
pub async fn call_deputies(
    tx: &mut Tx<'_>,
    congress: CongressId,
    meeting: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO meeting_roll (meeting_id, congress_id, person_id, user_id, name, capacity, attendance) \
         SELECT DISTINCT $1, $2, p.id, (SELECT MIN(u.id) FROM users u WHERE u.person_id = p.id AND u.disabled = 0), p.name, 'member', 'expected' \
         FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.congress_id = $2 AND d.status = 'in_office'",
    )
    .bind(meeting)
    .bind(congress.0)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Adds a person attending without a vote (列席); a member already called stays a member.
pub async fn add_attendee(
    tx: &mut Tx<'_>,
    congress: CongressId,
    meeting: i64,
    person: i64,
) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "INSERT INTO meeting_roll (meeting_id, congress_id, person_id, user_id, name, capacity, attendance) \
         SELECT $1, $2, p.id, (SELECT MIN(u.id) FROM users u WHERE u.person_id = p.id AND u.disabled = 0), p.name, 'attendee', 'expected' \
         FROM persons p WHERE p.id = $3 \
         AND NOT EXISTS (SELECT 1 FROM meeting_roll r WHERE r.meeting_id = $1 AND r.person_id = $3)",
    )
    .bind(meeting)
    .bind(congress.0)
    .bind(person)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

/// Links the accounts members received after the meeting was called.
pub async fn link_accounts(tx: &mut Tx<'_>, meeting: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE meeting_roll SET user_id = (SELECT MIN(u.id) FROM users u WHERE u.person_id = meeting_roll.person_id AND u.disabled = 0) \
         WHERE meeting_id = $1 AND user_id IS NULL",
    )
    .bind(meeting)
    .execute(&mut **tx)
    .await?
    .rows_affected())
}

pub async fn meeting(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<MeetingRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MEETING} WHERE congress_id = $1 AND id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn meetings(db: &Db, congress: CongressId) -> Result<Vec<MeetingRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{MEETING} WHERE congress_id = $1 ORDER BY starts_at DESC, id DESC LIMIT 200"
    )))
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
}

/// Moves a meeting from one state to the next; false if it was not in `from`.
pub async fn set_meeting_state(
    tx: &mut Tx<'_>,
    meeting: i64,
    from: &str,
    to: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let column = if to == "open" {
        "opened_at"
    } else {
        "closed_at"
    };
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE meetings SET state = $3, {column} = $4 WHERE id = $1 AND state = $2"
    )))
    .bind(meeting)
    .bind(from)
    .bind(to)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

pub async fn items(db: &Db, meeting: i64) -> Result<Vec<ItemRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, position, kind, title FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(meeting)
    .fetch_all(&db.pool)
    .await
}

pub async fn insert_item(
    tx: &mut Tx<'_>,
    congress: CongressId,
    meeting: i64,
    kind: &str,
    title: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO agenda_items (congress_id, meeting_id, position, kind, title, created_at) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items WHERE meeting_id = $2), $3, $4, $5) RETURNING id",
    )
    .bind(congress.0)
    .bind(meeting)
    .bind(kind)
    .bind(title)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// The congress's sessions: (id, opens_on, closes_on) as ISO dates.
pub async fn sessions(
    db: &Db,
    congress: CongressId,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, opens_on, closes_on FROM sessions WHERE congress_id = $1 ORDER BY opens_on",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
}

/// An agenda item with its meeting, in the congress.
pub async fn item(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<(i64, ItemRow)>, sqlx::Error> {
    let row: Option<(i64, i64, i64, ItemKind, String)> = sqlx::query_as(
        "SELECT meeting_id, id, position, kind, title FROM agenda_items WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(m, id, position, kind, title)| {
        (
            m,
            ItemRow {
                id,
                position,
                kind,
                title,
            },
        )
    }))
}

/// 履职记录 — a member's part in the congress's closed meetings: what they attended and in how
/// many electronic votes they voted, never how.
#[derive(Debug, Clone, Copy, Default, Serialize, utoipa::ToSchema)]
pub struct MeetingRecord {
    pub meetings: i64,
    pub present: i64,
    pub on_leave: i64,
    pub votes: i64,
    pub voted: i64,
}

pub async fn record_of(
    db: &Db,
    congress: CongressId,
    person: i64,
) -> Result<MeetingRecord, sqlx::Error> {
    let (meetings, present, on_leave): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN r.attendance = 'present' THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN r.attendance = 'excused' THEN 1 ELSE 0 END), 0) \
         FROM meeting_roll r JOIN meetings m ON m.id = r.meeting_id \
         WHERE m.congress_id = $1 AND m.state = 'closed' AND r.person_id = $2 AND r.capacity = 'member'",
    )
    .bind(congress.0)
    .bind(person)
    .fetch_one(&db.pool)
    .await?;
    let (votes,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM votes v JOIN meeting_roll r ON r.meeting_id = v.meeting_id \
         WHERE v.congress_id = $1 AND v.state = 'closed' AND v.method IN ('secret', 'named') \
         AND r.person_id = $2 AND r.capacity = 'member'",
    )
    .bind(congress.0)
    .bind(person)
    .fetch_one(&db.pool)
    .await?;
    let (voted,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM vote_participation p JOIN votes v ON v.id = p.vote_id \
         WHERE p.congress_id = $1 AND p.person_id = $2 AND v.state = 'closed'",
    )
    .bind(congress.0)
    .bind(person)
    .fetch_one(&db.pool)
    .await?;
    Ok(MeetingRecord {
        meetings,
        present,
        on_leave,
        votes,
        voted,
    })
}

/// A closed vote for the public portal: what was voted on, when, and the sealed result.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PublicResult {
    pub vote_id: i64,
    pub meeting: String,
    pub subject: String,
    pub closed_at: i64,
    pub result: String,
    pub digest: String,
}

/// Closed votes of the congress's sittings and standing-committee meetings, newest first
/// (chairpersons' and presidium meetings prepare; they are not published here).
pub async fn public_results(
    db: &Db,
    congress: CongressId,
) -> Result<Vec<PublicResult>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id AS vote_id, m.title AS meeting, v.subject, v.closed_at, v.result, v.digest \
         FROM votes v JOIN meetings m ON m.id = v.meeting_id \
         WHERE v.congress_id = $1 AND v.state = 'closed' AND v.result IS NOT NULL AND v.digest IS NOT NULL \
         AND m.kind IN ('congress_sitting', 'standing_committee') \
         ORDER BY v.closed_at DESC, v.id DESC LIMIT 200",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
}
