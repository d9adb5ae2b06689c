//! `/api/v1/congresses/{cid}/deputies`, `/units`, and the public find-my-deputy.

use super::domain::DeputyInput;
use super::service::{self, UnitInput};
use super::store::{self, DeputyDetail, DeputyRow, PublicDeputy, Unit};
use super::{current_term, origin};
use crate::accounts::policy::Permission;
use crate::accounts::policy::guard;
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::platform::page::clamp_limit;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Id, Ids, Json, Query};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/congresses/{cid}/deputies",
            get(list_deputies).post(create_deputy),
        )
        .route(
            "/congresses/{cid}/deputies/{id}",
            get(get_deputy).put(update_deputy),
        )
        .route("/congresses/{cid}/deputies/{id}/personal", get(personal))
        .route("/congresses/{cid}/units", get(list_units).post(create_unit))
        .route(
            "/congresses/{cid}/members",
            get(list_members).post(add_member),
        )
        .route("/public/congresses/{cid}/deputies", get(public_deputies))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Search words (Chinese full-text search: traditional or simplified, any part of a word).
    pub q: Option<String>,
    /// The `next` value of the previous page.
    pub after: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct DeputyPage {
    pub items: Vec<DeputyRow>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
}

/// A page of a congress's deputies in pinyin order.
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/deputies", tag = "people", params(("cid" = i64, Path), ListQuery),
    responses((status = 200, body = DeputyPage), (status = 401, body = crate::web::errors::Problem), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_deputies(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<axum::Json<DeputyPage>> {
    let congress = guard(&state, &ctx, cid, Permission::ViewRoster).await?;
    let listing = super::list_deputies(
        &state,
        &congress,
        q.q.as_deref(),
        q.after.as_deref(),
        clamp_limit(q.limit),
    )
    .await?;
    Ok(axum::Json(DeputyPage {
        items: listing.rows,
        next: listing.next,
    }))
}

/// One deputy (ID number masked).
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/deputies/{id}", tag = "people", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = DeputyDetail), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem)))]
pub async fn get_deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<DeputyDetail>> {
    let congress = guard(&state, &ctx, cid, Permission::ViewRoster).await?;
    Ok(axum::Json(
        store::deputy(&state.db, congress.id, id)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Adds a deputy to the congress's current term.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/deputies", tag = "people", params(("cid" = i64, Path)), request_body = DeputyInput,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn create_deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(input): Json<DeputyInput>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    let term = current_term(&state, &congress).await?;
    let id = service::create_deputy_cmd(&state.db, &congress, term, &input, &origin(&state, &ctx)?)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

/// Replaces a deputy's roster fields.
#[utoipa::path(put, path = "/api/v1/congresses/{cid}/deputies/{id}", tag = "people", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = DeputyInput,
    responses((status = 204), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn update_deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(input): Json<DeputyInput>,
) -> AppResult<StatusCode> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    service::update_deputy_cmd(&state.db, &congress, id, &input, &origin(&state, &ctx)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A deputy's personal data in full (ID number, phone, e-mail, address). Only for the offices
/// whose work needs it; every call is recorded in the audit trail.
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/deputies/{id}/personal", tag = "people", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = store::Personal), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem)))]
pub async fn personal(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<store::Personal>> {
    let congress = guard(&state, &ctx, cid, Permission::RevealPersonal).await?;
    Ok(axum::Json(
        service::reveal_personal_cmd(&state.db, &congress, id, &origin(&state, &ctx)?).await?,
    ))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct UnitPage {
    pub items: Vec<Unit>,
    pub next: Option<String>,
}

/// A page of the congress's handling units, by name.
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/units", tag = "people", params(("cid" = i64, Path), ListQuery),
    responses((status = 200, body = UnitPage), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_units(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<axum::Json<UnitPage>> {
    let congress = guard(&state, &ctx, cid, Permission::ViewUnits).await?;
    let listing = super::list_units(
        &state,
        &congress,
        q.q.as_deref(),
        q.after.as_deref(),
        clamp_limit(q.limit),
    )
    .await?;
    Ok(axum::Json(UnitPage {
        items: listing.rows,
        next: listing.next,
    }))
}

/// Adds a handling unit.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/units", tag = "people", params(("cid" = i64, Path)), request_body = UnitInput,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(input): Json<UnitInput>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let congress = guard(&state, &ctx, cid, Permission::EditUnits).await?;
    let id = service::create_unit_cmd(&state.db, &congress, &input, &origin(&state, &ctx)?).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

/// Members of the congress's bodies: standing committee (常委会), presidium (主席团) and special
/// committees (专门委员会), each with their post (chair, vice_chair, member).
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/members", tag = "people", params(("cid" = i64, Path)),
    responses((status = 200, body = crate::platform::page::Page<store::Member>), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_members(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<crate::platform::page::Page<store::Member>>> {
    let congress = guard(&state, &ctx, cid, Permission::ViewRoster).await?;
    let mut out = Vec::new();
    for kind in ["standing_committee", "presidium", "special_committee"] {
        out.extend(store::members(&state.db, congress.id, kind).await?);
    }
    Ok(axum::Json(crate::platform::page::Page::all(out)))
}

/// Puts a deputy of this congress on one of its bodies.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/members", tag = "people", params(("cid" = i64, Path)), request_body = service::MemberInput,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(input): Json<service::MemberInput>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    let id = service::add_member_cmd(&state.db, &congress, &input, &origin(&state, &ctx)?).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PublicQuery {
    /// Constituency id (from the congress's constituencies).
    pub constituency: Option<i64>,
}

/// 找代表 — deputies in office of a congress, with only the fields that may be published.
#[utoipa::path(get, path = "/api/v1/public/congresses/{cid}/deputies", tag = "public", params(("cid" = i64, Path), PublicQuery),
    responses((status = 200, body = crate::platform::page::Page<PublicDeputy>), (status = 404, body = crate::web::errors::Problem)))]
pub async fn public_deputies(
    State(state): State<AppState>,
    Id(cid): Id,
    Query(q): Query<PublicQuery>,
) -> AppResult<axum::Json<crate::platform::page::Page<PublicDeputy>>> {
    let congress = crate::congress::get(&state.db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::Json(crate::platform::page::Page::all(
        store::public_deputies(&state.db, congress.id, q.constituency, 500).await?,
    )))
}
