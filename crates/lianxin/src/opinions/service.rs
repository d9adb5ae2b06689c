//! Opinion commands: a citizen submits (no account), staff answer. One transaction each; the
//! submission's history step and the answer are what the citizen's tracking page shows.

use super::domain::{self, CATEGORIES, CHANNELS, KINDS};
use super::store::{self, NewOpinion};
use crate::audit::{self, Outcome, Record};
use crate::db::Db;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::{CongressId, UserId};
use chrono::NaiveDate;
use rand::RngExt;

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

/// Staff answer an opinion (on the spot, by the station or the deputy); the citizen sees it.
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    db: &Db,
    congress: CongressId,
    id: i64,
    text: &str,
    user: UserId,
    now: i64,
    today: NaiveDate,
    client_addr: Option<String>,
) -> Result<(), AppError> {
    store::get(db, congress, id)
        .await?
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
    let mut tx = db.begin().await?;
    if !store::set_answered(&mut tx, congress, id, text, &today.to_string(), now).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            "answer",
            "opinion.answered_already",
        )]));
    }
    store::event(&mut tx, congress, id, Some(user.0), "answered", "", now).await?;
    audit::append(
        &mut tx,
        &Record {
            at: now,
            user: Some(user),
            congress: Some(congress),
            action: "opinions.answer",
            target: format!("opinion:{id}"),
            outcome: Outcome::Success,
            fields: &["answer"],
            client_addr,
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
    if !domain::may_rate(&o.state, o.rated_round, o.reopened) {
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
    let mut tx = db.begin().await?;
    if !store::set_rating(&mut tx, o.id, rating, reason, reopen, now).await? {
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
