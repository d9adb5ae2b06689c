//! Passwords are hashed with argon2id (RFC 9106) at the crate's default cost (m=19 MiB, t=2, p=1).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};

pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A one-time password for bootstrap: 16 characters without look-alikes (0/O, 1/l/I).
pub fn one_time() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn argon2id_hashes_verify_and_differ_per_salt() {
        let h1 = super::hash("correct horse").unwrap();
        let h2 = super::hash("correct horse").unwrap();
        assert!(h1.starts_with("$argon2id$"));
        assert_ne!(h1, h2);
        assert!(super::verify("correct horse", &h1));
        assert!(!super::verify("wrong horse", &h1));
        assert!(!super::verify("x", "not a hash"));
        assert_eq!(super::one_time().len(), 16);
    }
}
