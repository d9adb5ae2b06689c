//! Commands of the people module. Each runs in one transaction with its audit record.

mod members;
mod units;
pub use members::*;
pub use units::*;

use super::domain::{DeputyInput, DeputyStatus, OrganKind, ValidDeputy};
use super::store::{self, NamedTable, Refs};
use crate::audit::{self, Record};
use crate::congress::Congress;
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;

pub use crate::platform::origin::Origin;

/// Indexes a deputy for search (name, occupation and the other public roster fields).
pub async fn index_deputy(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    v: &ValidDeputy,
    now: i64,
) -> Result<(), sqlx::Error> {
    crate::text::add_words([v.name.as_str()]);
    let body = [
        v.occupation.as_str(),
        &v.party,
        &v.composition,
        &v.constituency,
        v.delegation.as_deref().unwrap_or(""),
        v.station.as_deref().unwrap_or(""),
    ]
    .join(" ");
    crate::search::index(
        tx,
        &crate::search::Doc {
            congress,
            kind: "deputy",
            item_id: id,
            title: &v.name,
            body: &body,
        },
        now,
    )
    .await
}

/// Resolves the names of constituency, delegation and station within the congress.
pub async fn resolve_refs(
    tx: &mut Tx<'_>,
    congress: CongressId,
    v: &ValidDeputy,
) -> Result<Result<Refs, Vec<FieldError>>, sqlx::Error> {
    let mut errs = Vec::new();
    let constituency =
        store::lookup_id(tx, NamedTable::Constituency, congress, &v.constituency).await?;
    if constituency.is_none() {
        errs.push(FieldError::new(
            Field("constituency"),
            "field.constituency_unknown",
        ));
    }
    let mut delegation = None;
    if let Some(name) = &v.delegation {
        delegation = store::lookup_id(tx, NamedTable::Delegation, congress, name).await?;
        if delegation.is_none() {
            errs.push(FieldError::new(
                Field("delegation"),
                "field.delegation_unknown",
            ));
        }
    }
    let mut station = None;
    if let Some(name) = &v.station {
        station = store::lookup_id(tx, NamedTable::Station, congress, name).await?;
        if station.is_none() {
            errs.push(FieldError::new(Field("station"), "field.station_unknown"));
        }
    }
    Ok(match constituency {
        Some(constituency) if errs.is_empty() => Ok(Refs {
            constituency,
            delegation,
            station,
        }),
        _ => Err(errs),
    })
}

/// Adds a deputy to the congress's current term. A person with the same ID number is reused
/// (one person may be a deputy of the district and of a town); a second entry for the same
/// person in the same term is refused.
pub async fn create_deputy(
    tx: &mut Tx<'_>,
    vault: &crate::platform::vault::Vault,
    congress: CongressId,
    term: i64,
    v: &ValidDeputy,
    origin: &Origin,
) -> Result<Result<i64, Vec<FieldError>>, sqlx::Error> {
    let refs = match resolve_refs(tx, congress, v).await? {
        Ok(r) => r,
        Err(e) => return Ok(Err(e)),
    };
    let person = match &v.id_card {
        Some(id) => store::person_by_id_card(tx, vault, id).await?,
        None => None,
    };
    let person = match person {
        Some(p) => {
            if store::deputy_exists(tx, congress, term, p).await? {
                return Ok(Err(vec![FieldError::new(
                    Field("id_card"),
                    "field.duplicate_person",
                )]));
            }
            p
        }
        None => store::create_person(tx, vault, v, origin.now).await?,
    };
    let id = store::insert_deputy(tx, congress, term, person, v, refs, origin.now).await?;
    index_deputy(tx, congress, id, v, origin.now).await?;
    audit::append(
        tx,
        &Record::by(
            origin,
            Some(congress),
            "people.deputy_create",
            format!("deputy:{id}"),
            DEPUTY_FIELDS,
        ),
    )
    .await?;
    Ok(Ok(id))
}

pub async fn create_deputy_cmd(
    db: &Db,
    congress: &Congress,
    term: i64,
    input: &DeputyInput,
    origin: &Origin,
) -> Result<i64, AppError> {
    let v = input.validate().map_err(AppError::Invalid)?;
    let mut tx = db.write().await?;
    match create_deputy(&mut tx, &db.vault, congress.id, term, &v, origin).await? {
        Ok(id) => {
            tx.commit().await?;
            Ok(id)
        }
        Err(errs) => Err(AppError::Invalid(errs)),
    }
}

pub async fn update_deputy_cmd(
    db: &Db,
    congress: &Congress,
    id: i64,
    input: &DeputyInput,
    origin: &Origin,
) -> Result<(), AppError> {
    let v = input.validate().map_err(AppError::Invalid)?;
    let current = store::deputy(db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = db.write().await?;
    let refs = resolve_refs(&mut tx, congress.id, &v)
        .await?
        .map_err(AppError::Invalid)?;
    if !store::update_deputy(
        &mut tx,
        congress.id,
        id,
        current.person_id,
        &v,
        refs,
        origin.now,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    store::update_contacts(&mut tx, &db.vault, current.person_id, &v).await?;
    index_deputy(&mut tx, congress.id, id, &v, origin.now).await?;
    let mut changed = changed_fields(&current, &v);
    let before = current.sealed().open(&db.vault)?;
    for (name, old, new) in [
        ("phone", &before.phone, &v.phone),
        ("email", &before.email, &v.email),
        ("address", &before.address, &v.address),
    ] {
        if new.is_some() && old != new {
            changed.push(name);
        }
    }
    audit::append(
        &mut tx,
        &Record::by(
            origin,
            Some(congress.id),
            "people.deputy_update",
            format!("deputy:{id}"),
            &changed,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Opens a deputy's personal data in full for a viewer whose work needs it, and records that
/// they saw it (which fields, never the values).
pub async fn reveal_personal_cmd(
    db: &Db,
    congress: &Congress,
    id: i64,
    origin: &Origin,
) -> Result<store::Personal, AppError> {
    let d = store::deputy(db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let full = d.sealed().open(&db.vault)?;
    let shown: Vec<&str> = [
        ("id_card", full.id_card.is_some()),
        ("phone", full.phone.is_some()),
        ("email", full.email.is_some()),
        ("address", full.address.is_some()),
    ]
    .into_iter()
    .filter(|(_, present)| *present)
    .map(|(f, _)| f)
    .collect();
    let mut tx = db.write().await?;
    audit::append(
        &mut tx,
        &Record::by(
            origin,
            Some(congress.id),
            "people.reveal",
            format!("deputy:{id}"),
            &shown,
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(full)
}

/// Names of the roster fields that differ (for the audit record; values are not recorded).
fn changed_fields(cur: &store::DeputyDetail, v: &ValidDeputy) -> Vec<&'static str> {
    let pairs: [(&'static str, Option<&str>, Option<&str>); 10] = [
        ("name", Some(cur.name.as_str()), Some(v.name.as_str())),
        ("gender", Some(cur.gender.as_str()), Some(v.gender.as_str())),
        (
            "ethnicity",
            Some(cur.ethnicity.as_str()),
            Some(v.ethnicity.as_str()),
        ),
        ("party", Some(cur.party.as_str()), Some(v.party.as_str())),
        (
            "composition",
            Some(cur.composition.as_str()),
            Some(v.composition.as_str()),
        ),
        (
            "occupation",
            Some(cur.occupation.as_str()),
            Some(v.occupation.as_str()),
        ),
        (
            "education",
            Some(cur.education.as_str()),
            Some(v.education.as_str()),
        ),
        (
            "constituency",
            cur.constituency.as_deref(),
            Some(v.constituency.as_str()),
        ),
        (
            "delegation",
            cur.delegation.as_deref(),
            v.delegation.as_deref(),
        ),
        ("station", cur.station.as_deref(), v.station.as_deref()),
    ];
    pairs
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(f, _, _)| f)
        .collect()
}

/// Changes a deputy's status (代表法 Art 61–62), refusing illegal transitions.
pub async fn set_status_cmd(
    db: &Db,
    congress: &Congress,
    id: i64,
    next: DeputyStatus,
    date: &str,
    reason: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    let current = store::deputy(db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let from = current.status;
    from.can_become(next)
        .map_err(|k| AppError::Invalid(vec![FieldError::new(Field("status"), k)]))?;
    let mut errs = Vec::new();
    if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_err() {
        errs.push(FieldError::new(Field("status_date"), "field.date_invalid"));
    }
    if next != DeputyStatus::InOffice && reason.trim().is_empty() {
        errs.push(FieldError::new(Field("status_reason"), "field.required"));
    }
    if !errs.is_empty() {
        return Err(AppError::Invalid(errs));
    }
    let mut tx = db.write().await?;
    store::set_status(
        &mut tx,
        congress.id,
        id,
        next,
        date,
        reason.trim(),
        origin.now,
    )
    .await?;
    audit::append(
        &mut tx,
        &Record::by(
            origin,
            Some(congress.id),
            "people.deputy_status",
            format!("deputy:{id}"),
            &["status", "status_date", "status_reason"],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
