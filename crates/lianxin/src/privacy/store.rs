//! All SQL of the privacy module.

use super::retention::{ERASED, RULES};
use crate::db::Db;

/// Sets the contact columns of every matter closed before `cutoff` to the erased marker.
pub async fn erase_closed_contacts(db: &Db, cutoff: i64) -> Result<u64, sqlx::Error> {
    let mut erased = 0;
    let mut tx = db.begin().await?;
    for (table, closed, columns) in RULES {
        let sets: Vec<String> = columns.iter().map(|c| format!("{c} = $2")).collect();
        let not_yet: Vec<String> = columns.iter().map(|c| format!("{c} <> $2")).collect();
        let sql = format!(
            "UPDATE {table} SET {} WHERE {closed} IS NOT NULL AND {closed} < $1 AND ({})",
            sets.join(", "),
            not_yet.join(" OR ")
        );
        let r = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(cutoff)
            .bind(ERASED)
            .execute(&mut *tx)
            .await?;
        erased += r.rows_affected();
    }
    tx.commit().await?;
    Ok(erased)
}
