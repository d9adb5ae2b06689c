//! 接待日公示 — the coming reception days of a congress's stations on the public portal, with the
//! deputies on duty; a cancelled day stays listed with its reason, so nobody comes in vain.

use super::pages::duty_names;
use super::store::{self, DayRow};
use crate::congress::{self as congresses, Congress};
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Id;
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/stations/{cid}", get(page))
}

/// A published reception day.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicDay {
    #[serde(flatten)]
    pub day: DayRow,
    /// The deputies on duty, joined with 、.
    pub deputies: String,
}

/// The coming days of a congress (from today, at most 100), with their deputies.
pub async fn coming(state: &AppState, congress: CongressId) -> AppResult<Vec<PublicDay>> {
    let today = state.clock.today().to_string();
    let mut out = Vec::new();
    for d in store::days(&state.db, congress, None, &today, false, 100).await? {
        let deputies = duty_names(state, congress, d.id).await?;
        out.push(PublicDay { day: d, deputies });
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "stations/templates/public.html")]
struct Page {
    shell: Shell,
    congress: Congress,
    stations: Vec<store::StationRow>,
    days: Vec<PublicDay>,
}

async fn page(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = congresses::get(&state.db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)?;
    let page = Page {
        stations: store::stations(&state.db, congress.id).await?,
        days: coming(&state, congress.id).await?,
        shell: Shell::new(&state, &ctx, "portal.receptions").await?,
        congress,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}
