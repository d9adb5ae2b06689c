//! The commands after assignment that do not move the state machine: similar earlier items,
//! extension requests and decisions, key supervision, and co-units' opinions (countersigning).

use super::*;
use crate::platform::error::Field;

/// An earlier suggestion like this one (issue 5 item 15: merge or co-sign instead of a duplicate).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Similar {
    pub id: i64,
    pub title: String,
    pub state: String,
    pub number: Option<i64>,
    /// How many of this item's keywords it shares.
    pub shared: usize,
}

/// Suggestions of the same congress (any session or year) sharing at least two of this one's
/// keywords, most shared first; found through the shared Chinese full-text search.
pub async fn similar(
    db: &Db,
    congress: CongressId,
    s: &Suggestion,
) -> Result<Vec<Similar>, AppError> {
    let words = crate::text::keywords(&[&s.title, &s.title, &s.content], 5);
    let mut counts: std::collections::BTreeMap<i64, usize> = std::collections::BTreeMap::new();
    for (w, _) in &words {
        for hit in crate::search::search(db, congress, "suggestion", w, None, 50).await? {
            if hit.item_id != s.id {
                *counts.entry(hit.item_id).or_default() += 1;
            }
        }
    }
    let need = if words.len() >= 2 { 2 } else { 1 };
    let mut ranked: Vec<(i64, usize)> = counts.into_iter().filter(|(_, n)| *n >= need).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let mut out = Vec::new();
    for (id, shared) in ranked.into_iter().take(5) {
        if let Some(x) = store::get(db, congress, id).await? {
            if matches!(x.state.as_str(), "draft" | "withdrawn") {
                continue;
            }
            out.push(Similar {
                id,
                title: x.title,
                state: x.state,
                number: x.number,
                shared,
            });
        }
    }
    Ok(out)
}

/// A lead unit asks for more time: the reply then falls due `months` after assignment, which the
/// law caps at six (代表法 Art 51); the request must give its reason and lengthen the deadline.
pub async fn request_extension(
    db: &Db,
    congress: CongressId,
    id: i64,
    unit: i64,
    months: i64,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Unit { unit, head: false }).await?;
    let is_lead = leads(db, congress, id, unit).await?;
    if !is_lead || state_of(&s)? != State::Assigned {
        return Err(not_entitled(db, congress, id, o, "extension_request").await);
    }
    let current = i64::from(reply_months(s.complex == 1));
    let mut errors = Vec::new();
    if !domain::extension_allowed(u32::try_from(months).unwrap_or(0)) {
        errors.push(FieldError::new(
            Field("months"),
            "suggestion.extension_beyond_law",
        ));
    } else if months <= current {
        errors.push(FieldError::new(
            Field("months"),
            "suggestion.extension_not_longer",
        ));
    }
    if reason.trim().is_empty() {
        errors.push(FieldError::new(
            Field("extension_reason"),
            "suggestion.reason_required",
        ));
    }
    if !errors.is_empty() {
        refused(db, congress, id, o, "extension_request").await;
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    store::set_extension_request(&mut tx, congress, id, Some(months), Some(reason.trim())).await?;
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: "extension_request",
            from: &s.state,
            to: &s.state,
            note: &format!("{months}: {}", reason.trim()),
            now: o.now,
        },
    )
    .await?;
    record(
        &mut tx,
        congress,
        id,
        o,
        "extension_request",
        &["extension_months", "extension_reason"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The office approves (the deadline moves to `months` after assignment, on the legal calendar)
/// or refuses an extension request.
pub async fn decide_extension(
    db: &Db,
    congress: CongressId,
    id: i64,
    approve: bool,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Office).await?;
    let Some(months) = s.extension_months else {
        return Err(AppError::field(
            Field("state"),
            "suggestion.no_extension_request",
        ));
    };
    let mut tx = db.write().await?;
    store::set_extension_request(&mut tx, congress, id, None, None).await?;
    let action = if approve {
        "extension_approved"
    } else {
        "extension_refused"
    };
    if approve {
        let m = u32::try_from(months)
            .unwrap_or(domain::MAX_REPLY_MONTHS)
            .min(domain::MAX_REPLY_MONTHS);
        let assigned = assigned_date(&s, o.today);
        let calendar = crate::calendar::load(db).await?;
        let d = register_deadline(
            &mut tx,
            &calendar,
            congress,
            id,
            Due {
                kind: "reply",
                span: Span::Months(m),
                start: assigned,
                basis: Basis {
                    rule: "rule.suggestion_complex_reply_window".into(),
                    source: "代表法第五十一条".into(),
                },
            },
            o.now,
        )
        .await?;
        store::set_due(
            &mut tx,
            congress,
            id,
            &d.due.to_string(),
            m == domain::MAX_REPLY_MONTHS,
        )
        .await?;
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
    record(&mut tx, congress, id, o, action, &["due_on"]).await?;
    tx.commit().await?;
    Ok(())
}

/// 重点督办: the office records the chairpersons' meeting's designation of a key item and its
/// supervising leader, or a progress note on one; both go into the item's history.
pub async fn key_supervision(
    db: &Db,
    congress: CongressId,
    id: i64,
    supervisor: &str,
    note: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Office).await?;
    let st = state_of(&s)?;
    if st.is_final()
        || matches!(
            st,
            State::Draft | State::Submitted | State::ReturnedForRevision
        )
    {
        return Err(AppError::field(
            Field("supervisor"),
            "suggestion.key_not_open",
        ));
    }
    let supervisor = supervisor.trim();
    let note = note.trim();
    if s.key_supervision == 0 && supervisor.is_empty() {
        return Err(AppError::field(
            Field("supervisor"),
            "suggestion.supervisor_required",
        ));
    }
    if s.key_supervision == 1 && supervisor.is_empty() && note.is_empty() {
        return Err(AppError::field(Field("note"), "field.required"));
    }
    let mut tx = db.write().await?;
    let action = if s.key_supervision == 0 || !supervisor.is_empty() {
        store::set_key_supervision(
            &mut tx,
            congress,
            id,
            Some(if supervisor.is_empty() {
                s.supervisor.as_deref().unwrap_or("")
            } else {
                supervisor
            }),
        )
        .await?;
        "key_supervision"
    } else {
        "supervision_note"
    };
    let text = if note.is_empty() {
        supervisor.to_string()
    } else {
        note.to_string()
    };
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action,
            from: &s.state,
            to: &s.state,
            note: &text,
            now: o.now,
        },
    )
    .await?;
    record(
        &mut tx,
        congress,
        id,
        o,
        action,
        &["key_supervision", "supervisor"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 协办意见: an active co-unit gives its opinion to the lead unit (its countersignature).
pub async fn co_opinion(
    db: &Db,
    congress: CongressId,
    id: i64,
    unit: i64,
    opinion: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Unit { unit, head: false }).await?;
    let is_co = store::units(db, congress, id)
        .await?
        .iter()
        .any(|u| u.unit_id == unit && u.active == 1 && u.role == UnitRole::Co);
    if !is_co || !state_of(&s)?.reply_pending() {
        return Err(not_entitled(db, congress, id, o, "co_opinion").await);
    }
    if opinion.trim().is_empty() {
        return Err(AppError::field(Field("opinion"), "field.required"));
    }
    let mut tx = db.write().await?;
    store::set_opinion(&mut tx, congress, id, unit, opinion.trim(), o.user.0, o.now).await?;
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: "co_opinion",
            from: &s.state,
            to: &s.state,
            note: "",
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, congress, id, o, "co_opinion", &["opinion"]).await?;
    tx.commit().await?;
    Ok(())
}
