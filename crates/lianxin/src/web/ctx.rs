//! The request context: language, large-text mode, the CSRF token, and the signed-in actor
//! (from the session cookie or an API bearer token). The middleware also enforces CSRF on every
//! state-changing request that rides on a cookie, and sets the security headers.

use super::AppState;
use crate::accounts;
use crate::accounts::roles::Actor;
use crate::platform::error::AppError;
use crate::platform::i18n::Lang;
use crate::platform::ids::CongressId;
use crate::platform::secret;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, request::Parts};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "lx_session";
pub const CSRF_COOKIE: &str = "lx_csrf";
pub const LANG_COOKIE: &str = "lx_lang";
pub const LARGE_COOKIE: &str = "lx_large";
pub const CONGRESS_COOKIE: &str = "lx_congress";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub large_text: bool,
    pub csrf: String,
    pub actor: Option<Actor>,
    pub session_token: Option<String>,
    /// The session cookie named a session that has ended (idle or absolute timeout).
    pub session_expired: bool,
    pub client_addr: Option<String>,
    /// The congress chosen in the switcher (validated against the actor's scopes by the shell).
    pub chosen_congress: Option<CongressId>,
    /// Path and query of this request, for "back to where you were" after login or a switch.
    pub here: String,
}

impl Ctx {
    pub fn actor(&self) -> Result<&Actor, AppError> {
        self.actor.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// Who acts, from where and when, for a command (the clock read once).
    pub fn origin(
        &self,
        state: &super::AppState,
    ) -> Result<crate::platform::origin::Origin, AppError> {
        self.origin_at(state.clock.now_ms())
    }

    /// The origin of a step at `now` (a handler that read the clock once for several records).
    pub fn origin_at(&self, now: i64) -> Result<crate::platform::origin::Origin, AppError> {
        Ok(crate::platform::origin::Origin {
            user: self.actor()?.user,
            client_addr: self.client_addr.clone(),
            now,
            today: crate::platform::clock::china_date(now),
        })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::internal("context missing"))
    }
}

/// What the error renderer needs to draw a page shell (carried on the response).
#[derive(Debug, Clone)]
pub struct ShellSeed {
    pub lang: Lang,
    pub csrf: String,
    pub large_text: bool,
    pub signed_in: bool,
    pub session_expired: bool,
    pub here: String,
}

pub fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn cookie<'a>(all: &'a [(String, String)], name: &str) -> Option<&'a str> {
    all.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path /, `Secure` behind HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        s.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    HeaderValue::from_str(&s).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        == Some("https")
}

/// A new CSRF token's cookie, for a sign-in: the token a page carried before the session began
/// (perhaps planted by someone else on a shared computer) stops working when it does.
pub fn fresh_csrf_cookie(state: &AppState, headers: &HeaderMap) -> HeaderValue {
    set_cookie(
        CSRF_COOKIE,
        &secret::random_token(),
        None,
        cookies_secure(state, headers),
    )
}

/// Whether cookies carry `Secure`: whenever the deployment says it is behind TLS
/// (`tls_proxy`), whatever the proxy forwards, and when the request says it came by HTTPS. The
/// one decision for every cookie the server sets.
pub fn cookies_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.tls_proxy || is_https(headers)
}

pub async fn context(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let jar = cookies(req.headers());
    // An explicit choice (the switch) wins; otherwise the browser's preference; Chinese by default.
    let lang = cookie(&jar, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_else(|| {
            Lang::from_accept(
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        });
    let existing_csrf = cookie(&jar, CSRF_COOKIE)
        .filter(|v| v.len() == 64)
        .map(str::to_string);
    let new_csrf = existing_csrf.is_none();
    let csrf = existing_csrf.unwrap_or_else(secret::random_token);
    let now = state.clock.now_ms();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string);
    let session_token = cookie(&jar, SESSION_COOKIE)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let mut session_expired = false;
    let actor = if let Some(token) = &bearer {
        match accounts::token_actor(&state.db, token, now).await {
            Ok(Some(a)) => Some(a),
            Ok(None) => return AppError::Unauthenticated.into_response(),
            Err(e) => return AppError::from(e).into_response(),
        }
    } else if let Some(token) = &session_token {
        let policy = match accounts::policy(&state.db).await {
            Ok(p) => p,
            Err(e) => return AppError::from(e).into_response(),
        };
        let presence = match state.service::<crate::accounts::presence::Presence>() {
            Ok(p) => *p,
            Err(e) => return e.into_response(),
        };
        match accounts::session_actor(&state.db, token, now, &policy, presence).await {
            Ok(a) => {
                session_expired = a.is_none();
                a
            }
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        None
    };
    // Behind the TLS proxy the peer is the proxy; the proxy states the client in X-Real-IP
    // (and overwrites whatever a client sent there).
    let client_addr = if state.config.tls_proxy {
        req.headers()
            .get("x-real-ip")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
            .map(|ip| ip.to_string())
    } else {
        req.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
    };
    let path = req.uri().path();
    let class = if req.method() == Method::POST && matches!(path, "/login" | "/login/second-factor")
    {
        Some(super::limit::Class::SignIn)
    } else if actor.is_none()
        && !path.starts_with("/assets/")
        && !matches!(path, "/healthz" | "/readyz" | "/metrics")
    {
        Some(super::limit::Class::Anonymous)
    } else {
        None
    };
    if let Some(class) = class
        && let Err(retry_after) =
            state
                .limiter
                .check(client_addr.as_deref().unwrap_or("-"), class, now)
    {
        let mut resp = AppError::TooManyRequests.into_response();
        if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let secure = cookies_secure(&state, req.headers());

    // CSRF: deny a state-changing request that rides on cookies unless it proves it came from
    // our own page (token in a form field, the query string, or a header). Bearer-token calls
    // carry no ambient credentials and are exempt.
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut req = req;
    if unsafe_method && bearer.is_none() {
        match check_csrf(req, &csrf, new_csrf).await {
            Ok(r) => req = r,
            Err(e) => return e.into_response(),
        }
    }

    // A sign-in still owing its second factor (or its enrolment) reaches only that step.
    if let Some(stage) = actor.as_ref().and_then(|a| a.pending)
        && !crate::accounts::second_factor::allowed_while_pending(stage, req.uri().path())
    {
        return if req.uri().path().starts_with("/api/") {
            AppError::Unauthenticated.into_response()
        } else {
            axum::response::Redirect::to(&crate::accounts::second_factor::next_step(stage, &here))
                .into_response()
        };
    }

    // A one-time password must be replaced before anything else (bootstrap, administrator reset).
    if actor
        .as_ref()
        .is_some_and(|a| a.must_change_password && a.pending.is_none())
        && !allowed_before_password_change(req.uri().path())
    {
        return if req.uri().path().starts_with("/api/") {
            AppError::Denied("password.must_change").into_response()
        } else {
            axum::response::Redirect::to("/account/password").into_response()
        };
    }

    let ctx = Ctx {
        lang,
        large_text: cookie(&jar, LARGE_COOKIE) == Some("1"),
        csrf: csrf.clone(),
        actor,
        session_token: if session_expired { None } else { session_token },
        session_expired,
        client_addr,
        chosen_congress: cookie(&jar, CONGRESS_COOKIE)
            .and_then(|v| v.parse().ok())
            .map(CongressId),
        here: here.clone(),
    };
    let seed = ShellSeed {
        lang,
        csrf: csrf.clone(),
        large_text: ctx.large_text,
        signed_in: ctx.actor.is_some(),
        session_expired,
        here,
    };
    req.extensions_mut().insert(ctx);
    let mut resp = next.run(req).await;
    resp.extensions_mut().insert(seed);
    let h = resp.headers_mut();
    // What the handler set wins: a sign-in sets a new session and a new CSRF token, and the
    // stale session's clearing must not follow it (the browser keeps the last one).
    let sets = |name: &str| {
        h.get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.as_bytes().starts_with(format!("{name}=").as_bytes()))
    };
    let (handler_csrf, handler_session) = (sets(CSRF_COOKIE), sets(SESSION_COOKIE));
    if new_csrf && !handler_csrf {
        h.append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &csrf, None, secure),
        );
    }
    if session_expired && !handler_session {
        h.append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), secure),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if secure {
        // Only behind TLS: HSTS on plain HTTP would be ignored, and on localhost harmful.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Checks the CSRF token of a cookie-authenticated state-changing request. A URL-encoded body is
/// read (within the body limit), checked and put back for the handler.
async fn check_csrf(
    req: Request,
    expected: &str,
    cookie_was_missing: bool,
) -> Result<Request, AppError> {
    if cookie_was_missing {
        // The browser sent no token cookie, so no page of ours issued this form.
        return Err(AppError::Csrf);
    }
    let from_header = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let from_query = req.uri().query().and_then(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v)
    });
    if let Some(t) = from_header.or(from_query) {
        return if secret::same(&t, expected) {
            Ok(req)
        } else {
            Err(AppError::Csrf)
        };
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(AppError::Csrf);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, super::BODY_LIMIT)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?;
    let fields: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| AppError::BadRequest("error.bad_form"))?;
    let token = fields
        .iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !secret::same(token, expected) {
        return Err(AppError::Csrf);
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// What a user with a one-time password may still reach.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/account/password" | "/logout" | "/prefs" | "/healthz" | "/readyz"
    ) || path.starts_with("/assets/")
}

/// A local redirect target: only a path on this site — one leading `/`, and no control
/// character, white space or backslash anywhere (browsers drop a tab or newline, so `/\t/evil`
/// becomes `//evil`, another host).
pub fn safe_next(next: &str) -> &str {
    let clean = !next
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || c == '\\');
    if clean && next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/home"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_redirect_targets() {
        assert_eq!(super::safe_next("/c/1/deputies?q=x"), "/c/1/deputies?q=x");
        assert_eq!(super::safe_next("//evil.example"), "/home");
        assert_eq!(super::safe_next("https://evil.example"), "/home");
        assert_eq!(super::safe_next("/\\evil"), "/home");
        for evil in [
            "/\t/evil.example",
            "/\n/evil",
            "/ /evil",
            "/\u{3000}/evil",
            "/a\\b",
            "/\r\n//x",
        ] {
            assert_eq!(super::safe_next(evil), "/home", "{evil:?}");
        }
    }
}
