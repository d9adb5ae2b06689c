//! The public side, without an account: `/livelihood/{cid}` — every cycle of the congress with
//! its projects, where each came from (how many proposals, how many from citizens), the vote,
//! the progress bar, the milestones, the evidence and the rating; a project's own page; the
//! public call's form; and the same as open data (`open-data.json`, `open-data.xlsx`, and
//! `/api/v1/public/congresses/{cid}/livelihood`). Proposals' texts are not published (a citizen
//! may have named themselves); a declined proposal's title, place and reason are.

use super::delivery;
use super::domain::{Phase, ProjectState, ProposalState};
use super::service::{self, ProposalInput, Source};
use super::store::{self, CycleRow, MilestoneRow, ProjectRow};
use crate::attachments as files;
use crate::congress as congresses;
use crate::congress::Congress;
use crate::db::Db;
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/livelihood/{cid}", get(overview))
        .route("/livelihood/{cid}/propose", get(form).post(submit))
        .route("/livelihood/{cid}/projects/{id}", get(project_page))
        .route("/livelihood/{cid}/open-data.json", get(json))
        .route("/livelihood/{cid}/open-data.xlsx", get(xlsx))
        .route("/livelihood/{cid}/files/{report}/{aid}", get(file))
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

async fn congress_of(db: &Db, cid: i64) -> AppResult<Congress> {
    congresses::get(db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)
}

/// A project as published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicProject {
    pub id: i64,
    pub title: String,
    pub content: String,
    pub targets: String,
    pub budget_yuan: i64,
    pub lead_unit: String,
    pub timetable: String,
    /// `candidate`, `withdrawn`, `selected` or `not_selected`.
    pub state: ProjectState,
    pub approvals: Option<i64>,
    /// Weighted progress of the milestones, in whole percent.
    pub progress: u32,
    pub milestones: Vec<PublicMilestone>,
    /// Proposals it answers, and of those from citizens on the public call.
    pub proposals: usize,
    pub from_citizens: usize,
    /// The rating's verdict (`satisfied` / `unsatisfied`) and counts, once rated.
    pub rating: Option<String>,
    pub rating_counts: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicMilestone {
    pub title: String,
    pub weight: i64,
    pub due_on: String,
    pub percent: i64,
    pub done_on: Option<String>,
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicCycle {
    pub year: i64,
    pub title: String,
    pub places: i64,
    pub phases: Vec<store::PhaseRow>,
    /// The phase today falls in.
    pub phase_now: Option<String>,
    pub proposals_received: usize,
    pub outcome: Option<String>,
    pub outcome_note: Option<String>,
    pub review_opinion: Option<String>,
    pub projects: Vec<PublicProject>,
    /// Declined proposals: (title, place, reason).
    pub declined: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpenData {
    pub congress: String,
    pub cycles: Vec<PublicCycle>,
}

fn milestones_public(ms: &[MilestoneRow], today: NaiveDate) -> Vec<PublicMilestone> {
    let late = delivery::overdue(ms, today);
    ms.iter()
        .map(|m| PublicMilestone {
            title: m.title.clone(),
            weight: m.weight,
            due_on: m.due_on.clone(),
            percent: m.percent,
            done_on: m.done_on.clone(),
            overdue: late.contains(&m.id),
        })
        .collect()
}

pub async fn public_project(
    db: &Db,
    congress: CongressId,
    p: &ProjectRow,
    proposals: &[store::ProposalRow],
    today: NaiveDate,
) -> Result<PublicProject, AppError> {
    let ms = store::milestones(db, p.id).await?;
    let answers: Vec<&store::ProposalRow> = proposals
        .iter()
        .filter(|x| x.project_id == Some(p.id))
        .collect();
    let rating_counts = match p.rating_vote_id.filter(|_| p.rating.is_some()) {
        Some(v) => {
            let (_, vote) = crate::meetings::service::vote(db, congress, v).await?;
            vote.result
                .and_then(|r| serde_json::from_str::<serde_json::Value>(&r).ok())
                .map(|r| r["counts"].clone())
        }
        None => None,
    };
    Ok(PublicProject {
        id: p.id,
        title: p.title.clone(),
        content: p.content.clone(),
        targets: p.targets.clone(),
        budget_yuan: p.budget_yuan,
        lead_unit: p.lead_unit.clone(),
        timetable: p.timetable.clone(),
        state: p.state,
        approvals: p.approvals,
        progress: delivery::progress(&ms),
        milestones: milestones_public(&ms, today),
        proposals: answers.len(),
        from_citizens: answers.iter().filter(|x| x.source == "public").count(),
        rating: p.rating.clone(),
        rating_counts,
    })
}

pub async fn open_data(db: &Db, c: &Congress, today: NaiveDate) -> Result<OpenData, AppError> {
    let mut cycles = Vec::new();
    for cy in store::cycles(db, c.id).await? {
        let proposals = store::proposals(db, cy.id).await?;
        let mut projects = Vec::new();
        for p in store::projects(db, cy.id).await? {
            if p.state == ProjectState::Withdrawn {
                continue;
            }
            projects.push(public_project(db, c.id, &p, &proposals, today).await?);
        }
        let phases = store::phases(db, cy.id).await?;
        let phase_now = super::domain::phase_on(&service::spans(&phases), today)
            .map(|p| p.as_str().to_string());
        cycles.push(PublicCycle {
            year: cy.year,
            title: cy.title,
            places: cy.places,
            phases,
            phase_now,
            proposals_received: proposals.len(),
            outcome: cy.outcome,
            outcome_note: cy.outcome_note,
            review_opinion: cy.review_opinion,
            projects,
            declined: proposals
                .iter()
                .filter(|p| p.state == ProposalState::Rejected)
                .map(|p| {
                    (
                        p.title.clone(),
                        p.place.clone(),
                        p.reason.clone().unwrap_or_default(),
                    )
                })
                .collect(),
        });
    }
    Ok(OpenData {
        congress: c.name.clone(),
        cycles,
    })
}

#[derive(Template)]
#[template(path = "livelihood/templates/public.html")]
struct OverviewPage {
    shell: Shell,
    congress: Congress,
    data: OpenData,
    collecting: bool,
    proposed: bool,
}

#[derive(Deserialize, Default)]
struct OverviewQuery {
    #[serde(default)]
    proposed: String,
}

async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<OverviewQuery>,
) -> AppResult<Response> {
    let congress = congress_of(&state.db, cid).await?;
    let today = state.clock.today();
    let data = open_data(&state.db, &congress, today).await?;
    let collecting = service::collecting(&state.db, congress.id, today)
        .await?
        .is_some();
    html(
        StatusCode::OK,
        OverviewPage {
            shell: Shell::new(&state, &ctx, "livelihood.public_title").await?,
            congress,
            data,
            collecting,
            proposed: !q.proposed.is_empty(),
        },
    )
}

#[derive(Template)]
#[template(path = "livelihood/templates/public_project.html")]
struct ProjectPage {
    shell: Shell,
    congress: Congress,
    year: i64,
    p: PublicProject,
    /// Reports and visits, newest first, with their evidence files.
    reports: Vec<(store::ReportRow, Vec<files::Attachment>)>,
    problems: Vec<store::ProblemRow>,
}

async fn project_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cid, id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let congress = congress_of(&state.db, cid).await?;
    let p = service::project(&state.db, congress.id, id).await?;
    if p.state == ProjectState::Withdrawn {
        return Err(AppError::NotFound);
    }
    let c = service::cycle(&state.db, congress.id, p.cycle_id).await?;
    let proposals = store::proposals(&state.db, c.id).await?;
    let public =
        public_project(&state.db, congress.id, &p, &proposals, state.clock.today()).await?;
    let reports = with_files(
        &state.db,
        congress.id,
        store::reports(&state.db, p.id).await?,
    )
    .await?;
    html(
        StatusCode::OK,
        ProjectPage {
            shell: Shell::new(&state, &ctx, "livelihood.project").await?,
            congress,
            year: c.year,
            p: public,
            reports,
            problems: store::problems(&state.db, p.id).await?,
        },
    )
}

pub async fn with_files(
    db: &Db,
    congress: CongressId,
    reports: Vec<store::ReportRow>,
) -> Result<Vec<(store::ReportRow, Vec<files::Attachment>)>, AppError> {
    let mut out = Vec::new();
    for r in reports {
        let f = files::list(db, delivery::owner(congress, r.id)).await?;
        out.push((r, f));
    }
    Ok(out)
}

/// `GET /livelihood/{cid}/files/{report}/{aid}` — evidence is public, as the project is.
async fn file(
    State(state): State<AppState>,
    Path((cid, report, aid)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    let c = congress_of(&state.db, cid).await?;
    let owner = delivery::owner(c.id, report);
    let a = files::get(&state.db, owner, aid)
        .await?
        .ok_or(AppError::NotFound)?;
    let bytes = files::body(&state.db, owner, aid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(crate::attachments::download_response(&a, bytes))
}

async fn json(State(state): State<AppState>, Id(cid): Id) -> AppResult<Response> {
    let c = congress_of(&state.db, cid).await?;
    let data = open_data(&state.db, &c, state.clock.today()).await?;
    Ok(axum::Json(data).into_response())
}

/// `GET /api/v1/public/congresses/{cid}/livelihood` — the open data, as the page shows it.
#[utoipa::path(get, path = "/api/v1/public/congresses/{cid}/livelihood", tag = "livelihood",
    params(("cid" = i64, Path)), responses((status = 200, body = OpenData), (status = 404, body = crate::web::errors::Problem)))]
pub async fn api_open_data(State(state): State<AppState>, Id(cid): Id) -> AppResult<Response> {
    json(State(state), Id(cid)).await
}

async fn xlsx(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let c = congress_of(&state.db, cid).await?;
    let data = open_data(&state.db, &c, state.clock.today()).await?;
    let t = crate::platform::i18n::T(ctx.lang);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let e = AppError::internal;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = wb.add_worksheet();
    sheet.set_name(t.t("livelihood.projects")).map_err(e)?;
    let heads = [
        "livelihood.year",
        "livelihood.project_title",
        "livelihood.lead_unit",
        "livelihood.budget",
        "livelihood.state_label",
        "livelihood.approvals",
        "livelihood.progress",
        "livelihood.proposals_answered",
        "livelihood.from_citizens",
        "livelihood.rating",
        "livelihood.targets",
    ];
    for (i, h) in heads.iter().enumerate() {
        sheet
            .write_string_with_format(0, i as u16, t.t(h), &bold)
            .map_err(e)?;
    }
    sheet.set_column_width(1, 30).map_err(e)?;
    let mut r = 1u32;
    for cy in &data.cycles {
        for p in &cy.projects {
            sheet.write_number(r, 0, cy.year as f64).map_err(e)?;
            sheet.write_string(r, 1, &p.title).map_err(e)?;
            sheet.write_string(r, 2, &p.lead_unit).map_err(e)?;
            sheet.write_number(r, 3, p.budget_yuan as f64).map_err(e)?;
            sheet
                .write_string(r, 4, t.k("livelihood.state", p.state))
                .map_err(e)?;
            if let Some(a) = p.approvals {
                sheet.write_number(r, 5, a as f64).map_err(e)?;
            }
            sheet.write_number(r, 6, f64::from(p.progress)).map_err(e)?;
            sheet.write_number(r, 7, p.proposals as f64).map_err(e)?;
            sheet
                .write_number(r, 8, p.from_citizens as f64)
                .map_err(e)?;
            if let Some(v) = &p.rating {
                sheet
                    .write_string(r, 9, t.k("livelihood.verdict", v))
                    .map_err(e)?;
            }
            sheet.write_string(r, 10, &p.targets).map_err(e)?;
            r += 1;
        }
    }
    let bytes = wb.save_to_buffer().map_err(e)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"livelihood-projects.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

// ---- the public call (群众点单)

#[derive(Template)]
#[template(path = "livelihood/templates/propose.html")]
struct ProposePage {
    shell: Shell,
    congress: Congress,
    cycle: Option<CycleRow>,
    input: ProposalInput,
    categories: Vec<(String, String)>,
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    mut input: ProposalInput,
    errors: &[crate::platform::error::FieldError],
) -> AppResult<Response> {
    let shell = Shell::new(state, ctx, "livelihood.propose_title")
        .await?
        .with_errors(errors);
    let cycle = service::collecting(&state.db, congress.id, state.clock.today()).await?;
    input.issued = crate::opinions::service::form_token(&state.db, state.clock.now_ms())?;
    input.website = String::new();
    let categories = std::iter::once((String::new(), shell.t.t("form.choose").to_string()))
        .chain(
            crate::opinions::domain::CATEGORIES
                .iter()
                .map(|c| (c.to_string(), shell.t.k("opinion.category", c))),
        )
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        ProposePage {
            shell,
            congress,
            cycle,
            input,
            categories,
        },
    )
}

async fn form(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = congress_of(&state.db, cid).await?;
    render_form(&state, &ctx, congress, ProposalInput::default(), &[]).await
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(input): Form<ProposalInput>,
) -> AppResult<Response> {
    let congress = congress_of(&state.db, cid).await?;
    let today = state.clock.today();
    let Some(cycle) = service::collecting(&state.db, congress.id, today).await? else {
        return Err(AppError::Conflict("livelihood.not_collecting"));
    };
    match service::propose(
        &state.db,
        congress.id,
        cycle.id,
        &input,
        Source::Public,
        None,
        (state.clock.now_ms(), today),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/livelihood/{cid}?proposed=1")).into_response()),
        Err(AppError::Invalid(errs)) => render_form(&state, &ctx, congress, input, &errs).await,
        Err(e) => Err(e),
    }
}

/// The candidate list as a Word document, for the review's agenda item.
pub fn candidate_list_docx(c: &CycleRow, projects: &[ProjectRow]) -> Result<Vec<u8>, String> {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "{}年民生实事候选项目清单", c.year);
    let _ = writeln!(
        s,
        "　　本年度拟票决产生民生实事项目{}项，候选项目{}项。",
        c.places,
        projects.len()
    );
    for (i, p) in projects.iter().enumerate() {
        let _ = writeln!(s, "　　{}. {}", i + 1, p.title);
        let _ = writeln!(s, "　　项目内容：{}", p.content);
        let _ = writeln!(s, "　　目标任务：{}", p.targets);
        let _ = writeln!(
            s,
            "　　预算估算：{}元　牵头单位：{}　时间安排：{}",
            p.budget_yuan, p.lead_unit, p.timetable
        );
    }
    crate::suggestions::documents::render(&s)
}

/// The phases in order, for the timeline.
pub fn phase_keys() -> [&'static str; 6] {
    Phase::ALL.map(Phase::as_str)
}
