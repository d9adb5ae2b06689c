//! Random tokens and their digests. Tokens (session ids, API tokens) are stored only as SM3
//! digests, so a copy of the database does not let anyone sign in.

use rand::RngExt;
use sm3::{Digest, Sm3};

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

/// SM3 digest (GB/T 32905) of a token, hex-encoded.
pub fn digest(token: &str) -> String {
    hex::encode(Sm3::digest(token.as_bytes()))
}

/// Keyed digest used to find duplicates of a personal number without storing it.
pub fn keyed_digest(key: &str, value: &str) -> String {
    let mut h = Sm3::new();
    h.update(key.as_bytes());
    h.update([0u8]);
    h.update(value.as_bytes());
    hex::encode(h.finalize())
}

/// Constant-time comparison for tokens.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    #[test]
    fn sm3_matches_the_standard_vector() {
        // GB/T 32905-2016 appendix A, example 1.
        assert_eq!(
            super::digest("abc"),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn tokens_differ_and_compare_in_constant_time() {
        let a = super::random_token();
        let b = super::random_token();
        assert_ne!(a, b);
        assert!(super::same(&a, &a.clone()));
        assert!(!super::same(&a, &b));
        assert!(!super::same("ab", "abc"));
    }
}
