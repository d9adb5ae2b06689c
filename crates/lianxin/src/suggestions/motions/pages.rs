//! The motion pages: the list (the office sees all; a deputy those they lead or sign), the form
//! (a deputy's motion, or an institutional one keyed in by the office), and the detail page with
//! the step each viewer may take.

use super::domain::{MotionState, PROPOSERS};
use super::service::{self, MotionInput};
use super::store;
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::suggestions::service::Capacity;
use crate::suggestions::{capacity, guard};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/motions", get(list).post(create))
        .route("/c/{cid}/motions/new", get(new_form))
        .route("/c/{cid}/motions/deadline", post(set_deadline))
        .route("/c/{cid}/motions/{id}", get(detail))
        .route("/c/{cid}/motions/{id}/consent", post(consent))
        .route("/c/{cid}/motions/{id}/file", post(file))
        .route("/c/{cid}/motions/{id}/decide", post(decide))
        .route("/c/{cid}/motions/{id}/report", post(report))
        .route("/c/{cid}/motions/{id}/convert", post(convert))
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

/// Motions are for the office and deputies; units have no part in them.
async fn who(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<(Congress, Capacity)> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        cap @ (Capacity::Office | Capacity::Deputy(_)) => Ok((congress, cap)),
        Capacity::Unit { .. } => Err(AppError::Forbidden),
    }
}

#[derive(Template)]
#[template(path = "suggestions/motions/templates/motion_list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<store::Motion>,
    /// A session sits today: (its deadline for motions, if the presidium set one).
    sitting: Option<Option<String>>,
    is_office: bool,
    saved: bool,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    saved: String,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    list_with(&state, &ctx, cid, &[], !q.saved.is_empty()).await
}

async fn list_with(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    errors: &[FieldError],
    saved: bool,
) -> AppResult<Response> {
    let (congress, cap) = who(state, ctx, cid).await?;
    let deputy = match cap {
        Capacity::Deputy(d) => Some(d),
        _ => None,
    };
    let rows = store::list(&state.db, congress.id, deputy).await?;
    let sitting = service::sitting_session(&state.db, congress.id, &ctx.origin(state)?)
        .await?
        .map(|(_, d)| d);
    let shell = Shell::new(state, ctx, "motions.title")
        .await?
        .with_errors(errors);
    html(
        if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        ListPage {
            shell,
            congress,
            rows,
            sitting,
            is_office: cap == Capacity::Office,
            saved,
        },
    )
}

#[derive(Deserialize)]
struct DeadlineForm {
    #[serde(default)]
    deadline: String,
}

/// The office records the presidium's deadline for motions at the sitting session.
async fn set_deadline(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<DeadlineForm>,
) -> AppResult<Response> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    if cap != Capacity::Office {
        return Err(AppError::Forbidden);
    }
    match service::set_deadline(&state.db, congress.id, &f.deadline, &ctx.origin(&state)?).await {
        Ok(()) => Ok(Redirect::to(&format!("/c/{cid}/motions?saved=1")).into_response()),
        Err(AppError::Invalid(errs)) => list_with(&state, &ctx, cid, &errs, false).await,
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "suggestions/motions/templates/motion_new.html")]
struct NewPage {
    shell: Shell,
    congress: Congress,
    input: MotionInput,
    is_office: bool,
    proposers: Vec<(String, String)>,
}

fn proposers(shell: &Shell) -> Vec<(String, String)> {
    PROPOSERS
        .iter()
        .filter(|p| **p != "deputies")
        .map(|p| (p.to_string(), shell.t.k("motion.proposer", p)))
        .collect()
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let shell = Shell::new(&state, &ctx, "motion.new_title").await?;
    html(
        StatusCode::OK,
        NewPage {
            proposers: proposers(&shell),
            shell,
            congress,
            input: MotionInput::default(),
            is_office: cap == Capacity::Office,
        },
    )
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(input): Form<MotionInput>,
) -> AppResult<Response> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let lead = match cap {
        Capacity::Deputy(d) => Some(d),
        _ => None,
    };
    match service::draft(&state.db, congress.id, lead, &input, &ctx.origin(&state)?).await {
        Ok(id) => Ok(Redirect::to(&format!("/c/{cid}/motions/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let shell = Shell::new(&state, &ctx, "motion.new_title")
                .await?
                .with_errors(&errs);
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                NewPage {
                    proposers: proposers(&shell),
                    shell,
                    congress,
                    input,
                    is_office: cap == Capacity::Office,
                },
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "suggestions/motions/templates/motion_detail.html")]
struct DetailPage {
    shell: Shell,
    congress: Congress,
    m: store::Motion,
    signers: Vec<super::store::Signer>,
    events: Vec<super::store::Event>,
    committees: Vec<(String, String)>,
    can_consent: bool,
    can_file: bool,
    can_decide: bool,
    can_report: bool,
    can_convert: bool,
    min_signers: usize,
    done: String,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    render(&state, &ctx, cid, id, &[], q.done.unwrap_or_default()).await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    id: i64,
    errors: &[FieldError],
    done: String,
) -> AppResult<Response> {
    let (congress, cap) = who(state, ctx, cid).await?;
    let m = service::get(&state.db, congress.id, id).await?;
    let signers = store::signers(&state.db, congress.id, id).await?;
    // A deputy sees the motions they lead or sign; others of theirs are "not found".
    if let Capacity::Deputy(d) = cap
        && m.lead_deputy_id != Some(d)
        && !signers.iter().any(|g| g.deputy_id == d)
    {
        return Err(AppError::NotFound);
    }
    let st = m.state;
    let institutional = m.proposer != "deputies";
    let (can_consent, can_file, can_decide, can_report, can_convert) = match cap {
        Capacity::Deputy(d) => (
            st == MotionState::Draft
                && signers
                    .iter()
                    .any(|g| g.deputy_id == d && g.consent == "invited"),
            st == MotionState::Draft && m.lead_deputy_id == Some(d),
            false,
            false,
            st == MotionState::NotOnAgenda && m.lead_deputy_id == Some(d),
        ),
        _ => (
            false,
            st == MotionState::Draft && institutional,
            matches!(st, MotionState::Filed | MotionState::Reported),
            st == MotionState::Referred,
            false,
        ),
    };
    let committees = crate::people::orgs_of_kind(&state.db, congress.id, "special_committee")
        .await?
        .into_iter()
        .map(|o| (o.id.to_string(), o.name))
        .collect();
    let min_signers = crate::suggestions::domain::motion_min_signers(
        congress.level == crate::congress::CongressLevel::Town,
    );
    let shell = Shell::new(state, ctx, "motion.title")
        .await?
        .with_errors(errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        DetailPage {
            shell,
            events: store::events(&state.db, congress.id, id).await?,
            congress,
            m,
            signers,
            committees,
            can_consent,
            can_file,
            can_decide,
            can_report,
            can_convert,
            min_signers,
            done,
        },
    )
}

async fn after(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    id: i64,
    action: &str,
    r: Result<(), AppError>,
) -> AppResult<Response> {
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/c/{cid}/motions/{id}?done={action}")).into_response()),
        Err(AppError::Invalid(errs)) => render(state, ctx, cid, id, &errs, String::new()).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct ConsentForm {
    #[serde(default)]
    accept: String,
}

async fn consent(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ConsentForm>,
) -> AppResult<Response> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let Capacity::Deputy(d) = cap else {
        return Err(AppError::Forbidden);
    };
    let r = service::answer(
        &state.db,
        congress.id,
        id,
        d,
        f.accept == "1",
        &ctx.origin(&state)?,
    )
    .await;
    after(&state, &ctx, cid, id, "consent", r).await
}

async fn file(State(state): State<AppState>, ctx: Ctx, Ids(cid, id): Ids) -> AppResult<Response> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let lead = match cap {
        Capacity::Deputy(d) => Some(d),
        _ => None,
    };
    let r = service::file(&state.db, &congress, id, lead, &ctx.origin(&state)?)
        .await
        .map(|_| ());
    after(&state, &ctx, cid, id, "file", r).await
}

#[derive(Deserialize)]
struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    committee: String,
    #[serde(default)]
    note: String,
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<DecideForm>,
) -> AppResult<Response> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    if cap != Capacity::Office {
        return Err(AppError::Forbidden);
    }
    let r = service::decide(
        &state.db,
        congress.id,
        id,
        &f.decision,
        f.committee.parse().ok(),
        &f.note,
        &ctx.origin(&state)?,
    )
    .await;
    after(&state, &ctx, cid, id, "decide", r).await
}

#[derive(Deserialize)]
struct ReportForm {
    #[serde(default)]
    report: String,
}

async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReportForm>,
) -> AppResult<Response> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    if cap != Capacity::Office {
        return Err(AppError::Forbidden);
    }
    let r = service::report(&state.db, congress.id, id, &f.report, &ctx.origin(&state)?).await;
    after(&state, &ctx, cid, id, "report", r).await
}

async fn convert(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ConsentForm>,
) -> AppResult<Response> {
    let (congress, cap) = who(&state, &ctx, cid).await?;
    let Capacity::Deputy(d) = cap else {
        return Err(AppError::Forbidden);
    };
    let r = service::convert(
        &state.db,
        congress.id,
        id,
        d,
        f.accept == "1",
        &ctx.origin(&state)?,
    )
    .await
    .map(|_| ());
    after(&state, &ctx, cid, id, "convert", r).await
}
