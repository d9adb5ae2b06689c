//! Deputies: the roster rows, their detail, status, and the public find-my-deputy rows.

use super::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DeputyRow {
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub party: String,
    pub occupation: String,
    pub constituency: Option<String>,
    pub status: DeputyStatus,
    #[serde(skip)]
    pub name_key: String,
}
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DeputyDetail {
    pub id: i64,
    pub congress_id: i64,
    pub person_id: i64,
    pub term_number: i64,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: Option<String>,
    /// Masked on every screen and in the API (first 6, last 4).
    pub id_card_masked: Option<String>,
    pub party: String,
    pub composition: String,
    pub occupation: String,
    pub education: String,
    pub constituency: Option<String>,
    pub delegation: Option<String>,
    pub station: Option<String>,
    pub status: DeputyStatus,
    pub status_date: Option<String>,
    pub status_reason: Option<String>,
    /// Contact details, masked (`138****5678`); the full values need `RevealPersonal`.
    #[sqlx(skip)]
    pub phone_masked: Option<String>,
    #[sqlx(skip)]
    pub email_masked: Option<String>,
    #[sqlx(skip)]
    pub address_masked: Option<String>,
    #[serde(skip)]
    pub phone_sealed: Option<String>,
    #[serde(skip)]
    pub email_sealed: Option<String>,
    #[serde(skip)]
    pub address_sealed: Option<String>,
    #[serde(skip)]
    pub id_card_sealed: Option<String>,
}

impl DeputyDetail {
    pub fn sealed(&self) -> SealedPersonal {
        SealedPersonal {
            id_card_sealed: self.id_card_sealed.clone(),
            phone_sealed: self.phone_sealed.clone(),
            email_sealed: self.email_sealed.clone(),
            address_sealed: self.address_sealed.clone(),
        }
    }

    /// Opens the contact details into their masks.
    fn with_masks(mut self, vault: &crate::platform::vault::Vault) -> Result<Self, sqlx::Error> {
        let m = self.sealed().open(vault)?.masked();
        self.phone_masked = m.phone;
        self.email_masked = m.email;
        self.address_masked = m.address;
        Ok(self)
    }
}
pub(super) const LIST_SELECT: &str = "SELECT d.id, p.name, p.gender, d.party, d.occupation, c.name AS constituency, d.status, d.name_key \
     FROM deputies d JOIN persons p ON p.id = d.person_id LEFT JOIN constituencies c ON c.id = d.constituency_id";
/// A page of a congress's deputies in pinyin order (searches go through `crate::search`).
pub async fn list_deputies(
    db: &Db,
    congress: CongressId,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<DeputyRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{LIST_SELECT} WHERE d.congress_id = $1 \
         AND ($2 IS NULL OR d.name_key > $2 OR (d.name_key = $2 AND d.id > $3)) \
         ORDER BY d.name_key, d.id LIMIT $4"
    )))
    .bind(congress.0)
    .bind(after.map(|c| c.key.clone()))
    .bind(after.map_or(0, |c| c.id))
    .bind(limit + 1)
    .fetch_all(&db.pool)
    .await
}
pub(super) const DETAIL_SELECT: &str = "SELECT d.id, d.congress_id, d.person_id, t.number AS term_number, p.name, p.gender, p.ethnicity, p.birth_date, \
     p.id_card_masked, d.party, d.composition, d.occupation, d.education, c.name AS constituency, \
     o.name AS delegation, s.name AS station, d.status, d.status_date, d.status_reason, \
     p.phone_sealed, p.email_sealed, p.address_sealed, p.id_card_sealed \
     FROM deputies d JOIN persons p ON p.id = d.person_id JOIN terms t ON t.id = d.term_id \
     LEFT JOIN constituencies c ON c.id = d.constituency_id \
     LEFT JOIN organizations o ON o.id = d.delegation_id LEFT JOIN stations s ON s.id = d.station_id";
/// The whole roster of a congress with every field, in pinyin order (for export; a congress has
/// at most a few thousand deputies).
pub async fn deputy_details(
    db: &Db,
    congress: CongressId,
) -> Result<Vec<DeputyDetail>, sqlx::Error> {
    let rows: Vec<DeputyDetail> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DETAIL_SELECT} WHERE d.congress_id = $1 ORDER BY d.name_key, d.id"
    )))
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await?;
    rows.into_iter().map(|d| d.with_masks(&db.vault)).collect()
}
pub async fn deputy(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<DeputyDetail>, sqlx::Error> {
    let row: Option<DeputyDetail> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DETAIL_SELECT} WHERE d.congress_id = $1 AND d.id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|d| d.with_masks(&db.vault)).transpose()
}
/// Resolved references of a deputy row.
#[derive(Debug, Clone, Copy)]
pub struct Refs {
    pub constituency: i64,
    pub delegation: Option<i64>,
    pub station: Option<i64>,
}
pub async fn deputy_exists(
    tx: &mut Tx<'_>,
    congress: CongressId,
    term: i64,
    person: PersonId,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM deputies WHERE congress_id = $1 AND term_id = $2 AND person_id = $3",
    )
    .bind(congress.0)
    .bind(term)
    .bind(person.0)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}
pub async fn insert_deputy(
    tx: &mut Tx<'_>,
    congress: CongressId,
    term: i64,
    person: PersonId,
    v: &ValidDeputy,
    refs: Refs,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO deputies (congress_id, term_id, person_id, name_key, constituency_id, delegation_id, station_id, \
         party, composition, occupation, education, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'in_office', $12, $12) RETURNING id",
    )
    .bind(congress.0)
    .bind(term)
    .bind(person.0)
    .bind(name_key(&v.name))
    .bind(refs.constituency)
    .bind(refs.delegation)
    .bind(refs.station)
    .bind(&v.party)
    .bind(&v.composition)
    .bind(&v.occupation)
    .bind(&v.education)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}
/// Updates the roster fields of a deputy (and the person's name, gender, ethnicity).
pub async fn update_deputy(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    person: i64,
    v: &ValidDeputy,
    refs: Refs,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE deputies SET name_key = $3, constituency_id = $4, delegation_id = $5, station_id = $6, party = $7, \
         composition = $8, occupation = $9, education = $10, updated_at = $11 WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .bind(name_key(&v.name))
    .bind(refs.constituency)
    .bind(refs.delegation)
    .bind(refs.station)
    .bind(&v.party)
    .bind(&v.composition)
    .bind(&v.occupation)
    .bind(&v.education)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE persons SET name = $2, name_key = $3, gender = $4, ethnicity = $5 WHERE id = $1",
    )
    .bind(person)
    .bind(&v.name)
    .bind(name_key(&v.name))
    .bind(v.gender.as_str())
    .bind(&v.ethnicity)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}
pub async fn set_status(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    status: DeputyStatus,
    date: &str,
    reason: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE deputies SET status = $3, status_date = $4, status_reason = $5, updated_at = $6 WHERE congress_id = $1 AND id = $2")
        .bind(congress.0)
        .bind(id)
        .bind(status.as_str())
        .bind(date)
        .bind(reason)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
/// 找代表 — the public roster of a constituency: only deputies in office, only fields that may be
/// published (name, constituency, occupation, party, delegation); no ID, birth date or contact.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PublicDeputy {
    pub name: String,
    pub constituency: Option<String>,
    pub occupation: String,
    pub station: Option<String>,
}
pub async fn public_deputies(
    db: &Db,
    congress: CongressId,
    constituency: Option<i64>,
    limit: i64,
) -> Result<Vec<PublicDeputy>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.name, c.name AS constituency, d.occupation, s.name AS station FROM deputies d JOIN persons p ON p.id = d.person_id \
         LEFT JOIN constituencies c ON c.id = d.constituency_id LEFT JOIN stations s ON s.id = d.station_id \
         WHERE d.congress_id = $1 AND d.status = 'in_office' AND ($2 IS NULL OR d.constituency_id = $2) \
         ORDER BY d.name_key, d.id LIMIT $3",
    )
    .bind(congress.0)
    .bind(constituency)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}
/// Counts for a congress's overview (small tables, or indexed by congress).
pub async fn counts(db: &Db, congress: CongressId) -> Result<(i64, i64, i64), sqlx::Error> {
    let (d,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM deputies WHERE congress_id = $1 AND status = 'in_office'",
    )
    .bind(congress.0)
    .fetch_one(&db.pool)
    .await?;
    let (u,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM organizations WHERE congress_id = $1 AND kind = 'handling_unit'",
    )
    .bind(congress.0)
    .fetch_one(&db.pool)
    .await?;
    let (s,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM stations WHERE congress_id = $1")
        .bind(congress.0)
        .fetch_one(&db.pool)
        .await?;
    Ok((d, u, s))
}
/// Deputies in office of a congress (id, name), in pinyin order, for choosing members.
pub async fn deputies_in_office(db: &Db, congress: CongressId) -> Result<Vec<Named>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id, p.name FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.congress_id = $1 AND d.status = 'in_office' ORDER BY d.name_key, d.id",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
}
/// Roster rows for the given deputy ids of a congress, in the order of `ids` (search results).
pub async fn deputies_by_ids(
    db: &Db,
    congress: CongressId,
    ids: &[i64],
) -> Result<Vec<DeputyRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{LIST_SELECT} WHERE d.congress_id = $1 AND d.id IN ({})",
        id_list(ids)
    )))
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await?;
    Ok(in_order(ids, rows, |r: &DeputyRow| r.id))
}

/// Deputies of the congress in office with exactly this name (names repeat: callers say which
/// when there are several).
pub async fn deputies_named(
    db: &Db,
    congress: CongressId,
    name: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT d.id FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.congress_id = $1 AND p.name = $2 AND d.status = 'in_office'",
    )
    .bind(congress.0)
    .bind(name)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(i,)| i).collect())
}

/// The name of a deputy of the congress in office, if the id names one.
pub async fn deputy_name_in_office(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT p.name FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.congress_id = $1 AND d.id = $2 AND d.status = 'in_office'",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|(n,)| n))
}
