//! The audit chains' SQL: checkpoints signed, the chains walked for `lianxin audit verify`,
//! records past retention pruned behind an anchor, and old records linked into chains.

use super::super::chain::{Break, Report, Stored, digest, mac, walk};
use crate::db::Db;

const STORED: &str = "SELECT id, chain, seq, at, user_id, congress_id, action, target, outcome, fields, client_addr, prev_digest, digest FROM audit_log";

/// Signs every chain's current head. Run daily by the scheduler; returns how many were signed.
pub async fn checkpoint(db: &Db, key: &[u8], now: i64) -> Result<usize, sqlx::Error> {
    let heads: Vec<(i64, i64, String)> =
        sqlx::query_as("SELECT chain, last_seq, last_digest FROM audit_chains WHERE last_seq > 0")
            .fetch_all(&db.pool)
            .await?;
    let mut tx = db.write().await?;
    let mut signed = 0;
    for (chain, seq, digest) in &heads {
        let Some(signature) = mac(key, *chain, *seq, digest) else {
            continue;
        };
        sqlx::query("INSERT INTO audit_checkpoints (chain, seq, digest, mac, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(chain)
            .bind(seq)
            .bind(digest)
            .bind(signature)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        signed += 1;
    }
    tx.commit().await?;
    Ok(signed)
}

/// Walks every chain from its first record, recomputing each digest and link, compares the last
/// one with the chain's head, and checks every checkpoint's signature. Reports the first break of
/// each chain.
pub async fn verify(db: &Db, key: &[u8]) -> Result<Report, sqlx::Error> {
    let mut report = Report::default();
    let heads: Vec<(i64, i64, String, i64, String)> = sqlx::query_as(
        "SELECT chain, last_seq, last_digest, pruned_through, pruned_digest FROM audit_chains ORDER BY chain",
    )
    .fetch_all(&db.pool)
    .await?;
    for (chain, last_seq, last_digest, pruned_through, pruned_digest) in heads {
        report.chains += 1;
        let rows: Vec<Stored> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{STORED} WHERE chain = $1 ORDER BY seq, id"
        )))
        .bind(chain)
        .fetch_all(&db.pool)
        .await?;
        report.records += rows.len();
        let mut broken = match walk(chain, &rows, pruned_through, &pruned_digest) {
            Err(b) => Some(b),
            Ok((seq, d)) if seq != last_seq || d != last_digest => Some(Break::HeadMismatch {
                chain,
                expected_seq: last_seq,
                found_seq: seq,
            }),
            Ok(_) => None,
        };
        if broken.is_none() {
            let checkpoints: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT seq, digest, mac FROM audit_checkpoints WHERE chain = $1 ORDER BY id",
            )
            .bind(chain)
            .fetch_all(&db.pool)
            .await?;
            // A pruned chain's anchor must be a signed checkpoint, or anyone could delete the
            // oldest records and call it pruning.
            let anchored = pruned_through == 0
                || checkpoints.iter().any(|(seq, d, m)| {
                    *seq == pruned_through
                        && *d == pruned_digest
                        && mac(key, chain, *seq, d)
                            .is_some_and(|x| crate::platform::secret::same(&x, m))
                });
            if !anchored {
                broken = Some(Break::Checkpoint {
                    chain,
                    seq: pruned_through,
                });
            }
            for (seq, digest_at, signed) in checkpoints.into_iter().filter(|_| anchored) {
                report.checkpoints += 1;
                let reached = if seq < pruned_through {
                    true
                } else if seq == pruned_through {
                    digest_at == pruned_digest
                } else {
                    rows.iter()
                        .find(|r| r.seq == seq)
                        .is_some_and(|r| r.digest == digest_at)
                };
                let valid = mac(key, chain, seq, &digest_at)
                    .is_some_and(|m| crate::platform::secret::same(&m, &signed));
                if !valid || !reached {
                    broken = Some(Break::Checkpoint { chain, seq });
                    break;
                }
            }
        }
        if let Some(b) = broken {
            report.breaks.push(b);
        }
    }
    Ok(report)
}

/// Deletes each chain's records older than `before` up to its latest checkpoint that is itself
/// older than `before` (网络安全法 Art 21: at least six months are kept; the caller passes the
/// policy's retention). The checkpoint becomes the chain's anchor, so `verify` still proves the
/// remaining records unaltered. Returns how many records were deleted.
pub async fn prune(db: &Db, before: i64) -> Result<u64, sqlx::Error> {
    let chains: Vec<(i64, i64)> =
        sqlx::query_as("SELECT chain, pruned_through FROM audit_chains ORDER BY chain")
            .fetch_all(&db.pool)
            .await?;
    let mut deleted = 0;
    for (chain, pruned_through) in chains {
        let anchor: Option<(i64, String)> = sqlx::query_as(
            "SELECT c.seq, c.digest FROM audit_checkpoints c JOIN audit_log l ON l.chain = c.chain AND l.seq = c.seq              WHERE c.chain = $1 AND c.at < $2 AND l.at < $2 AND c.seq > $3 ORDER BY c.seq DESC LIMIT 1",
        )
        .bind(chain)
        .bind(before)
        .bind(pruned_through)
        .fetch_optional(&db.pool)
        .await?;
        let Some((seq, digest)) = anchor else {
            continue;
        };
        let mut tx = db.write().await?;
        let r = sqlx::query("DELETE FROM audit_log WHERE chain = $1 AND seq <= $2")
            .bind(chain)
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE audit_chains SET pruned_through = $2, pruned_digest = $3 WHERE chain = $1",
        )
        .bind(chain)
        .bind(seq)
        .bind(&digest)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        deleted += r.rows_affected();
    }
    Ok(deleted)
}

/// Chains records written before the chain existed (an upgrade from a release without it), in
/// the order they were written. Safe to run at every start: it does nothing when all are chained.
pub async fn backfill(db: &Db) -> Result<usize, sqlx::Error> {
    let rows: Vec<Stored> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{STORED} WHERE digest = '' ORDER BY id"
    )))
    .fetch_all(&db.pool)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut tx = db.write().await?;
    for row in &rows {
        let chain = row.congress_id.unwrap_or(0);
        sqlx::query("INSERT INTO audit_chains (chain, last_seq, last_digest) VALUES ($1, 0, '') ON CONFLICT (chain) DO NOTHING")
            .bind(chain)
            .execute(&mut *tx)
            .await?;
        let (seq, prev): (i64, String) =
            sqlx::query_as("UPDATE audit_chains SET last_seq = last_seq + 1 WHERE chain = $1 RETURNING last_seq, last_digest")
                .bind(chain)
                .fetch_one(&mut *tx)
                .await?;
        let d = digest(&prev, &row.entry(chain, seq));
        sqlx::query("UPDATE audit_log SET chain = $2, seq = $3, prev_digest = $4, digest = $5 WHERE id = $1")
            .bind(row.id)
            .bind(chain)
            .bind(seq)
            .bind(&prev)
            .bind(&d)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE audit_chains SET last_digest = $2 WHERE chain = $1")
            .bind(chain)
            .bind(&d)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(rows.len())
}
