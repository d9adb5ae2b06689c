//! 双因素认证 — the second factor: one-time codes from a shared secret (GB/T 22239-2019 8.1.4.1 d
//! requires two factors, one of them cryptographic; GB/T 39786-2021 §8.4 a).
//!
//! Two algorithms, chosen by the security policy: TOTP (RFC 6238 over HMAC-SHA1, what common
//! authenticator apps implement) and the same time-step construction over HMAC-SM3 for
//! national-cryptography tokens. Pure: secrets, codes, the enrolment URI and QR code, recovery
//! codes. The secret is stored sealed (see `platform::vault`), recovery codes only as digests.

use hmac::{Hmac, KeyInit, Mac};
use rand::RngExt;

/// Seconds per time step (RFC 6238 default).
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// How many recovery codes an enrolment issues.
pub const RECOVERY_CODES: usize = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RFC 6238 TOTP with HMAC-SHA1.
    Totp,
    /// The RFC 6238 construction with HMAC-SM3 (GB/T 32905).
    HmacSm3,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Totp => "totp-sha1",
            Algorithm::HmacSm3 => "hmac-sm3",
        }
    }
    pub fn parse(s: &str) -> Option<Algorithm> {
        match s {
            "totp-sha1" => Some(Algorithm::Totp),
            "hmac-sm3" => Some(Algorithm::HmacSm3),
            _ => None,
        }
    }
    /// The `algorithm` parameter of the enrolment URI.
    fn uri_name(self) -> &'static str {
        match self {
            Algorithm::Totp => "SHA1",
            Algorithm::HmacSm3 => "SM3",
        }
    }
}

/// A new 160-bit secret (RFC 4226 recommends at least 128, 160 is the norm).
pub fn new_secret() -> [u8; 20] {
    rand::rng().random()
}

fn mac_bytes(alg: Algorithm, secret: &[u8], counter: u64) -> Vec<u8> {
    let msg = counter.to_be_bytes();
    match alg {
        Algorithm::Totp => match Hmac::<sha1::Sha1>::new_from_slice(secret) {
            Ok(mut m) => {
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        },
        Algorithm::HmacSm3 => match Hmac::<sm3::Sm3>::new_from_slice(secret) {
            Ok(mut m) => {
                m.update(&msg);
                m.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        },
    }
}

/// The HOTP value (RFC 4226 §5.3 dynamic truncation) for `counter`, with `digits` digits.
pub fn hotp(alg: Algorithm, secret: &[u8], counter: u64, digits: u32) -> String {
    let h = mac_bytes(alg, secret, counter);
    let Some(last) = h.last() else {
        return String::new();
    };
    let offset = usize::from(last & 0x0f);
    let Some(w) = h.get(offset..offset + 4) else {
        return String::new();
    };
    let bin = (u32::from(w[0] & 0x7f) << 24)
        | (u32::from(w[1]) << 16)
        | (u32::from(w[2]) << 8)
        | u32::from(w[3]);
    let code = bin % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The time step at `now_ms`.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000).div_euclid(STEP_SECONDS)
}

/// Checks a submitted code against the steps around `now_ms` (one step of clock drift either
/// way). Returns the step that matched, which must be greater than `last_used_step`: a code is
/// accepted once only, so an observed code cannot be replayed.
pub fn verify(
    alg: Algorithm,
    secret: &[u8],
    code: &str,
    now_ms: i64,
    last_used_step: i64,
) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step_at(now_ms);
    (now - 1..=now + 1)
        .filter(|s| *s > last_used_step && *s >= 0)
        .find(|s| crate::platform::secret::same(&hotp(alg, secret, *s as u64, DIGITS), &code))
}

/// RFC 4648 base32 without padding, as authenticator apps expect.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            out.push(char::from(ALPHABET[((buffer >> (bits - 5)) & 31) as usize]));
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The `otpauth://` URI an authenticator app reads from the enrolment QR code.
pub fn enrolment_uri(alg: Algorithm, issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm={}&digits={DIGITS}&period={STEP_SECONDS}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer),
        alg.uri_name()
    )
}

/// The enrolment URI as an SVG QR code (no JavaScript, no image library).
pub fn qr_svg(data: &str) -> Option<String> {
    crate::web::qr::svg(data)
}

/// Ten single-use recovery codes, `xxxx-xxxx` from an alphabet without look-alikes.
pub fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut s = String::with_capacity(9);
            for i in 0..8 {
                if i == 4 {
                    s.push('-');
                }
                let idx = rng.random_range(0..ALPHABET.len());
                s.push(char::from(ALPHABET[idx]));
            }
            s
        })
        .collect()
}

/// A recovery code as typed: lower case, no spaces, the dash optional.
pub fn normalize_recovery_code(code: &str) -> String {
    let s: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if s.len() == 8 {
        format!("{}-{}", &s[..4], &s[4..])
    } else {
        s
    }
}

/// Where the browser goes after the password step.
pub fn next_step(stage: super::roles::SessionStage, next: &str) -> String {
    let q = |path: &str| {
        format!(
            "{path}?next={}",
            serde_urlencoded::to_string([("", next)])
                .unwrap_or_default()
                .trim_start_matches('=')
        )
    };
    match stage {
        super::roles::SessionStage::Full => next.to_string(),
        super::roles::SessionStage::SecondFactor => q("/login/second-factor"),
        super::roles::SessionStage::Enrol => q("/account/second-factor"),
    }
}

/// What a session still owing a step may reach (the middleware redirects everything else).
pub fn allowed_while_pending(stage: super::roles::SessionStage, path: &str) -> bool {
    let common = matches!(path, "/logout" | "/prefs" | "/healthz" | "/readyz")
        || path.starts_with("/assets/");
    common
        || match stage {
            super::roles::SessionStage::Full => true,
            super::roles::SessionStage::SecondFactor => path == "/login/second-factor",
            super::roles::SessionStage::Enrol => path == "/account/second-factor",
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA1, 8 digits.
        for (t, expect) in [
            (59i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let step = (t / STEP_SECONDS) as u64;
            assert_eq!(hotp(Algorithm::Totp, RFC_SECRET, step, 8), expect, "t={t}");
        }
        // RFC 4226 appendix D, HOTP with 6 digits.
        assert_eq!(hotp(Algorithm::Totp, RFC_SECRET, 0, 6), "755224");
        assert_eq!(hotp(Algorithm::Totp, RFC_SECRET, 9, 6), "520489");
    }

    #[test]
    fn sm3_codes_differ_from_sha1_codes_and_verify() {
        let now = 1_234_567_890_000;
        let code = hotp(Algorithm::HmacSm3, RFC_SECRET, step_at(now) as u64, DIGITS);
        assert_eq!(code.len(), 6);
        assert_ne!(
            code,
            hotp(Algorithm::Totp, RFC_SECRET, step_at(now) as u64, DIGITS)
        );
        assert_eq!(
            verify(Algorithm::HmacSm3, RFC_SECRET, &code, now, 0),
            Some(step_at(now))
        );
        assert_eq!(verify(Algorithm::Totp, RFC_SECRET, &code, now, 0), None);
    }

    #[test]
    fn a_code_is_good_one_step_either_way_and_only_once() {
        let now = 1_700_000_000_000;
        let s = step_at(now);
        let code = |step: i64| hotp(Algorithm::Totp, RFC_SECRET, step as u64, DIGITS);
        assert_eq!(
            verify(Algorithm::Totp, RFC_SECRET, &code(s - 1), now, 0),
            Some(s - 1)
        );
        assert_eq!(
            verify(Algorithm::Totp, RFC_SECRET, &code(s + 1), now, 0),
            Some(s + 1)
        );
        assert_eq!(
            verify(Algorithm::Totp, RFC_SECRET, &code(s - 2), now, 0),
            None
        );
        assert_eq!(
            verify(Algorithm::Totp, RFC_SECRET, &code(s + 2), now, 0),
            None
        );
        // Replay: the step was used already.
        assert_eq!(verify(Algorithm::Totp, RFC_SECRET, &code(s), now, s), None);
        assert_eq!(verify(Algorithm::Totp, RFC_SECRET, "12345", now, 0), None);
        assert_eq!(verify(Algorithm::Totp, RFC_SECRET, "abcdef", now, 0), None);
    }

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn enrolment_uri_and_qr() {
        let uri = enrolment_uri(Algorithm::Totp, "连心 Lianxin", "zhang.san", RFC_SECRET);
        assert!(
            uri.starts_with("otpauth://totp/%E8%BF%9E%E5%BF%83%20Lianxin:zhang.san?secret=GEZD")
        );
        assert!(uri.contains("algorithm=SHA1&digits=6&period=30"));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.contains("<svg"));
    }

    #[test]
    fn recovery_codes_are_distinct_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let set: std::collections::BTreeSet<_> = codes.iter().collect();
        assert_eq!(set.len(), codes.len());
        assert_eq!(normalize_recovery_code(" ABCD efgh "), "abcd-efgh");
        assert_eq!(normalize_recovery_code(&codes[0].to_uppercase()), codes[0]);
    }
}
