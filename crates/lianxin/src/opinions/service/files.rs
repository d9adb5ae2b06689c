//! Photos and documents on an opinion: the citizen adds them from the tracking page (the code is
//! the key; no account), while the opinion is open, up to `MAX_FILES`; handlers who see the
//! opinion download them. Bodies are checked against their names and sealed like every
//! attachment (`crate::attachments`).

use super::super::store;
use crate::attachments::{self, self as files, Attachment};
use crate::audit::{self, Outcome, Record};
use crate::db::Db;
use crate::platform::error::AppError;
use crate::platform::error::Field;
use crate::platform::ids::CongressId;

/// Files a citizen may add to one opinion.
pub const MAX_FILES: i64 = 5;
const PURPOSE: &str = "citizen";

fn owner(congress: CongressId, id: i64) -> files::Owner<'static> {
    files::Owner {
        congress,
        kind: "opinion",
        id,
    }
}

/// 补充材料 — the citizen adds a file by the tracking code.
pub async fn attach_by_citizen(
    db: &Db,
    typed_code: &str,
    file_name: &str,
    bytes: &[u8],
    now: i64,
    client_addr: Option<String>,
) -> Result<i64, AppError> {
    let code = super::super::domain::normalize_code(typed_code).ok_or(AppError::NotFound)?;
    let o = store::by_code(db, &code).await?.ok_or(AppError::NotFound)?;
    if !o.is_open() {
        return Err(AppError::field(Field("file"), "opinion.files_closed"));
    }
    let checked = attachments::check(file_name, bytes)?;
    let congress = CongressId(o.congress_id);
    let mut tx = db.write().await?;
    if files::count(&mut tx, owner(congress, o.id), PURPOSE).await? >= MAX_FILES {
        return Err(AppError::field(Field("file"), "opinion.files_too_many"));
    }
    let aid = files::insert(
        db,
        &mut tx,
        owner(congress, o.id),
        PURPOSE,
        (&checked, bytes),
        None,
        now,
    )
    .await?;
    store::event(
        &mut tx,
        congress,
        o.id,
        None,
        "attached",
        &checked.file_name,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        &Record {
            at: now,
            user: None,
            congress: Some(congress),
            action: "opinions.attach",
            target: format!("opinion:{}", o.id),
            outcome: Outcome::Success,
            fields: &["attachment"],
            client_addr,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(aid)
}

/// The files of an opinion (without bodies).
pub async fn attachments(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Vec<Attachment>, AppError> {
    Ok(files::list(db, owner(congress, id)).await?)
}

/// One file with its body, checked against its digest by the store.
pub async fn download(
    db: &Db,
    congress: CongressId,
    id: i64,
    aid: i64,
) -> Result<(Attachment, Vec<u8>), AppError> {
    let a = files::get(db, owner(congress, id), aid)
        .await?
        .ok_or(AppError::NotFound)?;
    let body = files::body(db, owner(congress, id), aid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((a, body))
}
