//! 承办单位 — handling units: entered and edited with their head, indexed for search.

use super::*;

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
    pub gender: crate::people::domain::Gender,
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
        match crate::people::domain::Gender::parse(&input.head_gender) {
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
