//! All SQL of meetings and votes. Every query filters by congress or by a meeting or vote the
//! caller has already found in its congress. Ballot rows carry no voter, no time and no row id.

pub mod ballots;

use crate::db::{Backend, Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct MeetingRow {
    pub id: i64,
    pub congress_id: i64,
    pub kind: String,
    pub organization_id: Option<i64>,
    pub title: String,
    pub place: String,
    pub starts_at: i64,
    pub state: String,
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
    pub attendance: String,
    pub checked_in_at: Option<i64>,
    pub checked_in_via: Option<String>,
    pub leave_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ItemRow {
    pub id: i64,
    pub position: i64,
    pub kind: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct VoteRow {
    pub id: i64,
    pub meeting_id: i64,
    pub item_id: i64,
    pub rule: String,
    pub method: String,
    pub subject: String,
    pub seats: Option<i64>,
    /// JSON list of names, in ballot order.
    pub candidates: Option<String>,
    pub post: Option<String>,
    pub state: String,
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

#[allow(clippy::too_many_arguments)]
pub async fn insert_meeting(
    tx: &mut Tx<'_>,
    congress: CongressId,
    kind: &str,
    organization: Option<i64>,
    title: &str,
    place: &str,
    starts_at: i64,
    check_in_key: &str,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO meetings (congress_id, kind, organization_id, title, place, starts_at, state, check_in_key, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8, $9) RETURNING id",
    )
    .bind(congress.0)
    .bind(kind)
    .bind(organization)
    .bind(title)
    .bind(place)
    .bind(starts_at)
    .bind(check_in_key)
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

pub async fn roll(db: &Db, meeting: i64) -> Result<Vec<RollRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT person_id, user_id, name, capacity, attendance, checked_in_at, checked_in_via, leave_reason \
         FROM meeting_roll WHERE meeting_id = $1 ORDER BY capacity DESC, person_id",
    )
    .bind(meeting)
    .fetch_all(&db.pool)
    .await
}

/// The roll entry of a user in a meeting.
pub async fn roll_of_user(
    db: &Db,
    meeting: i64,
    user: i64,
) -> Result<Option<RollRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT person_id, user_id, name, capacity, attendance, checked_in_at, checked_in_via, leave_reason \
         FROM meeting_roll WHERE meeting_id = $1 AND user_id = $2",
    )
    .bind(meeting)
    .bind(user)
    .fetch_optional(&db.pool)
    .await
}

/// The account of a person on the roll (linked when the meeting opened).
pub async fn roll_of_person(
    db: &Db,
    meeting: i64,
    person: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT user_id FROM meeting_roll WHERE meeting_id = $1 AND person_id = $2")
            .bind(meeting)
            .bind(person)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.and_then(|r| r.0))
}

/// Sets a person's attendance; false if they are not on the roll.
/// The wrong check-in codes the member has typed for the meeting.
pub async fn code_failures(db: &Db, meeting: i64, person: i64) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT code_failures FROM meeting_roll WHERE meeting_id = $1 AND person_id = $2",
    )
    .bind(meeting)
    .bind(person)
    .fetch_one(&db.pool)
    .await?;
    Ok(n)
}

/// Counts one more wrong check-in code (one statement, so concurrent guesses all count).
pub async fn add_code_failure(db: &Db, meeting: i64, person: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE meeting_roll SET code_failures = code_failures + 1 WHERE meeting_id = $1 AND person_id = $2",
    )
    .bind(meeting)
    .bind(person)
    .execute(&db.pool)
    .await?;
    Ok(())
}

pub async fn set_attendance(
    tx: &mut Tx<'_>,
    meeting: i64,
    person: i64,
    attendance: &str,
    via: Option<&str>,
    at: Option<i64>,
    reason: Option<&str>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE meeting_roll SET attendance = $3, checked_in_via = $4, checked_in_at = $5, \
         leave_reason = COALESCE($6, leave_reason) WHERE meeting_id = $1 AND person_id = $2",
    )
    .bind(meeting)
    .bind(person)
    .bind(attendance)
    .bind(via)
    .bind(at)
    .bind(reason)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Members (not attendees) called and present, for the quorum.
pub async fn member_counts(tx: &mut Tx<'_>, meeting: i64) -> Result<(u32, u32), sqlx::Error> {
    let (members, present): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN attendance = 'present' THEN 1 ELSE 0 END), 0) \
         FROM meeting_roll WHERE meeting_id = $1 AND capacity = 'member'",
    )
    .bind(meeting)
    .fetch_one(&mut **tx)
    .await?;
    Ok((members as u32, present as u32))
}

/// Whether the user is checked in to a meeting that is open (their session then does not idle out).
pub async fn checked_in_open(db: &Db, user: i64) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM meeting_roll r JOIN meetings m ON m.id = r.meeting_id \
         WHERE r.user_id = $1 AND r.attendance = 'present' AND m.state = 'open' LIMIT 1",
    )
    .bind(user)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.is_some())
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

#[allow(clippy::too_many_arguments)]
pub async fn insert_vote(
    tx: &mut Tx<'_>,
    congress: CongressId,
    meeting: i64,
    item: i64,
    rule: &str,
    method: &str,
    subject: &str,
    seats: Option<i64>,
    candidates: Option<&str>,
    post: Option<&str>,
    write_in_deputies: bool,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO votes (congress_id, meeting_id, item_id, rule, method, subject, seats, candidates, post, write_in_deputies, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, 'ready', $10) RETURNING id",
    )
    .bind(congress.0)
    .bind(meeting)
    .bind(item)
    .bind(rule)
    .bind(method)
    .bind(subject)
    .bind(seats)
    .bind(candidates)
    .bind(post)
    .bind(now)
    .bind(i64::from(write_in_deputies))
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Sets a selection vote's ballot form and threshold rule (before it opens).
pub async fn set_selection_rules(
    tx: &mut Tx<'_>,
    vote: i64,
    form: &str,
    rule: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE votes SET ballot_form = $2, selection_rule = $3 WHERE id = $1 AND state = 'ready'",
    )
    .bind(vote)
    .bind(form)
    .bind(rule)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn vote(db: &Db, congress: CongressId, id: i64) -> Result<Option<VoteRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VOTE} WHERE congress_id = $1 AND id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn votes(db: &Db, meeting: i64) -> Result<Vec<VoteRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VOTE} WHERE meeting_id = $1 ORDER BY id"
    )))
    .bind(meeting)
    .fetch_all(&db.pool)
    .await
}

/// Opens a ready vote with its snapshot; false if it was not ready.
pub async fn open_vote(
    tx: &mut Tx<'_>,
    vote: i64,
    members: u32,
    present: u32,
    now: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE votes SET state = 'open', members = $2, present = $3, opened_at = $4 WHERE id = $1 AND state = 'ready'",
    )
    .bind(vote)
    .bind(i64::from(members))
    .bind(i64::from(present))
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Records a method switch (devices failed: show of hands or paper), before the vote closes.
pub async fn switch_method(
    tx: &mut Tx<'_>,
    vote: i64,
    method: &str,
    note: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE votes SET method = $2, method_note = $3 WHERE id = $1 AND state <> 'closed'",
    )
    .bind(vote)
    .bind(method)
    .bind(note)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// What checking a ballot needs, in one query: the vote, and the voter's roll entry in its meeting.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BallotContext {
    pub vote: i64,
    pub rule: String,
    pub method: String,
    pub state: String,
    pub seats: Option<i64>,
    pub candidates: Option<String>,
    pub write_in_deputies: i64,
    pub ballot_form: Option<String>,
    pub person_id: Option<i64>,
    pub capacity: Option<String>,
    pub attendance: Option<String>,
}

pub async fn ballot_context(
    db: &Db,
    congress: CongressId,
    vote: i64,
    user: i64,
) -> Result<Option<BallotContext>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id AS vote, v.rule, v.method, v.state, v.seats, v.candidates, v.write_in_deputies, v.ballot_form, r.person_id, r.capacity, r.attendance \
         FROM votes v LEFT JOIN meeting_roll r ON r.meeting_id = v.meeting_id AND r.user_id = $3 \
         WHERE v.congress_id = $1 AND v.id = $2",
    )
    .bind(congress.0)
    .bind(vote)
    .bind(user)
    .fetch_optional(&db.pool)
    .await
}

/// `participate` for a batch: the (vote, person) pairs that were recorded now — a pair already
/// there, or repeated in the batch after its first, is not.
pub async fn participate_many(
    tx: &mut Tx<'_>,
    pairs: &[(i64, CongressId, i64)],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql =
        String::from("INSERT INTO vote_participation (vote_id, congress_id, person_id) VALUES ");
    for k in 0..pairs.len() {
        if k > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3));
    }
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING vote_id, person_id");
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for (v, c, p) in pairs {
        q = q.bind(*v).bind(c.0).bind(*p);
    }
    q.fetch_all(&mut **tx).await
}

/// Secret ballots of a batch: (vote, content) of votes opened before ballots were sealed
/// (written in the clear, as then), and (vote, tracker) of all.
pub async fn insert_ballots_many(
    tx: &mut Tx<'_>,
    ballots: &[(i64, CongressId, String)],
    trackers: &[(i64, CongressId, String)],
) -> Result<(), sqlx::Error> {
    // Each vote's clear ballots (under fresh random keys, in key order).
    let mut by_vote: std::collections::BTreeMap<(i64, i64), Vec<String>> = Default::default();
    for (v, c, content) in ballots {
        by_vote.entry((*v, c.0)).or_default().push(content.clone());
    }
    for ((v, c), contents) in by_vote {
        ballots::insert_clear(tx, v, CongressId(c), &contents).await?;
    }
    if trackers.is_empty() {
        return Ok(());
    }
    let mut sql =
        String::from("INSERT INTO ballot_trackers (vote_id, congress_id, tracker) VALUES ");
    for k in 0..trackers.len() {
        if k > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3));
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (v, c, t) in trackers {
        q = q.bind(*v).bind(c.0).bind(t.as_str());
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Undoes `participate` inside the same transaction (the vote closed meanwhile).
pub async fn unparticipate(tx: &mut Tx<'_>, vote: i64, person: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM vote_participation WHERE vote_id = $1 AND person_id = $2")
        .bind(vote)
        .bind(person)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_named_ballot(
    tx: &mut Tx<'_>,
    vote: i64,
    congress: CongressId,
    person: i64,
    content: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO named_ballots (vote_id, congress_id, person_id, content) VALUES ($1, $4, $2, $3)")
        .bind(vote)
        .bind(person)
        .bind(content)
        .bind(congress.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The ballots' contents in key order (a random order), secret and named alike.
pub async fn ballot_contents(tx: &mut Tx<'_>, vote: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT content FROM ballots WHERE vote_id = $1 \
         UNION ALL SELECT content FROM named_ballots WHERE vote_id = $1 ORDER BY 1",
    )
    .bind(vote)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The trackers of a vote, sorted.
pub async fn trackers(db: &Db, vote: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT tracker FROM ballot_trackers WHERE vote_id = $1 ORDER BY tracker")
            .bind(vote)
            .fetch_all(&db.pool)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Named ballots with the voter's name, for a named vote's published list.
pub async fn named_ballots(db: &Db, vote: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.name, b.content FROM named_ballots b JOIN persons p ON p.id = b.person_id \
         WHERE b.vote_id = $1 ORDER BY p.name_key, p.id",
    )
    .bind(vote)
    .fetch_all(&db.pool)
    .await
}

/// How many have voted (the board's figure while the vote is open).
pub async fn voted(db: &Db, vote: i64) -> Result<u32, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM vote_participation WHERE vote_id = $1")
        .bind(vote)
        .fetch_one(&db.pool)
        .await?;
    Ok(n as u32)
}

/// Who voted (never how): for the minutes and the deputies' performance record.
pub async fn participants(db: &Db, vote: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT person_id FROM vote_participation WHERE vote_id = $1 ORDER BY person_id",
    )
    .bind(vote)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Closes an open vote: the closing transaction's first write, so that no ballot commits after
/// it; false if the vote was not open.
pub async fn close_vote(tx: &mut Tx<'_>, vote: i64, now: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE votes SET state = 'closed', closed_at = $2 WHERE id = $1 AND state = 'open'",
    )
    .bind(vote)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Stores a closed vote's published ballots, its result and its seal.
#[allow(clippy::too_many_arguments)]
pub async fn record_result(
    tx: &mut Tx<'_>,
    vote: i64,
    published: &str,
    result: &str,
    passed: Option<bool>,
    digest: &str,
    signature: &str,
    version: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE votes SET published = $2, result = $3, passed = $4, \
         digest = $5, signature = $6, seal_version = $7 WHERE id = $1 AND state = 'closed'",
    )
    .bind(vote)
    .bind(published)
    .bind(result)
    .bind(passed.map(i64::from))
    .bind(digest)
    .bind(signature)
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// On PostgreSQL a heap keeps rows in the order written and stamps each with its transaction:
/// rewriting a closed vote's ballots, trackers and participation in key order, in the closing
/// transaction, leaves every row with the same stamp and in an order that follows no voter.
/// (SQLite keeps these tables WITHOUT ROWID, in key order already.)
pub async fn rewrite_for_secrecy(db: &Db, tx: &mut Tx<'_>, vote: i64) -> Result<(), sqlx::Error> {
    if db.backend != Backend::Postgres {
        return Ok(());
    }
    for (table, cols, order) in [
        (
            "ballots",
            "vote_id, congress_id, ballot_key, content",
            "ballot_key",
        ),
        (
            "ballot_trackers",
            "vote_id, congress_id, tracker",
            "tracker",
        ),
        (
            "vote_participation",
            "vote_id, congress_id, person_id",
            "person_id",
        ),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH gone AS (DELETE FROM {table} WHERE vote_id = $1 RETURNING {cols}) \
             INSERT INTO {table} ({cols}) SELECT {cols} FROM gone ORDER BY {order}"
        )))
        .bind(vote)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The tables a secret vote's ballots and voters pass through.
const BALLOT_TABLES: &str = "sealed_ballots, ballots, ballot_trackers, vote_participation";

/// Reclaims the dead row versions that closing left (PostgreSQL; outside any transaction), and
/// says how many VACUUM could not remove — an older snapshot (a running `pg_dump`, a long
/// report) holds them — so that the vote is marked and the removal retried.
pub async fn vacuum_ballots(db: &Db) -> Result<i64, sqlx::Error> {
    if db.backend != Backend::Postgres {
        return Ok(0);
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM {BALLOT_TABLES}")))
        .execute(&db.pool)
        .await?;
    let (dead,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(n_dead_tup), 0)::bigint FROM pg_stat_user_tables \
         WHERE schemaname = current_schema() \
         AND relname IN ('sealed_ballots', 'ballots', 'ballot_trackers', 'vote_participation')",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok(dead)
}

pub async fn set_purge_pending(db: &Db, vote: i64, pending: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE votes SET purge_pending = $2 WHERE id = $1")
        .bind(vote)
        .bind(i64::from(pending))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The closed votes whose dead row versions remained.
pub async fn purge_pending(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM votes WHERE purge_pending = 1")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// For 代表法 Art 62: every closed congress sitting with its time, and each member's attendance
/// in it: (meeting, starts_at, person, name, attendance).
pub async fn sitting_attendance(
    db: &Db,
    congress: CongressId,
) -> Result<Vec<(i64, i64, i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, m.starts_at, r.person_id, r.name, r.attendance FROM meetings m \
         JOIN meeting_roll r ON r.meeting_id = m.id \
         WHERE m.congress_id = $1 AND m.kind = 'congress_sitting' AND m.state = 'closed' AND r.capacity = 'member' \
         ORDER BY m.starts_at, r.person_id",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
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
    let row: Option<(i64, i64, i64, String, String)> = sqlx::query_as(
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

/// A correction of a sealed result (the result itself never changes).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CorrectionRow {
    pub id: i64,
    pub reason: String,
    pub published: String,
    pub result: String,
    pub passed: Option<i64>,
    pub digest: String,
    pub signature: String,
    pub seal_version: i64,
    pub created_at: i64,
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_correction(
    tx: &mut Tx<'_>,
    congress: CongressId,
    vote: i64,
    reason: &str,
    published: &str,
    result: &str,
    passed: Option<bool>,
    seal: &crate::platform::seal::Seal,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO vote_corrections (congress_id, vote_id, reason, published, result, passed, digest, signature, seal_version, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(congress.0)
    .bind(vote)
    .bind(reason)
    .bind(published)
    .bind(result)
    .bind(passed.map(i64::from))
    .bind(&seal.digest)
    .bind(&seal.signature)
    .bind(seal.key_version)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn corrections(db: &Db, vote: i64) -> Result<Vec<CorrectionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, reason, published, result, passed, digest, signature, seal_version, created_at \
         FROM vote_corrections WHERE vote_id = $1 ORDER BY id",
    )
    .bind(vote)
    .fetch_all(&db.pool)
    .await
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
