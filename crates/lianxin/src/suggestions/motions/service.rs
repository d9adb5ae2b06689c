//! The motion commands: drafting with signers, filing at a session, the presidium's decision
//! (recorded by the deputies' affairs office acting as the session's secretariat), the special
//! committee's report, and the lead deputy's answer on handling a rejected motion as a
//! suggestion. One transaction each, with history and audit; refusals change nothing and are
//! audited.

use super::domain::{self as motion, MotionCommand, MotionState};
use super::store::{self, Fill, Motion, Step};
use crate::audit::{self, Outcome, Record};
use crate::congress::{Congress, CongressLevel};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;
use crate::suggestions::service::Origin;
use crate::suggestions::store as suggestions;

/// Input of a new motion.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MotionInput {
    pub title: String,
    pub content: String,
    /// `deputies` (the default, led by the drafting deputy) or an institutional proposer:
    /// `presidium`, `standing_committee`, `special_committee`, `government` (office only).
    pub proposer: String,
    /// Co-signers' names (deputies' motions), separated by 、 or commas.
    pub cosigners: String,
}

async fn record(
    tx: &mut Tx<'_>,
    c: CongressId,
    id: i64,
    o: &Origin,
    action: &str,
    outcome: Outcome,
) -> Result<(), sqlx::Error> {
    let action = format!("motions.{action}");
    let r = Record::by(o, Some(c), &action, format!("motion:{id}"), &["state"]).outcome(outcome);
    audit::append(tx, &r).await.map(drop)
}

async fn refused(db: &Db, c: CongressId, id: i64, o: &Origin, action: &str) {
    let action = format!("motions.{action}");
    let r = Record::by(o, Some(c), &action, format!("motion:{id}"), &["state"]);
    audit::refusal(db, &r.outcome(Outcome::Failed)).await;
}

/// The session sitting today, if any.
async fn sitting(db: &Db, c: CongressId, o: &Origin) -> Result<Option<i64>, AppError> {
    let t = o.today.to_string();
    Ok(crate::congress::sessions(db, c)
        .await?
        .into_iter()
        .find(|s| s.opens_on <= t && t <= s.closes_on)
        .map(|s| s.id))
}

/// A moment as local (Beijing) time to the minute, `YYYY-MM-DDTHH:MM`, comparable as text with
/// the stored deadline.
fn local_minute(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&crate::platform::clock::shanghai())
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// The session sitting today, if any, with the presidium's deadline for motions.
pub async fn sitting_session(
    db: &Db,
    c: CongressId,
    o: &Origin,
) -> Result<Option<(i64, Option<String>)>, AppError> {
    match sitting(db, c, o).await? {
        Some(sid) => Ok(Some((sid, store::motion_deadline(db, c, sid).await?))),
        None => Ok(None),
    }
}

/// 议案截止时间 — the office records the deadline the session's presidium set for motions
/// (`YYYY-MM-DDTHH:MM`, local time, within the session), or clears it.
pub async fn set_deadline(
    db: &Db,
    c: CongressId,
    deadline: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let Some(sid) = sitting(db, c, o).await? else {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("deadline"),
            "motion.refused.not_in_session",
        )]));
    };
    let deadline = deadline.trim();
    let value = if deadline.is_empty() {
        None
    } else {
        let parsed = chrono::NaiveDateTime::parse_from_str(deadline, "%Y-%m-%dT%H:%M");
        let session = crate::congress::sessions(db, c)
            .await?
            .into_iter()
            .find(|s| s.id == sid);
        let inside = match (&parsed, &session) {
            (Ok(t), Some(s)) => {
                let day = t.date().to_string();
                s.opens_on <= day && day <= s.closes_on
            }
            _ => false,
        };
        if !inside {
            return Err(AppError::Invalid(vec![FieldError::new(
                Field("deadline"),
                "motion.deadline_in_session",
            )]));
        }
        Some(deadline.to_string())
    };
    let mut tx = db.write().await?;
    store::set_motion_deadline(&mut tx, c, sid, value.as_deref()).await?;
    audit::append(
        &mut tx,
        &audit::Record {
            at: o.now,
            user: Some(o.user),
            congress: Some(c),
            action: "motions.deadline",
            target: format!("session:{sid}"),
            outcome: Outcome::Success,
            fields: &["motion_deadline"],
            client_addr: o.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Drafts a motion: by a deputy (lead; signers invited) or, for an institutional proposer, by
/// the office (no signers).
pub async fn draft(
    db: &Db,
    c: CongressId,
    lead: Option<i64>,
    input: &MotionInput,
    o: &Origin,
) -> Result<i64, AppError> {
    let proposer = if input.proposer.is_empty() {
        "deputies"
    } else {
        input.proposer.as_str()
    };
    let mut errors = Vec::new();
    if !motion::PROPOSERS.contains(&proposer) || (proposer == "deputies") != lead.is_some() {
        errors.push(FieldError::new(
            Field("proposer"),
            "motion.proposer_invalid",
        ));
    }
    let title = input.title.trim();
    let content = input.content.trim();
    if title.is_empty() {
        errors.push(FieldError::new(Field("title"), "field.required"));
    } else if title.chars().count() > 100 {
        errors.push(FieldError::new(Field("title"), "field.too_long"));
    }
    if content.is_empty() {
        errors.push(FieldError::new(Field("content"), "field.required"));
    }
    let mut cosigners = Vec::new();
    for name in crate::text::name_list(&input.cosigners) {
        match crate::people::deputies_named(db, c, name).await?.as_slice() {
            [one] if Some(*one) == lead => {}
            [one] => cosigners.push(*one),
            [] => errors.push(
                FieldError::new(Field("cosigners"), "suggestion.cosigner_unknown").with_arg(name),
            ),
            _ => errors.push(
                FieldError::new(Field("cosigners"), "suggestion.cosigner_ambiguous").with_arg(name),
            ),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let session = sitting(db, c, o).await?;
    let mut tx = db.write().await?;
    let new = store::NewMotion {
        congress: c,
        session,
        proposer,
        lead,
        title,
        content,
        by: o.user.0,
        now: o.now,
    };
    let id = store::insert(&mut tx, &new).await?;
    for d in cosigners {
        store::invite(&mut tx, c, id, d).await?;
    }
    store::event(
        &mut tx,
        c,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: "draft",
            from: "",
            to: "draft",
            note: "",
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, c, id, o, "draft", Outcome::Success).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn get(db: &Db, c: CongressId, id: i64) -> Result<Motion, AppError> {
    store::get(db, c, id).await?.ok_or(AppError::NotFound)
}

/// A step the motion machine allows: from where, to where, by which command.
struct Move {
    cmd: MotionCommand,
    from: MotionState,
    to: MotionState,
}

/// Asks the machine; a refusal is audited and changes nothing.
async fn allowed(
    db: &Db,
    c: CongressId,
    m: &Motion,
    cmd: MotionCommand,
    o: &Origin,
) -> Result<Move, AppError> {
    let from = m.state;
    match motion::next(from, cmd) {
        Ok(to) => Ok(Move { cmd, from, to }),
        Err(key) => {
            refused(db, c, m.id, o, cmd.name()).await;
            Err(AppError::field(Field("state"), key))
        }
    }
}

/// Applies an allowed step inside the caller's transaction: the state (conditional on the
/// state read), the fields it fills, its history step and its audit record.
async fn apply(
    tx: &mut Tx<'_>,
    c: CongressId,
    m: &Motion,
    mv: &Move,
    note: &str,
    fill: Fill<'_>,
    o: &Origin,
) -> Result<(), AppError> {
    if !store::set_state(tx, c, m.id, mv.from.as_str(), mv.to.as_str(), o.now).await? {
        return Err(AppError::Conflict("suggestion.changed_meanwhile"));
    }
    let mut fill = fill;
    if matches!(mv.cmd, MotionCommand::File { .. }) {
        // Numbered per session inside the filing transaction; the unique key refuses a race.
        fill.number = Some(store::next_number(tx, c, fill.session).await?);
    }
    store::fill(tx, c, m.id, &fill).await?;
    let step = Step {
        user: Some(o.user.0),
        action: mv.cmd.name(),
        from: mv.from.as_str(),
        to: mv.to.as_str(),
        note,
        now: o.now,
    };
    store::event(tx, c, m.id, &step).await?;
    record(tx, c, m.id, o, mv.cmd.name(), Outcome::Success).await?;
    Ok(())
}

/// One step in its own transaction.
async fn step(
    db: &Db,
    c: CongressId,
    m: &Motion,
    cmd: MotionCommand,
    note: &str,
    fill: Fill<'_>,
    o: &Origin,
) -> Result<MotionState, AppError> {
    let mv = allowed(db, c, m, cmd, o).await?;
    let mut tx = db.write().await?;
    apply(&mut tx, c, m, &mv, note, fill, o).await?;
    tx.commit().await?;
    Ok(mv.to)
}

const NO_FILL: Fill<'static> = Fill {
    session: None,
    number: None,
    committee: None,
    report: None,
    decision_note: None,
    suggestion: None,
};

/// A signer's answer.
pub async fn answer(
    db: &Db,
    c: CongressId,
    id: i64,
    deputy: i64,
    accept: bool,
    o: &Origin,
) -> Result<(), AppError> {
    let m = get(db, c, id).await?;
    let mut tx = db.write().await?;
    let consent = if accept { "accepted" } else { "declined" };
    if m.state != MotionState::Draft
        || !store::answer(&mut tx, c, id, deputy, consent, o.now).await?
    {
        drop(tx);
        refused(db, c, id, o, "consent").await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.not_invited",
        ));
    }
    store::event(
        &mut tx,
        c,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: consent,
            from: "draft",
            to: "draft",
            note: "",
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, c, id, o, "consent", Outcome::Success).await?;
    tx.commit().await?;
    Ok(())
}

/// Files the motion with the session presidium (the lead deputy, or the office for an
/// institutional proposer). The number is taken per session.
pub async fn file(
    db: &Db,
    congress: &Congress,
    id: i64,
    lead: Option<i64>,
    o: &Origin,
) -> Result<i64, AppError> {
    let c = congress.id;
    let m = get(db, c, id).await?;
    let institutional = m.proposer != "deputies";
    if institutional != lead.is_none() || (!institutional && m.lead_deputy_id != lead) {
        refused(db, c, id, o, "file").await;
        return Err(AppError::Denied("suggestion.not_entitled"));
    }
    let session = sitting(db, c, o).await?;
    let before_deadline = match session {
        Some(sid) => match store::motion_deadline(db, c, sid).await? {
            Some(deadline) => local_minute(o.now) <= deadline,
            None => true,
        },
        None => true,
    };
    let accepted = store::signers(db, c, id)
        .await?
        .iter()
        .filter(|g| g.consent == "accepted")
        .count();
    let cmd = MotionCommand::File {
        in_session: session.is_some(),
        before_deadline,
        institutional,
        signers: accepted + 1,
        min_signers: crate::suggestions::domain::motion_min_signers(
            congress.level == CongressLevel::Town,
        ),
    };
    step(db, c, &m, cmd, "", Fill { session, ..NO_FILL }, o).await?;
    Ok(get(db, c, id).await?.number.unwrap_or(0))
}

/// The presidium's decision: on the agenda, referred to a special committee, or not on the agenda.
pub async fn decide(
    db: &Db,
    c: CongressId,
    id: i64,
    decision: &str,
    committee: Option<i64>,
    note: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let m = get(db, c, id).await?;
    let cmd = match decision {
        "on_agenda" => MotionCommand::PutOnAgenda,
        "refer" => MotionCommand::Refer,
        "not_on_agenda" => MotionCommand::NotOnAgenda,
        _ => return Err(AppError::field(Field("decision"), "field.required")),
    };
    if cmd == MotionCommand::Refer {
        let ok = match committee {
            Some(org) => crate::people::orgs_of_kind(db, c, "special_committee")
                .await?
                .iter()
                .any(|x| x.id == org),
            None => false,
        };
        if !ok {
            return Err(AppError::field(
                Field("committee"),
                "motion.committee_required",
            ));
        }
    }
    if cmd == MotionCommand::NotOnAgenda && note.trim().is_empty() {
        return Err(AppError::field(Field("note"), "suggestion.reason_required"));
    }
    let fill = Fill {
        committee: if cmd == MotionCommand::Refer {
            committee
        } else {
            None
        },
        decision_note: Some(note.trim()).filter(|n| !n.is_empty()),
        ..NO_FILL
    };
    step(db, c, &m, cmd, note.trim(), fill, o).await?;
    Ok(())
}

/// The special committee's review report (recorded by the office).
pub async fn report(
    db: &Db,
    c: CongressId,
    id: i64,
    text: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let m = get(db, c, id).await?;
    if text.trim().is_empty() {
        return Err(AppError::field(Field("report"), "field.required"));
    }
    step(
        db,
        c,
        &m,
        MotionCommand::Report,
        "",
        Fill {
            report: Some(text.trim()),
            ..NO_FILL
        },
        o,
    )
    .await?;
    Ok(())
}

/// The lead deputy's answer for a motion not put on the agenda: handled as a suggestion (it
/// enters the suggestion flow as submitted, keeping a link and its signers), or not.
pub async fn convert(
    db: &Db,
    c: CongressId,
    id: i64,
    deputy: i64,
    agrees: bool,
    o: &Origin,
) -> Result<Option<i64>, AppError> {
    let m = get(db, c, id).await?;
    if m.lead_deputy_id != Some(deputy) {
        refused(db, c, id, o, "convert").await;
        return Err(AppError::Denied("suggestion.not_entitled"));
    }
    let cmd = MotionCommand::Convert {
        institutional: m.proposer != "deputies",
        agrees,
    };
    let mv = allowed(db, c, &m, cmd, o).await?;
    if !agrees {
        let mut tx = db.write().await?;
        apply(&mut tx, c, &m, &mv, "", NO_FILL, o).await?;
        tx.commit().await?;
        return Ok(None);
    }
    let (period_kind, period_key) = match m.session_id {
        Some(s) => ("session".to_string(), format!("s{s}")),
        None => crate::suggestions::service::period_of(db, c, o.today).await?,
    };
    let signers = store::signers(db, c, id).await?;
    let mut tx = db.write().await?;
    let sid = suggestions::insert(
        &mut tx,
        &suggestions::NewSuggestion {
            congress: c,
            lead_deputy: deputy,
            title: &m.title,
            content: &m.content,
            category: "other",
            town: None,
            delegation: None,
            period_kind: &period_kind,
            period_key: &period_key,
            now: o.now,
        },
    )
    .await?;
    for g in signers.iter().filter(|g| g.consent == "accepted") {
        suggestions::invite(&mut tx, c, sid, g.deputy_id).await?;
        suggestions::answer(&mut tx, c, sid, g.deputy_id, "accepted", o.now).await?;
    }
    suggestions::set_state(&mut tx, c, sid, "draft", "submitted", o.now).await?;
    let note = match m.number {
        Some(n) => format!("由第{n}号议案转为建议"),
        None => "由议案转为建议".to_string(),
    };
    let from_motion = Step {
        user: Some(o.user.0),
        action: "from_motion",
        from: "",
        to: "submitted",
        note: &note,
        now: o.now,
    };
    suggestions::event(&mut tx, c, sid, &from_motion).await?;
    // The suggestion and the motion's step commit together: a failure leaves neither.
    let link = Fill {
        suggestion: Some(sid),
        ..NO_FILL
    };
    apply(&mut tx, c, &m, &mv, "", link, o).await?;
    tx.commit().await?;
    Ok(Some(sid))
}
