//! 会议材料 — documents per agenda item, distributed to the meeting's participants, each flagged
//! when it came later than the notice the law or the rules of procedure ask (the standing
//! committee's materials 7 days before the meeting; a presidium's or chairpersons' meeting the
//! day before — `MeetingKind::notice_days`).

use super::api::guard;
use super::domain::{MeetingKind, MeetingState};
use super::service::{self, Origin, record};
use super::store;
use crate::accounts::policy::Permission;
use crate::attachments::{self, self as files};
use crate::audit::Outcome;
use crate::db::Db;
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

const KIND: &str = "agenda_item";
const PURPOSE: &str = "material";
/// The most documents one agenda item takes.
pub const MAX_FILES: i64 = 20;

fn owner(congress: CongressId, item: i64) -> files::Owner<'static> {
    files::Owner {
        congress,
        kind: KIND,
        id: item,
    }
}

/// A document of an agenda item, and whether it came after the notice period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemDocument {
    pub item_id: i64,
    pub attachment: files::Attachment,
    /// Distributed later than the notice the meeting's kind asks.
    pub late: bool,
}

/// Whether a document given at `at` is late for a meeting of `kind` starting at `starts_at`.
pub fn late(kind: MeetingKind, starts_at: i64, at: i64) -> bool {
    at > starts_at - kind.notice_days() * 86_400_000
}

/// Attaches a document to an agenda item (not once the meeting is closed).
pub async fn attach(
    db: &Db,
    congress: CongressId,
    item_id: i64,
    file_name: &str,
    bytes: &[u8],
    o: &Origin,
) -> Result<i64, AppError> {
    let (meeting_id, _) = store::item(db, congress, item_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let m = service::meeting(db, congress, meeting_id).await?;
    if m.state == MeetingState::Closed {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let checked = attachments::check(file_name, bytes)?;
    let mut tx = db.write().await?;
    if files::count(&mut tx, owner(congress, item_id), PURPOSE).await? >= MAX_FILES {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("file"),
            "meetings.documents_too_many",
        )]));
    }
    let aid = files::insert(
        db,
        &mut tx,
        owner(congress, item_id),
        PURPOSE,
        (&checked, bytes),
        Some(o.user.0),
        o.now,
    )
    .await?;
    record(
        &mut tx,
        congress,
        format!("agenda_item:{item_id}"),
        o,
        "meetings.document",
        Outcome::Success,
        &["file"],
    )
    .await?;
    tx.commit().await?;
    Ok(aid)
}

/// The documents of a meeting's items, flagged when late.
pub async fn of_meeting(
    db: &Db,
    congress: CongressId,
    m: &store::MeetingRow,
    items: &[store::ItemRow],
) -> Result<Vec<ItemDocument>, AppError> {
    let kind = m.kind;
    let mut out = Vec::new();
    for i in items {
        for a in files::list(db, owner(congress, i.id)).await? {
            out.push(ItemDocument {
                item_id: i.id,
                late: late(kind, m.starts_at, a.created_at),
                attachment: a,
            });
        }
    }
    Ok(out)
}

/// `POST /c/{cid}/agenda-items/{id}/documents` (multipart; CSRF in the query).
pub async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cid, id)): Path<(i64, i64)>,
    form: Multipart,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::RunMeetings).await?;
    let (_, file) = attachments::read_upload(form).await?;
    let (name, bytes) = file.unwrap_or_default();
    let o = ctx.origin(&state)?;
    attach(&state.db, c.id, id, &name, &bytes, &o).await?;
    let (meeting, _) = store::item(&state.db, c.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Redirect::to(&format!("/c/{cid}/meetings/{meeting}#item-{id}")).into_response())
}

/// `GET /c/{cid}/agenda-items/{id}/documents/{aid}` — for the meeting's participants.
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cid, id, aid)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let a = files::get(&state.db, owner(c.id, id), aid)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = files::body(&state.db, owner(c.id, id), aid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(attachments::download_response(&a, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standing_committee_materials_are_due_seven_days_ahead() {
        let day = 86_400_000;
        let starts = 100 * day;
        assert!(
            !late(MeetingKind::StandingCommittee, starts, starts - 7 * day),
            "exactly 7 days: in time"
        );
        assert!(late(
            MeetingKind::StandingCommittee,
            starts,
            starts - 7 * day + 1
        ));
        assert!(!late(MeetingKind::Presidium, starts, starts - day));
        assert!(late(MeetingKind::Presidium, starts, starts - day + 1));
    }
}
