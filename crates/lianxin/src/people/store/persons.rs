//! Persons: global (one person may be a deputy of several congresses). Personal numbers and
//! contact details are sealed (SM4-GCM, `platform::vault`) beside keyed digests for exact
//! look-ups; the ID number also keeps a masked copy for lists.

use super::*;
use crate::platform::vault::Vault;

/// Contexts (column names) the sealed values and digests are bound to.
pub const ID_CARD: &str = "persons.id_card_sealed";
pub const PHONE: &str = "persons.phone_sealed";
pub const EMAIL: &str = "persons.email_sealed";
pub const ADDRESS: &str = "persons.address_sealed";

/// Finds the person with this ID number, if any (by keyed digest; the number itself is sealed).
pub async fn person_by_id_card(
    tx: &mut Tx<'_>,
    vault: &Vault,
    id_card: &str,
) -> Result<Option<PersonId>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM persons WHERE id_card_digest = $1")
        .bind(vault.digest(ID_CARD, id_card)?)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(id,)| PersonId(id)))
}

/// Persons whose ID number, phone or e-mail is exactly `value` (a data-subject request).
pub async fn persons_by_identifier(db: &Db, value: &str) -> Result<Vec<PersonId>, sqlx::Error> {
    let v = &db.vault;
    let id = value.trim().to_ascii_uppercase();
    let phone = crate::people::domain::normalize_phone(value).unwrap_or_default();
    let email = crate::people::domain::normalize_email(value).unwrap_or_default();
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM persons WHERE id_card_digest = $1 OR phone_digest = $2 OR email_digest = $3 ORDER BY id",
    )
    .bind(v.digest(ID_CARD, &id)?)
    .bind(v.digest(PHONE, &phone)?)
    .bind(v.digest(EMAIL, &email)?)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(i,)| PersonId(i)).collect())
}

pub async fn create_person(
    tx: &mut Tx<'_>,
    vault: &Vault,
    v: &ValidDeputy,
    now: i64,
) -> Result<PersonId, sqlx::Error> {
    let id_card = v.id_card.as_deref();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO persons (name, name_key, gender, ethnicity, birth_date, id_card_digest, id_card_masked, id_card_sealed, \
         phone_sealed, phone_digest, email_sealed, email_digest, address_sealed, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(&v.name)
    .bind(name_key(&v.name))
    .bind(v.gender.as_str())
    .bind(&v.ethnicity)
    .bind(id_card.and_then(crate::people::domain::birth_date_of))
    .bind(id_card.map(|i| vault.digest(ID_CARD, i)).transpose()?)
    .bind(id_card.map(crate::people::domain::mask_id_card))
    .bind(vault.seal_opt(ID_CARD, id_card)?)
    .bind(vault.seal_opt(PHONE, v.phone.as_deref())?)
    .bind(v.phone.as_deref().map(|p| vault.digest(PHONE, p)).transpose()?)
    .bind(vault.seal_opt(EMAIL, v.email.as_deref())?)
    .bind(v.email.as_deref().map(|e| vault.digest(EMAIL, e)).transpose()?)
    .bind(vault.seal_opt(ADDRESS, v.address.as_deref())?)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(PersonId(id))
}

/// Replaces the contact details given in `v` (a field left empty keeps its value).
pub async fn update_contacts(
    tx: &mut Tx<'_>,
    vault: &Vault,
    person: i64,
    v: &ValidDeputy,
) -> Result<(), sqlx::Error> {
    if let Some(p) = &v.phone {
        sqlx::query("UPDATE persons SET phone_sealed = $2, phone_digest = $3 WHERE id = $1")
            .bind(person)
            .bind(vault.seal(PHONE, p)?)
            .bind(vault.digest(PHONE, p)?)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(e) = &v.email {
        sqlx::query("UPDATE persons SET email_sealed = $2, email_digest = $3 WHERE id = $1")
            .bind(person)
            .bind(vault.seal(EMAIL, e)?)
            .bind(vault.digest(EMAIL, e)?)
            .execute(&mut **tx)
            .await?;
    }
    if let Some(a) = &v.address {
        sqlx::query("UPDATE persons SET address_sealed = $2 WHERE id = $1")
            .bind(person)
            .bind(vault.seal(ADDRESS, a)?)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Erases a person's contact details (a deletion request, PIPL Art 47). The ID number stays
/// where the person holds or held an office the law requires to be recorded.
pub async fn erase_contacts(tx: &mut Tx<'_>, person: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE persons SET phone_sealed = NULL, phone_digest = NULL, email_sealed = NULL, email_digest = NULL, \
         address_sealed = NULL WHERE id = $1",
    )
    .bind(person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A person's personal data, sealed as stored.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct SealedPersonal {
    pub id_card_sealed: Option<String>,
    pub phone_sealed: Option<String>,
    pub email_sealed: Option<String>,
    pub address_sealed: Option<String>,
}

/// Personal data opened (for the masks, or for a viewer whose work needs the full value).
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Personal {
    pub id_card: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

impl SealedPersonal {
    pub fn open(&self, vault: &Vault) -> Result<Personal, sqlx::Error> {
        Ok(Personal {
            id_card: vault.open_opt(ID_CARD, self.id_card_sealed.as_deref())?,
            phone: vault.open_opt(PHONE, self.phone_sealed.as_deref())?,
            email: vault.open_opt(EMAIL, self.email_sealed.as_deref())?,
            address: vault.open_opt(ADDRESS, self.address_sealed.as_deref())?,
        })
    }
}

impl Personal {
    /// The same data masked for screens and exports (`138****5678`).
    pub fn masked(&self) -> Personal {
        use crate::platform::vault::{mask_address, mask_email, mask_phone};
        Personal {
            id_card: self
                .id_card
                .as_deref()
                .map(crate::people::domain::mask_id_card),
            phone: self.phone.as_deref().map(mask_phone),
            email: self.email.as_deref().map(mask_email),
            address: self.address.as_deref().map(mask_address),
        }
    }
}

pub async fn sealed_personal(db: &Db, person: i64) -> Result<SealedPersonal, sqlx::Error> {
    Ok(sqlx::query_as(
        "SELECT id_card_sealed, phone_sealed, email_sealed, address_sealed FROM persons WHERE id = $1",
    )
    .bind(person)
    .fetch_optional(&db.pool)
    .await?
    .unwrap_or_default())
}

/// A person known only by name and gender (a unit head who is not a deputy).
pub async fn create_plain_person(
    tx: &mut Tx<'_>,
    name: &str,
    gender: crate::people::domain::Gender,
    now: i64,
) -> Result<PersonId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO persons (name, name_key, gender, ethnicity, created_at) VALUES ($1, $2, $3, '', $4) RETURNING id",
    )
    .bind(name)
    .bind(name_key(name))
    .bind(gender.as_str())
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(PersonId(id))
}

/// Where the person behind an account can be reached: their phone (SMS), else their e-mail.
pub async fn contact_of_user(
    db: &Db,
    user: i64,
) -> Result<Option<(&'static str, String)>, sqlx::Error> {
    let row: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT p.phone_sealed, p.email_sealed FROM users u JOIN persons p ON p.id = u.person_id WHERE u.id = $1",
    )
    .bind(user)
    .fetch_optional(&db.pool)
    .await?;
    let Some((phone, email)) = row else {
        return Ok(None);
    };
    if let Some(p) = db.vault.open_opt(PHONE, phone.as_deref())? {
        return Ok(Some(("sms", p)));
    }
    Ok(db
        .vault
        .open_opt(EMAIL, email.as_deref())?
        .map(|e| ("email", e)))
}
