//! All SQL of the suggestions module. Every query of a suggestion filters by `congress_id`; state
//! changes are conditional on the state they start from, so two clerks acting at once cannot both
//! move the same item.

use super::domain::Delivery;
use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

mod audience;
mod followup;
mod handling;
pub(super) mod history;
mod publication;
mod ratings;
mod stats;
pub use audience::*;
pub use followup::*;
pub use handling::*;
pub use history::{Event, Item, Signer, Step};
pub use publication::*;
pub use ratings::*;
pub use stats::*;

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Suggestion {
    pub id: i64,
    pub congress_id: i64,
    pub lead_deputy_id: i64,
    pub lead_name: String,
    pub title: String,
    pub content: String,
    pub category: String,
    pub period_kind: String,
    pub period_key: String,
    pub number: Option<i64>,
    pub state: String,
    pub complex: i64,
    pub assigned_on: Option<String>,
    pub due_on: Option<String>,
    pub replied_on: Option<String>,
    pub reply_class: Option<String>,
    pub delivery: Delivery,
    pub rating: Option<String>,
    pub unsatisfied_count: i64,
    pub feedback_due_on: Option<String>,
    pub closed_on: Option<String>,
    pub key_supervision: i64,
    pub created_at: i64,
    pub extension_months: Option<i64>,
    pub extension_reason: Option<String>,
    pub supervisor: Option<String>,
    /// The town the suggestion concerns (a district congress's suggestions only).
    pub town: Option<String>,
    /// 代表团 — the delegation in whose name it was drafted at a session, if any.
    pub delegation: Option<String>,
    /// When the office published the reply on the public portal (ms), if it did.
    pub published_at: Option<i64>,
    /// 并案 — the item this one is handled together with, if any.
    pub merged_into: Option<i64>,
}

const SELECT: &str = "SELECT s.id, s.congress_id, s.lead_deputy_id, p.name AS lead_name, s.title, s.content, s.category, \
     s.period_kind, s.period_key, s.number, s.state, s.complex, s.assigned_on, s.due_on, s.replied_on, s.reply_class, \
     s.delivery, s.rating, s.unsatisfied_count, s.feedback_due_on, s.closed_on, s.key_supervision, s.created_at, \
     s.extension_months, s.extension_reason, s.supervisor, t.short_name AS town, dg.name AS delegation, s.published_at, s.merged_into \
     FROM suggestions s JOIN deputies d ON d.id = s.lead_deputy_id JOIN persons p ON p.id = d.person_id \
     LEFT JOIN congresses t ON t.id = s.town_congress_id LEFT JOIN organizations dg ON dg.id = s.delegation_id";

pub async fn get(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<Suggestion>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE s.congress_id = $1 AND s.id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// Which items a list shows.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// The office: every item of the congress (optionally one state).
    All,
    /// The office's key-supervision list (重点督办).
    Key,
    /// A deputy: items they lead or were invited to sign.
    Deputy(i64),
    /// A handling unit: items actively assigned to it.
    Unit(i64),
}

/// A page of items, newest first (keyset on id). The conditions are assembled from what is
/// given rather than written as `$n IS NULL OR …`, which keeps the planners on the indexes
/// (the difference at 100,000 items is 190 ms against under a millisecond; BENCHMARKS.md).
pub async fn list(
    db: &Db,
    congress: CongressId,
    scope: Scope,
    state: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Suggestion>, sqlx::Error> {
    let mut sql = SELECT.to_string();
    sql.push_str(" WHERE s.congress_id = $1");
    let mut n = 1;
    let mut next = || {
        n += 1;
        n
    };
    let state_at = state.map(|_| next());
    if let Some(i) = state_at {
        sql.push_str(&format!(" AND s.state = ${i}"));
    }
    let before_at = before.map(|_| next());
    if let Some(i) = before_at {
        sql.push_str(&format!(" AND s.id < ${i}"));
    }
    let who = match scope {
        Scope::All => None,
        Scope::Key => {
            sql.push_str(" AND s.key_supervision = 1");
            None
        }
        Scope::Deputy(d) => {
            // Index-only on (lead_deputy_id, id) on both backends (BENCHMARKS.md).
            let i = next();
            sql.push_str(&format!(
                " AND s.id IN (SELECT id FROM suggestions WHERE lead_deputy_id = ${i} \
                 UNION SELECT suggestion_id FROM suggestion_signers WHERE deputy_id = ${i})"
            ));
            Some(d)
        }
        Scope::Unit(u) => {
            let i = next();
            sql.push_str(&format!(
                " AND s.id IN (SELECT suggestion_id FROM suggestion_units WHERE unit_id = ${i} AND active = 1)"
            ));
            Some(u)
        }
    };
    let limit_at = next();
    sql.push_str(&format!(" ORDER BY s.id DESC LIMIT ${limit_at}"));
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(congress.0);
    if let Some(st) = state {
        q = q.bind(st);
    }
    if let Some(b) = before {
        q = q.bind(b);
    }
    if let Some(w) = who {
        q = q.bind(w);
    }
    q.bind(limit + 1).fetch_all(&db.pool).await
}

pub struct NewSuggestion<'a> {
    pub congress: CongressId,
    pub lead_deputy: i64,
    pub title: &'a str,
    pub content: &'a str,
    pub category: &'a str,
    pub town: Option<i64>,
    pub delegation: Option<i64>,
    pub period_kind: &'a str,
    pub period_key: &'a str,
    pub now: i64,
}

pub async fn insert(tx: &mut Tx<'_>, n: &NewSuggestion<'_>) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO suggestions (congress_id, lead_deputy_id, title, content, category, town_congress_id, period_kind, period_key, state, created_at, updated_at, delegation_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $9, $10) RETURNING id",
    )
    .bind(n.congress.0)
    .bind(n.lead_deputy)
    .bind(n.title)
    .bind(n.content)
    .bind(n.category)
    .bind(n.town)
    .bind(n.period_kind)
    .bind(n.period_key)
    .bind(n.now)
    .bind(n.delegation)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Moves the item from `from` to `to`; false if it was no longer in `from` (someone else acted).
pub async fn set_state(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    from: &str,
    to: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    history::move_state(tx, Item::Suggestion, congress, id, from, to, now).await
}

/// Appends a step to the item's history.
pub async fn event(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    step: &Step<'_>,
) -> Result<(), sqlx::Error> {
    history::record_step(tx, Item::Suggestion, congress, id, step).await
}

pub async fn events(db: &Db, congress: CongressId, id: i64) -> Result<Vec<Event>, sqlx::Error> {
    history::steps(db, Item::Suggestion, congress, id).await
}

/// The deputy (in office) of `congress` that the account stands for, with their name.
pub async fn deputy_of_user(
    db: &Db,
    congress: CongressId,
    user: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT d.id, p.name FROM users u JOIN deputies d ON d.person_id = u.person_id JOIN persons p ON p.id = d.person_id \
         WHERE u.id = $2 AND d.congress_id = $1 AND d.status = 'in_office' ORDER BY d.id DESC LIMIT 1",
    )
    .bind(congress.0)
    .bind(user)
    .fetch_optional(&db.pool)
    .await
}

/// Deputies in office of the congress with exactly this name (co-signer lookup).
/// The delegation (代表团) a deputy of this congress belongs to, if any.
pub async fn delegation_of(
    db: &Db,
    congress: CongressId,
    deputy: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT delegation_id FROM deputies WHERE congress_id = $1 AND id = $2")
            .bind(congress.0)
            .bind(deputy)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.and_then(|(d,)| d))
}

pub async fn invite(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    deputy: i64,
) -> Result<(), sqlx::Error> {
    history::invite_signer(tx, Item::Suggestion, congress, id, deputy).await
}

/// Records a co-signer's answer; false if they were not invited or already answered.
pub async fn answer(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    deputy: i64,
    consent: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    history::answer_signer(tx, Item::Suggestion, congress, id, deputy, consent, now).await
}

pub async fn signers(db: &Db, congress: CongressId, id: i64) -> Result<Vec<Signer>, sqlx::Error> {
    history::signers_of(db, Item::Suggestion, congress, id).await
}

/// The next number in the item's numbering period (第N号), taken inside the registering
/// transaction; the unique key on (congress, period, number) refuses a duplicate.
pub async fn number(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    period_key: &str,
) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM suggestions WHERE congress_id = $1 AND period_key = $2",
    )
    .bind(congress.0)
    .bind(period_key)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE suggestions SET number = $3 WHERE congress_id = $1 AND id = $2")
        .bind(congress.0)
        .bind(id)
        .bind(n)
        .execute(&mut **tx)
        .await?;
    Ok(n)
}

pub async fn set_rating(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    rating: &str,
    unsatisfied: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE suggestions SET rating = $3, unsatisfied_count = unsatisfied_count + $4 WHERE congress_id = $1 AND id = $2",
    )
    .bind(congress.0)
    .bind(id)
    .bind(rating)
    .bind(i64::from(unsatisfied))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn set_closed(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    on: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE suggestions SET closed_on = $3 WHERE congress_id = $1 AND id = $2")
        .bind(congress.0)
        .bind(id)
        .bind(on)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Moves the delivery of a class-B item forward (`pending` → `reported` → `verified`).
pub async fn set_delivery(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    from: Delivery,
    to: Delivery,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE suggestions SET delivery = $4 WHERE congress_id = $1 AND id = $2 AND delivery = $3",
    )
    .bind(congress.0)
    .bind(id)
    .bind(from)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// An open deadline of a suggestion due on one of the given dates.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueItem {
    pub id: i64,
    pub congress_id: i64,
    pub number: Option<i64>,
    pub title: String,
    pub state: String,
    pub due_on: String,
    /// 重点督办: the office hears of its deadlines too, not only when overdue.
    pub key_supervision: i64,
}

/// Open suggestion deadlines of `kind` due on any of `dates` (ISO), or before `before` if given.
pub async fn due_on(
    db: &Db,
    kind: &str,
    dates: &[String],
    before: Option<&str>,
) -> Result<Vec<DueItem>, sqlx::Error> {
    let d = |i: usize| dates.get(i).cloned().unwrap_or_default();
    sqlx::query_as(
        "SELECT s.id, s.congress_id, s.number, s.title, s.state, d.due_on, s.key_supervision FROM deadlines d \
         JOIN suggestions s ON s.id = d.item_id AND s.congress_id = d.congress_id \
         WHERE d.module = 'suggestions' AND d.kind = $1 AND d.closed_at IS NULL \
         AND (d.due_on IN ($2, $3, $4) OR ($5 IS NOT NULL AND d.due_on < $5)) ORDER BY s.id",
    )
    .bind(kind)
    .bind(d(0))
    .bind(d(1))
    .bind(d(2))
    .bind(before)
    .fetch_all(&db.pool)
    .await
}

/// The unit that most often led the given items, with how many (routing help for assignment).
pub async fn usual_lead_unit(
    db: &Db,
    congress: CongressId,
    ids: &[i64],
) -> Result<Option<(i64, String, i64)>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(None);
    }
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT l.unit_id, o.name, COUNT(*) AS n FROM suggestion_units l JOIN organizations o ON o.id = l.unit_id \
         WHERE l.congress_id = $1 AND l.role = 'lead' AND l.returned_at IS NULL AND l.suggestion_id IN ({list}) \
         GROUP BY l.unit_id, o.name ORDER BY n DESC, l.unit_id LIMIT 1"
    )))
    .bind(congress.0)
    .fetch_optional(&db.pool)
    .await
}
