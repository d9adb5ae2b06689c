//! Commands of the people module. Each runs in one transaction with its audit record.

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

/// Indexes a handling unit for search (its name and head).
pub async fn index_unit(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    name: &str,
    head: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    crate::search::index(
        tx,
        &crate::search::Doc {
            congress,
            kind: "unit",
            item_id: id,
            title: name,
            body: head.unwrap_or(""),
        },
        now,
    )
    .await
}

pub const DEPUTY_FIELDS: &[&str] = &[
    "name",
    "gender",
    "ethnicity",
    "party",
    "composition",
    "occupation",
    "education",
    "constituency",
    "delegation",
    "station",
];

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
    let from = DeputyStatus::parse(&current.status).ok_or(AppError::internal("unknown status"))?;
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

/// A handling unit as entered.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct UnitInput {
    pub name: String,
    /// government / supervisory_commission / court / procuratorate (政府/监委/法院/检察院 accepted)
    pub organ_kind: String,
    /// 单位负责人 — the head who signs the unit's replies; optional.
    #[serde(default)]
    pub head_name: String,
    /// The head's gender (male/female, 男/女); required with a head.
    #[serde(default)]
    pub head_gender: String,
}

/// A validated unit head.
pub struct Head {
    pub name: String,
    pub gender: super::domain::Gender,
}

pub fn validate_unit(
    input: &UnitInput,
) -> Result<(String, OrganKind, Option<Head>), Vec<FieldError>> {
    let mut errs = Vec::new();
    let name = input.name.trim().to_string();
    if name.is_empty() {
        errs.push(FieldError::new(Field("name"), "field.required"));
    } else if name.chars().count() > 100 {
        errs.push(FieldError::new(Field("name"), "field.too_long"));
    }
    let organ = OrganKind::parse(&input.organ_kind);
    if organ.is_none() {
        errs.push(FieldError::new(Field("organ_kind"), "field.organ_invalid"));
    }
    let head_name = input.head_name.trim();
    let mut head = None;
    if head_name.chars().count() > 50 {
        errs.push(FieldError::new(Field("head_name"), "field.too_long"));
    } else if !head_name.is_empty() {
        match super::domain::Gender::parse(&input.head_gender) {
            Some(gender) => {
                head = Some(Head {
                    name: head_name.to_string(),
                    gender,
                })
            }
            None => errs.push(FieldError::new(
                Field("head_gender"),
                "field.gender_invalid",
            )),
        }
    }
    match organ {
        Some(o) if errs.is_empty() => Ok((name, o, head)),
        _ => Err(errs),
    }
}

/// Records a new head for the unit, ending the previous head's term today; nothing when the
/// name is unchanged.
async fn set_head(
    tx: &mut Tx<'_>,
    congress: CongressId,
    unit: i64,
    current: Option<&str>,
    head: &Head,
    origin: &Origin,
) -> Result<(), sqlx::Error> {
    if current == Some(head.name.as_str()) {
        return Ok(());
    }
    let today = chrono::DateTime::from_timestamp_millis(origin.now)
        .map(|t| {
            t.with_timezone(&crate::platform::clock::shanghai())
                .date_naive()
                .to_string()
        })
        .unwrap_or_default();
    store::end_head(tx, congress, unit, &today).await?;
    let person = store::create_plain_person(tx, &head.name, head.gender, origin.now).await?;
    store::upsert_membership(tx, congress, unit, person, "head", &today).await?;
    audit::append(
        tx,
        &Record::by(
            origin,
            Some(congress),
            "people.unit_head",
            format!("unit:{unit}"),
            &["head"],
        ),
    )
    .await?;
    Ok(())
}

pub async fn create_unit(
    tx: &mut Tx<'_>,
    congress: CongressId,
    name: &str,
    organ: OrganKind,
    head: Option<&Head>,
    origin: &Origin,
) -> Result<Result<i64, Vec<FieldError>>, sqlx::Error> {
    if store::org_named(tx, congress, "handling_unit", name)
        .await?
        .is_some()
    {
        return Ok(Err(vec![FieldError::new(
            Field("name"),
            "field.unit_exists",
        )]));
    }
    let id = store::create_org(
        tx,
        congress,
        "handling_unit",
        Some(organ.as_str()),
        name,
        None,
        origin.now,
    )
    .await?;
    audit::append(
        tx,
        &Record::by(
            origin,
            Some(congress),
            "people.unit_create",
            format!("unit:{id}"),
            &["name", "organ_kind"],
        ),
    )
    .await?;
    if let Some(h) = head {
        set_head(tx, congress, id, None, h, origin).await?;
    }
    index_unit(
        tx,
        congress,
        id,
        name,
        head.map(|h| h.name.as_str()),
        origin.now,
    )
    .await?;
    Ok(Ok(id))
}

pub async fn create_unit_cmd(
    db: &Db,
    congress: &Congress,
    input: &UnitInput,
    origin: &Origin,
) -> Result<i64, AppError> {
    let (name, organ, head) = validate_unit(input).map_err(AppError::Invalid)?;
    let mut tx = db.write().await?;
    let id = create_unit(&mut tx, congress.id, &name, organ, head.as_ref(), origin)
        .await?
        .map_err(AppError::Invalid)?;
    tx.commit().await?;
    Ok(id)
}

pub async fn update_unit_cmd(
    db: &Db,
    congress: &Congress,
    id: i64,
    input: &UnitInput,
    origin: &Origin,
) -> Result<(), AppError> {
    let (name, organ, head) = validate_unit(input).map_err(AppError::Invalid)?;
    let current = store::unit(db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = db.write().await?;
    if let Some(other) = store::org_named(&mut tx, congress.id, "handling_unit", &name).await?
        && other != id
    {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("name"),
            "field.unit_exists",
        )]));
    }
    if !store::rename_unit(&mut tx, congress.id, id, &name, organ.as_str(), origin.now).await? {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        &Record::by(
            origin,
            Some(congress.id),
            "people.unit_update",
            format!("unit:{id}"),
            &["name", "organ_kind"],
        ),
    )
    .await?;
    if let Some(h) = &head {
        set_head(&mut tx, congress.id, id, current.head.as_deref(), h, origin).await?;
    }
    let head_name = head.as_ref().map(|h| h.name.clone()).or(current.head);
    index_unit(
        &mut tx,
        congress.id,
        id,
        &name,
        head_name.as_deref(),
        origin.now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A member to put on a body, as entered.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct MemberInput {
    /// The body (standing committee, presidium or special committee) of this congress.
    pub organization_id: i64,
    /// The deputy, of this congress and in office.
    pub deputy_id: i64,
    /// chair / vice_chair / member
    pub post: String,
    /// YYYY-MM-DD
    pub starts_on: String,
}

/// Puts a deputy on a body of the congress (组织法 Art 19, 34, 47: members come from the deputies).
pub async fn add_member_cmd(
    db: &Db,
    congress: &Congress,
    input: &MemberInput,
    origin: &Origin,
) -> Result<i64, AppError> {
    use super::domain::{BodyKind, Post, check_member};
    let mut errs = Vec::new();
    let kind = store::body(db, congress.id, input.organization_id)
        .await?
        .as_deref()
        .and_then(BodyKind::parse);
    if kind.is_none() {
        errs.push(FieldError::new(
            Field("organization_id"),
            "member.body_unknown",
        ));
    }
    let post = Post::parse(&input.post);
    if post.is_none() {
        errs.push(FieldError::new(Field("post"), "member.post_invalid"));
    }
    if chrono::NaiveDate::parse_from_str(input.starts_on.trim(), "%Y-%m-%d").is_err() {
        errs.push(FieldError::new(Field("starts_on"), "field.date_invalid"));
    }
    let deputy = store::deputy(db, congress.id, input.deputy_id).await?;
    let in_office = deputy
        .as_ref()
        .is_some_and(|d| DeputyStatus::parse(&d.status).is_some_and(DeputyStatus::in_office));
    if let (Some(k), Some(p)) = (kind, post)
        && let Err(key) = check_member(k, p, in_office)
    {
        errs.push(FieldError::new(
            Field(if key == "member.not_deputy" {
                "deputy_id"
            } else {
                "post"
            }),
            key,
        ));
    }
    let (Some(_), Some(post), Some(deputy), true) = (kind, post, deputy, errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let person = crate::platform::ids::PersonId(deputy.person_id);
    let mut tx = db.write().await?;
    if store::is_current_member(&mut tx, input.organization_id, person).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("deputy_id"),
            "member.already",
        )]));
    }
    let id = store::upsert_membership(
        &mut tx,
        congress.id,
        input.organization_id,
        person,
        post.as_str(),
        input.starts_on.trim(),
    )
    .await?;
    audit::append(
        &mut tx,
        &Record::by(
            origin,
            Some(congress.id),
            "people.member_add",
            format!("membership:{id}"),
            &["organization_id", "person_id", "post", "starts_on"],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn end_member_cmd(
    db: &Db,
    congress: &Congress,
    id: i64,
    ends_on: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    if chrono::NaiveDate::parse_from_str(ends_on.trim(), "%Y-%m-%d").is_err() {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("ends_on"),
            "field.date_invalid",
        )]));
    }
    let mut tx = db.write().await?;
    if !store::end_membership(&mut tx, congress.id, id, ends_on.trim()).await? {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        &Record::by(
            origin,
            Some(congress.id),
            "people.member_end",
            format!("membership:{id}"),
            &["ends_on"],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
