//! Taking an opinion in, in two halves: `prepare_*` checks the input and computes everything that
//! needs no write (the code, the due date, the similarity features), outside any transaction;
//! `store_prepared` writes it inside the caller's transaction — one of its own (`submit`), or a
//! batch of the intake queue's group commit (`opinions::intake`), where many citizens' opinions
//! share one commit and each is acknowledged only after it.

use super::super::domain::{self, CATEGORIES, CHANNELS, KINDS};
use super::super::store::{self, NewOpinion};
use super::{due_date, token_time};
use crate::audit::{self, Outcome, Record};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::{CongressId, UserId};
use rand::RngExt;

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

/// What the citizen is given: the opinion's id (for staff) and tracking code.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: i64,
    pub code: String,
}

/// An opinion checked and ready to be written.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub congress: CongressId,
    pub code: String,
    pub kind: String,
    pub category: String,
    pub place: String,
    pub deputy: Option<i64>,
    pub station: Option<i64>,
    pub channel: &'static str,
    pub body: String,
    pub contact: Option<String>,
    pub share_contact: bool,
    pub due_on: String,
    /// The congress's similarity threshold for grouping (`opinion.similarity`).
    pub threshold: f64,
    /// The text's similarity features and LSH buckets, and its search tokens.
    pub text: super::grouping::Features,
    pub tokens: String,
    pub user: Option<UserId>,
    pub now: i64,
    pub client_addr: Option<String>,
}

/// Checks a citizen's submission from the public form (with its anti-flood checks).
pub async fn prepare_citizen(
    db: &Db,
    congress: CongressId,
    input: &OpinionInput,
    now: i64,
    client_addr: Option<String>,
) -> Result<Prepared, AppError> {
    let mut errors = Vec::new();
    // A script that fills the hidden field, or posts without a served form, learns only that
    // the form expired; a person who was quicker than possible is asked to try again.
    if !input.website.is_empty() {
        errors.push(FieldError::new(Field("body"), "opinion.form_expired"));
    } else {
        match token_time(db, input.issued.trim()) {
            None => errors.push(FieldError::new(Field("body"), "opinion.form_expired")),
            Some(t) if !domain::fill_time_ok(t, now) => {
                errors.push(FieldError::new(Field("body"), "opinion.form_expired"));
            }
            Some(_) => {}
        }
    }
    prepare(db, congress, input, None, errors, now, client_addr).await
}

/// 代为登记 — checks an opinion staff enter for a citizen who came by visit, phone or letter.
pub async fn prepare_staff(
    db: &Db,
    congress: CongressId,
    input: &OpinionInput,
    channel: &str,
    user: UserId,
    now: i64,
    client_addr: Option<String>,
) -> Result<Prepared, AppError> {
    let mut errors = Vec::new();
    let channel = match channel {
        "walk_in" => "walk_in",
        "phone" => "phone",
        "letter" => "letter",
        _ => {
            errors.push(FieldError::new(Field("channel"), "field.required"));
            "walk_in"
        }
    };
    prepare(
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

/// Takes a citizen's opinion in a transaction of its own. Returns its tracking code.
pub async fn submit(
    db: &Db,
    congress: CongressId,
    input: &OpinionInput,
    now: i64,
    client_addr: Option<String>,
) -> Result<Received, AppError> {
    let p = prepare_citizen(db, congress, input, now, client_addr).await?;
    store_alone(db, &p).await
}

/// Staff enter an opinion, in a transaction of its own; the citizen is given the code.
pub async fn enter_for_citizen(
    db: &Db,
    congress: CongressId,
    input: &OpinionInput,
    channel: &str,
    user: UserId,
    now: i64,
    client_addr: Option<String>,
) -> Result<Received, AppError> {
    let p = prepare_staff(db, congress, input, channel, user, now, client_addr).await?;
    store_alone(db, &p).await
}

async fn store_alone(db: &Db, p: &Prepared) -> Result<Received, AppError> {
    let mut tx = db.write().await?;
    let r = store_prepared(db, &mut tx, p).await?;
    tx.commit().await?;
    Ok(r)
}

async fn prepare(
    db: &Db,
    congress: CongressId,
    input: &OpinionInput,
    staff: Option<(&'static str, UserId)>,
    mut errors: Vec<FieldError>,
    now: i64,
    client_addr: Option<String>,
) -> Result<Prepared, AppError> {
    if !KINDS.contains(&input.kind.as_str()) {
        errors.push(FieldError::new(Field("kind"), "field.required"));
    }
    if !CATEGORIES.contains(&input.category.as_str()) {
        errors.push(FieldError::new(Field("category"), "field.required"));
    }
    let body = input.body.trim();
    if body.is_empty() {
        errors.push(FieldError::new(Field("body"), "field.required"));
    } else if body.chars().count() > 5000 {
        errors.push(FieldError::new(Field("body"), "opinion.body_too_long"));
    } else if crate::text::has_bad_controls(body) {
        errors.push(FieldError::new(Field("body"), "field.bad_characters"));
    }
    let place = input.place.trim();
    if place.chars().count() > 100 {
        errors.push(FieldError::new(Field("place"), "field.too_long"));
    }
    let contact = input.contact.trim();
    if contact.chars().count() > 100 {
        errors.push(FieldError::new(Field("contact"), "field.too_long"));
    } else if !contact.is_empty() && !checked(&input.consent) {
        errors.push(FieldError::new(
            Field("consent"),
            "opinion.consent_required",
        ));
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
    // A collision among 2^50 codes is unlikely; the unique key makes one a refusal, not a mix-up.
    let random: [u8; domain::CODE_LEN] = rand::rng().random();
    let today = crate::platform::clock::china_date(now);
    Ok(Prepared {
        congress,
        code: domain::tracking_code(random),
        kind: input.kind.clone(),
        category: input.category.clone(),
        place: place.to_string(),
        deputy,
        station,
        channel,
        body: body.to_string(),
        contact: (!contact.is_empty()).then(|| contact.to_string()),
        share_contact: checked(&input.share_contact),
        due_on: due_date(db, congress, today).await?.to_string(),
        threshold: super::grouping::threshold(db, congress).await?,
        text: super::grouping::Features::of(congress, body),
        tokens: crate::search::doc_tokens(&crate::search::Doc {
            congress,
            kind: "opinion",
            item_id: 0,
            title: "",
            body,
        }),
        user: staff.map(|(_, u)| u),
        now,
        client_addr,
    })
}

/// Writes a prepared opinion with its first history step, its search entry, its group link and
/// its audit record, inside the caller's transaction.
pub async fn store_prepared(db: &Db, tx: &mut Tx<'_>, p: &Prepared) -> Result<Received, AppError> {
    let congress = p.congress;
    let id = store::insert(
        db,
        tx,
        &NewOpinion {
            congress,
            code: &p.code,
            kind: &p.kind,
            category: &p.category,
            place: &p.place,
            deputy: p.deputy,
            station: p.station,
            channel: p.channel,
            body: &p.body,
            contact: p.contact.as_deref(),
            share_contact: p.share_contact,
            now: p.now,
            due_on: &p.due_on,
        },
    )
    .await?;
    let user = p.user.map(|u| u.0);
    store::event(tx, congress, id, user, "received", "", p.now).await?;
    crate::search::index_tokens(
        tx,
        &crate::search::Doc {
            congress,
            kind: "opinion",
            item_id: id,
            title: "",
            body: &p.body,
        },
        &p.tokens,
        p.now,
    )
    .await?;
    super::grouping::link(tx, congress, id, &p.text, p.threshold, user, p.now).await?;
    audit::append(
        tx,
        &Record {
            at: p.now,
            user: p.user,
            congress: Some(congress),
            action: "opinions.submit",
            target: format!("opinion:{id}"),
            outcome: Outcome::Success,
            fields: &["kind", "category", "place", "body", "contact"],
            client_addr: p.client_addr.clone(),
        },
    )
    .await?;
    Ok(Received {
        id,
        code: p.code.clone(),
    })
}
