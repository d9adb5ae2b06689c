//! 建议答复公开 — the published replies on the public portal, for anyone without an account:
//! `/replies/{cid}` lists them, `/replies/{cid}/{id}` shows one, and
//! `/api/v1/public/congresses/{cid}/replies` gives the same as JSON. Only items the office
//! published are read, and their text passes through `text::redact` on the way out.

use super::store::{self, Published};
use crate::congress::{self as congresses, Congress};
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::platform::page::clamp_limit;
use crate::text::redact::redact;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/replies/{cid}", get(list_page))
        .route("/replies/{cid}/{id}", get(detail_page))
}

fn cleaned(mut p: Published) -> Published {
    p.title = redact(&p.title);
    p.body = redact(&p.body);
    p
}

async fn congress_of(state: &AppState, cid: i64) -> AppResult<Congress> {
    congresses::get(&state.db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PublicListQuery {
    /// The `next` value of the previous page.
    pub before: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

const PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "suggestions/templates/public_list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<Published>,
    next: Option<i64>,
}

async fn list_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<PublicListQuery>,
) -> AppResult<Response> {
    let congress = congress_of(&state, cid).await?;
    let mut rows = store::published(&state.db, congress.id, q.before, PAGE + 1).await?;
    let next = (rows.len() as i64 > PAGE).then(|| rows[PAGE as usize - 1].id);
    rows.truncate(PAGE as usize);
    let page = ListPage {
        shell: Shell::new(&state, &ctx, "portal.replies").await?,
        congress,
        rows: rows.into_iter().map(cleaned).collect(),
        next,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}

#[derive(Template)]
#[template(path = "suggestions/templates/public_detail.html")]
struct DetailPage {
    shell: Shell,
    congress: Congress,
    p: Published,
}

async fn detail_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = congress_of(&state, cid).await?;
    let p = store::published_one(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let page = DetailPage {
        shell: Shell::new(&state, &ctx, "portal.replies").await?,
        congress,
        p: cleaned(p),
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PublishedPage {
    pub items: Vec<Published>,
    pub next: Option<i64>,
}

/// 建议答复公开 — the replies a congress published, personal data removed; newest first.
#[utoipa::path(get, path = "/api/v1/public/congresses/{cid}/replies", tag = "public", params(("cid" = i64, Path), PublicListQuery),
    responses((status = 200, body = PublishedPage), (status = 404, body = crate::web::errors::Problem)))]
pub async fn public_replies(
    State(state): State<AppState>,
    Id(cid): Id,
    Query(q): Query<PublicListQuery>,
) -> AppResult<axum::Json<PublishedPage>> {
    let congress = congress_of(&state, cid).await?;
    let limit = clamp_limit(q.limit);
    let mut rows = store::published(&state.db, congress.id, q.before, limit + 1).await?;
    let next = (rows.len() as i64 > limit).then(|| rows[limit as usize - 1].id);
    rows.truncate(limit as usize);
    Ok(axum::Json(PublishedPage {
        items: rows.into_iter().map(cleaned).collect(),
        next,
    }))
}
