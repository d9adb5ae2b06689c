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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    /// A handler that is aborted `aborts` times, then answers with the body it was sent.
    fn app(aborts: usize) -> (Router, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let seen = calls.clone();
        // A fallback, not a route: the route matrix reads every route the sources declare.
        let router = Router::new()
            .fallback(move |body: String| {
                let n = seen.fetch_add(1, Ordering::SeqCst);
                async move {
                    if n < aborts {
                        let mut r = StatusCode::SERVICE_UNAVAILABLE.into_response();
                        r.extensions_mut().insert(Retryable);
                        r
                    } else {
                        (StatusCode::CREATED, body).into_response()
                    }
                }
            })
            .layer(axum::middleware::from_fn(once_more_on_deadlock));
        (router, calls)
    }

    fn request(body: &'static str) -> Request {
        Request::post("/w")
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap_or_default()
    }

    async fn text(r: Response) -> String {
        let b = to_bytes(r.into_body(), 1024).await.unwrap_or_default();
        String::from_utf8_lossy(&b).into_owned()
    }

    #[tokio::test]
    async fn an_aborted_command_runs_once_more_with_the_same_body() {
        let (router, calls) = app(1);
        let r = router.oneshot(request("名字=张三")).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(text(r).await, "名字=张三");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn aborted_twice_is_busy_and_not_run_a_third_time() {
        let (router, calls) = app(5);
        let r = router.oneshot(request("x")).await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(r.extensions().get::<Retryable>().is_none());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_command_that_succeeds_or_fails_otherwise_runs_once() {
        let (router, calls) = app(0);
        let r = router.oneshot(request("x")).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
