//! The web layer: router assembly, middleware, the page shell, error rendering, the OpenAPI
//! document and static assets. It depends on the modules; modules never depend on it except for
//! the shared extractors (`Ctx`, `Form`, `Json`) and the `Shell` their templates extend.

pub mod assets;
pub mod chart;
pub mod ctx;
pub mod errors;
pub mod extract;
pub mod limit;
pub mod metrics;
pub mod openapi;
pub mod ops;
pub mod qr;
pub mod redact;
pub mod retry;
pub mod shell;

use crate::accounts::policy::PolicySettings;
use crate::db::Db;
use crate::platform::clock::Clock;
use crate::platform::config::Config;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use std::sync::Arc;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    pub metrics: Arc<metrics::Metrics>,
    /// Demo mode: banner on every page, demo accounts listed on the login page.
    pub demo: bool,
    pub limiter: Arc<limit::Limiter>,
    /// Citizens' opinions are written by one writer in group commits (`opinions::intake`).
    pub intake: crate::opinions::intake::Intake,
    /// Ballots are written by one writer in group commits (`meetings::ballot_box`).
    pub ballot_box: crate::meetings::ballot_box::BallotBox,
}

impl AppState {
    pub fn policy(&self) -> PolicySettings {
        PolicySettings {
            district_staff_see_towns: self.config.district_staff_see_towns,
        }
    }
}

/// Request bodies above this are refused (413) before a handler sees them; imports have their own.
pub const BODY_LIMIT: usize = 1024 * 1024;
pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let pages = Router::new()
        .merge(crate::portal::routes())
        .merge(crate::accounts::pages::routes())
        .merge(crate::accounts::admin::routes())
        .merge(crate::accounts::second_factor_pages::routes())
        .merge(crate::accounts::tokens::routes())
        .merge(crate::privacy::pages::routes())
        .merge(crate::suggestions::pages::routes())
        .merge(crate::suggestions::motion_pages::routes())
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
        .merge(crate::notify::pages::routes());
    let api = Router::new()
        .merge(crate::accounts::api::routes())
        .merge(crate::congress::api::routes())
        .merge(crate::people::api::routes())
        .merge(crate::suggestions::api::routes())
        .merge(crate::suggestions::motion_api::routes())
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
