//! Turns errors into what the user can read: RFC 9457 problem details (Chinese and English) on
//! the API, an HTML page in the user's language elsewhere, and a redirect to the login page when
//! a page needs a signed-in user.

use super::ctx::ShellSeed;
use super::shell::Shell;
use crate::platform::error::{AppError, ErrorInfo};
use crate::platform::i18n::{Lang, tr};
use askama::Template;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

pub async fn not_found() -> AppError {
    AppError::NotFound
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:lianxin:error:<key>`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Title in the language of the request.
    pub title: String,
    pub status: u16,
    pub title_zh: String,
    pub title_en: String,
    /// Field errors, if the input was invalid.
    pub errors: Vec<ProblemField>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Template)]
#[template(path = "web/templates/error.html")]
struct ErrorPage {
    shell: Shell,
    status: u16,
    message: String,
}

pub async fn render(State(state): State<super::AppState>, req: Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let here = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let demo = state.demo;
    let resp = next.run(req).await;
    let info = match resp.extensions().get::<ErrorInfo>() {
        Some(i) => i.clone(),
        None if resp.status() == StatusCode::METHOD_NOT_ALLOWED => ErrorInfo {
            status: StatusCode::METHOD_NOT_ALLOWED,
            key: "error.method",
            fields: Vec::new(),
        },
        // A rejection by the framework before any handler ran (the body limit, a malformed
        // multipart body, a missing content type) comes as text/plain in English: it is
        // answered like every other error, a problem document on the API, a page otherwise.
        None if is_rejection(&resp) => ErrorInfo {
            status: resp.status(),
            key: rejection_key(resp.status()),
            fields: Vec::new(),
        },
        None => return resp,
    };
    let seed = resp.extensions().get::<ShellSeed>().cloned();
    let lang = seed.as_ref().map(|s| s.lang).unwrap_or(Lang::Zh);
    // Keep the cookies the context middleware set (e.g. a fresh CSRF token).
    let cookies: Vec<_> = resp
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    let mut out = if is_api {
        problem(&info, lang)
    } else if info.status == StatusCode::UNAUTHORIZED {
        let expired = seed.as_ref().is_some_and(|s| s.session_expired);
        let mut next = serde_urlencoded::to_string([("next", here.as_str())]).unwrap_or_default();
        if expired {
            next.push_str("&expired=1");
        }
        Redirect::to(&format!("/login?{next}")).into_response()
    } else {
        let shell = match &seed {
            Some(s) => Shell::bare(
                s.lang,
                &s.csrf,
                &s.here,
                demo,
                s.large_text,
                tr(lang, info.key),
            ),
            None => Shell::bare(lang, "", &here, demo, false, tr(lang, info.key)),
        };
        let page = ErrorPage {
            message: tr(lang, &format!("{}.detail", info.key)).to_string(),
            status: info.status.as_u16(),
            shell,
        };
        match page.render() {
            Ok(html) => (info.status, Html(html)).into_response(),
            Err(_) => (info.status, tr(lang, info.key).to_string()).into_response(),
        }
    };
    for c in cookies {
        out.headers_mut().append(header::SET_COOKIE, c);
    }
    // Security headers were set by the context middleware on the original response.
    for (name, value) in resp.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && name != header::SET_COOKIE
            && !out.headers().contains_key(name)
        {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// An error answer that carries no `ErrorInfo` and is plain text: axum's own rejections.
fn is_rejection(resp: &Response) -> bool {
    let status = resp.status();
    let plain = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/plain"));
    plain && (status.is_client_error() || status.is_server_error())
}

/// The message for a rejection, by its status.
fn rejection_key(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "error.content_type",
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::UNAUTHORIZED => "error.unauthenticated",
        StatusCode::FORBIDDEN => "error.forbidden",
        StatusCode::TOO_MANY_REQUESTS => "error.too_many",
        s if s.is_server_error() => "error.internal",
        _ => "error.bad_form",
    }
}

pub fn problem(info: &ErrorInfo, lang: Lang) -> Response {
    let body = Problem {
        kind: format!("urn:lianxin:error:{}", info.key),
        title: tr(lang, info.key).to_string(),
        status: info.status.as_u16(),
        title_zh: tr(Lang::Zh, info.key).to_string(),
        title_en: tr(Lang::En, info.key).to_string(),
        errors: info
            .fields
            .iter()
            .map(|f| ProblemField {
                field: f.field.to_string(),
                message_zh: message(Lang::Zh, f),
                message_en: message(Lang::En, f),
            })
            .collect(),
    };
    let json = serde_json::to_string(&body).unwrap_or_default();
    (
        info.status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        json,
    )
        .into_response()
}

/// A field's message with its `{n}` filled in (the pages do the same in `Shell::with_errors`).
fn message(lang: Lang, f: &crate::platform::error::FieldError) -> String {
    match &f.arg {
        Some(arg) => crate::platform::i18n::trf(lang, f.key, &[("n", arg.as_str())]),
        None => tr(lang, f.key).into(),
    }
}
