//! `/api/v1/congresses/{cid}/livelihood/…` — the cycle, its proposals, candidates, review, vote
//! and rating, and each project's delivery and supervision, in JSON; the pages perform the same
//! steps through `apply_cycle` and `apply_project`.

use super::delivery::{self, Capacity, MilestoneInput, ReportInput, VisitInput};
use super::public;
use super::service::{self, CandidateForm, NewCycle, Origin, ProposalInput, Source};
use super::steps;
use super::store::{self, CycleRow, PhaseRow, ProblemRow, ProjectRow, ProposalRow, ReportRow};
use crate::accounts::policy::{Permission, allows};
use crate::accounts::roles::Role;
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult};
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
            "/congresses/{cid}/livelihood/cycles",
            get(list_cycles).post(create_cycle),
        )
        .route("/congresses/{cid}/livelihood/cycles/{id}", get(get_cycle))
        .route(
            "/congresses/{cid}/livelihood/cycles/{id}/proposals",
            post(propose),
        )
        .route(
            "/congresses/{cid}/livelihood/cycles/{id}/candidates",
            post(add_candidate),
        )
        .route(
            "/congresses/{cid}/livelihood/cycles/{id}/actions",
            post(act_on_cycle),
        )
        .route(
            "/congresses/{cid}/livelihood/proposals/{id}/actions",
            post(act_on_proposal),
        )
        .route(
            "/congresses/{cid}/livelihood/opinions/{id}/propose",
            post(propose_opinion),
        )
        .route(
            "/congresses/{cid}/livelihood/suggestions/{id}/propose",
            post(propose_suggestion),
        )
        .route(
            "/congresses/{cid}/livelihood/projects/{id}",
            get(get_project),
        )
        .route(
            "/congresses/{cid}/livelihood/projects/{id}/actions",
            post(act_on_project),
        )
        .route(
            "/public/congresses/{cid}/livelihood",
            get(public::api_open_data),
        )
}

pub(super) async fn guard(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    perm: Permission,
) -> Result<Congress, AppError> {
    crate::accounts::policy::guard(state, ctx, cid, perm).await
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

#[utoipa::path(get, path = "/api/v1/congresses/{cid}/livelihood/cycles", tag = "livelihood", params(("cid" = i64, Path)),
    responses((status = 200, body = crate::platform::page::Page<CycleRow>), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_cycles(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<crate::platform::page::Page<CycleRow>>> {
    let c = guard(&state, &ctx, cid, Permission::ViewLivelihood).await?;
    Ok(axum::Json(crate::platform::page::Page::all(
        store::cycles(&state.db, c.id).await?,
    )))
}

/// 年度周期 — a new year's cycle with its 票决办法 and six phases.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/livelihood/cycles", tag = "livelihood", params(("cid" = i64, Path)), request_body = NewCycle,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn create_cycle(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(n): Json<NewCycle>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let c = guard(&state, &ctx, cid, Permission::ManageLivelihood).await?;
    let o = ctx.origin(&state)?;
    let id = service::create_cycle(&state.db, c.id, &n, &o).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CycleView {
    pub cycle: CycleRow,
    pub phases: Vec<PhaseRow>,
    pub phase_now: Option<String>,
    pub proposals: Vec<ProposalRow>,
    pub projects: Vec<ProjectRow>,
}

pub async fn cycle_view(state: &AppState, c: &Congress, id: i64) -> Result<CycleView, AppError> {
    let cycle = service::cycle(&state.db, c.id, id).await?;
    let phase_now = service::phase_today(&state.db, &cycle, state.clock.today())
        .await?
        .map(|p| p.as_str().to_string());
    Ok(CycleView {
        phases: store::phases(&state.db, cycle.id).await?,
        proposals: store::proposals(&state.db, cycle.id).await?,
        projects: store::projects(&state.db, cycle.id).await?,
        phase_now,
        cycle,
    })
}

#[utoipa::path(get, path = "/api/v1/congresses/{cid}/livelihood/cycles/{id}", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = CycleView), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem)))]
pub async fn get_cycle(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<CycleView>> {
    let c = guard(&state, &ctx, cid, Permission::ViewLivelihood).await?;
    Ok(axum::Json(cycle_view(&state, &c, id).await?))
}

/// Who proposes: a deputy, station staff, or the office.
pub(super) fn source_of(ctx: &Ctx, c: &Congress) -> Result<Source, AppError> {
    let actor = ctx.actor()?;
    Ok(if actor.has(c.id, Role::Deputy) {
        Source::Deputy
    } else if actor.has(c.id, Role::StationStaff) {
        Source::Station
    } else {
        Source::Staff
    })
}

/// 征集 — a proposal by a deputy, station staff or the office.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/livelihood/cycles/{id}/proposals", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = ProposalInput,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn propose(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(p): Json<ProposalInput>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let c = guard(&state, &ctx, cid, Permission::ProposeLivelihood).await?;
    let o = ctx.origin(&state)?;
    let source = source_of(&ctx, &c)?;
    let pid = service::propose(&state.db, c.id, id, &p, source, Some(&o), (o.now, o.today)).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: pid })))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Proposed {
    pub cycle: i64,
    pub proposal: i64,
}

/// 一键转为民生实事建议 — an opinion of kind 问需, keeping the link.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/livelihood/opinions/{id}/propose", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 201, body = Proposed), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem)))]
pub async fn propose_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<(StatusCode, axum::Json<Proposed>)> {
    let c = guard(&state, &ctx, cid, Permission::HandleOpinions).await?;
    let c = guard(&state, &ctx, c.id.0, Permission::ProposeLivelihood).await?;
    let o = ctx.origin(&state)?;
    let (cycle, proposal) = service::propose_opinion(&state.db, c.id, id, &o).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Proposed { cycle, proposal }),
    ))
}

/// A deputy's suggestion proposed as a livelihood project, keeping the link.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/livelihood/suggestions/{id}/propose", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 201, body = Proposed), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem)))]
pub async fn propose_suggestion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<(StatusCode, axum::Json<Proposed>)> {
    let c = guard(&state, &ctx, cid, Permission::HandleSuggestions).await?;
    let c = guard(&state, &ctx, c.id.0, Permission::ProposeLivelihood).await?;
    let o = ctx.origin(&state)?;
    let (cycle, proposal) = service::propose_suggestion(&state.db, c.id, id, &o).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(Proposed { cycle, proposal }),
    ))
}

/// 初定 — a candidate project, by the government side (a unit account) or the office.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/livelihood/cycles/{id}/candidates", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = CandidateForm,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn add_candidate(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(f): Json<CandidateForm>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let c = screening_guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let pid = service::add_candidate(&state.db, c.id, id, &f, &o).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: pid })))
}

/// The government side (a unit) or the office.
pub(super) async fn screening_guard(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
) -> Result<Congress, AppError> {
    let c = guard(state, ctx, cid, Permission::ViewLivelihood).await?;
    let actor = ctx.actor()?;
    let p = state.policy();
    if allows(actor, Permission::DeliverLivelihood, c.target(), p)
        || allows(actor, Permission::ManageLivelihood, c.target(), p)
    {
        Ok(c)
    } else {
        Err(AppError::Forbidden)
    }
}

/// A step of the office on a cycle: the review's agenda and opinion, the vote, its result, the
/// rating and its verdicts.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CycleAction {
    /// 提请审议 — the candidate list on a standing-committee (or presidium) meeting's agenda.
    Review { meeting: i64 },
    /// 审议意见.
    ReviewOpinion { opinion: String },
    /// 提请票决 — the selection vote on the plenary; also the run-off after a tie, and after a
    /// shortfall the vote again among those not selected that the presidium decided (named in
    /// `decision`).
    Vote {
        meeting: i64,
        #[serde(default)]
        decision: Option<String>,
    },
    /// 记录票决结果 once the vote is closed.
    ApplyVote,
    /// 满意度测评 — one rating vote per selected project on the plenary.
    Rating { meeting: i64 },
    /// Records the verdicts of closed rating votes.
    ApplyRatings,
}

pub async fn apply_cycle(
    state: &AppState,
    c: &Congress,
    id: i64,
    action: CycleAction,
    o: &Origin,
) -> Result<(), AppError> {
    let db = &state.db;
    match action {
        CycleAction::Review { meeting } => {
            steps::put_on_review(db, c.id, id, meeting, o).await?;
        }
        CycleAction::ReviewOpinion { opinion } => {
            steps::record_review(db, c.id, id, &opinion, o).await?
        }
        CycleAction::Vote { meeting, decision } => {
            steps::put_to_vote(db, c.id, id, meeting, decision.as_deref(), o).await?;
        }
        CycleAction::ApplyVote => {
            steps::apply_vote(db, c.id, id, o).await?;
        }
        CycleAction::Rating { meeting } => {
            steps::put_to_rating(db, c.id, id, meeting, o).await?;
        }
        CycleAction::ApplyRatings => {
            steps::apply_ratings(db, c.id, id, o).await?;
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/congresses/{cid}/livelihood/cycles/{id}/actions", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = CycleAction,
    responses((status = 200, body = CycleView), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn act_on_cycle(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(action): Json<CycleAction>,
) -> AppResult<axum::Json<CycleView>> {
    let c = guard(&state, &ctx, cid, Permission::ManageLivelihood).await?;
    let o = ctx.origin(&state)?;
    apply_cycle(&state, &c, id, action, &o).await?;
    Ok(axum::Json(cycle_view(&state, &c, id).await?))
}

/// 不予采纳 — with the reason published.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ProposalAction {
    Reject { reason: String },
}

#[utoipa::path(post, path = "/api/v1/congresses/{cid}/livelihood/proposals/{id}/actions", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = ProposalAction,
    responses((status = 204), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn act_on_proposal(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(action): Json<ProposalAction>,
) -> AppResult<StatusCode> {
    let c = screening_guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let ProposalAction::Reject { reason } = action;
    service::reject_proposal(&state.db, c.id, id, &reason, &o).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProjectView {
    pub project: ProjectRow,
    pub progress: u32,
    pub milestones: Vec<store::MilestoneRow>,
    /// Milestones not finished by their day.
    pub overdue: Vec<i64>,
    pub reports: Vec<ReportRow>,
    /// The supervision group: (person, name, account).
    pub supervisors: Vec<(i64, String, Option<i64>)>,
    pub problems: Vec<ProblemRow>,
}

pub async fn project_view(state: &AppState, p: ProjectRow) -> Result<ProjectView, AppError> {
    let db = &state.db;
    let milestones = store::milestones(db, p.id).await?;
    Ok(ProjectView {
        progress: delivery::progress(&milestones),
        overdue: delivery::overdue(&milestones, state.clock.today()),
        milestones,
        reports: store::reports(db, p.id).await?,
        supervisors: store::supervisors(db, p.id).await?,
        problems: store::problems(db, p.id).await?,
        project: p,
    })
}

#[utoipa::path(get, path = "/api/v1/congresses/{cid}/livelihood/projects/{id}", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = ProjectView), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem)))]
pub async fn get_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<ProjectView>> {
    let c = guard(&state, &ctx, cid, Permission::ViewLivelihood).await?;
    let p = service::project(&state.db, c.id, id).await?;
    Ok(axum::Json(project_view(&state, p).await?))
}

/// A step on a project: amend or withdraw a candidate (the review may), the plan's milestones,
/// reports (files through the page's upload), the supervision group, visits, rectification.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum ProjectAction {
    Amend {
        #[serde(flatten)]
        candidate: CandidateForm,
    },
    Withdraw,
    Milestone {
        #[serde(flatten)]
        milestone: MilestoneInput,
    },
    Report {
        #[serde(flatten)]
        report: ReportInput,
    },
    Supervisors {
        persons: Vec<i64>,
    },
    Visit {
        #[serde(flatten)]
        visit: VisitInput,
    },
    Rectify {
        problem: i64,
        rectification: String,
    },
    CloseProblem {
        problem: i64,
    },
}

pub async fn apply_project(
    state: &AppState,
    ctx: &Ctx,
    c: &Congress,
    id: i64,
    action: ProjectAction,
    file: Option<(String, Vec<u8>)>,
    o: &Origin,
) -> Result<ProjectRow, AppError> {
    let db = &state.db;
    let p = service::project(db, c.id, id).await?;
    let who: Capacity = delivery::capacity(state, ctx, c, &p).await?;
    match action {
        ProjectAction::Amend { candidate } => {
            screening_guard(state, ctx, c.id.0).await?;
            service::amend_candidate(db, c.id, id, Some(&candidate), o).await?
        }
        ProjectAction::Withdraw => {
            screening_guard(state, ctx, c.id.0).await?;
            service::amend_candidate(db, c.id, id, None, o).await?
        }
        ProjectAction::Milestone { milestone } => {
            delivery::add_milestone(db, c.id, &p, who, &milestone, o).await?;
        }
        ProjectAction::Report { report } => {
            delivery::report(db, c.id, &p, who, &report, file, o).await?;
        }
        ProjectAction::Supervisors { persons } => {
            delivery::add_supervisors(db, c.id, &p, who, &persons, o).await?
        }
        ProjectAction::Visit { visit } => {
            delivery::visit(db, c.id, &p, who, &visit, file, o).await?;
        }
        ProjectAction::Rectify {
            problem,
            rectification,
        } => delivery::settle_problem(db, c.id, &p, who, problem, Some(&rectification), o).await?,
        ProjectAction::CloseProblem { problem } => {
            delivery::settle_problem(db, c.id, &p, who, problem, None, o).await?
        }
    }
    service::project(db, c.id, id).await
}

#[utoipa::path(post, path = "/api/v1/congresses/{cid}/livelihood/projects/{id}/actions", tag = "livelihood", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = ProjectAction,
    responses((status = 200, body = ProjectView), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn act_on_project(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(action): Json<ProjectAction>,
) -> AppResult<axum::Json<ProjectView>> {
    let c = guard(&state, &ctx, cid, Permission::ViewLivelihood).await?;
    let o = ctx.origin(&state)?;
    let p = apply_project(&state, &ctx, &c, id, action, None, &o).await?;
    Ok(axum::Json(project_view(&state, p).await?))
}
