//! `/api/v1/congresses`: the public facts of the congresses (names, levels, hierarchy).

use super::{Congress, Session, Term, store};
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::extract::Id;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/congresses", get(list))
        .route("/congresses/{id}", get(detail))
}

/// The district congress and its towns (public).
#[utoipa::path(get, path = "/api/v1/congresses", tag = "congress", responses((status = 200, body = crate::platform::page::Page<Congress>)))]
pub async fn list(
    State(state): State<AppState>,
) -> AppResult<axum::Json<crate::platform::page::Page<Congress>>> {
    Ok(axum::Json(crate::platform::page::Page::all(
        store::all(&state.db).await?,
    )))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CongressDetail {
    pub congress: Congress,
    pub current_term: Option<Term>,
    pub sessions: Vec<Session>,
}

/// One congress with its current term and sessions (public).
#[utoipa::path(get, path = "/api/v1/congresses/{id}", tag = "congress", params(("id" = i64, Path)),
    responses((status = 200, body = CongressDetail), (status = 404, body = crate::web::errors::Problem)))]
pub async fn detail(
    State(state): State<AppState>,
    Id(id): Id,
) -> AppResult<axum::Json<CongressDetail>> {
    let congress = store::get(&state.db, CongressId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let today = state.clock.today().to_string();
    Ok(axum::Json(CongressDetail {
        current_term: store::current_term(&state.db, congress.id, &today).await?,
        sessions: store::sessions(&state.db, congress.id).await?,
        congress,
    }))
}
