//! The suggestion commands. Each one: loads the item, checks who may act (the lead deputy, an
//! invited co-signer, the deputies' affairs office, the unit it is assigned to), asks the pure
//! state machine, and writes the change, its history event, its audit record, its deadlines and
//! its notices in one transaction. A refused command changes nothing and is itself audited.

use super::domain::{self, Command, Delivery, Rating, ReplyClass, State, UnitRole};
use super::store::{self, NewSuggestion, Suggestion};
use crate::audit::{self, Outcome, Record};
use crate::calendar::deadlines::{self, Registration, Span};
use crate::calendar::rules::{Basis, Calendar};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::{CongressId, UserId};
use chrono::NaiveDate;

mod drafting;
mod files;
mod followup;
mod handling;
mod merge;
mod notices;
mod publication;
mod rating;
pub use drafting::*;
pub use files::*;
pub use followup::*;
pub use handling::*;
pub use merge::merge;
pub use publication::*;
pub use rating::*;

pub use crate::platform::origin::Origin;

/// In what capacity the actor acts on an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capacity {
    /// The deputy (their deputy id in this congress).
    Deputy(i64),
    /// The deputies' affairs office.
    Office,
    /// A handling unit's operator or head (unit id; `head` may sign replies).
    Unit { unit: i64, head: bool },
}

pub const CATEGORIES: &[&str] = &[
    "economy",
    "urban_construction",
    "agriculture",
    "education_culture",
    "health",
    "social_security",
    "environment",
    "public_safety",
    "government",
    "other",
];

pub const CONTACT_FORMS: &[&str] = &["visit", "meeting", "phone", "site_inspection"];

async fn refused(db: &Db, congress: CongressId, id: i64, o: &Origin, action: &str) {
    // The attempt is on record even though nothing changed (issue 5: "the attempt audited").
    let action = format!("suggestions.{action}");
    let r = Record::by(o, Some(congress), &action, format!("suggestion:{id}"), &[]);
    audit::refusal(db, &r.outcome(Outcome::Failed)).await;
}

async fn record(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    o: &Origin,
    action: &str,
    fields: &[&str],
) -> Result<(), sqlx::Error> {
    let action = format!("suggestions.{action}");
    let r = Record::by(
        o,
        Some(congress),
        &action,
        format!("suggestion:{id}"),
        fields,
    );
    audit::append(tx, &r).await.map(drop)
}

/// Loads an item and checks that `cap` may see it at all (others get "not found").
pub async fn load(
    db: &Db,
    congress: CongressId,
    id: i64,
    cap: Capacity,
) -> Result<Suggestion, AppError> {
    let s = store::get(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let visible = match cap {
        Capacity::Office => true,
        Capacity::Deputy(d) => {
            s.lead_deputy_id == d
                || store::signers(db, congress, id)
                    .await?
                    .iter()
                    .any(|g| g.deputy_id == d)
        }
        Capacity::Unit { unit, .. } => store::units(db, congress, id)
            .await?
            .iter()
            .any(|u| u.unit_id == unit && u.active == 1),
    };
    if visible {
        Ok(s)
    } else {
        Err(AppError::NotFound)
    }
}

/// Whether `unit` is the item's active lead unit (主办).
async fn leads(db: &Db, congress: CongressId, id: i64, unit: i64) -> Result<bool, sqlx::Error> {
    Ok(store::units(db, congress, id)
        .await?
        .iter()
        .any(|u| u.unit_id == unit && u.active == 1 && u.role == UnitRole::Lead))
}

fn state_of(s: &Suggestion) -> Result<State, AppError> {
    State::parse(&s.state).ok_or_else(|| AppError::internal("unknown suggestion state"))
}

/// A state change the machine allowed: from, to, and the command that makes it.
#[derive(Clone, Copy)]
struct Move {
    from: State,
    to: State,
    cmd: Command,
}

/// Applies a state change decided by the machine, with its event and audit record.
async fn transition(
    tx: &mut Tx<'_>,
    congress: CongressId,
    s: &Suggestion,
    m: Move,
    note: &str,
    o: &Origin,
    fields: &[&str],
) -> Result<(), AppError> {
    let Move { from, to, cmd } = m;
    if !store::set_state(tx, congress, s.id, from.as_str(), to.as_str(), o.now).await? {
        return Err(AppError::Conflict("suggestion.changed_meanwhile"));
    }
    store::event(
        tx,
        congress,
        s.id,
        &store::Step {
            user: Some(o.user.0),
            action: cmd.name(),
            from: from.as_str(),
            to: to.as_str(),
            note,
            now: o.now,
        },
    )
    .await?;
    record(tx, congress, s.id, o, cmd.name(), fields).await?;
    Ok(())
}

/// The state machine's verdict, or a refusal that is audited and changes nothing.
async fn decide(
    db: &Db,
    congress: CongressId,
    s: &Suggestion,
    cmd: Command,
    o: &Origin,
) -> Result<(State, State), AppError> {
    let from = state_of(s)?;
    match domain::next(from, cmd) {
        Ok(to) => Ok((from, to)),
        Err(key) => {
            refused(db, congress, s.id, o, cmd.name()).await;
            Err(AppError::field(Field("state"), key))
        }
    }
}

async fn not_entitled(
    db: &Db,
    congress: CongressId,
    id: i64,
    o: &Origin,
    action: &str,
) -> AppError {
    refused(db, congress, id, o, action).await;
    AppError::Denied("suggestion.not_entitled")
}

/// A co-signer accepts or declines the invitation.
pub async fn answer_invitation(
    db: &Db,
    congress: CongressId,
    id: i64,
    deputy: i64,
    accept: bool,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Deputy(deputy)).await?;
    if !matches!(state_of(&s)?, State::Draft | State::ReturnedForRevision) {
        refused(db, congress, id, o, "consent").await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.not_draft",
        ));
    }
    let mut tx = db.write().await?;
    let consent = if accept { "accepted" } else { "declined" };
    if !store::answer(&mut tx, congress, id, deputy, consent, o.now).await? {
        drop(tx);
        refused(db, congress, id, o, "consent").await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.not_invited",
        ));
    }
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: consent,
            from: &s.state,
            to: &s.state,
            note: "",
            now: o.now,
        },
    )
    .await?;
    record(&mut tx, congress, id, o, "consent", &["consent"]).await?;
    tx.commit().await?;
    Ok(())
}

/// The lead deputy submits (every co-signer has answered) or withdraws (before registration).
pub async fn lead_action(
    db: &Db,
    congress: CongressId,
    id: i64,
    deputy: i64,
    withdraw: bool,
    o: &Origin,
) -> Result<(), AppError> {
    let s = load(db, congress, id, Capacity::Deputy(deputy)).await?;
    let name = if withdraw { "withdraw" } else { "submit" };
    if s.lead_deputy_id != deputy {
        return Err(not_entitled(db, congress, id, o, name).await);
    }
    let cmd = if withdraw {
        Command::Withdraw
    } else {
        let pending = store::signers(db, congress, id)
            .await?
            .iter()
            .filter(|g| g.consent == "invited")
            .count();
        Command::Submit {
            pending_consents: pending,
        }
    };
    let (from, to) = decide(db, congress, &s, cmd, o).await?;
    let mut tx = db.write().await?;
    transition(
        &mut tx,
        congress,
        &s,
        Move { from, to, cmd },
        "",
        o,
        &["state"],
    )
    .await?;
    if !withdraw {
        let t = notices::Tell {
            kind: "suggestion_submitted",
            reach: false,
            zh: format!("收到{}代表提出的建议，请审查：{}", s.lead_name, s.title),
            en: format!("New suggestion from {} to review: {}", s.lead_name, s.title),
        };
        let office = store::office_users(db, congress).await?;
        notices::tell(db, &mut tx, congress, id, &office, &t, o).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The office's registration review: register (numbered), return for revision, or not register.
pub async fn review(
    db: &Db,
    congress: CongressId,
    id: i64,
    cmd: Command,
    reason: &str,
    o: &Origin,
) -> Result<Option<i64>, AppError> {
    let s = load(db, congress, id, Capacity::Office).await?;
    if !matches!(cmd, Command::Register) && reason.trim().is_empty() {
        return Err(AppError::field(
            Field("reason"),
            "suggestion.reason_required",
        ));
    }
    let (from, to) = decide(db, congress, &s, cmd, o).await?;
    let mut tx = db.write().await?;
    transition(
        &mut tx,
        congress,
        &s,
        Move { from, to, cmd },
        reason.trim(),
        o,
        &["state"],
    )
    .await?;
    let number = if matches!(cmd, Command::Register) {
        Some(store::number(&mut tx, congress, id, &s.period_key).await?)
    } else {
        None
    };
    let t = match (cmd, number) {
        (Command::Register, Some(n)) => notices::Tell {
            kind: "suggestion_registered",
            reach: true,
            zh: format!("您的建议已立案，编为第{n}号：{}", s.title),
            en: format!("Your suggestion is registered as No. {n}: {}", s.title),
        },
        (Command::ReturnForRevision, _) => notices::Tell {
            kind: "suggestion_returned",
            reach: true,
            zh: format!("您的建议被退回修改（{}）：{}", reason.trim(), s.title),
            en: format!(
                "Your suggestion was returned for revision ({}): {}",
                reason.trim(),
                s.title
            ),
        },
        _ => notices::Tell {
            kind: "suggestion_not_registered",
            reach: true,
            zh: format!("您的建议未予立案（{}）：{}", reason.trim(), s.title),
            en: format!(
                "Your suggestion was not registered ({}): {}",
                reason.trim(),
                s.title
            ),
        },
    };
    let deputy = notices::deputies_of(db, congress, &s, false).await?;
    notices::tell(db, &mut tx, congress, id, &deputy, &t, o).await?;
    tx.commit().await?;
    Ok(number)
}

async fn setting_span(db: &Db, congress: CongressId, key: &str) -> Result<(Span, Basis), AppError> {
    let r = crate::settings::get(db, congress, key)
        .await?
        .ok_or_else(|| AppError::internal("setting missing"))?;
    let period = r
        .period()
        .ok_or_else(|| AppError::internal("setting is not a period"))?;
    Ok((
        period.span(),
        Basis {
            rule: format!("rule.{}", key.replace('.', "_")),
            source: r.source,
        },
    ))
}

/// Reply months allowed for an item (for display): 3, or 6 when complex.
pub fn reply_months(complex: bool) -> u32 {
    if complex { 6 } else { 3 }
}

/// One of an item's deadlines: which (`reply`, `feedback`), its span and legal basis, and the day
/// it runs from.
struct Due<'a> {
    kind: &'a str,
    span: Span,
    start: NaiveDate,
    basis: Basis,
}

/// Registers one of the item's deadlines (replacing an earlier one of the same kind).
async fn register_deadline(
    tx: &mut Tx<'_>,
    calendar: &Calendar,
    congress: CongressId,
    id: i64,
    due: Due<'_>,
    now: i64,
) -> Result<crate::calendar::rules::Deadline, sqlx::Error> {
    let Due {
        kind,
        span,
        start,
        basis,
    } = due;
    deadlines::register(
        tx,
        calendar,
        &Registration {
            congress,
            module: "suggestions",
            item_id: id,
            kind,
            span,
            holder: None,
            link: &format!("/c/{}/suggestions/{id}", congress.0),
        },
        start,
        basis,
        now,
    )
    .await
}

/// The day the item was assigned (`today` if it never was).
fn assigned_date(s: &Suggestion, today: NaiveDate) -> NaiveDate {
    s.assigned_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .unwrap_or(today)
}
