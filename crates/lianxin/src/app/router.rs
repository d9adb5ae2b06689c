//! The router: every slice's pages and API joined under the shared middleware (context, deadlock
//! retry, error pages, metrics, body limit, tracing), and the server loop.

use super::openapi;
use crate::web::{AppState, BODY_LIMIT, assets, ctx, errors, metrics, ops, redact, retry};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;

pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(crate::portal::routes())
        .merge(crate::accounts::pages::routes())
        .merge(crate::accounts::admin::routes())
        .merge(crate::accounts::second_factor_pages::routes())
        .merge(crate::accounts::tokens::routes())
        .merge(crate::privacy::pages::routes())
        .merge(crate::suggestions::pages::routes())
        .merge(crate::suggestions::motions::pages::routes())
        .merge(crate::suggestions::stats::routes())
        .merge(crate::suggestions::document_pages::routes())
        .merge(crate::suggestions::public::routes())
        .merge(crate::stations::pages::routes())
        .merge(crate::stations::public::routes())
        .merge(crate::opinions::public::routes())
        .merge(crate::opinions::pages::routes())
        .merge(crate::meetings::pages::routes())
        .merge(crate::meetings::public::routes())
        .merge(crate::livelihood::pages::routes())
        .merge(crate::livelihood::public::routes())
        .merge(crate::congress::admin::routes())
        .merge(crate::calendar::pages::routes())
        .merge(crate::settings::pages::routes())
        .merge(crate::people::pages::routes())
        .merge(crate::notify::pages::routes())
        .merge(super::home::routes());
    let api = Router::new()
        .merge(crate::accounts::api::routes())
        .merge(crate::congress::api::routes())
        .merge(crate::people::api::routes())
        .merge(crate::suggestions::api::routes())
        .merge(crate::suggestions::motions::api::routes())
        .merge(crate::stations::api::routes())
        .merge(crate::opinions::api::routes())
        .merge(crate::meetings::api::routes())
        .merge(crate::livelihood::api::routes())
        .merge(openapi::routes());
    Router::new()
        .merge(pages)
        .nest("/api/v1", api)
        .merge(ops::routes())
        .merge(assets::routes())
        .fallback(errors::not_found)
        .layer(middleware::from_fn_with_state(state.clone(), ctx::context))
        .layer(middleware::from_fn(retry::once_more_on_deadlock))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            errors::render,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| {
                    // The address with its secrets masked (web::redact), never the raw URI.
                    tracing::debug_span!(
                        "request",
                        method = %req.method(),
                        uri = %redact::loggable(req.uri()),
                        version = ?req.version(),
                    )
                },
            ),
        )
        .with_state(state)
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Without TCP_NODELAY, small responses written in two parts stall on delayed ACKs (~40 ms).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
