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
    pub source: String,
    pub loaded_at: i64,
}

pub async fn loaded_years(db: &Db) -> Result<Vec<LoadedYear>, sqlx::Error> {
    sqlx::query_as("SELECT year, source, loaded_at FROM holiday_years ORDER BY year")
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
