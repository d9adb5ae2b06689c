//! Passwords are hashed with argon2id (RFC 9106) at the crate's default cost (m=19 MiB, t=2, p=1).

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};

/// Verified against when the user name is unknown, so that a sign-in takes as long whether or
/// not the name exists. Must parse, or the check would return at once (tested).
pub const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0000000000000000000000000000000000000000000";

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

/// Passwords refused whatever their shape: the commonest in leaked lists and in Chinese use.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789a",
    "a123456789",
    "qwertyuiop",
    "1qaz2wsx3edc",
    "1q2w3e4r5t",
    "password123",
    "password1234",
    "p@ssw0rd123",
    "iloveyou1314",
    "woaini1314",
    "woaini521",
    "5201314520",
    "abc123456789",
    "admin123456",
    "administrator",
    "qazwsxedcrfv",
    "zxcvbnm123",
    "Aa123456789",
    "Admin@123456",
    "Passw0rd!23",
    "Abcd@123456",
    "Qwer@123456",
    "P@ssw0rd1234",
    "Huawei@123",
    "Admin@1234",
];

/// 等保 level 3 password policy (GB/T 22239-2019 8.1.4.1 a): at least 10 characters, at least three
/// of the four classes (lower, upper, digit, symbol), not the user name, not a common password.
/// Returns the message key of the first rule broken.
pub fn check_policy(username: &str, password: &str) -> Result<(), &'static str> {
    if password.chars().count() < 10 {
        return Err("password.too_short");
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err("password.classes");
    }
    let lower = password.to_lowercase();
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err("password.contains_username");
    }
    if COMMON.iter().any(|c| c.to_lowercase() == lower) {
        return Err("password.common");
    }
    Ok(())
}

/// A one-time password for bootstrap: 16 characters without look-alikes (0/O, 1/l/I).
pub fn one_time() -> String {
    use rand::RngExt;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    loop {
        let p: String = (0..16)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        // Drawn again in the rare case that the draw misses a class, so it always meets the policy.
        if check_policy("", &p).is_ok() {
            return p;
        }
    }
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::phc::PasswordHash;

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
        // Without the redraw, about one draw in twelve lacks a digit: 500 draws would catch it.
        for _ in 0..500 {
            assert!(super::check_policy("", &super::one_time()).is_ok());
        }
    }

    #[test]
    fn the_dummy_hash_costs_a_real_verification() {
        assert!(
            PasswordHash::new(super::DUMMY_HASH).is_ok(),
            "it parses, so argon2 runs"
        );
        assert!(!super::verify("anything", super::DUMMY_HASH));
    }

    #[test]
    fn the_policy_holds_at_its_edges() {
        use super::check_policy as p;
        assert_eq!(
            p("li", "Abcdef12!"),
            Err("password.too_short"),
            "9 characters"
        );
        assert_eq!(p("li", "Abcdefg12!"), Ok(()), "10 characters, four classes");
        assert_eq!(
            p("li", "abcdefgh12"),
            Err("password.classes"),
            "two classes"
        );
        assert_eq!(
            p("li", "abcdefgh1!"),
            Ok(()),
            "three classes: lower, digit, symbol"
        );
        assert_eq!(
            p("zhangwei", "Zhangwei2026!"),
            Err("password.contains_username")
        );
        assert_eq!(p("x", "Admin@123456"), Err("password.common"));
        assert_eq!(
            p("x", "admin@123456"),
            Err("password.common"),
            "case does not save a common password"
        );
        assert_eq!(
            p("li", "人大代表联络站2026a"),
            Ok(()),
            "Chinese characters count as symbols"
        );
    }
}
