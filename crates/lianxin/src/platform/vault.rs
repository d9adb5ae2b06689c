//! 密钥与字段加密 — the key store and field encryption for personal data at rest.
//!
//! Personal data (phone numbers, ID-card numbers, addresses, e-mail addresses, notification
//! payloads) is stored sealed with SM4-GCM (GB/T 32907 block cipher in the authenticated GCM mode),
//! never in clear text: GB/T 22239-2019 8.1.4.8 b and GB/T 39786-2021 §8.4 e require
//! confidentiality at rest, §8.4 g integrity (the GCM tag gives both). Each sealed value carries
//! the version of the key that sealed it, so keys can be rotated (`lianxin keys rotate`) while old
//! values stay readable until they are re-sealed. The column's name is bound in as associated
//! data, so a sealed phone number copied into the address column does not open.
//!
//! Exact-match look-ups ("is this ID number already on the roster?") use a keyed HMAC-SM3 digest
//! stored beside the sealed value; the digest key is separate from the encryption keys and is not
//! rotated (rotating it would need every value opened and re-digested — `rekey` could do that, but
//! the digest reveals nothing without the key, so there is no need).
//!
//! Keys live in files outside the database (`DATA/keys/`, owner-only), so a copy of the database
//! or of a backup alone reveals nothing. A deployment that must keep keys in a certified HSM
//! replaces [`Vault::open`]; everything else only sees [`Vault`].

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{AesGcm, Nonce};
use hmac::{Hmac, Mac};
use rand::RngExt;
use sm3::Sm3;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

type Sm4Gcm = AesGcm<sm4::Sm4, U12>;
type HmacSm3 = Hmac<Sm3>;

const PREFIX: &str = "sm4gcm:v";

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    #[error("the key store is not open")]
    Locked,
    #[error("no key of version {0} in the key store")]
    UnknownKey(u32),
    #[error("a sealed value is malformed or was altered")]
    Tampered,
    #[error("key store: {0}")]
    Io(#[from] std::io::Error),
}

impl From<VaultError> for sqlx::Error {
    fn from(e: VaultError) -> Self {
        sqlx::Error::Encode(Box::new(e))
    }
}

/// Every column that holds a sealed value: `(table, id column, column)`. Rotation re-seals these,
/// and the clear-text scan test checks them; a new module adds its columns here.
pub const SEALED_COLUMNS: &[(&str, &str, &str)] = &[
    ("persons", "id", "id_card_sealed"),
    ("persons", "id", "phone_sealed"),
    ("persons", "id", "email_sealed"),
    ("persons", "id", "address_sealed"),
    ("outbox", "id", "recipient"),
    ("outbox", "id", "body"),
    ("users", "id", "otp_secret_sealed"),
    ("privacy_requests", "id", "requester_sealed"),
    ("attachments", "id", "body_sealed"),
    ("receptions", "id", "visitor_sealed"),
    ("opinions", "id", "contact_sealed"),
];

/// The keys of one installation: SM4 field keys by version, and the digest key.
pub struct Vault {
    field_keys: BTreeMap<u32, Zeroizing<[u8; 16]>>,
    digest_key: Option<Zeroizing<Vec<u8>>>,
    dir: Option<PathBuf>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("versions", &self.field_keys.keys().collect::<Vec<_>>())
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// A vault without keys: every seal, open and digest fails. A `Db` starts with this one, so
    /// that code which forgot to open the key store cannot write personal data in clear text.
    pub fn locked() -> Vault {
        Vault {
            field_keys: BTreeMap::new(),
            digest_key: None,
            dir: None,
        }
    }

    /// Opens the key store in `dir` (normally `DATA/keys`), creating the first field key and the
    /// digest key on first use.
    pub fn open(dir: &Path) -> Result<Vault, VaultError> {
        std::fs::create_dir_all(dir)?;
        restrict(dir, 0o700)?;
        let mut field_keys = BTreeMap::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(version) = name
                .strip_prefix("field-v")
                .and_then(|r| r.strip_suffix(".key"))
                .and_then(|v| v.parse::<u32>().ok())
            else {
                continue;
            };
            let bytes = read_hex(&entry.path())?;
            let key: [u8; 16] = bytes.as_slice().try_into().map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "field key is not 16 bytes")
            })?;
            field_keys.insert(version, Zeroizing::new(key));
        }
        if field_keys.is_empty() {
            let key: [u8; 16] = rand::rng().random();
            write_key(&dir.join("field-v1.key"), &key)?;
            field_keys.insert(1, Zeroizing::new(key));
        }
        let digest_path = dir.join("digest.key");
        let digest_key = if digest_path.exists() {
            read_hex(&digest_path)?
        } else {
            let key: [u8; 32] = rand::rng().random();
            write_key(&digest_path, &key)?;
            Zeroizing::new(key.to_vec())
        };
        Ok(Vault {
            field_keys,
            digest_key: Some(digest_key),
            dir: Some(dir.to_path_buf()),
        })
    }

    /// The key store's directory (`None` for a locked vault).
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The version new values are sealed with (the highest).
    pub fn current_version(&self) -> Option<u32> {
        self.field_keys.keys().next_back().copied()
    }

    pub fn versions(&self) -> Vec<u32> {
        self.field_keys.keys().copied().collect()
    }

    /// Adds a new field key (the next version) to the store on disk and to this vault. Values are
    /// re-sealed by `db::rekey`; the old key file stays until the operator retires it, because
    /// backups taken before the rotation still need it.
    pub fn add_key(&mut self) -> Result<u32, VaultError> {
        let dir = self.dir.clone().ok_or(VaultError::Locked)?;
        let version = self.current_version().unwrap_or(0) + 1;
        let key: [u8; 16] = rand::rng().random();
        write_key(&dir.join(format!("field-v{version}.key")), &key)?;
        self.field_keys.insert(version, Zeroizing::new(key));
        Ok(version)
    }

    /// Seals `plain` for the column named by `context` (`"persons.phone_sealed"`).
    pub fn seal(&self, context: &str, plain: &str) -> Result<String, VaultError> {
        self.seal_bytes(context, plain.as_bytes())
    }

    /// Seals bytes (a staged upload) the same way.
    pub fn seal_bytes(&self, context: &str, plain: &[u8]) -> Result<String, VaultError> {
        let version = self.current_version().ok_or(VaultError::Locked)?;
        let cipher = self.cipher(version)?;
        let nonce_bytes: [u8; 12] = rand::rng().random();
        let nonce = Nonce::<U12>::from(nonce_bytes);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| VaultError::Tampered)?;
        let mut out = Vec::with_capacity(12 + sealed.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{version}:{}", hex::encode(out)))
    }

    /// Opens a value sealed by [`Vault::seal`] for the same column.
    pub fn open_sealed(&self, context: &str, sealed: &str) -> Result<String, VaultError> {
        let plain = self.open_bytes(context, sealed)?;
        String::from_utf8(plain.to_vec()).map_err(|_| VaultError::Tampered)
    }

    /// Opens bytes sealed by [`Vault::seal_bytes`].
    pub fn open_bytes(
        &self,
        context: &str,
        sealed: &str,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let (version, body) = split(sealed).ok_or(VaultError::Tampered)?;
        let bytes = hex::decode(body).map_err(|_| VaultError::Tampered)?;
        if bytes.len() < 12 + 16 {
            return Err(VaultError::Tampered);
        }
        let (nonce, ct) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce.try_into().map_err(|_| VaultError::Tampered)?;
        let plain = Zeroizing::new(
            self.cipher(version)?
                .decrypt(
                    &Nonce::<U12>::from(nonce),
                    Payload {
                        msg: ct,
                        aad: context.as_bytes(),
                    },
                )
                .map_err(|_| VaultError::Tampered)?,
        );
        Ok(plain)
    }

    pub fn seal_opt(
        &self,
        context: &str,
        plain: Option<&str>,
    ) -> Result<Option<String>, VaultError> {
        plain.map(|p| self.seal(context, p)).transpose()
    }

    pub fn open_opt(
        &self,
        context: &str,
        sealed: Option<&str>,
    ) -> Result<Option<String>, VaultError> {
        sealed.map(|s| self.open_sealed(context, s)).transpose()
    }

    /// Keyed HMAC-SM3 digest for exact-match look-ups of a personal number in `context`.
    pub fn digest(&self, context: &str, value: &str) -> Result<String, VaultError> {
        let key = self.digest_key.as_ref().ok_or(VaultError::Locked)?;
        let mut mac = <HmacSm3 as KeyInit>::new_from_slice(key).map_err(|_| VaultError::Locked)?;
        mac.update(context.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        Ok(hex::encode(mac.finalize().into_bytes()))
    }

    fn cipher(&self, version: u32) -> Result<Sm4Gcm, VaultError> {
        let key = self
            .field_keys
            .get(&version)
            .ok_or(VaultError::UnknownKey(version))?;
        Sm4Gcm::new_from_slice(key.as_slice()).map_err(|_| VaultError::UnknownKey(version))
    }
}

/// The key version of a sealed value, if it is one.
pub fn version_of(sealed: &str) -> Option<u32> {
    split(sealed).map(|(v, _)| v)
}

fn split(sealed: &str) -> Option<(u32, &str)> {
    let rest = sealed.strip_prefix(PREFIX)?;
    let (version, body) = rest.split_once(':')?;
    Some((version.parse().ok()?, body))
}

fn read_hex(path: &Path) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    let text = Zeroizing::new(std::fs::read_to_string(path)?);
    Ok(Zeroizing::new(hex::decode(text.trim()).map_err(|e| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    })?))
}

fn write_key(path: &Path, key: &[u8]) -> Result<(), VaultError> {
    let text = Zeroizing::new(hex::encode(key));
    // Written under a temporary name and renamed, so a crash never leaves half a key.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text.as_bytes())?;
    restrict(&tmp, 0o600)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

fn restrict(path: &Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Masks a mobile or fixed-line number for display: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

/// Masks an e-mail address: the first character of the local part and the domain stay.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// Masks an address: the first six characters (district, town) stay, the rest is hidden.
pub fn mask_address(address: &str) -> String {
    let head: String = address.chars().take(6).collect();
    if address.chars().count() <= 6 {
        head
    } else {
        format!("{head}****")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault() -> (tempfile::TempDir, Vault) {
        let dir = tempfile::tempdir().unwrap();
        let v = Vault::open(&dir.path().join("keys")).unwrap();
        (dir, v)
    }

    #[test]
    fn sm4_matches_the_standard_vector() {
        use aes_gcm::aead::array::Array;
        use sm4::cipher::{BlockCipherEncrypt, KeyInit as _};
        // GB/T 32907-2016 appendix A, example 1.
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let cipher = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = Array::try_from(key.as_slice()).unwrap();
        cipher.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn sealed_values_open_only_in_their_column_and_only_unaltered() {
        let (_d, v) = vault();
        let sealed = v.seal("persons.phone_sealed", "13812345678").unwrap();
        assert!(!sealed.contains("13812345678"));
        assert_eq!(
            v.open_sealed("persons.phone_sealed", &sealed).unwrap(),
            "13812345678"
        );
        assert!(matches!(
            v.open_sealed("persons.address_sealed", &sealed),
            Err(VaultError::Tampered)
        ));
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 1;
        altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
        assert!(
            v.open_sealed("persons.phone_sealed", &String::from_utf8(altered).unwrap())
                .is_err()
        );
        // Two seals of one value differ (random nonce), so equal values are not visible as such.
        assert_ne!(
            sealed,
            v.seal("persons.phone_sealed", "13812345678").unwrap()
        );
    }

    #[test]
    fn a_locked_vault_refuses_everything() {
        let v = Vault::locked();
        assert!(matches!(v.seal("x", "y"), Err(VaultError::Locked)));
        assert!(matches!(v.digest("x", "y"), Err(VaultError::Locked)));
    }

    #[test]
    fn keys_persist_and_rotation_keeps_old_values_readable() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        let mut v = Vault::open(&keys).unwrap();
        let old = v.seal("c", "四川省成都市").unwrap();
        let digest = v.digest("c", "x").unwrap();
        assert_eq!(v.add_key().unwrap(), 2);
        let new = v.seal("c", "四川省成都市").unwrap();
        assert_eq!((version_of(&old), version_of(&new)), (Some(1), Some(2)));
        let reopened = Vault::open(&keys).unwrap();
        assert_eq!(reopened.open_sealed("c", &old).unwrap(), "四川省成都市");
        assert_eq!(reopened.open_sealed("c", &new).unwrap(), "四川省成都市");
        assert_eq!(reopened.digest("c", "x").unwrap(), digest);
        // Another installation's keys open nothing of this one's.
        let (_d, other) = vault();
        assert!(other.open_sealed("c", &old).is_err());
        assert_ne!(other.digest("c", "x").unwrap(), digest);
    }

    #[test]
    fn masks() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
        assert_eq!(mask_email("zhang@example.cn"), "z***@example.cn");
        assert_eq!(mask_address("成都市武侯区玉林街道12号"), "成都市武侯区****");
    }
}
