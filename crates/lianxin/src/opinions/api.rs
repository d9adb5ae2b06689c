//! `/api/v1/…/opinions`: the same as the pages, in JSON. The public half needs no account (a
//! served form token and the CSRF cookie, as the form has, and the same rate limit); the
//! staff half sees and does exactly what the account's capacity allows on the pages.

use super::domain;
use super::pages::{guard, staff_guard};
use super::service::{self, Handler, OpinionInput};
use super::store::{self, Filter, GroupRow, Opinion, Step, Tally};
use crate::congress as congresses;
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::text::redact::redact;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Id, Ids, Json, Query};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public/congresses/{cid}/opinion-form", get(opinion_form))
        .route("/public/congresses/{cid}/opinions", post(submit_opinion))
        .route("/public/opinions/{code}", get(track_opinion))
        .route("/public/opinions/{code}/rating", post(rate_opinion))
        .route("/congresses/{cid}/opinions", get(list_opinions))
        .route("/congresses/{cid}/opinions/convert", post(convert_opinions))
        .route("/congresses/{cid}/opinions/groups", get(list_groups))
        .route(
            "/congresses/{cid}/opinions/groups/{id}/merge",
            post(merge_group),
        )
        .route("/congresses/{cid}/opinions/insight", get(insight))
        .route("/congresses/{cid}/opinions/{id}", get(get_opinion))
        .route(
            "/congresses/{cid}/opinions/{id}/actions",
            post(act_on_opinion),
        )
}

/// What a client needs to submit: the signed time the form was served (submit no sooner than
/// three seconds later) and the CSRF token to send back as `X-CSRF-Token` with the cookie.
#[derive(Serialize, utoipa::ToSchema)]
pub struct OpinionForm {
    pub issued: String,
    pub csrf: String,
    pub kinds: Vec<String>,
    pub categories: Vec<String>,
}

#[utoipa::path(get, path = "/api/v1/public/congresses/{cid}/opinion-form", tag = "public", params(("cid" = i64, Path)),
    responses((status = 200, body = OpinionForm), (status = 404, body = crate::web::errors::Problem)))]
pub async fn opinion_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<OpinionForm>> {
    congresses::get(&state.db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(axum::Json(OpinionForm {
        issued: service::form_token(&state.db, state.clock.now_ms())?,
        csrf: ctx.csrf.clone(),
        kinds: domain::KINDS.iter().map(|k| k.to_string()).collect(),
        categories: domain::CATEGORIES.iter().map(|k| k.to_string()).collect(),
    }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Receipt {
    /// The code to follow the opinion with, as shown (`K7QX3-M9PZ2`).
    pub tracking_code: String,
}

/// 提交意见 — acknowledged (201) only once committed.
#[utoipa::path(post, path = "/api/v1/public/congresses/{cid}/opinions", tag = "public", params(("cid" = i64, Path)), request_body = OpinionInput,
    responses((status = 201, body = Receipt), (status = 422, body = crate::web::errors::Problem), (status = 429, body = crate::web::errors::Problem)))]
pub async fn submit_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(input): Json<OpinionInput>,
) -> AppResult<(StatusCode, axum::Json<Receipt>)> {
    let congress = congresses::get(&state.db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)?;
    let p = service::prepare_citizen(
        &state.db,
        congress.id,
        &input,
        state.clock.now_ms(),
        ctx.client_addr.clone(),
    )
    .await?;
    let r = state.service::<super::intake::Intake>()?.submit(p).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Receipt {
            tracking_code: domain::show_code(&r.code),
        }),
    ))
}

/// What the citizen's tracking page shows.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Tracking {
    pub tracking_code: String,
    pub kind: domain::OpinionKind,
    pub state: domain::OpinionState,
    /// `congress`, `unit`, `suggestion` or `elsewhere`.
    pub holder: String,
    pub unit: Option<String>,
    pub referral: Option<String>,
    pub due_on: Option<String>,
    pub answer: Option<String>,
    pub answered_on: Option<String>,
    pub rating: Option<String>,
    pub can_rate: bool,
    /// The suggestion it became: its number (empty while a draft) and its state.
    pub suggestion_number: Option<String>,
    pub suggestion_state: Option<String>,
    pub history: Vec<Step>,
}

#[utoipa::path(get, path = "/api/v1/public/opinions/{code}", tag = "public", params(("code" = String, Path)),
    responses((status = 200, body = Tracking), (status = 404, body = crate::web::errors::Problem)))]
pub async fn track_opinion(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> AppResult<axum::Json<Tracking>> {
    let code = domain::normalize_code(&code).ok_or(AppError::NotFound)?;
    let o = store::by_code(&state.db, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    let progress = service::suggestion_progress(&state.db, &o).await?;
    Ok(axum::Json(Tracking {
        tracking_code: domain::show_code(&o.tracking_code),
        can_rate: domain::may_rate(o.state, o.rated_round, o.reopened),
        history: store::steps(&state.db, o.id).await?,
        suggestion_number: progress.as_ref().map(|p| p.0.clone()),
        suggestion_state: progress.map(|p| p.1),
        kind: o.kind,
        state: o.state,
        holder: o.holder,
        unit: o.unit,
        referral: o.referral,
        due_on: o.due_on,
        answer: o.answer,
        answered_on: o.answered_on,
        rating: o.rating,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RatingInput {
    /// `satisfied`, `basically_satisfied` or `unsatisfied` (which needs a reason).
    pub rating: String,
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/public/opinions/{code}/rating", tag = "public", params(("code" = String, Path)), request_body = RatingInput,
    responses((status = 204), (status = 404, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn rate_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Json(r): Json<RatingInput>,
) -> AppResult<StatusCode> {
    service::rate(
        &state.db,
        &code,
        &r.rating,
        &r.reason,
        state.clock.now_ms(),
        ctx.client_addr.clone(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OpinionPage {
    pub items: Vec<Opinion>,
    /// Pass as `before` for the next page.
    pub next: Option<i64>,
}

/// The opinions the account handles, newest first, with the list's filters (`q` in simplified
/// or traditional characters).
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/opinions", tag = "opinions", params(("cid" = i64, Path)),
    responses((status = 200, body = OpinionPage), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_opinions(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(f): Query<Filter>,
) -> AppResult<axum::Json<OpinionPage>> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    let (from, to) = super::pages::date_range(&f);
    let mut items = store::list(&state.db, congress.id, handler.scope(), &f, from, to, 50).await?;
    let next = (items.len() > 50).then(|| items[49].id);
    items.truncate(50);
    Ok(axum::Json(OpinionPage { items, next }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OpinionDetail {
    #[serde(flatten)]
    pub opinion: Opinion,
    /// Masked; absent when none was left or a unit may not see it.
    pub contact: Option<String>,
    pub history: Vec<Step>,
}

#[utoipa::path(get, path = "/api/v1/congresses/{cid}/opinions/{id}", tag = "opinions", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = OpinionDetail), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem)))]
pub async fn get_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<OpinionDetail>> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    let o = store::get(&state.db, congress.id, id)
        .await?
        .filter(|o| handler.sees(o))
        .ok_or(AppError::NotFound)?;
    let contact = if !matches!(handler, Handler::Unit(_)) || o.share_contact == 1 {
        store::contact(&state.db, congress.id, id)
            .await?
            .map(|c| redact(&c))
    } else {
        None
    };
    Ok(axum::Json(OpinionDetail {
        history: store::steps(&state.db, id).await?,
        opinion: o,
        contact,
    }))
}

/// One step on an opinion.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum OpinionAction {
    Answer {
        answer: String,
    },
    Route {
        unit: i64,
    },
    Refer {
        referral: String,
        explanation: String,
    },
    Transfer {
        to: i64,
        reason: String,
    },
    Return {
        reason: String,
    },
    Split,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct OpinionState {
    pub state: String,
    pub holder: String,
    pub congress_id: i64,
}

/// Performs one step (refused steps change nothing: 422 with the reason, or 403).
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/opinions/{id}/actions", tag = "opinions", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = OpinionAction,
    responses((status = 200, body = OpinionState), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn act_on_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(action): Json<OpinionAction>,
) -> AppResult<axum::Json<OpinionState>> {
    let (congress, h) = guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let (db, c) = (&state.db, congress.id);
    match (action, h) {
        (OpinionAction::Answer { answer }, h) => service::answer(db, c, id, h, &answer, &o).await?,
        (OpinionAction::Route { unit }, h) => service::route(db, c, id, h, unit, &o).await?,
        (
            OpinionAction::Refer {
                referral,
                explanation,
            },
            h,
        ) => service::refer(db, c, id, h, &referral, &explanation, &o).await?,
        (OpinionAction::Transfer { to, reason }, Handler::Staff) => {
            service::transfer(db, c, id, CongressId(to), &reason, &o).await?
        }
        (OpinionAction::Return { reason }, Handler::Unit(u)) => {
            service::unit_return(db, c, id, u, &reason, &o).await?
        }
        (OpinionAction::Split, Handler::Staff) => service::split(db, c, id, &o).await?,
        _ => return Err(AppError::Forbidden),
    }
    // After a transfer or a return it may no longer be this account's to read: say so plainly.
    let (state_, holder, congress_id) = store::position(db, id).await?.ok_or(AppError::NotFound)?;
    Ok(axum::Json(OpinionState {
        state: state_,
        holder,
        congress_id,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ConvertInput {
    pub ids: Vec<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Converted {
    /// The draft suggestion, to revise and submit.
    pub suggestion_id: i64,
}

/// 转为代表建议 — the deputy's opinions become one draft suggestion.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/opinions/convert", tag = "opinions", params(("cid" = i64, Path)), request_body = ConvertInput,
    responses((status = 201, body = Converted), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn convert_opinions(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(input): Json<ConvertInput>,
) -> AppResult<(StatusCode, axum::Json<Converted>)> {
    let (congress, h) = guard(&state, &ctx, cid).await?;
    let Handler::Deputy(d) = h else {
        return Err(AppError::Forbidden);
    };
    let o = ctx.origin(&state)?;
    let sid = service::convert(&state.db, congress.id, d, &input.ids, &o).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Converted { suggestion_id: sid }),
    ))
}

#[utoipa::path(get, path = "/api/v1/congresses/{cid}/opinions/groups", tag = "opinions", params(("cid" = i64, Path)),
    responses((status = 200, body = crate::platform::page::Page<GroupRow>), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_groups(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<crate::platform::page::Page<GroupRow>>> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    Ok(axum::Json(crate::platform::page::Page::all(
        store::groups(&state.db, congress.id, 100).await?,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MergeInput {
    /// The open member whose answer reaches the whole group.
    pub primary: i64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Merged {
    pub merged: usize,
}

#[utoipa::path(post, path = "/api/v1/congresses/{cid}/opinions/groups/{id}/merge", tag = "opinions", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = MergeInput,
    responses((status = 200, body = Merged), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn merge_group(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, group): Ids,
    Json(input): Json<MergeInput>,
) -> AppResult<axum::Json<Merged>> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let merged = service::merge(&state.db, congress.id, group, input.primary, &o).await?;
    Ok(axum::Json(Merged { merged }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Insight {
    pub by_place: Vec<Tally>,
    pub by_station: Vec<Tally>,
    pub keywords: Vec<String>,
    pub groups: Vec<GroupRow>,
}

/// The insight page's figures (this year; keywords of this month).
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/opinions/insight", tag = "opinions", params(("cid" = i64, Path)),
    responses((status = 200, body = Insight), (status = 403, body = crate::web::errors::Problem)))]
pub async fn insight(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<Insight>> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    let f = super::pages::insight_figures(&state, congress.id).await?;
    Ok(axum::Json(f))
}
