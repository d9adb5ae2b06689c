//! The years loaded by administrators, merged over the shipped file (a loaded year replaces the
//! shipped one of the same year).

use super::rules::{self, Calendar};
use crate::db::{Db, Tx};

/// The shipped years, parsed once: every deadline computation starts from them, and a
/// citizen's submission computes one.
static SHIPPED_YEARS: std::sync::LazyLock<std::collections::BTreeMap<i32, rules::YearData>> =
    std::sync::LazyLock::new(|| rules::parse(super::SHIPPED).unwrap_or_default());

/// The calendar in force: shipped years plus loaded years.
pub async fn load(db: &Db) -> Result<Calendar, sqlx::Error> {
    let mut years = SHIPPED_YEARS.clone();
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT year, body FROM holiday_years ORDER BY year")
            .fetch_all(&db.pool)
            .await?;
    for (year, body) in rows {
        // Bodies were validated before they were stored; a year that no longer parses is skipped
        // (and shows as not loaded) rather than taking the whole calendar down.
        if let Ok(parsed) = rules::parse(&body)
            && let Some(data) = parsed.get(&(year as i32))
        {
            years.insert(year as i32, data.clone());
        }
    }
    Ok(Calendar::from_years(years))
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoadedYear {
    pub year: i64,
}

pub async fn loaded_years(db: &Db) -> Result<Vec<LoadedYear>, sqlx::Error> {
    sqlx::query_as("SELECT year FROM holiday_years ORDER BY year")
        .fetch_all(&db.pool)
        .await
}

/// Stores one year's text (the lines of that year only), replacing an earlier load.
pub async fn save_year(
    tx: &mut Tx<'_>,
    year: i32,
    source: &str,
    body: &str,
    now: i64,
    by: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM holiday_years WHERE year = $1")
        .bind(i64::from(year))
        .execute(&mut **tx)
        .await?;
    sqlx::query("INSERT INTO holiday_years (year, source, body, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(i64::from(year))
        .bind(source)
        .bind(body)
        .bind(now)
        .bind(by)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Registers a computed deadline, replacing an earlier one of the same item and kind.
pub async fn replace_deadline(
    tx: &mut Tx<'_>,
    r: &super::deadlines::Registration<'_>,
    d: &super::rules::Deadline,
    unloaded_years: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM deadlines WHERE module = $1 AND item_id = $2 AND kind = $3")
        .bind(r.module)
        .bind(r.item_id)
        .bind(r.kind)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO deadlines (congress_id, module, item_id, kind, start_on, amount, unit, due_on, basis_rule, basis_source, unloaded_years, holder_user_id, link, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(r.congress.0)
    .bind(r.module)
    .bind(r.item_id)
    .bind(r.kind)
    .bind(d.start.to_string())
    .bind(i64::from(r.span.amount()))
    .bind(r.span.unit())
    .bind(d.due.to_string())
    .bind(&d.basis.rule)
    .bind(&d.basis.source)
    .bind(unloaded_years)
    .bind(r.holder.map(|u| u.0))
    .bind(r.link)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Closes an open deadline.
pub async fn close_deadline(
    tx: &mut Tx<'_>,
    module: &str,
    item_id: i64,
    kind: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE deadlines SET closed_at = $4 WHERE module = $1 AND item_id = $2 AND kind = $3 AND closed_at IS NULL")
        .bind(module)
        .bind(item_id)
        .bind(kind)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The open deadlines computed without some year's holiday data.
pub async fn open_unloaded(tx: &mut Tx<'_>) -> Result<Vec<super::deadlines::OpenRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, holder_user_id, congress_id, start_on, amount, unit, due_on, basis_rule, basis_source, unloaded_years, link \
         FROM deadlines WHERE closed_at IS NULL AND unloaded_years <> ''",
    )
    .fetch_all(&mut **tx)
    .await
}

/// A recomputed due date.
pub async fn set_due(
    tx: &mut Tx<'_>,
    id: i64,
    due_on: &str,
    unloaded_years: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE deadlines SET due_on = $2, unloaded_years = $3 WHERE id = $1")
        .bind(id)
        .bind(due_on)
        .bind(unloaded_years)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A user's open deadlines, soonest first.
pub async fn open_for(
    db: &Db,
    user: i64,
    limit: i64,
) -> Result<Vec<super::deadlines::Open>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, module, kind, due_on, basis_rule, basis_source, unloaded_years, link FROM deadlines \
         WHERE holder_user_id = $1 AND closed_at IS NULL ORDER BY due_on, id LIMIT $2",
    )
    .bind(user)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}
