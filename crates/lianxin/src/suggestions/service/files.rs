//! A suggestion's attachments: the deputy's material while drafting, the lead unit's reply
//! material while the reply is pending, and its evidence while delivery is pending. Who may add a
//! file follows the item's state; a deputy sees reply material only once the reply is sent.

use super::*;
use crate::attachments::{self, self as files, Attachment};
use crate::platform::error::Field;

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// 建议材料 — the deputy's material.
    Material,
    /// 答复材料 — the lead unit's reply material.
    Reply,
    /// 办成佐证 — evidence that a class-B item was solved.
    Delivery,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [Purpose::Material, Purpose::Reply, Purpose::Delivery];

    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Material => "material",
            Purpose::Reply => "reply",
            Purpose::Delivery => "delivery",
        }
    }

    pub fn parse(s: &str) -> Option<Purpose> {
        Purpose::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

fn owner(congress: CongressId, id: i64) -> files::Owner<'static> {
    files::Owner {
        congress,
        kind: "suggestion",
        id,
    }
}

/// Whether `cap` may add (or remove its own) files of `purpose` to the item now.
pub async fn may_attach(
    db: &Db,
    congress: CongressId,
    s: &Suggestion,
    cap: Capacity,
    purpose: Purpose,
) -> Result<bool, AppError> {
    let st = state_of(s)?;
    Ok(match (cap, purpose) {
        (Capacity::Deputy(d), Purpose::Material) => {
            d == s.lead_deputy_id && matches!(st, State::Draft | State::ReturnedForRevision)
        }
        (Capacity::Unit { unit, .. }, Purpose::Reply | Purpose::Delivery) => {
            let lead = leads(db, congress, s.id, unit).await?;
            lead && if purpose == Purpose::Reply {
                st.reply_pending()
            } else {
                s.delivery == Delivery::Pending
            }
        }
        _ => false,
    })
}

/// The files `cap` may see: all, except that a deputy sees reply material only up to the last
/// reply sent (a unit's drafts for a re-handling stay with the unit).
pub async fn attachments(
    db: &Db,
    congress: CongressId,
    s: &Suggestion,
    cap: Capacity,
) -> Result<Vec<Attachment>, AppError> {
    let all = files::list(db, owner(congress, s.id)).await?;
    let Capacity::Deputy(_) = cap else {
        return Ok(all);
    };
    let last_reply = store::events(db, congress, s.id)
        .await?
        .iter()
        .filter(|e| e.action == Command::Reply.name())
        .map(|e| e.at)
        .max();
    Ok(all
        .into_iter()
        .filter(|a| {
            a.purpose != Purpose::Reply.as_str() || last_reply.is_some_and(|t| a.created_at <= t)
        })
        .collect())
}

/// Attaches a checked file. Refused (and audited) when the actor may not attach now.
pub async fn attach(
    db: &Db,
    congress: CongressId,
    id: i64,
    cap: Capacity,
    upload: attachments::Upload<'_>,
    o: &Origin,
) -> Result<i64, AppError> {
    let bytes = upload.bytes;
    let s = load(db, congress, id, cap).await?;
    let Some(purpose) = Purpose::parse(upload.purpose) else {
        return Err(AppError::field(
            Field("purpose"),
            "attachment.purpose_required",
        ));
    };
    if !may_attach(db, congress, &s, cap, purpose).await? {
        return Err(not_entitled(db, congress, id, o, "attach").await);
    }
    let checked = attachments::check(upload.file_name, bytes)?;
    let mut tx = db.write().await?;
    if files::count(&mut tx, owner(congress, id), purpose.as_str()).await?
        >= attachments::MAX_PER_OWNER
    {
        drop(tx);
        refused(db, congress, id, o, "attach").await;
        return Err(AppError::field(Field("file"), "attachment.too_many"));
    }
    let aid = files::insert(
        db,
        &mut tx,
        owner(congress, id),
        purpose.as_str(),
        (&checked, bytes),
        Some(o.user.0),
        o.now,
    )
    .await?;
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: "attach",
            from: &s.state,
            to: &s.state,
            note: &checked.file_name,
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, congress, id, o, "attach", &["attachment"]).await?;
    tx.commit().await?;
    Ok(aid)
}

/// Removes a file: only its uploader, and only while they could still attach it.
pub async fn detach(
    db: &Db,
    congress: CongressId,
    id: i64,
    attachment: i64,
    cap: Capacity,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, cap).await?;
    let a = files::get(db, owner(congress, id), attachment)
        .await?
        .ok_or(AppError::NotFound)?;
    let purpose = Purpose::parse(&a.purpose).ok_or(AppError::NotFound)?;
    if a.uploaded_by != Some(o.user.0) || !may_attach(db, congress, &s, cap, purpose).await? {
        return Err(not_entitled(db, congress, id, o, "detach").await);
    }
    let mut tx = db.write().await?;
    if !files::delete(&mut tx, owner(congress, id), attachment).await? {
        return Err(AppError::NotFound);
    }
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: "detach",
            from: &s.state,
            to: &s.state,
            note: &a.file_name,
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, congress, id, o, "detach", &["attachment"]).await?;
    tx.commit().await?;
    Ok(())
}

/// A file's name, type and bytes, for whoever may see it.
pub async fn download(
    db: &Db,
    congress: CongressId,
    id: i64,
    attachment: i64,
    cap: Capacity,
) -> Result<(Attachment, Vec<u8>), AppError> {
    let s = load(db, congress, id, cap).await?;
    let a = attachments(db, congress, &s, cap)
        .await?
        .into_iter()
        .find(|a| a.id == attachment)
        .ok_or(AppError::NotFound)?;
    let bytes = files::body(db, owner(congress, id), attachment)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((a, bytes))
}
