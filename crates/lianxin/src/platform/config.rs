//! Configuration, layered with a fixed precedence: config file < environment < command-line flag.
//!
//! Every option has all three forms (`--data DIR`, `LIANXIN_DATA`, `data = "…"` in the TOML file).
//! The layers are plain values merged by [`resolve`], so the precedence is tested without touching
//! the process environment. Secrets in the configuration (database password, SMTP password) are
//! never printed: [`Config`]'s `Debug` masks them.

use serde::Deserialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA: &str = "./data";

/// One layer of settings: every field optional, so that a higher layer only overrides what it sets.
#[derive(Debug, Default, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub data: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub log_format: Option<String>,
    /// Whether district staff may read the town congresses of their district (policy setting).
    pub district_staff_see_towns: Option<bool>,
    /// Notification delivery: `log` (default), `smtp` or `webhook`.
    pub notify_adapter: Option<String>,
    pub smtp_addr: Option<String>,
    pub smtp_from: Option<String>,
    pub webhook_url: Option<String>,
    /// Where the key store lives (default `DATA/keys`); mount it from a protected volume.
    pub keys_dir: Option<PathBuf>,
    /// HTTPS is terminated by a reverse proxy in front: send HSTS, mark cookies `Secure`, and take
    /// the client address from `X-Real-IP` (set by the proxy) for rate limits and the audit trail.
    pub tls_proxy: Option<bool>,
    /// Sign-in attempts (password or code) per client address per minute (default 10).
    pub sign_in_rate: Option<u32>,
    /// Anonymous requests per client address per minute (default 300).
    pub anonymous_rate: Option<u32>,
    /// The address citizens and members reach the site at (`https://renda.example.cn`), for
    /// links printed as QR codes; default `http://` and `listen`. Never taken from a request's
    /// `Host` header, which a client chooses.
    pub public_url: Option<String>,
}

impl Layer {
    /// Overlays `higher` on `self`: every field `higher` sets wins.
    fn overlay(self, higher: Layer) -> Layer {
        Layer {
            data: higher.data.or(self.data),
            database_url: higher.database_url.or(self.database_url),
            listen: higher.listen.or(self.listen),
            log_format: higher.log_format.or(self.log_format),
            district_staff_see_towns: higher
                .district_staff_see_towns
                .or(self.district_staff_see_towns),
            notify_adapter: higher.notify_adapter.or(self.notify_adapter),
            smtp_addr: higher.smtp_addr.or(self.smtp_addr),
            smtp_from: higher.smtp_from.or(self.smtp_from),
            webhook_url: higher.webhook_url.or(self.webhook_url),
            keys_dir: higher.keys_dir.or(self.keys_dir),
            tls_proxy: higher.tls_proxy.or(self.tls_proxy),
            sign_in_rate: higher.sign_in_rate.or(self.sign_in_rate),
            anonymous_rate: higher.anonymous_rate.or(self.anonymous_rate),
            public_url: higher.public_url.or(self.public_url),
        }
    }

    /// Reads the `LIANXIN_*` variables through `get` (the process environment in production).
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Layer, ConfigError> {
        let get = |k: &str| get(k).filter(|v| !v.is_empty());
        let see_towns = match get("LIANXIN_DISTRICT_STAFF_SEE_TOWNS") {
            None => None,
            Some(v) => Some(
                parse_bool(&v)
                    .ok_or(ConfigError::Invalid("LIANXIN_DISTRICT_STAFF_SEE_TOWNS", v))?,
            ),
        };
        let tls_proxy = match get("LIANXIN_TLS_PROXY") {
            None => None,
            Some(v) => Some(parse_bool(&v).ok_or(ConfigError::Invalid("LIANXIN_TLS_PROXY", v))?),
        };
        let rate = |k: &'static str| -> Result<Option<u32>, ConfigError> {
            match get(k) {
                None => Ok(None),
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .map(Some)
                    .ok_or(ConfigError::Invalid(k, v)),
            }
        };
        Ok(Layer {
            sign_in_rate: rate("LIANXIN_SIGN_IN_RATE")?,
            anonymous_rate: rate("LIANXIN_ANONYMOUS_RATE")?,
            keys_dir: get("LIANXIN_KEYS_DIR").map(PathBuf::from),
            tls_proxy,
            data: get("LIANXIN_DATA").map(PathBuf::from),
            database_url: get("LIANXIN_DATABASE_URL"),
            listen: get("LIANXIN_LISTEN"),
            log_format: get("LIANXIN_LOG_FORMAT"),
            district_staff_see_towns: see_towns,
            notify_adapter: get("LIANXIN_NOTIFY_ADAPTER"),
            smtp_addr: get("LIANXIN_SMTP_ADDR"),
            smtp_from: get("LIANXIN_SMTP_FROM"),
            webhook_url: get("LIANXIN_WEBHOOK_URL"),
            public_url: get("LIANXIN_PUBLIC_URL"),
        })
    }

    pub fn from_file(path: &Path) -> Result<Layer, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::Read(path.to_path_buf(), e.to_string()))?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse(path.to_path_buf(), e.to_string()))
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {0}: {1}")]
    Read(PathBuf, String),
    #[error("config file {0} is not valid: {1}")]
    Parse(PathBuf, String),
    #[error("{0} has an invalid value {1:?}")]
    Invalid(&'static str, String),
    #[error("database URL must start with sqlite:, postgres: or postgresql:")]
    DatabaseScheme,
    #[error("notify adapter must be log, smtp or webhook; {0} needs {1}")]
    Notify(String, &'static str),
    #[error("public_url must be http:// or https:// and a host name (with a port), no path: {0:?}")]
    PublicUrl(String),
}

/// How notifications leave the system.
#[derive(Clone, PartialEq, Eq)]
pub enum NotifyAdapter {
    /// Writes a line per notice to the log (no personal data); the default.
    Log,
    /// Plain SMTP to a relay on the government intranet.
    Smtp { addr: String, from: String },
    /// HTTP POST of a JSON body to an SMS gateway.
    Webhook { url: String },
}

/// The resolved configuration.
#[derive(Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: String,
    pub json_logs: bool,
    pub district_staff_see_towns: bool,
    pub notify: NotifyAdapter,
    pub keys_dir: PathBuf,
    pub tls_proxy: bool,
    pub sign_in_rate: u32,
    pub anonymous_rate: u32,
    /// The site's origin for printed links, without a trailing `/` (`Layer::public_url`).
    pub public_url: String,
}

impl Config {
    /// The key store's directory.
    pub fn keys_dir(&self) -> PathBuf {
        self.keys_dir.clone()
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &mask_url(&self.database_url))
            .field("listen", &self.listen)
            .field("keys_dir", &self.keys_dir)
            .field("tls_proxy", &self.tls_proxy)
            .field("json_logs", &self.json_logs)
            .field("district_staff_see_towns", &self.district_staff_see_towns)
            .finish_non_exhaustive()
    }
}

/// Hides a password in a database URL (`postgres://u:secret@h/db` → `postgres://u:***@h/db`).
pub fn mask_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((cred, host)) = rest.rsplit_once('@')
    {
        let user = cred.split(':').next().unwrap_or("");
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

/// Merges the layers (file < env < flags) and fills in the defaults.
pub fn resolve(file: Layer, env: Layer, flags: Layer) -> Result<Config, ConfigError> {
    let l = file.overlay(env).overlay(flags);
    let data_dir = l.data.unwrap_or_else(|| PathBuf::from(DEFAULT_DATA));
    let database_url = match l.database_url {
        Some(u) => u,
        None => format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("lianxin.sqlite").display()
        ),
    };
    if !(database_url.starts_with("sqlite:")
        || database_url.starts_with("postgres://")
        || database_url.starts_with("postgresql://"))
    {
        return Err(ConfigError::DatabaseScheme);
    }
    let json_logs = match l.log_format.as_deref() {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => return Err(ConfigError::Invalid("log_format", other.to_string())),
    };
    let notify = match l.notify_adapter.as_deref() {
        None | Some("log") => NotifyAdapter::Log,
        Some("smtp") => NotifyAdapter::Smtp {
            addr: l
                .smtp_addr
                .ok_or(ConfigError::Notify("smtp".into(), "smtp_addr"))?,
            from: l.smtp_from.unwrap_or_else(|| "lianxin@localhost".into()),
        },
        Some("webhook") => NotifyAdapter::Webhook {
            url: l
                .webhook_url
                .ok_or(ConfigError::Notify("webhook".into(), "webhook_url"))?,
        },
        Some(other) => {
            return Err(ConfigError::Notify(
                other.to_string(),
                "one of log, smtp, webhook",
            ));
        }
    };
    let listen = l.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_string());
    let public_url = match l.public_url {
        Some(u) => {
            let u = u.trim().trim_end_matches('/').to_string();
            let rest = u
                .strip_prefix("https://")
                .or_else(|| u.strip_prefix("http://"))
                .unwrap_or("");
            let plain = !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
            if !plain {
                return Err(ConfigError::PublicUrl(u));
            }
            u
        }
        None => format!("http://{listen}"),
    };
    Ok(Config {
        public_url,
        keys_dir: l.keys_dir.unwrap_or_else(|| data_dir.join("keys")),
        tls_proxy: l.tls_proxy.unwrap_or(false),
        // A meeting room signs in from one address: a full standing committee or a town
        // congress within the same minute (issue 7). Guessing stays bounded by the per-account
        // lockout; a plenary venue of several hundred sets LIANXIN_SIGN_IN_RATE higher.
        sign_in_rate: l.sign_in_rate.unwrap_or(60),
        anonymous_rate: l.anonymous_rate.unwrap_or(300),
        data_dir,
        database_url,
        listen,
        json_logs,
        district_staff_see_towns: l.district_staff_see_towns.unwrap_or(true),
        notify,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Layer {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Layer::from_env(|k| map.get(k).cloned()).unwrap()
    }

    #[test]
    fn flag_beats_env_beats_file_beats_default() {
        let file: Layer =
            toml::from_str("listen = \"0.0.0.0:1\"\ndata = \"/file\"\nlog_format = \"json\"")
                .unwrap();
        let e = env(&[("LIANXIN_LISTEN", "0.0.0.0:2"), ("LIANXIN_DATA", "/env")]);
        let flags = Layer {
            listen: Some("0.0.0.0:3".into()),
            ..Layer::default()
        };
        let c = resolve(file.clone(), e.clone(), flags).unwrap();
        assert_eq!(c.listen, "0.0.0.0:3", "flag wins");
        assert_eq!(c.data_dir, PathBuf::from("/env"), "env beats file");
        assert!(c.json_logs, "file beats default");
        let c = resolve(file, Layer::default(), Layer::default()).unwrap();
        assert_eq!(c.listen, "0.0.0.0:1");
        let c = resolve(Layer::default(), Layer::default(), Layer::default()).unwrap();
        assert_eq!(c.listen, DEFAULT_LISTEN);
        assert_eq!(c.data_dir, PathBuf::from(DEFAULT_DATA));
        assert!(c.database_url.starts_with("sqlite://./data/lianxin.sqlite"));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        assert!(toml::from_str::<Layer>("lisen = \"x\"").is_err());
        let bad = Layer {
            database_url: Some("mysql://x".into()),
            ..Layer::default()
        };
        assert!(matches!(
            resolve(bad, Layer::default(), Layer::default()),
            Err(ConfigError::DatabaseScheme)
        ));
        let map =
            |k: &str| (k == "LIANXIN_DISTRICT_STAFF_SEE_TOWNS").then(|| "perhaps".to_string());
        assert!(Layer::from_env(map).is_err());
        let smtp = Layer {
            notify_adapter: Some("smtp".into()),
            ..Layer::default()
        };
        assert!(resolve(smtp, Layer::default(), Layer::default()).is_err());
    }

    #[test]
    fn debug_output_hides_the_database_password() {
        let flags = Layer {
            database_url: Some("postgres://app:s3cret@db/lianxin".into()),
            ..Layer::default()
        };
        let c = resolve(Layer::default(), Layer::default(), flags).unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("postgres://app:***@db/lianxin"));
    }
}
