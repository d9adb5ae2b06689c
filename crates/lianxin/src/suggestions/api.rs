//! `/api/v1/congresses/{cid}/suggestions`: the same commands as the pages, in JSON. What an
//! account sees and may do follows its capacity exactly as on the pages.

use super::domain::Command;
use super::service::{self, Capacity, DraftInput};
use super::store::{self, Scope};
use super::{capacity, guard};
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
        .route(
            "/congresses/{cid}/suggestions/{id}/attachments",
            post(upload_attachment).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::UPLOAD_LIMIT,
            )),
        )
        .route(
            "/congresses/{cid}/suggestions/{id}/attachments/{aid}",
            get(download_attachment),
        )
        .route(
            "/public/congresses/{cid}/replies",
            get(super::public::public_replies),
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
    let id = service::draft(&state.db, congress.id, d, &input, &ctx.origin(&state)?).await?;
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
    pub ratings: Vec<store::RatingRow>,
    /// The files the caller may see (download each at `…/attachments/{aid}`).
    pub attachments: Vec<crate::attachments::Attachment>,
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
        signers: store::signers(&state.db, congress.id, id).await?,
        units: store::units(&state.db, congress.id, id).await?,
        contacts: store::contacts(&state.db, congress.id, id).await?,
        replies: store::replies(&state.db, congress.id, id).await?,
        events: store::events(&state.db, congress.id, id).await?,
        ratings: store::ratings(&state.db, congress.id, id).await?,
        attachments: service::attachments(&state.db, congress.id, &suggestion, cap).await?,
        suggestion,
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
        /// The deputy's comment on the reply (optional).
        #[serde(default)]
        comment: String,
    },
    Delivery,
    /// 并案: the office handles this registered item together with item `into`.
    Merge {
        into: i64,
    },
    /// The office publishes the reply on the public portal (when the congress allows it).
    Publish,
    /// The office withdraws the publication.
    Unpublish,
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
    let o = ctx.origin(&state)?;
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
        ) => {
            let contact = service::ContactInput {
                unit,
                on_date: &on_date,
                form: &form,
                content: &content,
            };
            service::log_contact(db, c, id, &contact, &o).await?
        }
        (Action::Reply { class, body }, Capacity::Unit { unit, head }) => {
            let replied = *state.service::<service::Replied>()?;
            let input = service::ReplyInput {
                unit,
                head,
                class: &class,
                body: &body,
            };
            service::reply(db, c, id, input, &o, replied).await?
        }
        (Action::Rate { rating, comment }, Capacity::Deputy(d)) => {
            service::rate(db, c, id, d, &rating, &comment, &o).await?;
        }
        (Action::Delivery, cap) => service::delivery(db, c, id, cap, &o).await?,
        (Action::Merge { into }, Capacity::Office) => service::merge(db, c, id, into, &o).await?,
        (Action::Publish, Capacity::Office) => service::publish(db, c, id, true, &o).await?,
        (Action::Unpublish, Capacity::Office) => service::publish(db, c, id, false, &o).await?,
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

/// The multipart form of an upload: `purpose` (`material`, `reply`, `delivery`) and `file`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct Upload {
    pub purpose: String,
    #[schema(format = Binary, value_type = String)]
    pub file: Vec<u8>,
}

/// Attaches a file: the lead deputy's material while drafting, the lead unit's reply material
/// while the reply is pending or its evidence while delivery is pending. PDF, Word, Excel, OFD,
/// JPG and PNG whose bytes match the name, up to 8 MB, 10 per kind.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/suggestions/{id}/attachments", tag = "suggestions", params(("cid" = i64, Path), ("id" = i64, Path)),
    request_body(content = Upload, content_type = "multipart/form-data"),
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 413, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path((cid, id)): axum::extract::Path<(i64, i64)>,
    form: axum::extract::Multipart,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let (purpose, file) = crate::attachments::read_upload(form).await?;
    let (name, bytes) = file.unwrap_or_default();
    let aid = service::attach(
        &state.db,
        congress.id,
        id,
        cap,
        crate::attachments::Upload {
            purpose: &purpose,
            file_name: &name,
            bytes: &bytes,
        },
        &ctx.origin(&state)?,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: aid })))
}

/// Downloads an attachment the caller may see (always as an attachment, never inline).
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/suggestions/{id}/attachments/{aid}", tag = "suggestions", params(("cid" = i64, Path), ("id" = i64, Path), ("aid" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::web::errors::Problem)))]
pub async fn download_attachment(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path((cid, id, aid)): axum::extract::Path<(i64, i64, i64)>,
) -> AppResult<axum::response::Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let (a, bytes) = service::download(&state.db, congress.id, id, aid, cap).await?;
    Ok(crate::attachments::download_response(&a, bytes))
}
