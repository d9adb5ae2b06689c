//! `/api/v1/public/congresses/{cid}/reception-days`: the published reception days, for anyone.

use super::public::{PublicDay, coming};
use crate::congress as congresses;
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::extract::Id;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/public/congresses/{cid}/reception-days",
        get(public_reception_days),
    )
}

/// 接待日 — the coming reception days of a congress's stations with the deputies on duty
/// (cancelled ones included, with their reason).
#[utoipa::path(get, path = "/api/v1/public/congresses/{cid}/reception-days", tag = "public", params(("cid" = i64, Path)),
    responses((status = 200, body = crate::platform::page::Page<PublicDay>), (status = 404, body = crate::web::errors::Problem)))]
pub async fn public_reception_days(
    State(state): State<AppState>,
    Id(cid): Id,
) -> AppResult<axum::Json<crate::platform::page::Page<PublicDay>>> {
    let congress = congresses::get(&state.db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::Json(crate::platform::page::Page::all(
        coming(&state, congress.id).await?,
    )))
}
