//! 安全策略 — the installation's security policy, set by the security administrator (三员分立:
//! "安全管理员 … 安全策略配置", GB/T 22239-2019 8.1.5.3). Pure: the parameters, their defaults and
//! their legal bounds; the store keeps only values that differ from the defaults.
//!
//! Bounds encode the floor the standards set, so that no setting can weaken the system below
//! level 3: e.g. audit records are kept at least six months (网络安全法 Art 21), the lockout
//! threshold cannot be switched off (8.1.4.1 b), the idle timeout cannot exceed an hour.

use super::second_factor::Algorithm;

/// One numeric parameter of the policy.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub key: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
    /// The clause the floor or the default comes from, shown beside the field.
    pub basis: &'static str,
}

pub const PARAMS: &[Param] = &[
    Param {
        key: "password_max_age_days",
        default: 90,
        min: 30,
        max: 365,
        basis: "GB/T 22239-2019 8.1.4.1 a（定期更换）",
    },
    Param {
        key: "lockout_threshold",
        default: 5,
        min: 3,
        max: 10,
        basis: "GB/T 22239-2019 8.1.4.1 b（限制非法登录次数）",
    },
    Param {
        key: "lockout_minutes",
        default: 15,
        min: 5,
        max: 1440,
        basis: "GB/T 22239-2019 8.1.4.1 b",
    },
    Param {
        key: "unused_account_days",
        default: 90,
        min: 30,
        max: 365,
        basis: "GB/T 22239-2019 8.1.4.2 c（及时停用多余的、过期的账户）",
    },
    Param {
        key: "idle_timeout_minutes",
        default: 30,
        min: 5,
        max: 60,
        basis: "GB/T 22239-2019 8.1.4.1 b（登录连接超时自动退出）",
    },
    Param {
        key: "session_lifetime_hours",
        default: 12,
        min: 1,
        max: 24,
        basis: "GB/T 22239-2019 8.1.4.1 b",
    },
    Param {
        key: "token_max_days",
        default: 90,
        min: 1,
        max: 365,
        basis: "GB/T 22239-2019 8.1.4.1 a（身份鉴别信息定期更换）",
    },
    Param {
        key: "token_idle_days",
        default: 30,
        min: 1,
        max: 90,
        basis: "GB/T 22239-2019 8.1.4.2 c（及时停用多余的、过期的账户）",
    },
    Param {
        key: "audit_retention_months",
        default: 12,
        min: 6,
        max: 120,
        basis: "网络安全法 第21条（网络日志留存不少于六个月）",
    },
    Param {
        key: "contact_retention_months",
        default: 24,
        min: 1,
        max: 120,
        basis: "个人信息保护法 第19条（保存期限为实现处理目的所必要的最短时间）",
    },
];

/// The policy in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityPolicy {
    pub password_max_age_days: i64,
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    pub unused_account_days: i64,
    pub idle_timeout_minutes: i64,
    pub session_lifetime_hours: i64,
    pub audit_retention_months: i64,
    pub contact_retention_months: i64,
    /// The longest life an API token may be given, in days.
    pub token_max_days: i64,
    /// An API token unused this many days stops working.
    pub token_idle_days: i64,
    /// The one-time-code algorithm for new enrolments (existing ones keep theirs).
    pub otp_algorithm: Algorithm,
}

impl Default for SecurityPolicy {
    fn default() -> Self {
        SecurityPolicy::from_values(&[])
    }
}

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    UnknownKey,
    NotANumber,
    OutOfRange { min: i64, max: i64 },
    UnknownAlgorithm,
}

pub const OTP_ALGORITHM_KEY: &str = "otp_algorithm";

impl SecurityPolicy {
    /// Builds the policy from stored `(key, value)` pairs; unknown or out-of-range stored values
    /// (which [`validate`] never lets in) fall back to the default rather than weakening it.
    pub fn from_values(values: &[(String, String)]) -> SecurityPolicy {
        let get = |key: &str| -> i64 {
            let p = PARAMS.iter().find(|p| p.key == key);
            let stored = values
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.parse::<i64>().ok());
            match (p, stored) {
                (Some(p), Some(v)) if (p.min..=p.max).contains(&v) => v,
                (Some(p), _) => p.default,
                (None, _) => 0,
            }
        };
        SecurityPolicy {
            password_max_age_days: get("password_max_age_days"),
            lockout_threshold: get("lockout_threshold"),
            lockout_minutes: get("lockout_minutes"),
            unused_account_days: get("unused_account_days"),
            idle_timeout_minutes: get("idle_timeout_minutes"),
            session_lifetime_hours: get("session_lifetime_hours"),
            audit_retention_months: get("audit_retention_months"),
            contact_retention_months: get("contact_retention_months"),
            token_max_days: get("token_max_days"),
            token_idle_days: get("token_idle_days"),
            otp_algorithm: values
                .iter()
                .find(|(k, _)| k == OTP_ALGORITHM_KEY)
                .and_then(|(_, v)| Algorithm::parse(v))
                .unwrap_or(Algorithm::Totp),
        }
    }

    pub fn idle_ms(&self) -> i64 {
        self.idle_timeout_minutes * 60_000
    }
    pub fn lifetime_ms(&self) -> i64 {
        self.session_lifetime_hours * 3_600_000
    }
    pub fn lock_ms(&self) -> i64 {
        self.lockout_minutes * 60_000
    }
    pub fn password_max_age_ms(&self) -> i64 {
        self.password_max_age_days * 86_400_000
    }
    pub fn unused_ms(&self) -> i64 {
        self.unused_account_days * 86_400_000
    }
    /// Months are counted as 30 days: the retention floor is then 180 days, and pruning is
    /// never earlier than the statute's six months since it only happens at later checkpoints.
    pub fn audit_retention_ms(&self) -> i64 {
        self.audit_retention_months.max(6) * 31 * 86_400_000
    }
}

/// Checks one submitted value against its bounds.
pub fn validate(key: &str, value: &str) -> Result<String, PolicyError> {
    if key == OTP_ALGORITHM_KEY {
        return Algorithm::parse(value.trim())
            .map(|a| a.as_str().to_string())
            .ok_or(PolicyError::UnknownAlgorithm);
    }
    let p = PARAMS
        .iter()
        .find(|p| p.key == key)
        .ok_or(PolicyError::UnknownKey)?;
    let v: i64 = value.trim().parse().map_err(|_| PolicyError::NotANumber)?;
    if !(p.min..=p.max).contains(&v) {
        return Err(PolicyError::OutOfRange {
            min: p.min,
            max: p.max,
        });
    }
    Ok(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_meet_level_three() {
        let p = SecurityPolicy::default();
        assert_eq!(p.lockout_threshold, 5);
        assert_eq!(p.lockout_minutes, 15);
        assert_eq!(p.idle_timeout_minutes, 30);
        assert_eq!(p.session_lifetime_hours, 12);
        assert_eq!(p.password_max_age_days, 90);
        assert_eq!(p.otp_algorithm, Algorithm::Totp);
        assert!(p.audit_retention_ms() >= 183 * 86_400_000);
    }

    #[test]
    fn audit_retention_cannot_go_below_six_months() {
        assert!(matches!(
            validate("audit_retention_months", "5"),
            Err(PolicyError::OutOfRange { min: 6, .. })
        ));
        assert_eq!(validate("audit_retention_months", "6").unwrap(), "6");
        // A value smuggled into the table directly is ignored, not obeyed.
        let p = SecurityPolicy::from_values(&[("audit_retention_months".into(), "1".into())]);
        assert_eq!(p.audit_retention_months, 12);
    }

    #[test]
    fn bounds_hold_at_their_edges() {
        for p in PARAMS {
            assert!(validate(p.key, &p.min.to_string()).is_ok(), "{}", p.key);
            assert!(validate(p.key, &p.max.to_string()).is_ok(), "{}", p.key);
            assert!(
                validate(p.key, &(p.min - 1).to_string()).is_err(),
                "{}",
                p.key
            );
            assert!(
                validate(p.key, &(p.max + 1).to_string()).is_err(),
                "{}",
                p.key
            );
            assert!((p.min..=p.max).contains(&p.default), "{}", p.key);
        }
        assert_eq!(
            validate("lockout_threshold", "x"),
            Err(PolicyError::NotANumber)
        );
        assert_eq!(validate("nope", "1"), Err(PolicyError::UnknownKey));
        assert_eq!(validate(OTP_ALGORITHM_KEY, "hmac-sm3").unwrap(), "hmac-sm3");
        assert_eq!(
            validate(OTP_ALGORITHM_KEY, "md5"),
            Err(PolicyError::UnknownAlgorithm)
        );
    }
}
