//! Meeting and vote commands. Each is one transaction with its audit record; a refusal changes
//! nothing and, where the issue asks for it (a vote without quorum, a ballot refused), is
//! audited as a refusal. A secret ballot's audit record says only that the member voted.

mod closing;
mod roll;
mod votes;
pub use closing::*;
pub use roll::*;
pub use votes::*;

use super::ballot_seal;
use super::domain::{self, Attendance, ItemKind, MeetingKind, MeetingState, VoteMethod, VoteState};
use super::recount::{self, BodyKind, Input, Output, Rule};
use super::store::ballots as ballot_store;
use super::store::{self, MeetingRow, VoteRow};
use crate::audit::{self, Outcome, Record};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;
use rand::RngExt;
use serde::{Deserialize, Serialize};

pub use crate::platform::origin::Origin;

pub(super) async fn record(
    tx: &mut Tx<'_>,
    congress: CongressId,
    target: String,
    o: &Origin,
    action: &str,
    outcome: Outcome,
    fields: &[&str],
) -> Result<(), sqlx::Error> {
    let r = Record::by(o, Some(congress), action, target, fields).outcome(outcome);
    audit::append(tx, &r).await.map(drop)
}

/// Audits a refused attempt in its own transaction (the attempt itself changed nothing).
pub(super) async fn refused(
    db: &Db,
    congress: CongressId,
    target: String,
    o: &Origin,
    action: &str,
    e: AppError,
) -> AppError {
    let r = Record::by(o, Some(congress), action, target, &[]).outcome(Outcome::Denied);
    audit::refusal(db, &r).await;
    e
}

/// 召集会议 — a new meeting and its roll.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub title: String,
    pub place: String,
    /// Milliseconds since the epoch.
    pub starts_at: i64,
}

pub async fn create_meeting(
    db: &Db,
    congress: CongressId,
    m: &NewMeeting,
    o: &Origin,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let title = m.title.trim();
    if title.is_empty() || title.chars().count() > 120 {
        errors.push(FieldError::new(Field("title"), "meetings.title_required"));
    }
    if m.place.trim().chars().count() > 120 {
        errors.push(FieldError::new(Field("place"), "meetings.place_too_long"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let key = hex::encode(rand::rng().random::<[u8; 16]>());
    let mut tx = db.write().await?;
    let organization = match m.kind.organization_kind() {
        Some(kind) => Some(
            store::body_of(&mut tx, congress, kind)
                .await?
                .ok_or(AppError::Conflict("meetings.no_body"))?,
        ),
        None => None,
    };
    let row = store::NewMeetingRow {
        kind: m.kind,
        organization,
        title,
        place: m.place.trim(),
        starts_at: m.starts_at,
        check_in_key: &key,
    };
    let id = store::insert_meeting(&mut tx, congress, &row, o.user.0, o.now).await?;
    let called = match organization {
        Some(org) => {
            store::call_members(
                &mut tx,
                congress,
                id,
                org,
                m.kind == MeetingKind::Chairpersons,
            )
            .await?
        }
        None => store::call_deputies(&mut tx, congress, id).await?,
    };
    if called == 0 {
        return Err(AppError::Conflict("meetings.no_members"));
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{id}"),
        o,
        "meetings.create",
        Outcome::Success,
        &["kind", "title", "place", "starts_at"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The meeting of the path, in this congress.
pub async fn meeting(db: &Db, congress: CongressId, id: i64) -> Result<MeetingRow, AppError> {
    store::meeting(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// 列席 — someone attending without a vote; never counted for quorum or votes.
pub async fn add_attendee(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    person: i64,
    o: &Origin,
) -> Result<(), AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    if m.state == MeetingState::Closed {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let mut tx = db.write().await?;
    store::add_attendee(&mut tx, congress, m.id, person).await?;
    record(
        &mut tx,
        congress,
        format!("meeting:{}", m.id),
        o,
        "meetings.attendee",
        Outcome::Success,
        &["person"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 议程 — adds an item at the end of the agenda (not once the meeting is closed).
pub async fn add_item(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    kind: ItemKind,
    title: &str,
    o: &Origin,
) -> Result<i64, AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    let mut tx = db.write().await?;
    let id = add_item_in(&mut tx, congress, &m, kind, title, o).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`add_item`] inside the caller's transaction (a step that adds an item and its votes at once).
pub async fn add_item_in(
    tx: &mut Tx<'_>,
    congress: CongressId,
    m: &MeetingRow,
    kind: ItemKind,
    title: &str,
    o: &Origin,
) -> Result<i64, AppError> {
    if m.state == MeetingState::Closed {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("title"),
            "meetings.item_title_required",
        )]));
    }
    let id = store::insert_item(tx, congress, m.id, kind.as_str(), title, o.now).await?;
    record(
        tx,
        congress,
        format!("meeting:{}", m.id),
        o,
        "meetings.item",
        Outcome::Success,
        &["kind", "title"],
    )
    .await?;
    Ok(id)
}

/// 开会 / 散会 — opens a planned meeting, or closes an open one (open votes must be closed first).
pub async fn set_state(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    to: MeetingState,
    o: &Origin,
) -> Result<(), AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    let from = match to {
        MeetingState::Open => "planned",
        MeetingState::Closed => "open",
        MeetingState::Planned => return Err(AppError::Conflict("meetings.bad_state")),
    };
    if to == MeetingState::Closed
        && store::votes(db, m.id)
            .await?
            .iter()
            .any(|v| v.state == VoteState::Open)
    {
        return Err(AppError::Conflict("meetings.vote_still_open"));
    }
    let mut tx = db.write().await?;
    store::link_accounts(&mut tx, m.id).await?;
    if !store::set_meeting_state(&mut tx, m.id, from, to.as_str(), o.now).await? {
        return Err(AppError::Conflict("meetings.bad_state"));
    }
    record(
        &mut tx,
        congress,
        format!("meeting:{}", m.id),
        o,
        &format!("meetings.{}", to.as_str()),
        Outcome::Success,
        &[],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
