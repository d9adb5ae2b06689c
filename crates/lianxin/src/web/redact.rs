//! What the request log may say of a request's address: the path and query with their secrets
//! masked — CSRF tokens (`_csrf`), tracking and check-in codes (`code`, and the tracking code in
//! `/api/v1/public/opinions/{code}`), signed form times (`issued`) and tokens — so that a debug
//! log handed to a vendor lets no one act as a citizen or a member.

use axum::http::Uri;

/// Query keys whose values are secrets.
const SECRET_KEYS: &[&str] = &["_csrf", "code", "issued", "token"];

/// Paths whose last segments are secrets: the prefix, then the secret segment.
const SECRET_PATHS: &[&str] = &["/api/v1/public/opinions/"];

pub fn loggable(uri: &Uri) -> String {
    let mut path = uri.path().to_string();
    for prefix in SECRET_PATHS {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.split_once('/').map(|(_, t)| format!("/{t}"));
            path = format!("{prefix}***{}", tail.unwrap_or_default());
        }
    }
    match uri.query() {
        None => path,
        Some(q) => {
            let masked: Vec<String> = q
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((k, _)) if SECRET_KEYS.contains(&k) => format!("{k}=***"),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", masked.join("&"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(s: &str) -> String {
        loggable(&s.parse().unwrap())
    }

    #[test]
    fn secrets_in_addresses_are_masked_and_nothing_else() {
        assert_eq!(
            log("/track/attachments?code=K7QX3M9PZ2&_csrf=0123abcd"),
            "/track/attachments?code=***&_csrf=***"
        );
        assert_eq!(log("/track?code=K7QX3-M9PZ2"), "/track?code=***");
        assert_eq!(
            log("/api/v1/public/opinions/K7QX3M9PZ2"),
            "/api/v1/public/opinions/***"
        );
        assert_eq!(
            log("/api/v1/public/opinions/K7QX3M9PZ2/rating"),
            "/api/v1/public/opinions/***/rating"
        );
        assert_eq!(
            log("/c/1/meetings/3?code=123456"),
            "/c/1/meetings/3?code=***"
        );
        assert_eq!(
            log("/c/1/deputies?q=%E7%8E%8B&after=abc"),
            "/c/1/deputies?q=%E7%8E%8B&after=abc"
        );
        assert_eq!(log("/healthz"), "/healthz");
    }
}
