//! Opinion commands: a citizen submits (no account), the congress answers, routes, converts
//! and groups (see `routing` and `grouping`), the citizen rates. One transaction each; the
//! history steps with a public note and the answer are what the citizen's tracking page shows.

mod grouping;
mod routing;
pub use grouping::{merge, split};
pub use routing::{REFERRALS, convert, forward, refer, suggestion_replied, transfer, unit_return};

use super::domain::{self, CATEGORIES, CHANNELS, KINDS};
use super::store::{self, NewOpinion};
use crate::audit::{self, Outcome, Record};
use crate::db::Db;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::{CongressId, UserId};
use crate::platform::origin::Origin;
use chrono::NaiveDate;
use rand::RngExt;

fn invalid(field: &'static str, key: &'static str) -> AppError {
    AppError::Invalid(vec![FieldError::new(field, key)])
}

/// 办理人 — in what capacity someone acts on an opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// Station staff and the deputies' affairs office: all of the congress's opinions.
    Staff,
    /// A deputy: the opinions addressed to them.
    Deputy(i64),
    /// A handling unit: the opinions forwarded to it.
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
    /// holds it, the unit while it is forwarded to it.
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
    let calendar = crate::calendar::store::load(db).await?;
    Ok(period
        .span()
        .compute(&calendar, today, crate::calendar::rules::Basis::default())
        .due)
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
    crate::notify::enqueue(
        tx,
        &db.vault,
        Some(CongressId(o.congress_id)),
        channel,
        &contact,
        "您反映的意见有新进展",
        &format!("您的意见（查询码{code}）{step_zh}。请凭查询码在人大门户“意见查询”查看。"),
        now,
    )
    .await?;
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
fn token_time(db: &Db, token: &str) -> Option<i64> {
    let (t, mac) = token.split_once('.')?;
    let ok = db.vault.digest(FORM, t).ok()? == mac;
    ok.then(|| t.parse().ok()).flatten()
}

/// A citizen's opinion as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OpinionInput {
    /// `question` (问政), `need` (问需) or `idea` (问计).
    pub kind: String,
    pub category: String,
    /// The town or community it concerns.
    pub place: String,
    pub body: String,
    /// A phone or e-mail for notices (optional; sealed, masked on screen).
    pub contact: String,
    /// Whether the handling unit may see the contact (otherwise only the station and the deputy):
    /// a checkbox, so any non-empty value but `false` means yes.
    pub share_contact: String,
    /// The citizen read the privacy notice (required with a contact); a checkbox like the above.
    pub consent: String,
    /// The deputy (from their QR code) or station it is addressed to, if any.
    pub deputy: String,
    pub station: String,
    /// The served form's signed time (anti-flood check that needs no script).
    pub issued: String,
    /// Left empty by people; scripts fill every field.
    pub website: String,
}

/// A checkbox's value: sent (and not `false`) means ticked.
pub fn checked(v: &str) -> bool {
    let v = v.trim();
    !v.is_empty() && v != "false"
}

/// Who receives an opinion on the staff side, for the audit record.
pub struct Received {
    pub id: i64,
    pub code: String,
}

/// Takes a citizen's opinion. Returns its tracking code.
pub async fn submit(
    db: &Db,
    congress: CongressId,
    input: &OpinionInput,
    now: i64,
    client_addr: Option<String>,
) -> Result<Received, AppError> {
    let mut errors = Vec::new();
    // A script that fills the hidden field, or posts without a served form, learns only that
    // the form expired; a person who was quicker than possible is asked to try again.
    if !input.website.is_empty() {
        errors.push(FieldError::new("body", "opinion.form_expired"));
    } else {
        match token_time(db, input.issued.trim()) {
            None => errors.push(FieldError::new("body", "opinion.form_expired")),
            Some(t) if !domain::fill_time_ok(t, now) => {
                errors.push(FieldError::new("body", "opinion.form_expired"));
            }
            Some(_) => {}
        }
    }
    take(db, congress, input, None, errors, now, client_addr).await
}

/// 代为登记 — staff enter an opinion that came by visit, phone or letter; the citizen is given
/// the tracking code there and then (on the page, or read out on the phone).
pub async fn enter_for_citizen(
    db: &Db,
    congress: CongressId,
    input: &OpinionInput,
    channel: &str,
    user: UserId,
    now: i64,
    client_addr: Option<String>,
) -> Result<Received, AppError> {
    let mut errors = Vec::new();
    if !matches!(channel, "walk_in" | "phone" | "letter") {
        errors.push(FieldError::new("channel", "field.required"));
    }
    take(
        db,
        congress,
        input,
        Some((channel, user)),
        errors,
        now,
        client_addr,
    )
    .await
}

/// Checks and stores an opinion; `staff` is the channel and the account when staff enter it.
async fn take(
    db: &Db,
    congress: CongressId,
    input: &OpinionInput,
    staff: Option<(&str, UserId)>,
    mut errors: Vec<FieldError>,
    now: i64,
    client_addr: Option<String>,
) -> Result<Received, AppError> {
    if !KINDS.contains(&input.kind.as_str()) {
        errors.push(FieldError::new("kind", "field.required"));
    }
    if !CATEGORIES.contains(&input.category.as_str()) {
        errors.push(FieldError::new("category", "field.required"));
    }
    let body = input.body.trim();
    if body.is_empty() {
        errors.push(FieldError::new("body", "field.required"));
    } else if body.chars().count() > 5000 {
        errors.push(FieldError::new("body", "opinion.body_too_long"));
    } else if crate::text::has_bad_controls(body) {
        errors.push(FieldError::new("body", "field.bad_characters"));
    }
    let place = input.place.trim();
    if place.chars().count() > 100 {
        errors.push(FieldError::new("place", "field.too_long"));
    }
    let contact = input.contact.trim();
    if contact.chars().count() > 100 {
        errors.push(FieldError::new("contact", "field.too_long"));
    } else if !contact.is_empty() && !checked(&input.consent) {
        errors.push(FieldError::new("consent", "opinion.consent_required"));
    }
    let deputy = match input.deputy.trim().parse::<i64>() {
        Ok(d) => crate::people::deputy_name_in_office(db, congress, d)
            .await?
            .map(|_| d),
        Err(_) => None,
    };
    let station = match input.station.trim().parse::<i64>() {
        Ok(s) => crate::people::station_name(db, congress, s)
            .await?
            .map(|_| s),
        Err(_) => None,
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let channel = match (staff, deputy, station) {
        (Some((c, _)), _, _) => c,
        (None, Some(_), _) => "deputy_qr",
        (None, None, Some(_)) => "station_qr",
        _ => "web",
    };
    debug_assert!(CHANNELS.contains(&channel));
    let today = crate::platform::clock::china_date(now);
    let due = due_date(db, congress, today).await?.to_string();
    let mut tx = db.begin().await?;
    // A collision among 2^50 codes is unlikely; the unique key makes one a retry, not a mix-up.
    let random: [u8; domain::CODE_LEN] = rand::rng().random();
    let code = domain::tracking_code(random);
    let id = store::insert(
        db,
        &mut tx,
        &NewOpinion {
            congress,
            code: &code,
            kind: &input.kind,
            category: &input.category,
            place,
            deputy,
            station,
            channel,
            body,
            contact: (!contact.is_empty()).then_some(contact),
            share_contact: checked(&input.share_contact),
            now,
            due_on: &due,
        },
    )
    .await?;
    let user = staff.map(|(_, u)| u);
    store::event(
        &mut tx,
        congress,
        id,
        user.map(|u| u.0),
        "received",
        "",
        now,
    )
    .await?;
    crate::search::index(
        &mut tx,
        &crate::search::Doc {
            congress,
            kind: "opinion",
            item_id: id,
            title: "",
            body,
        },
        now,
    )
    .await?;
    grouping::link(db, &mut tx, congress, id, body, user.map(|u| u.0), now).await?;
    audit::append(
        &mut tx,
        &Record {
            at: now,
            user,
            congress: Some(congress),
            action: "opinions.submit",
            target: format!("opinion:{id}"),
            outcome: Outcome::Success,
            fields: &["kind", "category", "place", "body", "contact"],
            client_addr,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Received { id, code })
}

/// 答复 — the holder answers: the station, the deputy or the office on the spot, or the unit it
/// was forwarded to. The answer also reaches every citizen whose opinion was merged into this
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
            "answer",
            "field.required",
        )]));
    }
    if text.chars().count() > 5000 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "answer",
            "field.too_long",
        )]));
    }
    if !handler.holds(&op) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "answer",
            "opinion.answered_already",
        )]));
    }
    let on = o.today.to_string();
    let mut tx = db.begin().await?;
    if !store::set_answered(&mut tx, congress, id, text, &on, o.now).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "answer",
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
    if !domain::may_rate(&o.state, o.rated_round, o.reopened)
        || o.merged_into.is_some() && o.state != "answered"
    {
        errors.push(FieldError::new("rating", "opinion.cannot_rate"));
    }
    if !domain::RATINGS.contains(&rating) {
        errors.push(FieldError::new("rating", "suggestion.rating_required"));
    }
    let reason = reason.trim();
    if rating == "unsatisfied" && reason.is_empty() {
        errors.push(FieldError::new("reason", "opinion.reason_required"));
    } else if reason.chars().count() > 1000 {
        errors.push(FieldError::new("reason", "field.too_long"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let reopen = domain::reopens(rating, o.reopened);
    let congress = CongressId(o.congress_id);
    let due = due_date(db, congress, crate::platform::clock::china_date(now))
        .await?
        .to_string();
    let mut tx = db.begin().await?;
    if !store::set_rating(&mut tx, o.id, rating, reason, reopen, &due, now).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "rating",
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
