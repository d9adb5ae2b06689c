//! `/api/v1/congresses/{cid}/motions`: the motion commands in JSON, with the same capacities as
//! the pages (the office and deputies; units have no part in motions).

use super::service::{self, MotionInput};
use super::store::{self, Motion};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult};
use crate::suggestions::service::Capacity;
use crate::suggestions::{capacity, guard};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Id, Ids, Json};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/congresses/{cid}/motions",
            get(list_motions).post(create_motion),
        )
        .route("/congresses/{cid}/motions/{id}", get(get_motion))
        .route(
            "/congresses/{cid}/motions/{id}/actions",
            post(act_on_motion),
        )
        .route(
            "/congresses/{cid}/motions/deadline",
            get(get_motion_deadline).put(set_motion_deadline),
        )
}

async fn who(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<(Congress, Capacity)> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        cap @ (Capacity::Office | Capacity::Deputy(_)) => Ok((congress, cap)),
        Capacity::Unit { .. } => Err(AppError::Forbidden),
    }
}

/// The motions the caller may see: all (the office) or those they lead or sign (a deputy).
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/motions", tag = "suggestions", params(("cid" = i64, Path)),
    responses((status = 200, body = crate::platform::page::Page<Motion>), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_motions(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<crate::platform::page::Page<Motion>>> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let deputy = match cap {
        Capacity::Deputy(d) => Some(d),
        _ => None,
    };
    Ok(axum::Json(crate::platform::page::Page::all(
        store::list(&state.db, congress.id, deputy).await?,
    )))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Drafts a motion: a deputy's (signers invited by name) or, by the office, an institution's.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/motions", tag = "suggestions", params(("cid" = i64, Path)), request_body = MotionInput,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn create_motion(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(input): Json<MotionInput>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let lead = match cap {
        Capacity::Deputy(d) => Some(d),
        _ => None,
    };
    let id = service::draft(&state.db, congress.id, lead, &input, &ctx.origin(&state)?).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MotionDetail {
    pub motion: Motion,
    pub signers: Vec<super::store::Signer>,
    pub events: Vec<super::store::Event>,
}

/// One motion with its signers and history.
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/motions/{id}", tag = "suggestions", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = MotionDetail), (status = 404, body = crate::web::errors::Problem)))]
pub async fn get_motion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<MotionDetail>> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let motion = service::get(&state.db, congress.id, id).await?;
    let signers = store::signers(&state.db, congress.id, id).await?;
    if let Capacity::Deputy(d) = cap
        && motion.lead_deputy_id != Some(d)
        && !signers.iter().any(|g| g.deputy_id == d)
    {
        return Err(AppError::NotFound);
    }
    Ok(axum::Json(MotionDetail {
        motion,
        signers,
        events: store::events(&state.db, congress.id, id).await?,
    }))
}

/// One step of a motion.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MotionAction {
    Accept,
    Decline,
    File,
    /// The presidium's decision: `on_agenda`, `refer` (with `committee`) or `not_on_agenda` (with `note`).
    Decide {
        decision: String,
        #[serde(default)]
        committee: Option<i64>,
        #[serde(default)]
        note: String,
    },
    Report {
        report: String,
    },
    /// The lead deputy's answer on handling it as a suggestion.
    Convert {
        agrees: bool,
    },
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MotionActionResult {
    pub state: super::domain::MotionState,
    /// The suggestion it continues as, after an agreed conversion.
    pub suggestion_id: Option<i64>,
}

/// Performs one step of a motion (refused steps change nothing: 422 with the reason, or 403).
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/motions/{id}/actions", tag = "suggestions", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = MotionAction,
    responses((status = 200, body = MotionActionResult), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn act_on_motion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(action): Json<MotionAction>,
) -> AppResult<axum::Json<MotionActionResult>> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let db = &state.db;
    let c = congress.id;
    match (action, cap) {
        (MotionAction::Accept, Capacity::Deputy(d)) => {
            service::answer(db, c, id, d, true, &o).await?
        }
        (MotionAction::Decline, Capacity::Deputy(d)) => {
            service::answer(db, c, id, d, false, &o).await?
        }
        (MotionAction::File, Capacity::Deputy(d)) => {
            service::file(db, &congress, id, Some(d), &o).await?;
        }
        (MotionAction::File, Capacity::Office) => {
            service::file(db, &congress, id, None, &o).await?;
        }
        (
            MotionAction::Decide {
                decision,
                committee,
                note,
            },
            Capacity::Office,
        ) => service::decide(db, c, id, &decision, committee, &note, &o).await?,
        (MotionAction::Report { report }, Capacity::Office) => {
            service::report(db, c, id, &report, &o).await?
        }
        (MotionAction::Convert { agrees }, Capacity::Deputy(d)) => {
            service::convert(db, c, id, d, agrees, &o).await?;
        }
        _ => return Err(AppError::Forbidden),
    }
    let m = service::get(db, c, id).await?;
    Ok(axum::Json(MotionActionResult {
        state: m.state,
        suggestion_id: m.suggestion_id,
    }))
}

/// The sitting session and the presidium's deadline for motions at it.
#[derive(Serialize, Deserialize, utoipa::ToSchema)]
pub struct MotionDeadline {
    /// The session sitting today (absent when none sits).
    #[serde(default)]
    pub session: Option<i64>,
    /// `YYYY-MM-DDTHH:MM`, Beijing time; absent or empty when the presidium set none.
    #[serde(default)]
    pub deadline: Option<String>,
}

/// 议案截止时间 — the deadline for motions at the sitting session.
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/motions/deadline", tag = "motions", params(("cid" = i64, Path)),
    responses((status = 200, body = MotionDeadline), (status = 403, body = crate::web::errors::Problem)))]
pub async fn get_motion_deadline(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<MotionDeadline>> {
    let (congress, _) = who(&state, &ctx, cid).await?;
    let sitting = service::sitting_session(&state.db, congress.id, &ctx.origin(&state)?).await?;
    Ok(axum::Json(MotionDeadline {
        session: sitting.as_ref().map(|(s, _)| *s),
        deadline: sitting.and_then(|(_, d)| d),
    }))
}

/// The office records (or clears) the presidium's deadline for motions at the sitting session.
#[utoipa::path(put, path = "/api/v1/congresses/{cid}/motions/deadline", tag = "motions", params(("cid" = i64, Path)), request_body = MotionDeadline,
    responses((status = 200, body = MotionDeadline), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn set_motion_deadline(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(input): Json<MotionDeadline>,
) -> AppResult<axum::Json<MotionDeadline>> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    if cap != Capacity::Office {
        return Err(AppError::Forbidden);
    }
    let o = ctx.origin(&state)?;
    service::set_deadline(
        &state.db,
        congress.id,
        input.deadline.as_deref().unwrap_or(""),
        &o,
    )
    .await?;
    let sitting = service::sitting_session(&state.db, congress.id, &o).await?;
    Ok(axum::Json(MotionDeadline {
        session: sitting.as_ref().map(|(s, _)| *s),
        deadline: sitting.and_then(|(_, d)| d),
    }))
}
