//! Runs a command once more when PostgreSQL aborted it to break a deadlock (`db::is_retryable`):
//! the aborted transaction wrote nothing, so running the same request again is what the user
//! would do by pressing the button a second time, without the error page. One place for every
//! command, pages and API alike; the second failure is answered "busy" (503, `Retry-After`).
//!
//! Only writes are buffered (safe methods never write), and only bodies whose length is declared
//! and within the upload limit: the body must be read whole to be sent twice.

use crate::platform::error::Retryable;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn once_more_on_deadlock(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let replayable = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && declared.is_some_and(|n| n <= super::UPLOAD_LIMIT);
    if !replayable {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, super::UPLOAD_LIMIT).await {
        Ok(b) => b,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let again = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
    let first = next
        .clone()
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if first.extensions().get::<Retryable>().is_none() {
        return first;
    }
    tracing::info!(path = %again.uri().path(), "deadlock: running the command once more");
    let mut second = next.run(again).await;
    // Aborted twice: the answer is "busy, try again" (its status is already 503).
    second.extensions_mut().remove::<Retryable>();
    second
}
