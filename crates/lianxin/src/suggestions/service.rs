//! The suggestion commands. Each one: loads the item, checks who may act (the lead deputy, an
//! invited co-signer, the deputies' affairs office, the unit it is assigned to), asks the pure
//! state machine, and writes the change, its history event, its audit record, its deadlines and
//! its notices in one transaction. A refused command changes nothing and is itself audited.

use super::domain::{self, Command, Rating, ReplyClass, State};
use super::store::{self, NewSuggestion, Suggestion};
use crate::audit::{self, Outcome, Record};
use crate::calendar::deadlines::{self, Registration, Span};
use crate::calendar::rules::{Basis, Calendar};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::{CongressId, UserId};
use chrono::NaiveDate;

mod files;
mod followup;
mod handling;
mod merge;
mod notices;
mod publication;
mod rating;
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

/// Input of a new draft.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DraftInput {
    pub title: String,
    pub content: String,
    /// One of the categories (`economy`, `health`, …).
    pub category: String,
    /// Co-signers' names, separated by 、 , ， or spaces (deputies of this congress in office).
    pub cosigners: String,
    /// The town it concerns (id of a town congress of this district), if any.
    pub town: String,
    /// 以代表团名义 — drafted at a session in the name of the drafting deputy's delegation.
    pub as_delegation: bool,
}

/// The numbering period of an item drafted today: the session if one is sitting (大会期间),
/// else the year (闭会期间).
pub async fn period_of(
    db: &Db,
    congress: CongressId,
    today: NaiveDate,
) -> Result<(String, String), AppError> {
    let t = today.to_string();
    let sitting = crate::congress::sessions(db, congress)
        .await?
        .into_iter()
        .find(|s| s.opens_on <= t && t <= s.closes_on);
    Ok(match sitting {
        Some(s) => ("session".into(), format!("s{}", s.id)),
        None => (
            "recess".into(),
            format!("y{}", chrono::Datelike::year(&today)),
        ),
    })
}

/// A deputy drafts a suggestion and invites co-signers (who must consent before submission).
pub async fn draft(
    db: &Db,
    congress: CongressId,
    deputy: i64,
    input: &DraftInput,
    o: &Origin,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let title = input.title.trim();
    let content = input.content.trim();
    if title.is_empty() {
        errors.push(FieldError::new(Field("title"), "field.required"));
    } else if title.chars().count() > 100 {
        errors.push(FieldError::new(Field("title"), "field.too_long"));
    }
    if content.is_empty() {
        errors.push(FieldError::new(Field("content"), "field.required"));
    } else if content.chars().count() > 20_000 {
        errors.push(FieldError::new(Field("content"), "field.too_long"));
    }
    if !CATEGORIES.contains(&input.category.as_str()) {
        errors.push(FieldError::new(Field("category"), "field.required"));
    }
    let mut cosigners = Vec::new();
    for name in crate::text::name_list(&input.cosigners) {
        let found = crate::people::deputies_named(db, congress, name).await?;
        match found.as_slice() {
            [one] if *one == deputy => {}
            [one] => cosigners.push(*one),
            [] => {
                errors.push(
                    FieldError::new(Field("cosigners"), "suggestion.cosigner_unknown")
                        .with_arg(name),
                );
                break;
            }
            _ => {
                errors.push(
                    FieldError::new(Field("cosigners"), "suggestion.cosigner_ambiguous")
                        .with_arg(name),
                );
                break;
            }
        }
    }
    let town = match input.town.trim() {
        "" => None,
        t => {
            let found = match t.parse::<i64>() {
                Ok(tid) => crate::congress::get(db, CongressId(tid))
                    .await?
                    .filter(|c| c.parent == Some(congress))
                    .map(|c| c.id.0),
                Err(_) => None,
            };
            if found.is_none() {
                errors.push(FieldError::new(Field("town"), "suggestion.town_not_here"));
            }
            found
        }
    };
    let (period_kind, period_key) = period_of(db, congress, o.today).await?;
    let delegation = if input.as_delegation {
        // Delegations are formed for the session (代表法 Art 14), so they propose only while it sits.
        let d = store::delegation_of(db, congress, deputy).await?;
        if period_kind != "session" {
            errors.push(FieldError::new(
                Field("as_delegation"),
                "suggestion.delegation_only_in_session",
            ));
        } else if d.is_none() {
            errors.push(FieldError::new(
                Field("as_delegation"),
                "suggestion.no_delegation",
            ));
        }
        d
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    let id = store::insert(
        &mut tx,
        &NewSuggestion {
            congress,
            lead_deputy: deputy,
            title,
            content,
            category: &input.category,
            town,
            delegation,
            period_kind: &period_kind,
            period_key: &period_key,
            now: o.now,
        },
    )
    .await?;
    for c in &cosigners {
        store::invite(&mut tx, congress, id, *c).await?;
    }
    if !cosigners.is_empty() {
        let users = store::deputy_users(db, congress, &cosigners).await?;
        let lead = store::deputy_of_user(db, congress, o.user.0)
            .await?
            .map(|(_, name)| name)
            .unwrap_or_default();
        let t = notices::Tell {
            kind: "suggestion_invited",
            reach: false,
            zh: format!("{lead}代表邀请您联名提出建议：{title}"),
            en: format!("{lead} invites you to co-sign a suggestion: {title}"),
        };
        notices::tell(db, &mut tx, congress, id, &users, &t, o).await?;
    }
    store::event(
        &mut tx,
        congress,
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
    crate::search::index(
        &mut tx,
        &crate::search::Doc {
            congress,
            kind: "suggestion",
            item_id: id,
            title,
            body: content,
        },
        o.now,
    )
    .await?;
    record(
        &mut tx,
        congress,
        id,
        o,
        "draft",
        &["title", "content", "category", "cosigners"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
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
        .any(|u| u.unit_id == unit && u.active == 1 && u.role == "lead"))
}

fn state_of(s: &Suggestion) -> Result<State, AppError> {
    State::parse(&s.state).ok_or_else(|| AppError::internal("unknown suggestion state"))
}

/// Applies a state change decided by the machine, with its event and audit record.
#[allow(clippy::too_many_arguments)]
async fn transition(
    tx: &mut Tx<'_>,
    congress: CongressId,
    s: &Suggestion,
    from: State,
    to: State,
    cmd: Command,
    note: &str,
    o: &Origin,
    fields: &[&str],
) -> Result<(), AppError> {
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
    transition(&mut tx, congress, &s, from, to, cmd, "", o, &["state"]).await?;
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
        from,
        to,
        cmd,
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

/// Registers one of the item's deadlines (replacing an earlier one of the same kind).
#[allow(clippy::too_many_arguments)]
async fn register_deadline(
    tx: &mut Tx<'_>,
    calendar: &Calendar,
    congress: CongressId,
    id: i64,
    kind: &str,
    span: Span,
    start: NaiveDate,
    basis: Basis,
    now: i64,
) -> Result<crate::calendar::rules::Deadline, sqlx::Error> {
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
