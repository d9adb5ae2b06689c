//! One opinion for its handlers: the facts, the citizen's contact (masked; a unit sees it only
//! when the citizen agreed), the history, and the steps the current holder may take — answer,
//! route, refer elsewhere, transfer, convert, return.

use super::{guard, html};
use crate::congress::Congress;
use crate::opinions::domain::{self, OpinionKind};
use crate::opinions::service::{self, Handler, REFERRALS};
use crate::opinions::store::{self, Opinion, Step};
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::CongressId;
use crate::text::redact::redact;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "opinions/templates/detail.html")]
struct DetailPage {
    shell: Shell,
    congress: Congress,
    o: Opinion,
    code: String,
    steps: Vec<Step>,
    /// The citizen's contact with phones, IDs and e-mail masked (None when absent or not for
    /// this handler's eyes).
    contact: Option<String>,
    /// What was just done (`answered`, `entered`, `routed`, …), or empty.
    done: String,
    handler: HandlerView,
    holds: bool,
    overdue: bool,
    units: Vec<(i64, String)>,
    referrals: Vec<(String, String)>,
    /// The congresses it may be transferred to: the district above a town, the towns below.
    related: Vec<(i64, String)>,
    /// The suggestion it became: its number (or "draft") and state label.
    suggestion: Option<(String, String)>,
    /// The citizen's photos and documents.
    files: Vec<crate::attachments::Attachment>,
}

/// What the template needs to know of the handler.
struct HandlerView {
    staff: bool,
    deputy: bool,
    unit: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    id: i64,
    errors: &[FieldError],
    done: String,
) -> AppResult<Response> {
    let (congress, handler) = guard(state, ctx, cid).await?;
    let o = store::get(&state.db, congress.id, id)
        .await?
        .filter(|o| handler.sees(o))
        .ok_or(AppError::NotFound)?;
    // A unit sees the contact only when the citizen agreed to it (issue 6 item 2).
    let may_see_contact = !matches!(handler, Handler::Unit(_)) || o.share_contact == 1;
    let contact = if may_see_contact {
        store::contact(&state.db, congress.id, id)
            .await?
            .map(|c| redact(&c))
    } else {
        None
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let holds = handler.holds(&o);
    let units = if holds && !matches!(handler, Handler::Unit(_)) {
        crate::people::units(&state.db, congress.id, None, 500)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect()
    } else {
        Vec::new()
    };
    let related = if holds && handler == Handler::Staff {
        crate::congress::all(&state.db)
            .await?
            .into_iter()
            .filter(|c| congress.parent == Some(c.id) || c.parent == Some(congress.id))
            .map(|c| (c.id.0, c.name))
            .collect()
    } else {
        Vec::new()
    };
    let suggestion = service::suggestion_progress(&state.db, &o).await?;
    let shell = Shell::new(state, ctx, "opinions.title")
        .await?
        .with_errors(errors);
    let referrals = REFERRALS
        .iter()
        .map(|r| (r.to_string(), shell.t.k("opinion.referral", r)))
        .collect();
    let today = state.clock.today().to_string();
    let congress_id = congress.id;
    html(
        status,
        DetailPage {
            code: domain::show_code(&o.tracking_code),
            steps: store::steps(&state.db, id).await?,
            overdue: o.is_open() && o.due_on.as_deref().is_some_and(|d| d < today.as_str()),
            shell,
            congress,
            o,
            contact,
            done,
            handler: HandlerView {
                staff: handler == Handler::Staff,
                deputy: matches!(handler, Handler::Deputy(_)),
                unit: matches!(handler, Handler::Unit(_)),
            },
            holds,
            units,
            referrals,
            related,
            suggestion,
            files: service::attachments(&state.db, congress_id, id).await?,
        },
    )
}

pub(super) async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    render(&state, &ctx, cid, id, &[], q.done).await
}

/// After a step: back to the opinion with its confirmation, or the page with the errors.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    id: i64,
    done: &str,
    r: Result<(), AppError>,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/c/{cid}/opinions/{id}?done={done}")).into_response()),
        Err(AppError::Invalid(errs)) => render(state, ctx, cid, id, &errs, String::new()).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct StepForm {
    answer: String,
    unit: String,
    referral: String,
    explanation: String,
    to: String,
    reason: String,
}

pub(super) async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let r = service::answer(&state.db, congress.id, id, handler, &f.answer, &o).await;
    after(&state, &ctx, cid, id, "answered", r).await
}

pub(super) async fn route(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let unit = f.unit.trim().parse().unwrap_or(0);
    let r = service::route(&state.db, congress.id, id, handler, unit, &o).await;
    after(&state, &ctx, cid, id, "routed", r).await
}

pub(super) async fn unit_return(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    let Handler::Unit(unit) = handler else {
        return Err(AppError::Forbidden);
    };
    let o = ctx.origin(&state)?;
    let r = service::unit_return(&state.db, congress.id, id, unit, &f.reason, &o).await;
    match r {
        // The unit no longer sees it once returned.
        Ok(()) => Ok(Redirect::to(&format!("/c/{cid}/opinions?returned=1")).into_response()),
        Err(e) => after(&state, &ctx, cid, id, "", Err(e)).await,
    }
}

pub(super) async fn refer(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let r = service::refer(
        &state.db,
        congress.id,
        id,
        handler,
        &f.referral,
        &f.explanation,
        &o,
    )
    .await;
    after(&state, &ctx, cid, id, "referred", r).await
}

pub(super) async fn transfer(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    if handler != Handler::Staff {
        return Err(AppError::Forbidden);
    }
    let o = ctx.origin(&state)?;
    let to = CongressId(f.to.trim().parse().unwrap_or(0));
    match service::transfer(&state.db, congress.id, id, to, &f.reason, &o).await {
        // It now belongs to the other congress: back to this one's list.
        Ok(()) => Ok(Redirect::to(&format!("/c/{cid}/opinions?transferred=1")).into_response()),
        Err(e) => after(&state, &ctx, cid, id, "", Err(e)).await,
    }
}

/// 转为代表建议 — from the deputy's list (several ticked: `op-<id>`) or one opinion's page.
pub(super) async fn convert(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    let Handler::Deputy(deputy) = handler else {
        return Err(AppError::Forbidden);
    };
    let mut ids: Vec<i64> = f
        .iter()
        .filter(|(_, v)| service::checked(v))
        .filter_map(|(k, _)| k.strip_prefix("op-")?.parse().ok())
        .collect();
    ids.sort_unstable();
    let o = ctx.origin(&state)?;
    match service::convert(&state.db, congress.id, deputy, &ids, &o).await {
        Ok(sid) => {
            Ok(Redirect::to(&format!("/c/{cid}/suggestions/{sid}?done=converted")).into_response())
        }
        Err(AppError::Invalid(errs)) => match ids.first() {
            Some(first) => render(&state, &ctx, cid, *first, &errs, String::new()).await,
            None => Err(AppError::BadRequest("opinion.choose_some")),
        },
        Err(e) => Err(e),
    }
}

/// A citizen's file, for whoever sees the opinion (never shown inline).
pub(super) async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path((cid, id, aid)): axum::extract::Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    store::get(&state.db, congress.id, id)
        .await?
        .filter(|o| handler.sees(o))
        .ok_or(AppError::NotFound)?;
    let (a, bytes) = service::download(&state.db, congress.id, id, aid).await?;
    Ok(crate::attachments::download_response(&a, bytes))
}
