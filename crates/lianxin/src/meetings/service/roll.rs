//! The roll: check-in by staff, by the member's code or from the paper sheet, leave, the
//! quorum as it stands (counted inside the caller's transaction when a vote opens on it), and
//! the deputies who missed two sessions without leave.

use super::*;
/// 签到 — by staff for a person on the roll, or by the member with the code on the screen.
pub enum CheckIn<'a> {
    Staff { person: i64 },
    Code { code: &'a str },
}

pub async fn check_in(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    how: CheckIn<'_>,
    o: &Origin,
) -> Result<i64, AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    if m.state == MeetingState::Closed {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let (person, via) = match how {
        CheckIn::Staff { person } => (person, "staff"),
        CheckIn::Code { code } => {
            let me = store::roll_of_user(db, m.id, o.user.0)
                .await?
                .ok_or(AppError::Denied("meetings.not_on_roll"))?;
            // Guessing is bounded: past the limit no code is even compared.
            if store::code_failures(db, m.id, me.person_id).await? >= domain::MAX_CODE_FAILURES {
                return Err(refused(
                    db,
                    congress,
                    format!("meeting:{}", m.id),
                    o,
                    "meetings.check_in",
                    AppError::Denied("meetings.code_attempts"),
                )
                .await);
            }
            if !domain::check_in_code_valid(&m.check_in_key, m.id, o.now, code) {
                store::add_code_failure(db, m.id, me.person_id).await?;
                return Err(refused(
                    db,
                    congress,
                    format!("meeting:{}", m.id),
                    o,
                    "meetings.check_in",
                    AppError::Invalid(vec![FieldError::new(Field("code"), "meetings.code_wrong")]),
                )
                .await);
            }
            (me.person_id, "code")
        }
    };
    let mut tx = db.write().await?;
    if !store::set_attendance(
        &mut tx,
        m.id,
        person,
        Attendance::Present.as_str(),
        Some(via),
        Some(o.now),
        None,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{}/person:{person}", m.id),
        o,
        "meetings.check_in",
        Outcome::Success,
        &["via"],
    )
    .await?;
    tx.commit().await?;
    Ok(person)
}

/// 签到表 — staff record a paper sign-in sheet in one step: every listed member present. A
/// congress sitting signs in hundreds of deputies at the door; one transaction, one record.
pub async fn check_in_sheet(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    persons: &[i64],
    o: &Origin,
) -> Result<u32, AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    if m.state == MeetingState::Closed {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let mut tx = db.write().await?;
    let mut marked = 0;
    for person in persons {
        if !store::set_attendance(
            &mut tx,
            m.id,
            *person,
            Attendance::Present.as_str(),
            Some("sheet"),
            Some(o.now),
            None,
        )
        .await?
        {
            return Err(AppError::NotFound);
        }
        marked += 1;
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{}", m.id),
        o,
        "meetings.check_in_sheet",
        Outcome::Success,
        &["persons"],
    )
    .await?;
    tx.commit().await?;
    Ok(marked)
}

/// 请假 — a member asks for leave (their own), or staff approve it.
pub async fn leave(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    person: Option<i64>,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    if m.state == MeetingState::Closed {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let (person, attendance) = match person {
        Some(p) => (p, Attendance::Excused),
        None => {
            let me = store::roll_of_user(db, m.id, o.user.0)
                .await?
                .ok_or(AppError::Denied("meetings.not_on_roll"))?;
            if reason.trim().chars().count() < 2 {
                return Err(AppError::Invalid(vec![FieldError::new(
                    Field("reason"),
                    "meetings.leave_reason_required",
                )]));
            }
            (me.person_id, Attendance::LeaveRequested)
        }
    };
    let reason = Some(reason.trim()).filter(|r| !r.is_empty());
    let mut tx = db.write().await?;
    if !store::set_attendance(
        &mut tx,
        m.id,
        person,
        attendance.as_str(),
        None,
        None,
        reason,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{}/person:{person}", m.id),
        o,
        &format!("meetings.{}", attendance.as_str()),
        Outcome::Success,
        &["reason"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The quorum as it stands: members called (in office), present, and what the law requires.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct QuorumNow {
    pub members: u32,
    pub present: u32,
    pub required: u32,
    pub met: bool,
}

pub(super) async fn body_rules(
    db: &Db,
    congress: CongressId,
    kind: MeetingKind,
) -> Result<(BodyKind, Option<String>), AppError> {
    let body = kind.body();
    let presidium = if body == BodyKind::Presidium {
        crate::settings::get(db, congress, "presidium.quorum")
            .await?
            .map(|r| r.value)
    } else {
        None
    };
    Ok((body, presidium))
}

pub async fn quorum(db: &Db, congress: CongressId, m: &MeetingRow) -> Result<QuorumNow, AppError> {
    quorum_with(db, m, &quorum_rules(db, congress, m).await?).await
}

/// [`quorum`] under rules already read (opening a vote reads them once for two counts).
pub(super) async fn quorum_with(
    db: &Db,
    m: &MeetingRow,
    rules: &(recount::BodyKind, Option<String>),
) -> Result<QuorumNow, AppError> {
    let mut tx = db.write().await?;
    let q = quorum_in(&mut tx, m, rules).await?;
    tx.commit().await?;
    Ok(q)
}

/// The body whose quorum applies to the meeting, and the presidium's own rule if it has one.
pub(super) async fn quorum_rules(
    db: &Db,
    congress: CongressId,
    m: &MeetingRow,
) -> Result<(recount::BodyKind, Option<String>), AppError> {
    let kind = m.kind;
    body_rules(db, congress, kind).await
}

/// The quorum as the caller's transaction counts the roll (opening a vote snapshots exactly
/// what it checked).
pub(super) async fn quorum_in(
    tx: &mut Tx<'_>,
    m: &MeetingRow,
    (body, presidium_quorum): &(recount::BodyKind, Option<String>),
) -> Result<QuorumNow, AppError> {
    let (members, present) = store::member_counts(tx, m.id).await?;
    let q = recount::quorum_of(*body, presidium_quorum.as_deref(), members, present)
        .map_err(AppError::internal)?
        .0;
    Ok(QuorumNow {
        members,
        present,
        required: q.required,
        met: q.met,
    })
}

/// 代表法 Art 62 — deputies who missed two sessions without leave: (person, name, sessions).
/// A sitting belongs to the session whose dates hold its day (China time).
pub async fn unexcused_absences(
    db: &Db,
    congress: CongressId,
) -> Result<Vec<(i64, String, usize)>, AppError> {
    let sessions = store::sessions(db, congress).await?;
    let sittings: Vec<(i64, i64, String, String)> = store::sitting_attendance(db, congress)
        .await?
        .into_iter()
        .filter_map(|(_, at, person, name, attendance)| {
            let day = crate::platform::clock::china_date(at).to_string();
            sessions
                .iter()
                .find(|(_, opens, closes)| *opens <= day && day <= *closes)
                .map(|(session, _, _)| (*session, person, name, attendance))
        })
        .collect();
    Ok(domain::unexcused_absences(&sittings))
}
