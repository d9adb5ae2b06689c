//! 电子签章（结果封存）— sealing results: an SM3 digest (GB/T 32905) over a result's canonical
//! bytes and an SM2 signature (GB/T 32918) by the congress's key, so that anyone holding the
//! public key can check that a published result (a closed vote, an appointment) is the one the
//! system recorded (GB/T 39786-2021 §8.4 h, non-repudiation where legal liability may arise).
//!
//! Each congress has its own key pair. The private key lives in the key store next to the field
//! keys (`DATA/keys/seal-c{congress}-v{version}.key`, owner-only); the public key is also kept in
//! the database (`seal_keys`) and published, so verification needs no secret. Keys are versioned:
//! a new version signs from then on, old signatures keep verifying with their version.

use rand::RngExt;
use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm3::{Digest, Sm3};
use std::path::Path;
use zeroize::Zeroizing;

/// The signer's distinguishing identifier: GB/T 32918.2's default user ID.
pub const DIST_ID: &str = "1234567812345678";

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("key store: {0}")]
    Io(#[from] std::io::Error),
    #[error("the sealing key is malformed")]
    BadKey,
}

/// A sealed result: what was signed, how, and by which key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Seal {
    /// SM3 over the canonical bytes, hex.
    pub digest: String,
    /// SM2 signature (r‖s, 64 bytes) over the same bytes, hex.
    pub signature: String,
    pub key_version: i64,
}

/// SM3 of `bytes`, hex.
pub fn sm3_hex(bytes: &[u8]) -> String {
    hex::encode(sm3_bytes(bytes))
}

/// SM3 of `bytes`.
pub fn sm3_bytes(bytes: &[u8]) -> [u8; 32] {
    Sm3::digest(bytes).into()
}

fn key_file(dir: &Path, congress: i64, version: i64) -> std::path::PathBuf {
    dir.join(format!("seal-c{congress}-v{version}.key"))
}

/// Loads the congress's signing key of `version`, if its file exists.
pub fn load(dir: &Path, congress: i64, version: i64) -> Result<Option<SigningKey>, SealError> {
    let path = key_file(dir, congress, version);
    if !path.exists() {
        return Ok(None);
    }
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    let bytes = Zeroizing::new(hex::decode(text.trim()).map_err(|_| SealError::BadKey)?);
    SigningKey::from_slice(DIST_ID, &bytes)
        .map(Some)
        .map_err(|_| SealError::BadKey)
}

/// Creates a new key pair for the congress at `version` and returns it (the caller records the
/// public half in the database).
pub fn create(dir: &Path, congress: i64, version: i64) -> Result<SigningKey, SealError> {
    std::fs::create_dir_all(dir)?;
    let key = loop {
        let bytes = Zeroizing::new(rand::rng().random::<[u8; 32]>());
        // A random 256-bit value is a valid scalar except with negligible probability.
        if let Ok(k) = SigningKey::from_slice(DIST_ID, bytes.as_slice()) {
            break k;
        }
    };
    let path = key_file(dir, congress, version);
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, Zeroizing::new(hex::encode(key.to_bytes())).as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::rename(&tmp, &path)?;
    Ok(key)
}

/// The public key as uncompressed SEC1 hex (what `seal_keys` stores and the portal publishes).
pub fn public_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_sec1_bytes())
}

/// Seals `bytes` with `key` of `version`.
pub fn sign(key: &SigningKey, version: i64, bytes: &[u8]) -> Seal {
    let signature: Signature = key.sign(bytes);
    Seal {
        digest: sm3_hex(bytes),
        signature: hex::encode(signature.to_bytes()),
        key_version: version,
    }
}

/// Checks a seal over `bytes` against a public key (hex SEC1): the digest and the signature.
pub fn verify(public_key_hex: &str, bytes: &[u8], seal: &Seal) -> bool {
    let Ok(pk) = hex::decode(public_key_hex) else {
        return false;
    };
    let Ok(vk) = VerifyingKey::from_sec1_bytes(DIST_ID, &pk) else {
        return false;
    };
    let Ok(sig_bytes) = hex::decode(&seal.signature) else {
        return false;
    };
    let Ok(sig) = Signature::from_slice(&sig_bytes) else {
        return false;
    };
    sm3_hex(bytes) == seal.digest && vk.verify(bytes, &sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_verifies_and_any_change_breaks_it() {
        let dir = tempfile::tempdir().unwrap();
        let key = create(dir.path(), 1, 1).unwrap();
        let public = public_hex(&key);
        let result = "表决结果：赞成 120，反对 3，弃权 2；通过".as_bytes();
        let seal = sign(&key, 1, result);
        assert!(verify(&public, result, &seal));
        assert!(!verify(
            &public,
            "表决结果：赞成 121，反对 3，弃权 2；通过".as_bytes(),
            &seal
        ));
        let mut forged = seal.clone();
        forged.digest = sm3_hex(b"other");
        assert!(!verify(&public, result, &forged));
        // Another congress's key does not verify it.
        let other = create(dir.path(), 2, 1).unwrap();
        assert!(!verify(&public_hex(&other), result, &seal));
        // The key reloads from its file.
        let again = load(dir.path(), 1, 1).unwrap().unwrap();
        assert_eq!(public_hex(&again), public);
        assert!(load(dir.path(), 1, 2).unwrap().is_none());
    }

    #[test]
    fn sm3_digest_matches_the_standard() {
        assert_eq!(
            sm3_hex(b"abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }
}
