//! 公开 — the office publishes a reply on the public portal, when the congress's
//! `suggestion.publication` setting allows it, or withdraws it. The portal shows the item's title,
//! number, category, lead deputy, unit, class and reply text with personal data removed
//! (`text::redact`); nothing else of the item leaves the office.

use super::*;
use crate::platform::error::Field;

/// Whether the congress lets the office publish replies.
pub async fn publication_allowed(db: &Db, congress: CongressId) -> Result<bool, AppError> {
    let v = crate::settings::get(db, congress, "suggestion.publication").await?;
    Ok(v.is_some_and(|r| r.value == "office_decides"))
}

/// Publishes (`publish`) or withdraws the item's reply.
pub async fn publish(
    db: &Db,
    congress: CongressId,
    id: i64,
    publish: bool,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Office).await?;
    let action = if publish { "publish" } else { "unpublish" };
    if publish && !publication_allowed(db, congress).await? {
        refused(db, congress, id, o, action).await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.publication_off",
        ));
    }
    // Only a reply that stands: not while it is being handled again.
    if publish && (s.replied_on.is_none() || state_of(&s)?.reply_pending()) {
        refused(db, congress, id, o, action).await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.not_replied",
        ));
    }
    let mut tx = db.write().await?;
    let at = publish.then_some(o.now);
    if !store::set_published(&mut tx, congress, id, at).await? {
        drop(tx);
        refused(db, congress, id, o, action).await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.not_replied",
        ));
    }
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action,
            from: &s.state,
            to: &s.state,
            note: "",
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, congress, id, o, action, &["published_at"]).await?;
    tx.commit().await?;
    Ok(())
}
