//! Constituencies and liaison stations, and name look-ups within a congress.

use super::*;

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

/// The name of a station of the congress, if the id names one.
pub async fn station_name(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT name FROM stations WHERE congress_id = $1 AND id = $2")
            .bind(congress.0)
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|(n,)| n))
}
