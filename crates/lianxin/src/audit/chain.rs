//! The audit chain: each record's SM3 digest covers the digest of the record before it in its
//! chain, so an edited record no longer matches its digest and a deleted one leaves a gap; the
//! chain's head (last place and digest) catches the removal of the newest records. Checkpoints
//! sign a chain's head with HMAC-SM3 under a key kept in the data directory, outside the database,
//! so that someone who can write the database cannot re-chain it unnoticed.

pub use super::store::chain::{backfill, checkpoint, prune, verify};
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
pub(in crate::audit) struct Stored {
    pub(in crate::audit) id: i64,
    pub(in crate::audit) chain: i64,
    pub(in crate::audit) seq: i64,
    pub(in crate::audit) at: i64,
    pub(in crate::audit) user_id: Option<i64>,
    pub(in crate::audit) congress_id: Option<i64>,
    pub(in crate::audit) action: String,
    pub(in crate::audit) target: String,
    pub(in crate::audit) outcome: String,
    pub(in crate::audit) fields: String,
    pub(in crate::audit) client_addr: Option<String>,
    pub(in crate::audit) prev_digest: String,
    pub(in crate::audit) digest: String,
}

impl Stored {
    pub(in crate::audit) fn entry(&self, chain: i64, seq: i64) -> Entry {
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
pub(in crate::audit) fn mac(key: &[u8], chain: i64, seq: i64, digest: &str) -> Option<String> {
    let mut m = <HmacSm3 as KeyInit>::new_from_slice(key).ok()?;
    m.update(format!("{chain}|{seq}|{digest}").as_bytes());
    Some(hex::encode(m.finalize().into_bytes()))
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
pub(in crate::audit) fn walk(
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
