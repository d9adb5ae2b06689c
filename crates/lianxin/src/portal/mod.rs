//! 门户 — the public pages for citizens without an account: the congress and its towns, find my
//! deputy, and the liaison stations. Later modules add opinion submission and tracking here.

use crate::congress::{self as congresses, Congress, CongressLevel};
use crate::people::{self as people, Named, PublicDeputy, Station};
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Query;
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/find", get(find))
}

#[derive(Template)]
#[template(path = "portal/templates/home.html")]
struct HomePage {
    shell: Shell,
    district: Option<Congress>,
    towns: Vec<Congress>,
    stations: Vec<Station>,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let all = congresses::all(&state.db).await?;
    let district = all
        .iter()
        .find(|c| c.level == CongressLevel::District)
        .cloned();
    let towns: Vec<Congress> = all
        .iter()
        .filter(|c| c.parent.is_some() && c.parent == district.as_ref().map(|d| d.id))
        .cloned()
        .collect();
    let stations = match &district {
        Some(d) => people::stations_of_district(&state.db, d.id).await?,
        None => Vec::new(),
    };
    let shell = Shell::new(&state, &ctx, "portal.title").await?;
    Ok(Html(
        HomePage {
            shell,
            district,
            towns,
            stations,
        }
        .render()
        .map_err(AppError::internal)?,
    )
    .into_response())
}

#[derive(Deserialize)]
struct FindQuery {
    congress: Option<String>,
    constituency: Option<String>,
}

#[derive(Template)]
#[template(path = "portal/templates/find.html")]
struct FindPage {
    shell: Shell,
    congresses: Vec<Congress>,
    congress: Option<Congress>,
    /// Id of the chosen congress, 0 when none.
    chosen: i64,
    constituencies: Vec<Named>,
    /// Id of the chosen constituency, 0 when none.
    chosen_constituency: i64,
    deputies: Vec<PublicDeputy>,
}

/// 找代表: choose a congress (district or town), then a constituency.
async fn find(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<FindQuery>,
) -> AppResult<Response> {
    let all = congresses::all(&state.db).await?;
    let chosen = q
        .congress
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| s.parse::<i64>().ok());
    let congress = match chosen {
        Some(id) => Some(
            all.iter()
                .find(|c| c.id == CongressId(id))
                .cloned()
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let constituency = q
        .constituency
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok());
    let (constituencies, deputies) = match &congress {
        Some(c) => (
            people::constituencies(&state.db, c.id).await?,
            people::public_deputies(&state.db, c.id, constituency, 500).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let shell = Shell::new(&state, &ctx, "portal.find_title").await?;
    let chosen = congress.as_ref().map_or(0, |c| c.id.0);
    let page = FindPage {
        shell,
        congresses: all,
        congress,
        chosen,
        constituencies,
        chosen_constituency: constituency.unwrap_or(0),
        deputies,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}
