//! The audit log's SQL: records appended to their congress's chain, and searched.

pub mod chain;

use super::{Entry, Filter, Record};
use crate::db::{Db, Tx};

/// Appends records of one chain in four statements whatever their number (a chamber's ballots:
/// "member X voted" five hundred times in one commit), linked exactly as `append` links them.
/// Records of several chains are appended chain by chain, each keeping its order.
pub async fn append_many(tx: &mut Tx<'_>, records: &[Record<'_>]) -> Result<(), sqlx::Error> {
    let mut chains: Vec<i64> = records
        .iter()
        .map(|r| r.congress.map_or(0, |c| c.0))
        .collect();
    chains.dedup();
    if chains.len() > 1 {
        for r in records {
            append(tx, r).await?;
        }
        return Ok(());
    }
    let Some(&chain_id) = chains.first() else {
        return Ok(());
    };
    sqlx::query("INSERT INTO audit_chains (chain, last_seq, last_digest) VALUES ($1, 0, '') ON CONFLICT (chain) DO NOTHING")
        .bind(chain_id)
        .execute(&mut **tx)
        .await?;
    let (last, mut prev): (i64, String) = sqlx::query_as(
        "UPDATE audit_chains SET last_seq = last_seq + $2 WHERE chain = $1 RETURNING last_seq, last_digest",
    )
    .bind(chain_id)
    .bind(records.len() as i64)
    .fetch_one(&mut **tx)
    .await?;
    let first = last - records.len() as i64 + 1;
    // 12 values a row; SQLite allows 32,766 bound values in a statement.
    for (part, rows) in records.chunks(2_000).enumerate() {
        let mut sql = String::from(
            "INSERT INTO audit_log (at, user_id, congress_id, action, target, outcome, fields, client_addr, chain, seq, prev_digest, digest) VALUES ",
        );
        let mut values = Vec::with_capacity(rows.len());
        for (k, r) in rows.iter().enumerate() {
            let seq = first + (part * 2_000 + k) as i64;
            let fields = r.fields.join(",");
            let entry = crate::audit::chain::Entry {
                chain: chain_id,
                seq,
                at: r.at,
                user: r.user.map(|u| u.0),
                congress: r.congress.map(|c| c.0),
                action: r.action.to_string(),
                target: r.target.clone(),
                outcome: r.outcome.as_str().to_string(),
                fields: fields.clone(),
                client_addr: r.client_addr.clone(),
            };
            let digest = crate::audit::chain::digest(&prev, &entry);
            let b = k * 12;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11,
                b + 12
            ));
            values.push((entry, prev.clone(), digest.clone()));
            prev = digest;
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (e, p, d) in values {
            q = q
                .bind(e.at)
                .bind(e.user)
                .bind(e.congress)
                .bind(e.action)
                .bind(e.target)
                .bind(e.outcome)
                .bind(e.fields)
                .bind(e.client_addr)
                .bind(e.chain)
                .bind(e.seq)
                .bind(p)
                .bind(d);
        }
        q.execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE audit_chains SET last_digest = $2 WHERE chain = $1")
        .bind(chain_id)
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends the record to its congress's chain (chain 0 for records of no congress): the chain's
/// head row is updated first, which on PostgreSQL locks it until commit, so two commands of one
/// congress never take the same place in the chain while other congresses are not held up; on
/// SQLite the database's write lock does the same.
pub async fn append(tx: &mut Tx<'_>, r: &Record<'_>) -> Result<i64, sqlx::Error> {
    let chain_id = r.congress.map_or(0, |c| c.0);
    sqlx::query("INSERT INTO audit_chains (chain, last_seq, last_digest) VALUES ($1, 0, '') ON CONFLICT (chain) DO NOTHING")
        .bind(chain_id)
        .execute(&mut **tx)
        .await?;
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE audit_chains SET last_seq = last_seq + 1 WHERE chain = $1 RETURNING last_seq, last_digest")
            .bind(chain_id)
            .fetch_one(&mut **tx)
            .await?;
    let fields = r.fields.join(",");
    let entry = crate::audit::chain::Entry {
        chain: chain_id,
        seq,
        at: r.at,
        user: r.user.map(|u| u.0),
        congress: r.congress.map(|c| c.0),
        action: r.action.to_string(),
        target: r.target.clone(),
        outcome: r.outcome.as_str().to_string(),
        fields: fields.clone(),
        client_addr: r.client_addr.clone(),
    };
    let digest = crate::audit::chain::digest(&prev, &entry);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO audit_log (at, user_id, congress_id, action, target, outcome, fields, client_addr, chain, seq, prev_digest, digest) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(r.at)
    .bind(r.user.map(|u| u.0))
    .bind(r.congress.map(|c| c.0))
    .bind(r.action)
    .bind(&r.target)
    .bind(r.outcome.as_str())
    .bind(fields)
    .bind(r.client_addr.as_deref())
    .bind(chain_id)
    .bind(seq)
    .bind(&prev)
    .bind(&digest)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_chains SET last_digest = $2 WHERE chain = $1")
        .bind(chain_id)
        .bind(&digest)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// Appends a record in a transaction of its own (logins and denials, which change nothing else).
pub async fn append_alone(db: &Db, r: &Record<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.write().await?;
    append(&mut tx, r).await?;
    tx.commit().await
}

/// The newest matching records first, keyset-paged by id.
pub async fn search(
    db: &Db,
    f: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let (from, to) = f.bounds().unwrap_or((None, None));
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    sqlx::query_as(
        "SELECT a.id, a.at, a.user_id, a.congress_id, a.action, a.target, a.outcome, a.fields FROM audit_log a \
         WHERE ($1 IS NULL OR a.id < $1) \
         AND ($2 IS NULL OR a.user_id = (SELECT u.id FROM users u WHERE u.username = $2)) \
         AND ($3 IS NULL OR a.action LIKE $3 ESCAPE '\\') \
         AND ($4 IS NULL OR a.target = $4) \
         AND ($5 IS NULL OR a.at >= $5) AND ($6 IS NULL OR a.at < $6) \
         ORDER BY a.id DESC LIMIT $7",
    )
    .bind(before)
    .bind(opt(&f.user))
    .bind(opt(&f.action).map(|a| format!("{}%", crate::db::like_escape(&a))))
    .bind(opt(&f.target))
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}
