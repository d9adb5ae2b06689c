//! The settings commands: a change of one value with its source, and a provincial preset applied
//! as a starting point. Each is one transaction with the history row and its audit record.

use super::registry::{Preset, SourceKind};
use super::store::{self, Change};
use crate::audit::{self, Record};
use crate::db::Db;
use crate::platform::error::AppError;
use crate::platform::ids::CongressId;
use crate::platform::origin::Origin;

/// Sets a checked value (`pages::validate_change`) with its source.
pub async fn change(
    db: &Db,
    congress: CongressId,
    c: &Change<'_>,
    o: &Origin,
) -> Result<(), AppError> {
    let mut tx = db.write().await?;
    store::set(&mut tx, congress, c, o.now, o.user.0).await?;
    let fields = &["value", "source_kind", "source_text", "decided_on"];
    let target = format!("setting:{}", c.key);
    audit::append(
        &mut tx,
        &Record::by(o, Some(congress), "settings.change", target, fields),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Applies a preset: each of its values labelled "preset" with its regulation and article until
/// the congress confirms it.
pub async fn apply_preset(
    db: &Db,
    congress: CongressId,
    preset: &Preset,
    o: &Origin,
) -> Result<(), AppError> {
    let mut tx = db.write().await?;
    for (key, value, article) in preset.values {
        let cite = format!("参照《{}》{}", preset.title, article);
        let c = Change {
            key,
            value,
            source: SourceKind::Preset,
            source_text: &cite,
            decided_on: None,
        };
        store::set(&mut tx, congress, &c, o.now, o.user.0).await?;
    }
    let fields = &["value", "source_kind", "source_text"];
    let target = format!("preset:{}", preset.key);
    audit::append(
        &mut tx,
        &Record::by(o, Some(congress), "settings.preset", target, fields),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
