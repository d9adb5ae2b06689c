//! 并案 — the office handles a registered suggestion together with an earlier one on the same
//! matter (found among the similar items): it is assigned to the same units when that one is,
//! answered with the same reply when that one is, and rated by its own deputy. Each item keeps
//! its number, its deadline and its history.

use super::*;
use crate::platform::error::Field;

/// Merges the registered item `id` into `into` (registered or assigned, not itself merged).
/// If `into` is already assigned, `id` is assigned to the same units at once.
pub async fn merge(
    db: &Db,
    congress: CongressId,
    id: i64,
    into: i64,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Office).await?;
    if into == id {
        return Err(AppError::field(Field("into"), "suggestion.merge_self"));
    }
    let Some(target) = store::get(db, congress, into).await? else {
        refused(db, congress, id, o, "merge").await;
        return Err(AppError::field(
            Field("into"),
            "suggestion.merge_target_unknown",
        ));
    };
    let target_state = state_of(&target)?;
    if state_of(&s)? != State::Registered || s.merged_into.is_some() {
        refused(db, congress, id, o, "merge").await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.not_registered",
        ));
    }
    if !matches!(target_state, State::Registered | State::Assigned) || target.merged_into.is_some()
    {
        refused(db, congress, id, o, "merge").await;
        return Err(AppError::field(
            Field("into"),
            "suggestion.merge_target_state",
        ));
    }
    // Into an assigned item: this one is assigned to the same units in the merge's transaction.
    let plan = if target_state == State::Assigned {
        let units = store::units(db, congress, into).await?;
        let lead = units
            .iter()
            .find(|u| u.active == 1 && u.role == UnitRole::Lead)
            .map(|u| u.unit_id);
        let co: Vec<i64> = units
            .iter()
            .filter(|u| u.active == 1 && u.role == UnitRole::Co)
            .map(|u| u.unit_id)
            .collect();
        Some(plan_assign(db, congress, id, lead, &co, target.complex == 1, o).await?)
    } else {
        None
    };
    let mut tx = db.write().await?;
    if !store::set_merged(&mut tx, congress, id, into).await? {
        return Err(AppError::Conflict("suggestion.changed_meanwhile"));
    }
    let note = target
        .number
        .map(|n| format!("第{n}号"))
        .unwrap_or_else(|| format!("#{into}"));
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: "merge",
            from: &s.state,
            to: &s.state,
            note: &note,
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, congress, id, o, "merge", &["merged_into"]).await?;
    if let Some(plan) = &plan {
        write_assign(db, &mut tx, congress, plan, o).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The items merged into `primary` that still wait for their assignment.
pub(super) async fn waiting_merged(
    db: &Db,
    congress: CongressId,
    primary: i64,
) -> Result<Vec<i64>, AppError> {
    let mut out = Vec::new();
    for sid in store::merged_items(db, congress, primary).await? {
        let waiting = store::get(db, congress, sid)
            .await?
            .is_some_and(|m| m.state == State::Registered.as_str());
        if waiting {
            out.push(sid);
        }
    }
    Ok(out)
}

/// After the primary item's reply: the merged items the same unit holds get the same reply. One
/// that cannot take it now (a co-unit's countersignature pending, say) stays for its own reply.
pub(super) async fn reply_merged(
    db: &Db,
    congress: CongressId,
    primary: i64,
    r: super::ReplyInput<'_>,
    o: &Origin,
    replied: super::Replied,
) -> Result<(), AppError> {
    let unit = r.unit;
    for sid in store::merged_items(db, congress, primary).await? {
        let Some(m) = store::get(db, congress, sid).await? else {
            continue;
        };
        let holds = leads(db, congress, sid, unit).await?;
        if holds && state_of(&m)?.reply_pending() {
            let signed = super::ReplyInput { head: true, ..r };
            match Box::pin(reply(db, congress, sid, signed, o, replied)).await {
                Ok(()) | Err(AppError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}
