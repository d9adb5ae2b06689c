//! 选票密封 — a secret ballot is sealed before it reaches the database, so that the transaction
//! recording "member X voted" holds nothing readable (issue 17; SECURITY.md, "Ballot secrecy").
//!
//! Each secret vote gets its own SM2 key pair when it opens (GM/T 0003.4, public-key encryption,
//! C1C3C2). The public key is stored with the vote, so any server node can seal ballots. The
//! private key never enters the database: it is written to `DATA/keys/ballots/vote-{id}.key`,
//! itself sealed by the installation's key store (SM4-GCM), owner-only and synced to disk before
//! the vote opens, so a crash or a restart during the vote loses nothing. At close the ballots
//! are opened in memory and counted, and the key file is overwritten and removed: WAL segments,
//! archives, replicas and backups taken during the vote then hold ciphertext no one can open.
//!
//! The ballot box's writer seals each group commit's ballots together, in a shuffled order, as
//! one SM2 ciphertext (one public-key operation per batch instead of per ballot: a chamber of 500
//! voting at once costs two or three). SM2 ciphertext is as long as its plaintext plus 97 bytes,
//! and "yes" is shorter than "abstain": every ballot of a vote is padded to the same length, the
//! longest ballot the vote admits ([`pad_len`]), so that the length of a sealed batch tells how
//! many ballots it holds — which the count of members who voted says anyway — and nothing of
//! what they are.

use crate::platform::vault::{Vault, VaultError};
use rand::RngExt;
use sm2::pke::{DecryptingKey, EncryptingKey, Mode};
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// Padded lengths are whole multiples of this many bytes.
pub const BLOCK: usize = 32;

/// The length every ballot of a vote is padded to: at least the longest ballot the vote's rule
/// admits — for a decision or rating the longest choice; for a selection every candidate
/// chosen or graded; for an election every candidate under the longest mark and every seat
/// written in with a name of the longest allowed (40 characters of 3 bytes), as JSON.
pub fn pad_len(rule: super::recount::Rule, seats: u32, candidates: &[String]) -> usize {
    use super::recount::Rule;
    let names: usize = candidates.iter().map(|c| c.len() + 3).sum();
    let bound = match rule {
        Rule::Decision | Rule::Rating => "\"basically_satisfied\"".len(),
        Rule::Selection => names + candidates.len() * "\"abstain\",".len() + 2,
        Rule::Election => {
            names
                + "{\"against\":[],\"for\":[],\"abstain\":[],\"write_in\":[]}".len()
                + seats as usize * (40 * 3 + 3)
        }
    };
    (bound + 4).div_ceil(BLOCK) * BLOCK
}

#[derive(Debug, thiserror::Error)]
pub enum BallotSealError {
    #[error("key store: {0}")]
    Io(#[from] std::io::Error),
    #[error("key store: {0}")]
    Vault(#[from] VaultError),
    #[error("the vote's ballot key is malformed")]
    BadKey,
    #[error("a sealed ballot does not open with the vote's key")]
    BadBallot,
    #[error("the ballot key of vote {0} is not in the key store")]
    Missing(i64),
}

fn dir(vault: &Vault) -> Result<PathBuf, BallotSealError> {
    Ok(vault.dir().ok_or(VaultError::Locked)?.join("ballots"))
}

fn key_file(vault: &Vault, vote: i64) -> Result<PathBuf, BallotSealError> {
    Ok(dir(vault)?.join(format!("vote-{vote}.key")))
}

/// What the key store seals a vote's private key for (its AAD): a key file copied to another
/// vote's name does not open.
fn context(vote: i64) -> String {
    format!("ballot-key:vote:{vote}")
}

/// Makes the vote's key pair, keeps the private half in the key store (synced) and returns the
/// public half as uncompressed SEC1 hex, for the vote's row.
pub fn create_key(vault: &Vault, vote: i64) -> Result<String, BallotSealError> {
    let dir = dir(vault)?;
    std::fs::create_dir_all(&dir)?;
    restrict(&dir, 0o700)?;
    let key = loop {
        let bytes = Zeroizing::new(rand::rng().random::<[u8; 32]>());
        // A random 256-bit value is a valid scalar except with negligible probability.
        if let Ok(k) = DecryptingKey::from_slice(bytes.as_slice()) {
            break k;
        }
    };
    let secret = Zeroizing::new(key.to_bytes().to_vec());
    let sealed = vault.seal_bytes(&context(vote), &secret)?;
    let path = key_file(vault, vote)?;
    let tmp = path.with_extension("tmp");
    {
        let mut f = std::fs::File::create(&tmp)?;
        restrict(&tmp, 0o600)?;
        f.write_all(sealed.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path)?;
    sync_dir(&dir)?;
    Ok(hex::encode(key.encrypting_key().to_sec1_bytes()))
}

/// The vote's private key, if the key store still holds it.
pub fn load_key(vault: &Vault, vote: i64) -> Result<Option<DecryptingKey>, BallotSealError> {
    let path = key_file(vault, vote)?;
    let sealed = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let secret = vault.open_bytes(&context(vote), sealed.trim())?;
    DecryptingKey::from_slice(&secret)
        .map(|k| {
            Some(DecryptingKey::new_with_mode(
                *k.as_nonzero_scalar(),
                Mode::C1C3C2,
            ))
        })
        .map_err(|_| BallotSealError::BadKey)
}

/// Destroys the vote's private key: the file overwritten, synced, removed, and the removal
/// synced. Returns whether there was one.
pub fn destroy_key(vault: &Vault, vote: i64) -> Result<bool, BallotSealError> {
    let path = key_file(vault, vote)?;
    let len = match std::fs::metadata(&path) {
        Ok(m) => m.len() as usize,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    {
        let mut f = std::fs::OpenOptions::new().write(true).open(&path)?;
        f.write_all(&vec![0u8; len])?;
        f.sync_all()?;
    }
    std::fs::remove_file(&path)?;
    sync_dir(&dir(vault)?)?;
    Ok(true)
}

/// The votes whose private keys the key store holds.
pub fn kept_keys(vault: &Vault) -> Result<Vec<i64>, BallotSealError> {
    let dir = dir(vault)?;
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut out = Vec::new();
    for e in entries {
        let name = e?.file_name();
        if let Some(id) = name
            .to_str()
            .and_then(|n| n.strip_prefix("vote-"))
            .and_then(|n| n.strip_suffix(".key"))
            .and_then(|n| n.parse().ok())
        {
            out.push(id);
        }
    }
    out.sort_unstable();
    Ok(out)
}

/// The ballots, shuffled, each length-prefixed and padded with zeros to `pad` bytes (a longer
/// one, which the vote should not admit, to whole multiples of `pad`).
fn pad(contents: &[&str], pad: usize) -> Zeroizing<Vec<u8>> {
    let pad = pad.max(BLOCK);
    let mut order: Vec<&str> = contents.to_vec();
    let mut rng = rand::rng();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let mut out = Zeroizing::new(Vec::new());
    out.extend_from_slice(&(pad as u32).to_be_bytes());
    for content in order {
        let len = content.len();
        let total = (len + 4).div_ceil(pad) * pad;
        let start = out.len();
        out.extend_from_slice(&(len as u32).to_be_bytes());
        out.extend_from_slice(content.as_bytes());
        out.resize(start + total, 0);
    }
    out
}

fn unpad(mut bytes: &[u8]) -> Option<Vec<String>> {
    // The pad length is the first ballot's padded length, written before it.
    let pad = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    bytes = bytes.get(4..)?;
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = u32::from_be_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
        let body = bytes.get(4..4 + len)?;
        out.push(String::from_utf8(body.to_vec()).ok()?);
        bytes = bytes.get((len + 4).div_ceil(pad) * pad..)?;
    }
    Some(out)
}

/// Seals ballots' contents together with the vote's public key (hex SEC1), each padded to `pad`
/// bytes ([`pad_len`]): hex of SM2 C1C3C2.
pub fn seal(
    public_key_hex: &str,
    contents: &[&str],
    pad_to: usize,
) -> Result<String, BallotSealError> {
    let pk = hex::decode(public_key_hex).map_err(|_| BallotSealError::BadKey)?;
    let pk = sm2::PublicKey::from_sec1_bytes(&pk).map_err(|_| BallotSealError::BadKey)?;
    let key = EncryptingKey::new_with_mode(pk, Mode::C1C3C2);
    let sealed = key
        .encrypt(&mut rand::rng(), &pad(contents, pad_to))
        .map_err(|_| BallotSealError::BadKey)?;
    Ok(hex::encode(sealed))
}

/// Opens sealed ballots with the vote's private key.
pub fn open(key: &DecryptingKey, sealed_hex: &str) -> Result<Vec<String>, BallotSealError> {
    let bytes = hex::decode(sealed_hex).map_err(|_| BallotSealError::BadBallot)?;
    let plain = Zeroizing::new(
        key.decrypt(&bytes)
            .map_err(|_| BallotSealError::BadBallot)?,
    );
    unpad(&plain).ok_or(BallotSealError::BadBallot)
}

#[cfg(unix)]
fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn restrict(_path: &Path, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Makes a rename or removal in `dir` durable.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::open(dir.path()).unwrap();
        (dir, v)
    }

    #[test]
    fn a_sealed_ballot_opens_only_with_its_votes_key_and_hides_its_length() {
        let (_d, v) = vault();
        let public = create_key(&v, 7).unwrap();
        let other = create_key(&v, 8).unwrap();
        let pad = pad_len(crate::meetings::recount::Rule::Decision, 0, &[]);
        assert_eq!(pad, 32);
        let yes = seal(&public, &["\"yes\""], pad).unwrap();
        let abstain = seal(&public, &["\"abstain\""], pad).unwrap();
        assert_eq!(yes.len(), abstain.len(), "the length says nothing");
        assert_eq!(yes.len(), 2 * (97 + 4 + pad));
        assert_ne!(seal(&public, &["\"yes\""], pad).unwrap(), yes, "randomised");
        assert!(!yes.contains(&hex::encode("yes")));
        let key = load_key(&v, 7).unwrap().unwrap();
        assert_eq!(open(&key, &yes).unwrap(), vec!["\"yes\""]);
        assert_eq!(open(&key, &abstain).unwrap(), vec!["\"abstain\""]);
        let wrong = load_key(&v, 8).unwrap().unwrap();
        assert!(open(&wrong, &yes).is_err());
        assert!(open(&key, &seal(&other, &["\"no\""], pad).unwrap()).is_err());
        // A batch, and a ballot longer than the pad (whole pads), open to the same ballots.
        let long = "x".repeat(pad * 2);
        let batch = ["\"yes\"", "\"no\"", long.as_str(), "\"yes\""];
        let sealed = seal(&public, &batch, pad).unwrap();
        assert_eq!(sealed.len(), 2 * (97 + 4 + 6 * pad));
        let mut opened = open(&key, &sealed).unwrap();
        opened.sort();
        let mut expected: Vec<String> = batch.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(opened, expected);
        // An empty batch seals and opens to nothing (a vote nobody voted in).
        assert!(
            open(&key, &seal(&public, &[], pad).unwrap())
                .unwrap()
                .is_empty()
        );
    }

    /// Every ballot an election admits fits its pad: the longest marks on every candidate and
    /// every seat written in with the longest name.
    #[test]
    fn the_longest_ballot_of_a_vote_fits_its_pad() {
        use crate::meetings::recount::Rule;
        let candidates: Vec<String> = ["张三", "李四", "欧阳娜娜", "王五"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let pad = pad_len(Rule::Election, 2, &candidates);
        let ballot = serde_json::json!({
            "against": candidates, "for": [], "abstain": [],
            "write_in": ["测".repeat(40), "试".repeat(40)],
        });
        assert!(
            ballot.to_string().len() + 4 <= pad,
            "{} > {pad}",
            ballot.to_string().len()
        );
        let all: serde_json::Map<String, serde_json::Value> = candidates
            .iter()
            .map(|c| (c.clone(), serde_json::Value::from("abstain")))
            .collect();
        assert!(
            serde_json::Value::Object(all).to_string().len() + 4
                <= pad_len(Rule::Selection, 4, &candidates)
        );
        for grade in ["\"basically_satisfied\"", "\"dissatisfied\"", "\"abstain\""] {
            assert!(grade.len() + 4 <= pad_len(Rule::Rating, 0, &[]));
        }
    }

    #[test]
    fn a_key_is_kept_until_destroyed_and_cannot_be_moved_to_another_vote() {
        let (d, v) = vault();
        create_key(&v, 3).unwrap();
        create_key(&v, 4).unwrap();
        assert_eq!(kept_keys(&v).unwrap(), vec![3, 4]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(d.path().join("ballots/vote-3.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // The file of vote 3 under vote 4's name does not open (the key store's AAD).
        std::fs::copy(
            d.path().join("ballots/vote-3.key"),
            d.path().join("ballots/vote-4.key"),
        )
        .unwrap();
        assert!(load_key(&v, 4).is_err());
        assert!(destroy_key(&v, 3).unwrap());
        assert!(!destroy_key(&v, 3).unwrap());
        assert!(load_key(&v, 3).unwrap().is_none());
        assert_eq!(kept_keys(&v).unwrap(), vec![4]);
        // Reopened from the same folder (a restart), the key store still holds vote 4's file.
        let again = Vault::open(d.path()).unwrap();
        assert_eq!(kept_keys(&again).unwrap(), vec![4]);
    }
}
