//! Opinion commands: a citizen submits (no account), the congress answers, routes, converts
//! and groups (see `routing` and `grouping`), the citizen rates. One transaction each; the
//! history steps with a public note and the answer are what the citizen's tracking page shows.

mod files;
mod grouping;
mod routing;
mod submission;
pub use files::{MAX_FILES, attach_by_citizen, attachments, download};
pub use grouping::{merge, split};
pub use routing::{
    REFERRALS, REPLIED, convert, refer, route, suggestion_replied, transfer, unit_return,
};

use super::domain;
use super::store;
use crate::audit::{self, Outcome, Record};
use crate::db::Db;
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;
use crate::platform::origin::Origin;
use chrono::NaiveDate;

/// 办理人 — in what capacity someone acts on an opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// Station staff and the deputies' affairs office: all of the congress's opinions.
    Staff,
    /// A deputy: the opinions addressed to them.
    Deputy(i64),
    /// A handling unit: the opinions routed to it.
    Unit(i64),
}

impl Handler {
    pub fn scope(self) -> store::Scope {
        match self {
            Handler::Staff => store::Scope::All,
            Handler::Deputy(d) => store::Scope::Deputy(d),
            Handler::Unit(u) => store::Scope::Unit(u),
        }
    }

    /// Whether the handler may see the opinion at all.
    pub fn sees(self, o: &store::Opinion) -> bool {
        match self {
            Handler::Staff => true,
            Handler::Deputy(d) => o.deputy_id == Some(d),
            Handler::Unit(u) => o.holder == "unit" && o.unit_id == Some(u),
        }
    }

    /// Whether the handler holds the open opinion now: the congress's side while the congress
    /// holds it, the unit while it is routed to it.
    pub fn holds(self, o: &store::Opinion) -> bool {
        o.is_open()
            && match self {
                Handler::Staff => o.holder == "congress",
                Handler::Deputy(d) => o.holder == "congress" && o.deputy_id == Some(d),
                Handler::Unit(u) => o.holder == "unit" && o.unit_id == Some(u),
            }
    }
}

/// The date an answer is due when the congress or a unit takes an opinion up today:
/// `opinion.answer_window` (15 working days unless the congress decides otherwise) on the
/// shared legal calendar.
pub async fn due_date(
    db: &Db,
    congress: CongressId,
    today: NaiveDate,
) -> Result<NaiveDate, AppError> {
    let r = crate::settings::get(db, congress, "opinion.answer_window").await?;
    let period = r
        .and_then(|r| r.period())
        .unwrap_or(crate::settings::registry::Period::WorkingDays(15));
    let calendar = crate::calendar::load(db).await?;
    Ok(period
        .span()
        .compute(&calendar, today, crate::calendar::rules::Basis::default())
        .due)
}

/// The suggestion an opinion became, as its citizen may know it: number (empty while a draft)
/// and state key.
pub async fn suggestion_progress(
    db: &Db,
    o: &store::Opinion,
) -> Result<Option<(String, String)>, AppError> {
    match o.suggestion_id {
        Some(sid) => crate::suggestions::progress(db, CongressId(o.congress_id), sid).await,
        None => Ok(None),
    }
}

/// Tells the citizen of a step by SMS or e-mail when they left a contact (in the step's
/// transaction; the outbox seals it). Nothing is sent to one who left none.
pub(crate) async fn tell_citizen(
    db: &Db,
    tx: &mut crate::db::Tx<'_>,
    o: &store::Opinion,
    step_zh: &str,
    now: i64,
) -> Result<(), AppError> {
    let Some(contact) = store::contact(db, CongressId(o.congress_id), o.id).await? else {
        return Ok(());
    };
    let channel = if contact.contains('@') {
        "email"
    } else {
        "sms"
    };
    let code = domain::show_code(&o.tracking_code);
    let body = format!("您的意见（查询码{code}）{step_zh}。请凭查询码在人大门户“意见查询”查看。");
    let message = crate::notify::Message {
        congress: Some(CongressId(o.congress_id)),
        channel,
        recipient: &contact,
        subject: "您反映的意见有新进展",
        body: &body,
    };
    crate::notify::enqueue(tx, &db.vault, &message, now).await?;
    Ok(())
}

const FORM: &str = "opinions.form";

/// The signed time a form is served at, for its hidden `issued` field.
pub fn form_token(db: &Db, now: i64) -> Result<String, AppError> {
    let mac = db
        .vault
        .digest(FORM, &now.to_string())
        .map_err(AppError::internal)?;
    Ok(format!("{now}.{mac}"))
}

/// When the form with this token was served, if the token is ours.
pub(crate) fn token_time(db: &Db, token: &str) -> Option<i64> {
    let (t, mac) = token.split_once('.')?;
    let ok = db.vault.digest(FORM, t).ok()? == mac;
    ok.then(|| t.parse().ok()).flatten()
}

pub use grouping::threshold as grouping_threshold;
pub use submission::{
    OpinionInput, Prepared, Received, checked, enter_for_citizen, prepare_citizen, prepare_staff,
    store_prepared, submit,
};

/// 答复 — the holder answers: the station, the deputy or the office on the spot, or the unit it
/// was routed to. The answer also reaches every citizen whose opinion was merged into this
/// one, and each is told when they left a contact.
pub async fn answer(
    db: &Db,
    congress: CongressId,
    id: i64,
    handler: Handler,
    text: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let op = store::get(db, congress, id)
        .await?
        .filter(|op| handler.sees(op))
        .ok_or(AppError::NotFound)?;
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("answer"),
            "field.required",
        )]));
    }
    if text.chars().count() > 5000 {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("answer"),
            "field.too_long",
        )]));
    }
    if !handler.holds(&op) {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("answer"),
            "opinion.answered_already",
        )]));
    }
    let on = o.today.to_string();
    let mut tx = db.write().await?;
    if !store::set_answered(&mut tx, congress, id, text, &on, o.now).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("answer"),
            "opinion.answered_already",
        )]));
    }
    store::event(&mut tx, congress, id, Some(o.user.0), "answered", "", o.now).await?;
    tell_citizen(db, &mut tx, &op, "已答复", o.now).await?;
    for m in store::answer_merged(&mut tx, congress, id, text, &on, o.now).await? {
        store::event(
            &mut tx,
            congress,
            m,
            Some(o.user.0),
            "answered_with_group",
            "",
            o.now,
        )
        .await?;
        if let Some(member) = store::get(db, congress, m).await? {
            tell_citizen(db, &mut tx, &member, "已答复", o.now).await?;
        }
    }
    audit::append(
        &mut tx,
        &Record {
            at: o.now,
            user: Some(o.user),
            congress: Some(congress),
            action: "opinions.answer",
            target: format!("opinion:{id}"),
            outcome: Outcome::Success,
            fields: &["answer"],
            client_addr: o.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 评价 — the citizen rates the latest answer from the tracking page (the code is the key).
/// 不满意 needs a reason and reopens the opinion once for re-handling.
pub async fn rate(
    db: &Db,
    typed_code: &str,
    rating: &str,
    reason: &str,
    now: i64,
    client_addr: Option<String>,
) -> Result<(), AppError> {
    let code = domain::normalize_code(typed_code).ok_or(AppError::NotFound)?;
    let o = store::by_code(db, &code).await?.ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    if !domain::may_rate(o.state, o.rated_round, o.reopened)
        || o.merged_into.is_some() && o.state != domain::OpinionState::Answered
    {
        errors.push(FieldError::new(Field("rating"), "opinion.cannot_rate"));
    }
    if !domain::RATINGS.contains(&rating) {
        errors.push(FieldError::new(
            Field("rating"),
            "suggestion.rating_required",
        ));
    }
    let reason = reason.trim();
    if rating == "unsatisfied" && reason.is_empty() {
        errors.push(FieldError::new(Field("reason"), "opinion.reason_required"));
    } else if reason.chars().count() > 1000 {
        errors.push(FieldError::new(Field("reason"), "field.too_long"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let reopen = domain::reopens(rating, o.reopened);
    let congress = CongressId(o.congress_id);
    let due = due_date(db, congress, crate::platform::clock::china_date(now))
        .await?
        .to_string();
    let mut tx = db.write().await?;
    if !store::set_rating(&mut tx, o.id, rating, reason, reopen, &due, now).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("rating"),
            "opinion.cannot_rate",
        )]));
    }
    store::event(
        &mut tx,
        congress,
        o.id,
        None,
        if reopen { "reopened" } else { "rated" },
        "",
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        &Record {
            at: now,
            user: None,
            congress: Some(congress),
            action: "opinions.rate",
            target: format!("opinion:{}", o.id),
            outcome: Outcome::Success,
            fields: &["rating", "rating_reason"],
            client_addr,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
