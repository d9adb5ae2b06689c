//! Persons: global (one person may be a deputy of several congresses); ID numbers kept only as a
//! keyed digest and a masked copy.

use super::*;

/// Key for the digest of ID numbers; the security issue moves it into the key store.
pub(super) const ID_DIGEST_KEY: &str = "lianxin.person.id_card.v1";
/// Finds the person with this ID number, if any (by keyed digest; the number itself is not stored).
pub async fn person_by_id_card(
    tx: &mut Tx<'_>,
    id_card: &str,
) -> Result<Option<PersonId>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM persons WHERE id_card_digest = $1")
        .bind(secret::keyed_digest(ID_DIGEST_KEY, id_card))
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(id,)| PersonId(id)))
}
pub fn id_card_digest(id_card: &str) -> String {
    secret::keyed_digest(ID_DIGEST_KEY, id_card)
}
pub async fn create_person(
    tx: &mut Tx<'_>,
    v: &ValidDeputy,
    now: i64,
) -> Result<PersonId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO persons (name, name_key, gender, ethnicity, birth_date, id_card_digest, id_card_masked, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&v.name)
    .bind(name_key(&v.name))
    .bind(v.gender.as_str())
    .bind(&v.ethnicity)
    .bind(v.id_card.as_deref().and_then(crate::people::domain::birth_date_of))
    .bind(v.id_card.as_deref().map(id_card_digest))
    .bind(v.id_card.as_deref().map(crate::people::domain::mask_id_card))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(PersonId(id))
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
