//! Key rotation: re-seals every sealed column (`platform::vault::SEALED_COLUMNS`) with the
//! vault's current key, in batches, each batch in its own transaction so that a crash leaves
//! every value readable (sealed either with the old key or with the new one) and a rerun
//! finishes the job.

use super::Db;
use crate::platform::vault::{SEALED_COLUMNS, version_of};
use std::collections::BTreeMap;

const BATCH: i64 = 500;

/// How many values each key version seals, per column (for `lianxin keys status`).
pub async fn census(db: &Db) -> Result<BTreeMap<String, BTreeMap<u32, i64>>, sqlx::Error> {
    let mut out = BTreeMap::new();
    for (table, _, column) in SEALED_COLUMNS {
        let values: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''"
        )))
        .fetch_all(&db.pool)
        .await?;
        let mut per: BTreeMap<u32, i64> = BTreeMap::new();
        for (v,) in values {
            *per.entry(version_of(&v).unwrap_or(0)).or_default() += 1;
        }
        out.insert(format!("{table}.{column}"), per);
    }
    Ok(out)
}

/// Re-seals every value not sealed with the current key. Returns how many were re-sealed.
pub async fn reseal_all(db: &Db) -> Result<u64, sqlx::Error> {
    let vault = db.vault.clone();
    let current = vault
        .current_version()
        .ok_or(crate::platform::vault::VaultError::Locked)?;
    let prefix = format!("sm4gcm:v{current}:");
    let mut total = 0;
    for (table, id_col, column) in SEALED_COLUMNS {
        let context = format!("{table}.{column}");
        let mut after = 0i64;
        loop {
            let rows: Vec<(i64, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {id_col}, {column} FROM {table} WHERE {id_col} > $1 AND {column} IS NOT NULL \
                 AND {column} <> '' ORDER BY {id_col} LIMIT $2"
            )))
            .bind(after)
            // Attachments are megabytes each: a few at a time keeps the memory small.
            .bind(if *table == "attachments" { 8 } else { BATCH })
            .fetch_all(&db.pool)
            .await?;
            let Some((last, _)) = rows.last() else { break };
            after = *last;
            let mut tx = db.write().await?;
            for (id, sealed) in &rows {
                if sealed.starts_with(&prefix) {
                    continue;
                }
                // As bytes: attachments are sealed binary, and text is bytes too.
                let plain = vault.open_bytes(&context, sealed)?;
                // Only if unchanged since it was read, so a concurrent edit is never overwritten.
                let r = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE {table} SET {column} = $1 WHERE {id_col} = $2 AND {column} = $3"
                )))
                .bind(vault.seal_bytes(&context, &plain)?)
                .bind(id)
                .bind(sealed)
                .execute(&mut *tx)
                .await?;
                total += r.rows_affected();
            }
            tx.commit().await?;
        }
    }
    Ok(total)
}
