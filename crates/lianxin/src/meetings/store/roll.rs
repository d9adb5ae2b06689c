//! The SQL of the roll: who is called, check-in and its failures, attendance, the counts the
//! quorum is taken from, and attendance across sittings (代表法 Art 62).

use super::*;

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
