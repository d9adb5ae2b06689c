//! Who is told of a step: the accounts behind the office, a unit, a deputy.

use crate::db::Db;
use crate::platform::ids::CongressId;

/// The accounts of the item's active lead unit (operators and heads).
pub async fn lead_unit_users(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT g.user_id FROM suggestion_units l JOIN role_grants g ON g.organization_id = l.unit_id \
         WHERE l.congress_id = $1 AND l.suggestion_id = $2 AND l.active = 1 AND l.role = 'lead' \
         AND g.role IN ('unit_operator', 'unit_head') ORDER BY g.user_id",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// The deputies' affairs office's accounts in the congress.
pub async fn office_users(db: &Db, congress: CongressId) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT user_id FROM role_grants WHERE congress_id = $1 AND role = 'staff' AND office = 'deputies_affairs' ORDER BY user_id",
    )
    .bind(congress.0)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

/// The accounts of the given units (operators and heads).
pub async fn unit_users(
    db: &Db,
    congress: CongressId,
    units: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut out = Vec::new();
    for unit in units {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT DISTINCT user_id FROM role_grants WHERE congress_id = $1 AND organization_id = $2 \
             AND role IN ('unit_operator', 'unit_head') ORDER BY user_id",
        )
        .bind(congress.0)
        .bind(unit)
        .fetch_all(&db.pool)
        .await?;
        out.extend(rows.into_iter().map(|(u,)| u));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// The accounts of the given deputies (a deputy without an account is told on paper, by the
/// office, as today).
pub async fn deputy_users(
    db: &Db,
    congress: CongressId,
    deputies: &[i64],
) -> Result<Vec<i64>, sqlx::Error> {
    let mut out = Vec::new();
    for deputy in deputies {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT u.id FROM users u JOIN deputies d ON d.person_id = u.person_id \
             WHERE d.congress_id = $1 AND d.id = $2 AND u.disabled = 0",
        )
        .bind(congress.0)
        .bind(deputy)
        .fetch_all(&db.pool)
        .await?;
        out.extend(rows.into_iter().map(|(u,)| u));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
