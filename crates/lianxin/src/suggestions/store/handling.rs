//! The SQL of handling: the units an item is assigned to, returns, contacts with the deputy and
//! replies.

use super::super::domain::{ReplyClass, UnitRole};
use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use chrono::NaiveDate;
use serde::Serialize;

/// 交办: the lead unit, the co-units, whether the item is complex, the day and the reply's due date.
pub struct Assignment<'a> {
    pub lead: i64,
    pub co: &'a [i64],
    pub complex: bool,
    pub assigned_on: NaiveDate,
    pub due_on: NaiveDate,
}

/// Replaces the item's active units: one lead and any co-units.
pub async fn assign(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    a: &Assignment<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (lead, co) = (a.lead, a.co);
    sqlx::query("UPDATE suggestion_units SET active = 0 WHERE congress_id = $1 AND suggestion_id = $2 AND active = 1")
        .bind(congress.0)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let units =
        std::iter::once((lead, UnitRole::Lead)).chain(co.iter().map(|u| (*u, UnitRole::Co)));
    for (unit, role) in units {
        sqlx::query(
            "INSERT INTO suggestion_units (congress_id, suggestion_id, unit_id, role, assigned_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(congress.0)
        .bind(id)
        .bind(unit)
        .bind(role)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "UPDATE suggestions SET complex = $3, assigned_on = $4, due_on = $5 WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .bind(i64::from(a.complex))
    .bind(a.assigned_on.to_string())
    .bind(a.due_on.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct UnitLink {
    pub unit_id: i64,
    pub name: String,
    pub role: UnitRole,
    pub active: i64,
    pub assigned_at: i64,
    pub returned_at: Option<i64>,
    pub return_reason: Option<String>,
}

/// Every unit the item was ever assigned to, the active ones first.
pub async fn units(db: &Db, congress: CongressId, id: i64) -> Result<Vec<UnitLink>, sqlx::Error> {
    sqlx::query_as(
        "SELECT l.unit_id, o.name, l.role, l.active, l.assigned_at, l.returned_at, l.return_reason FROM suggestion_units l \
         JOIN organizations o ON o.id = l.unit_id WHERE l.congress_id = $1 AND l.suggestion_id = $2 ORDER BY l.active DESC, l.id",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await
}

pub async fn unit_return(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    unit: i64,
    reason: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE suggestion_units SET active = 0, returned_at = $4, return_reason = $5 WHERE congress_id = $1 AND suggestion_id = $2 AND unit_id = $3 AND active = 1",
    )
    .bind(congress.0)
    .bind(id)
    .bind(unit)
    .bind(now)
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    // The co-units cannot carry on without a lead: the office re-assigns all.
    sqlx::query("UPDATE suggestion_units SET active = 0 WHERE congress_id = $1 AND suggestion_id = $2 AND active = 1")
        .bind(congress.0)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A unit's contact with the deputy (联系代表), checked.
pub struct NewContact<'a> {
    pub unit: i64,
    pub on_date: NaiveDate,
    pub form: &'a str,
    pub content: &'a str,
}

pub async fn add_contact(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    c: &NewContact<'_>,
    by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO suggestion_contacts (congress_id, suggestion_id, unit_id, on_date, form, content, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(congress.0)
    .bind(id)
    .bind(c.unit)
    .bind(c.on_date.to_string())
    .bind(c.form)
    .bind(c.content)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Contact {
    pub unit: String,
    pub on_date: String,
    pub form: String,
    pub content: String,
}

pub async fn contacts(db: &Db, congress: CongressId, id: i64) -> Result<Vec<Contact>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.name AS unit, c.on_date, c.form, c.content FROM suggestion_contacts c JOIN organizations o ON o.id = c.unit_id \
         WHERE c.congress_id = $1 AND c.suggestion_id = $2 ORDER BY c.on_date, c.id",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await
}

/// A signed reply (答复), with the day and the end of the deputies' feedback window.
pub struct NewReply<'a> {
    pub unit: i64,
    pub class: ReplyClass,
    pub body: &'a str,
    pub replied_on: NaiveDate,
    pub feedback_due_on: NaiveDate,
}

pub async fn add_reply(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    r: &NewReply<'_>,
    by: i64,
    now: i64,
) -> Result<(), sqlx::Error> {
    let (class, replied_on) = (r.class.as_str(), r.replied_on.to_string());
    sqlx::query(
        "INSERT INTO suggestion_replies (congress_id, suggestion_id, unit_id, class, body, signed_by, replied_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(congress.0)
    .bind(id)
    .bind(r.unit)
    .bind(class)
    .bind(r.body)
    .bind(by)
    .bind(&replied_on)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE suggestions SET replied_on = $3, reply_class = $4, feedback_due_on = $5, \
         delivery = CASE WHEN $4 = 'B' THEN 'pending' ELSE 'none' END WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .bind(&replied_on)
    .bind(class)
    .bind(r.feedback_due_on.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Reply {
    pub unit: String,
    pub class: String,
    pub body: String,
    pub signed_by: String,
    pub replied_on: String,
}

pub async fn replies(db: &Db, congress: CongressId, id: i64) -> Result<Vec<Reply>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.name AS unit, r.class, r.body, u.display_name AS signed_by, r.replied_on FROM suggestion_replies r \
         JOIN organizations o ON o.id = r.unit_id JOIN users u ON u.id = r.signed_by \
         WHERE r.congress_id = $1 AND r.suggestion_id = $2 ORDER BY r.id",
    )
    .bind(congress.0)
    .bind(id)
    .fetch_all(&db.pool)
    .await
}
