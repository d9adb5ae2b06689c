//! All SQL of the people module: persons, deputies, constituencies, stations, organisations and
//! handling units. Every query of congress-owned rows filters by `congress_id`, so an id from
//! another congress finds nothing.

use super::domain::{DeputyStatus, ValidDeputy, name_key};
use crate::db::{Db, Tx};
use crate::platform::ids::{CongressId, PersonId};
use crate::platform::page::Cursor;
use crate::platform::secret;
use serde::Serialize;

/// Key for the digest of ID numbers; the security issue moves it into the key store.
const ID_DIGEST_KEY: &str = "lianxin.person.id_card.v1";

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DeputyRow {
    pub id: i64,
    pub name: String,
    pub gender: String,
    pub party: String,
    pub occupation: String,
    pub constituency: Option<String>,
    pub status: String,
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
    pub status: String,
    pub status_date: Option<String>,
    pub status_reason: Option<String>,
}

const LIST_SELECT: &str = "SELECT d.id, p.name, p.gender, d.party, d.occupation, c.name AS constituency, d.status, d.name_key \
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

const DETAIL_SELECT: &str = "SELECT d.id, d.congress_id, d.person_id, t.number AS term_number, p.name, p.gender, p.ethnicity, p.birth_date, \
     p.id_card_masked, d.party, d.composition, d.occupation, d.education, c.name AS constituency, \
     o.name AS delegation, s.name AS station, d.status, d.status_date, d.status_reason \
     FROM deputies d JOIN persons p ON p.id = d.person_id JOIN terms t ON t.id = d.term_id \
     LEFT JOIN constituencies c ON c.id = d.constituency_id \
     LEFT JOIN organizations o ON o.id = d.delegation_id LEFT JOIN stations s ON s.id = d.station_id";

/// The whole roster of a congress with every field, in pinyin order (for export; a congress has
/// at most a few thousand deputies).
pub async fn deputy_details(
    db: &Db,
    congress: CongressId,
) -> Result<Vec<DeputyDetail>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DETAIL_SELECT} WHERE d.congress_id = $1 ORDER BY d.name_key, d.id"
    )))
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
}

pub async fn deputy(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<DeputyDetail>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{DETAIL_SELECT} WHERE d.congress_id = $1 AND d.id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

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
    .bind(v.id_card.as_deref().and_then(super::domain::birth_date_of))
    .bind(v.id_card.as_deref().map(id_card_digest))
    .bind(v.id_card.as_deref().map(super::domain::mask_id_card))
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(PersonId(id))
}

/// Looks up a named row of a congress (constituency, station, delegation) by name.
pub async fn lookup_id(
    tx: &mut Tx<'_>,
    table: NamedTable,
    congress: CongressId,
    name: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let sql = match table {
        NamedTable::Constituency => {
            "SELECT id FROM constituencies WHERE congress_id = $1 AND name = $2"
        }
        NamedTable::Station => "SELECT id FROM stations WHERE congress_id = $1 AND name = $2",
        NamedTable::Delegation => {
            "SELECT id FROM organizations WHERE congress_id = $1 AND name = $2 AND kind IN ('delegation', 'deputy_group')"
        }
    };
    let row: Option<(i64,)> = sqlx::query_as(sql)
        .bind(congress.0)
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.map(|(id,)| id))
}

#[derive(Debug, Clone, Copy)]
pub enum NamedTable {
    Constituency,
    Station,
    Delegation,
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

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

pub async fn constituencies(db: &Db, congress: CongressId) -> Result<Vec<Named>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM constituencies WHERE congress_id = $1 ORDER BY id")
        .bind(congress.0)
        .fetch_all(&db.pool)
        .await
}

pub async fn create_constituency(
    tx: &mut Tx<'_>,
    congress: CongressId,
    name: &str,
    town: Option<CongressId>,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) =
        sqlx::query_as("INSERT INTO constituencies (congress_id, name, town_congress_id) VALUES ($1, $2, $3) RETURNING id")
            .bind(congress.0)
            .bind(name)
            .bind(town.map(|t| t.0))
            .fetch_one(&mut **tx)
            .await?;
    Ok(id)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Station {
    pub id: i64,
    pub congress_id: i64,
    pub kind: String,
    pub name: String,
    pub address: String,
    pub opening_hours: String,
}

pub async fn create_station(
    tx: &mut Tx<'_>,
    congress: CongressId,
    kind: &str,
    name: &str,
    address: &str,
    hours: &str,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO stations (congress_id, kind, name, address, opening_hours) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(congress.0)
    .bind(kind)
    .bind(name)
    .bind(address)
    .bind(hours)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Stations of a congress and, for a district, of its towns.
pub async fn stations_of_district(
    db: &Db,
    district: CongressId,
) -> Result<Vec<Station>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.congress_id, s.kind, s.name, s.address, s.opening_hours FROM stations s JOIN congresses c ON c.id = s.congress_id \
         WHERE c.id = $1 OR c.parent_id = $1 ORDER BY s.congress_id, s.name",
    )
    .bind(district.0)
    .fetch_all(&db.pool)
    .await
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

// ---- organisations and handling units ----

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Unit {
    pub id: i64,
    pub congress_id: i64,
    pub name: String,
    pub organ_kind: Option<String>,
    pub head: Option<String>,
    pub head_gender: Option<String>,
}

pub async fn create_org(
    tx: &mut Tx<'_>,
    congress: CongressId,
    kind: &str,
    organ_kind: Option<&str>,
    name: &str,
    session: Option<i64>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO organizations (congress_id, kind, organ_kind, name, session_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(congress.0)
    .bind(kind)
    .bind(organ_kind)
    .bind(name)
    .bind(session)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn org_named(
    tx: &mut Tx<'_>,
    congress: CongressId,
    kind: &str,
    name: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM organizations WHERE congress_id = $1 AND kind = $2 AND name = $3",
    )
    .bind(congress.0)
    .bind(kind)
    .bind(name)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id,)| id))
}

const UNIT_SELECT: &str = "SELECT o.id, o.congress_id, o.name, o.organ_kind, \
     (SELECT p.name FROM memberships m JOIN persons p ON p.id = m.person_id WHERE m.organization_id = o.id AND m.post = 'head' AND m.ends_on IS NULL LIMIT 1) AS head, \
     (SELECT p.gender FROM memberships m JOIN persons p ON p.id = m.person_id WHERE m.organization_id = o.id AND m.post = 'head' AND m.ends_on IS NULL LIMIT 1) AS head_gender \
     FROM organizations o WHERE o.kind = 'handling_unit'";

pub async fn units(
    db: &Db,
    congress: CongressId,
    after: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<Unit>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{UNIT_SELECT} AND o.congress_id = $1 AND ($2 IS NULL OR o.name > $2 OR (o.name = $2 AND o.id > $3)) ORDER BY o.name, o.id LIMIT $4"
    )))
    .bind(congress.0)
    .bind(after.map(|c| c.key.clone()))
    .bind(after.map_or(0, |c| c.id))
    .bind(limit + 1)
    .fetch_all(&db.pool)
    .await
}

pub async fn unit(db: &Db, congress: CongressId, id: i64) -> Result<Option<Unit>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{UNIT_SELECT} AND o.congress_id = $1 AND o.id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn rename_unit(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    name: &str,
    organ: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE organizations SET name = $3, organ_kind = $4, updated_at = $5 WHERE congress_id = $1 AND id = $2 AND kind = 'handling_unit'",
    )
    .bind(congress.0)
    .bind(id)
    .bind(name)
    .bind(organ)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

pub async fn add_membership(
    tx: &mut Tx<'_>,
    congress: CongressId,
    org: i64,
    person: PersonId,
    post: &str,
    starts: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO memberships (congress_id, organization_id, person_id, post, starts_on) VALUES ($1, $2, $3, $4, $5)")
        .bind(congress.0)
        .bind(org)
        .bind(person.0)
        .bind(post)
        .bind(starts)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Member {
    pub id: i64,
    pub organization: String,
    pub kind: String,
    pub name: String,
    pub post: String,
}

/// Members of a congress's bodies (standing committee, presidium, special committees).
pub async fn members(
    db: &Db,
    congress: CongressId,
    kind: &str,
) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.id, o.name AS organization, o.kind, p.name, m.post FROM memberships m JOIN organizations o ON o.id = m.organization_id \
         JOIN persons p ON p.id = m.person_id WHERE m.congress_id = $1 AND o.kind = $2 AND m.ends_on IS NULL \
         ORDER BY o.name, CASE m.post WHEN 'chair' THEN 0 WHEN 'vice_chair' THEN 1 ELSE 2 END, p.name_key",
    )
    .bind(congress.0)
    .bind(kind)
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

/// Names of a congress's constituencies, stations or delegations, for form choices.
pub async fn names(
    db: &Db,
    congress: CongressId,
    table: NamedTable,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = match table {
        NamedTable::Constituency => {
            "SELECT name FROM constituencies WHERE congress_id = $1 ORDER BY id"
        }
        NamedTable::Station => "SELECT name FROM stations WHERE congress_id = $1 ORDER BY id",
        NamedTable::Delegation => {
            "SELECT name FROM organizations WHERE congress_id = $1 AND kind IN ('delegation', 'deputy_group') ORDER BY id"
        }
    };
    let rows: Vec<(String,)> = sqlx::query_as(sql)
        .bind(congress.0)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// Organisations of a congress of the given kinds (working bodies, organs), by name.
pub async fn orgs_of_kind(
    db: &Db,
    congress: CongressId,
    kind: &str,
) -> Result<Vec<Named>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name FROM organizations WHERE congress_id = $1 AND kind = $2 ORDER BY id",
    )
    .bind(congress.0)
    .bind(kind)
    .fetch_all(&db.pool)
    .await
}

/// Puts a person on a body; a past membership with the same post is taken up again.
pub async fn upsert_membership(
    tx: &mut Tx<'_>,
    congress: CongressId,
    org: i64,
    person: PersonId,
    post: &str,
    starts: &str,
) -> Result<i64, sqlx::Error> {
    let existing: Option<(i64, Option<String>)> =
        sqlx::query_as("SELECT id, ends_on FROM memberships WHERE organization_id = $1 AND person_id = $2 AND post = $3")
            .bind(org)
            .bind(person.0)
            .bind(post)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some((id, _)) = existing {
        sqlx::query("UPDATE memberships SET starts_on = $2, ends_on = NULL WHERE id = $1")
            .bind(id)
            .bind(starts)
            .execute(&mut **tx)
            .await?;
        return Ok(id);
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO memberships (congress_id, organization_id, person_id, post, starts_on) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(congress.0)
    .bind(org)
    .bind(person.0)
    .bind(post)
    .bind(starts)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Whether the person already holds a current post on the body.
pub async fn is_current_member(
    tx: &mut Tx<'_>,
    org: i64,
    person: PersonId,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM memberships WHERE organization_id = $1 AND person_id = $2 AND ends_on IS NULL")
        .bind(org)
        .bind(person.0)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(row.is_some())
}

pub async fn end_membership(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    ends: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query("UPDATE memberships SET ends_on = $3 WHERE congress_id = $1 AND id = $2 AND ends_on IS NULL")
        .bind(congress.0)
        .bind(id)
        .bind(ends)
        .execute(&mut **tx)
        .await?;
    Ok(r.rows_affected() == 1)
}

/// A body of a congress: its id and kind, if it belongs to that congress.
pub async fn body(db: &Db, congress: CongressId, org: i64) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT kind FROM organizations WHERE congress_id = $1 AND id = $2")
            .bind(congress.0)
            .bind(org)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(k,)| k))
}

/// Bodies of a congress that have members (standing committee, presidium, special committees).
pub async fn bodies(db: &Db, congress: CongressId) -> Result<Vec<Named>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name FROM organizations WHERE congress_id = $1 AND kind IN ('standing_committee', 'presidium', 'special_committee') ORDER BY id",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await
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

/// A person known only by name and gender (a unit head who is not a deputy).
pub async fn create_plain_person(
    tx: &mut Tx<'_>,
    name: &str,
    gender: super::domain::Gender,
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

/// Ends the unit's current head membership, if any.
pub async fn end_head(
    tx: &mut Tx<'_>,
    congress: CongressId,
    unit: i64,
    ends: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE memberships SET ends_on = $3 WHERE congress_id = $1 AND organization_id = $2 AND post = 'head' AND ends_on IS NULL")
        .bind(congress.0)
        .bind(unit)
        .bind(ends)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `rows` in the order of `ids` (search results come ranked; SQL `IN` does not keep order).
fn in_order<T>(ids: &[i64], mut rows: Vec<T>, id_of: impl Fn(&T) -> i64) -> Vec<T> {
    rows.sort_by_key(|r| {
        ids.iter()
            .position(|i| *i == id_of(r))
            .unwrap_or(usize::MAX)
    });
    rows
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
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

/// Units for the given ids of a congress, in the order of `ids` (search results).
pub async fn units_by_ids(
    db: &Db,
    congress: CongressId,
    ids: &[i64],
) -> Result<Vec<Unit>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{UNIT_SELECT} AND o.congress_id = $1 AND o.id IN ({})",
        id_list(ids)
    )))
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await?;
    Ok(in_order(ids, rows, |u: &Unit| u.id))
}
