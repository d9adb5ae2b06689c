//! Organisations: handling units and their heads, bodies and their members.

use super::*;

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
pub(super) const UNIT_SELECT: &str = "SELECT o.id, o.congress_id, o.name, o.organ_kind, \
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
