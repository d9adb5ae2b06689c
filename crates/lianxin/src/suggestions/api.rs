//! `/api/v1/congresses/{cid}/suggestions`: the same commands as the pages, in JSON. What an
//! account sees and may do follows its capacity exactly as on the pages.

use super::domain::Command;
use super::service::{self, Capacity, DraftInput};
use super::store::{self, Scope};
use super::{capacity, guard, origin};
use crate::platform::error::{AppError, AppResult};
use crate::platform::page::clamp_limit;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Id, Ids, Json, Query};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/congresses/{cid}/suggestions",
            get(list_suggestions).post(create_suggestion),
        )
        .route("/congresses/{cid}/suggestions/{id}", get(get_suggestion))
        .route(
            "/congresses/{cid}/suggestions/{id}/actions",
            post(act_on_suggestion),
        )
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// One state (`submitted`, `assigned`, …).
    pub state: Option<String>,
    /// The `next` value of the previous page.
    pub before: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestionPage {
    pub items: Vec<store::Suggestion>,
    pub next: Option<i64>,
}

/// The suggestions the caller may see: all (the office), those assigned to their unit, or those
/// they lead or were invited to sign (a deputy); newest first.
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/suggestions", tag = "suggestions", params(("cid" = i64, Path), ListQuery),
    responses((status = 200, body = SuggestionPage), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_suggestions(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<axum::Json<SuggestionPage>> {
    let congress = guard(&state, &ctx, cid).await?;
    let scope = match capacity(&state, &ctx, &congress).await? {
        Capacity::Office => Scope::All,
        Capacity::Deputy(d) => Scope::Deputy(d),
        Capacity::Unit { unit, .. } => Scope::Unit(unit),
    };
    let limit = clamp_limit(q.limit);
    let mut items = store::list(
        &state.db,
        congress.id,
        scope,
        q.state.as_deref(),
        q.before,
        limit,
    )
    .await?;
    let next = (items.len() as i64 > limit).then(|| items[limit as usize - 1].id);
    items.truncate(limit as usize);
    Ok(axum::Json(SuggestionPage { items, next }))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// A deputy drafts a suggestion; co-signers named are invited.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/suggestions", tag = "suggestions", params(("cid" = i64, Path)), request_body = DraftInput,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn create_suggestion(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(input): Json<DraftInput>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let congress = guard(&state, &ctx, cid).await?;
    let Capacity::Deputy(d) = capacity(&state, &ctx, &congress).await? else {
        return Err(AppError::Forbidden);
    };
    let id = service::draft(&state.db, congress.id, d, &input, &origin(&state, &ctx)?).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SuggestionDetail {
    pub suggestion: store::Suggestion,
    pub signers: Vec<store::Signer>,
    pub units: Vec<store::UnitLink>,
    pub contacts: Vec<store::Contact>,
    pub replies: Vec<store::Reply>,
    pub events: Vec<store::Event>,
}

/// One suggestion with its co-signers, units, contacts, replies and history.
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/suggestions/{id}", tag = "suggestions", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = SuggestionDetail), (status = 404, body = crate::web::errors::Problem)))]
pub async fn get_suggestion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<SuggestionDetail>> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let suggestion = service::load(&state.db, congress.id, id, cap).await?;
    Ok(axum::Json(SuggestionDetail {
        suggestion,
        signers: store::signers(&state.db, congress.id, id).await?,
        units: store::units(&state.db, congress.id, id).await?,
        contacts: store::contacts(&state.db, congress.id, id).await?,
        replies: store::replies(&state.db, congress.id, id).await?,
        events: store::events(&state.db, congress.id, id).await?,
    }))
}

/// One step of the lifecycle.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    Accept,
    Decline,
    Submit,
    Withdraw,
    Register,
    ReturnForRevision {
        reason: String,
    },
    Reject {
        reason: String,
    },
    Assign {
        lead_unit: i64,
        #[serde(default)]
        co_units: Vec<i64>,
        #[serde(default)]
        complex: bool,
    },
    UnitReturn {
        reason: String,
    },
    Contact {
        on_date: String,
        form: String,
        content: String,
    },
    Reply {
        class: String,
        body: String,
    },
    Rate {
        rating: String,
    },
    Delivery,
    Close {
        reason: String,
    },
    RequestExtension {
        months: i64,
        reason: String,
    },
    DecideExtension {
        approve: bool,
    },
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionResult {
    /// The item's state after the action.
    pub state: String,
}

/// Performs one step (refused steps change nothing and answer 422 with the reason, or 403).
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/suggestions/{id}/actions", tag = "suggestions", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = Action,
    responses((status = 200, body = ActionResult), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn act_on_suggestion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(action): Json<Action>,
) -> AppResult<axum::Json<ActionResult>> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let o = origin(&state, &ctx)?;
    let db = &state.db;
    let c = congress.id;
    let wrong = || AppError::Forbidden;
    match (action, cap) {
        (Action::Accept, Capacity::Deputy(d)) => {
            service::answer_invitation(db, c, id, d, true, &o).await?
        }
        (Action::Decline, Capacity::Deputy(d)) => {
            service::answer_invitation(db, c, id, d, false, &o).await?
        }
        (Action::Submit, Capacity::Deputy(d)) => {
            service::lead_action(db, c, id, d, false, &o).await?
        }
        (Action::Withdraw, Capacity::Deputy(d)) => {
            service::lead_action(db, c, id, d, true, &o).await?
        }
        (Action::Register, Capacity::Office) => {
            service::review(db, c, id, Command::Register, "", &o).await?;
        }
        (Action::ReturnForRevision { reason }, Capacity::Office) => {
            service::review(db, c, id, Command::ReturnForRevision, &reason, &o).await?;
        }
        (Action::Reject { reason }, Capacity::Office) => {
            service::review(db, c, id, Command::Reject, &reason, &o).await?;
        }
        (
            Action::Assign {
                lead_unit,
                co_units,
                complex,
            },
            Capacity::Office,
        ) => {
            service::assign(db, c, id, Some(lead_unit), &co_units, complex, &o).await?;
        }
        (Action::UnitReturn { reason }, Capacity::Unit { unit, .. }) => {
            service::unit_return(db, c, id, unit, &reason, &o).await?
        }
        (
            Action::Contact {
                on_date,
                form,
                content,
            },
            Capacity::Unit { unit, .. },
        ) => service::log_contact(db, c, id, unit, &on_date, &form, &content, &o).await?,
        (Action::Reply { class, body }, Capacity::Unit { unit, head }) => {
            service::reply(db, c, id, unit, head, &class, &body, &o).await?
        }
        (Action::Rate { rating }, Capacity::Deputy(d)) => {
            service::rate(db, c, id, d, &rating, &o).await?;
        }
        (Action::Delivery, cap) => service::delivery(db, c, id, cap, &o).await?,
        (Action::Close { reason }, Capacity::Office) => {
            service::close_escalated(db, c, id, &reason, &o).await?
        }
        (Action::RequestExtension { months, reason }, Capacity::Unit { unit, .. }) => {
            service::request_extension(db, c, id, unit, months, &reason, &o).await?
        }
        (Action::DecideExtension { approve }, Capacity::Office) => {
            service::decide_extension(db, c, id, approve, &o).await?
        }
        _ => return Err(wrong()),
    }
    let s = store::get(db, c, id).await?.ok_or(AppError::NotFound)?;
    Ok(axum::Json(ActionResult { state: s.state }))
}
