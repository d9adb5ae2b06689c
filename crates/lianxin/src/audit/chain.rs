//! The audit chain: each record's SM3 digest covers the digest of the record before it in its
//! chain, so an edited record no longer matches its digest and a deleted one leaves a gap; the
//! chain's head (last place and digest) catches the removal of the newest records. Checkpoints
//! sign a chain's head with HMAC-SM3 under a key kept in the data directory, outside the database,
//! so that someone who can write the database cannot re-chain it unnoticed.

use crate::db::Db;
use hmac::{KeyInit, Mac};
use sm3::{Digest, Sm3};
use std::path::{Path, PathBuf};

/// What a record's digest covers.
#[derive(Debug, Clone)]
pub struct Entry {
    pub chain: i64,
    pub seq: i64,
    pub at: i64,
    pub user: Option<i64>,
    pub congress: Option<i64>,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub fields: String,
    pub client_addr: Option<String>,
}

/// An audit row as stored, with its place in the chain.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Stored {
    id: i64,
    chain: i64,
    seq: i64,
    at: i64,
    user_id: Option<i64>,
    congress_id: Option<i64>,
    action: String,
    target: String,
    outcome: String,
    fields: String,
    client_addr: Option<String>,
    prev_digest: String,
    digest: String,
}

const STORED: &str = "SELECT id, chain, seq, at, user_id, congress_id, action, target, outcome, fields, client_addr, prev_digest, digest FROM audit_log";

impl Stored {
    fn entry(&self, chain: i64, seq: i64) -> Entry {
        Entry {
            chain,
            seq,
            at: self.at,
            user: self.user_id,
            congress: self.congress_id,
            action: self.action.clone(),
            target: self.target.clone(),
            outcome: self.outcome.clone(),
            fields: self.fields.clone(),
            client_addr: self.client_addr.clone(),
        }
    }
}

/// SM3 over the previous digest and the record's fields, each length-prefixed so that no two
/// different records can share an encoding.
pub fn digest(prev: &str, e: &Entry) -> String {
    let mut h = Sm3::new();
    let opt = |v: Option<i64>| v.map_or_else(|| "-".to_string(), |v| v.to_string());
    for part in [
        prev.to_string(),
        e.chain.to_string(),
        e.seq.to_string(),
        e.at.to_string(),
        opt(e.user),
        opt(e.congress),
        e.action.clone(),
        e.target.clone(),
        e.outcome.clone(),
        e.fields.clone(),
        e.client_addr.clone().unwrap_or_else(|| "-".into()),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

type HmacSm3 = hmac::Hmac<Sm3>;

/// The checkpoint key's file in the key store: `DATA/keys/audit-checkpoint.key` by default.
pub fn key_path(keys_dir: &Path) -> PathBuf {
    keys_dir.join("audit-checkpoint.key")
}

/// Reads the checkpoint key, creating it (32 random bytes, owner-only) on first use.
pub fn load_or_create_key(keys_dir: &Path) -> std::io::Result<Vec<u8>> {
    let path = key_path(keys_dir);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return hex::decode(text.trim())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let key = crate::platform::secret::random_token();
    std::fs::write(&path, &key)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    hex::decode(key).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// HMAC-SM3 of a chain's head. `None` only if the key were refused, which HMAC never does (it
/// takes keys of any length); callers treat `None` as a failed check, never as a pass.
fn mac(key: &[u8], chain: i64, seq: i64, digest: &str) -> Option<String> {
    let mut m = <HmacSm3 as KeyInit>::new_from_slice(key).ok()?;
    m.update(format!("{chain}|{seq}|{digest}").as_bytes());
    Some(hex::encode(m.finalize().into_bytes()))
}

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

/// The first problem found in a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The record at `seq` does not match its digest (edited).
    Edited { chain: i64, seq: i64 },
    /// The record at `seq` is missing (deleted), or the records are out of order.
    Missing { chain: i64, seq: i64 },
    /// The record at `seq` does not follow the one before it (re-linked).
    Relinked { chain: i64, seq: i64 },
    /// The chain's head says more records exist than the table holds (newest deleted).
    HeadMismatch {
        chain: i64,
        expected_seq: i64,
        found_seq: i64,
    },
    /// A checkpoint's signature does not verify, or the chain no longer reaches it.
    Checkpoint { chain: i64, seq: i64 },
}

/// What `verify` found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub chains: usize,
    pub records: usize,
    pub checkpoints: usize,
    pub breaks: Vec<Break>,
}

/// The first break in one chain's rows (ordered by place), or where the chain ends. A pruned
/// chain starts after its anchor: `from_seq` and `from_digest` are the pruned checkpoint's.
fn walk(
    chain: i64,
    rows: &[Stored],
    from_seq: i64,
    from_digest: &str,
) -> Result<(i64, String), Break> {
    let mut prev = from_digest.to_string();
    let mut expected = from_seq + 1;
    for row in rows {
        if row.seq != expected {
            return Err(Break::Missing {
                chain,
                seq: expected,
            });
        }
        if row.prev_digest != prev {
            return Err(Break::Relinked {
                chain,
                seq: row.seq,
            });
        }
        if digest(&row.prev_digest, &row.entry(row.chain, row.seq)) != row.digest {
            return Err(Break::Edited {
                chain,
                seq: row.seq,
            });
        }
        prev = row.digest.clone();
        expected += 1;
    }
    Ok((expected - 1, prev))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn e(seq: i64, action: &str) -> Entry {
        Entry {
            chain: 1,
            seq,
            at: 0,
            user: Some(1),
            congress: Some(1),
            action: action.into(),
            target: "x:1".into(),
            outcome: "success".into(),
            fields: "name".into(),
            client_addr: None,
        }
    }

    #[test]
    fn digests_chain_and_change_with_any_field() {
        let d1 = digest("", &e(1, "a"));
        let d2 = digest(&d1, &e(2, "a"));
        assert_ne!(d1, d2);
        assert_ne!(
            digest("", &e(1, "b")),
            d1,
            "a changed action changes the digest"
        );
        assert_ne!(digest("x", &e(1, "a")), d1, "so does the link");
        assert_eq!(d1.len(), 64);
        let k = [7u8; 32];
        assert_eq!(mac(&k, 1, 2, "ab"), mac(&k, 1, 2, "ab"));
        assert_ne!(
            mac(&k, 1, 2, "ab"),
            mac(&[8u8; 32], 1, 2, "ab"),
            "another key, another signature"
        );
    }
}
