//! The livelihood pages for those who work on them: the cycles with their statistics and a new
//! cycle's form (`/c/{cid}/livelihood`); a cycle's page, where proposals come in, the
//! government side screens them into candidates, and the office puts the list to review, to the
//! vote and to the rating (`/c/{cid}/livelihood/{id}`); and a project's page, where the lead unit
//! keeps the plan and reports, and the supervision group visits and follows problems up.

use super::api::{self, CycleAction, CycleView, ProjectAction, ProjectView, guard};
use super::delivery::{self, MilestoneInput, ReportInput, VisitInput};
use super::domain::{Phase, ProjectState, ProposalState};
use super::service::{self, CandidateForm, NewCycle, PhaseInput, ProposalInput};
use super::store::{self, CycleRow};
use crate::accounts::policy::{Permission, allows};
use crate::attachments as files;
use crate::congress::Congress;
use crate::meetings::MeetingRow;
use crate::meetings::domain::{MeetingKind, MeetingState, VoteState};
use crate::platform::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::chart::{self, Bar};
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::{Multipart, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

mod project;
use project::{project_page, project_step};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/livelihood", get(list).post(create))
        .route("/c/{cid}/livelihood/{id}", get(cycle_page))
        .route("/c/{cid}/livelihood/{id}/step", post(cycle_step))
        .route("/c/{cid}/livelihood/projects/{id}", get(project_page))
        .route(
            "/c/{cid}/livelihood/projects/{id}/step",
            post(project_step).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::UPLOAD_LIMIT,
            )),
        )
        .route("/c/{cid}/livelihood/from-opinion/{id}", post(from_opinion))
        .route(
            "/c/{cid}/livelihood/from-suggestion/{id}",
            post(from_suggestion),
        )
}

fn html(t: impl Template) -> AppResult<Response> {
    Ok(Html(t.render().map_err(AppError::internal)?).into_response())
}

fn can(state: &AppState, ctx: &Ctx, c: &Congress, p: Permission) -> AppResult<bool> {
    Ok(allows(ctx.actor()?, p, c.target(), state.policy()))
}

/// One figure of the statistics: its label and value.
pub struct Figure {
    pub label: String,
    pub value: i64,
}

#[derive(Template)]
#[template(path = "livelihood/templates/list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    cycles: Vec<CycleRow>,
    manage: bool,
    /// The statistics of the cycle shown (the latest by default).
    shown: Option<CycleRow>,
    funnel: Vec<Figure>,
    charts: Vec<String>,
    by_place: Vec<Figure>,
    by_category: Vec<Figure>,
    phases: [&'static str; 6],
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    cycle: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::ViewLivelihood).await?;
    let manage = can(&state, &ctx, &congress, Permission::ManageLivelihood)?;
    let shell = Shell::new(&state, &ctx, "livelihood.title").await?;
    let cycles = store::cycles(&state.db, congress.id).await?;
    let shown = match q.cycle {
        Some(id) => cycles.iter().find(|c| c.id == id).cloned(),
        None => cycles.first().cloned(),
    };
    let (mut funnel, mut by_place, mut by_category, mut charts) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if let Some(c) = &shown {
        let t = &shell.t;
        let counts = store::proposal_counts(&state.db, c.id).await?;
        let sum_by = |key: fn(&(String, String, String, String, i64)) -> String| {
            let mut m: std::collections::BTreeMap<String, i64> = Default::default();
            for row in &counts {
                *m.entry(key(row)).or_default() += row.4;
            }
            let mut v: Vec<(String, i64)> = m.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v
        };
        by_place = sum_by(|r| r.0.clone())
            .into_iter()
            .map(|(label, value)| Figure { label, value })
            .collect();
        by_category = sum_by(|r| r.1.clone())
            .into_iter()
            .map(|(k, value)| Figure {
                label: t.k("opinion.category", &k),
                value,
            })
            .collect();
        let projects = store::projects(&state.db, c.id).await?;
        let milestones = store::cycle_milestones(&state.db, c.id).await?;
        let today = state.clock.today();
        let selected: Vec<&store::ProjectRow> = projects
            .iter()
            .filter(|p| p.state == ProjectState::Selected)
            .collect();
        let of = |p: &store::ProjectRow| -> Vec<store::MilestoneRow> {
            milestones
                .iter()
                .filter(|m| m.project_id == p.id)
                .cloned()
                .collect()
        };
        let on_schedule = selected
            .iter()
            .filter(|p| delivery::overdue(&of(p), today).is_empty())
            .count();
        let delivered = selected
            .iter()
            .filter(|p| {
                let ms = of(p);
                !ms.is_empty() && delivery::progress(&ms) == 100
            })
            .count();
        let satisfied = selected
            .iter()
            .filter(|p| p.rating.as_deref() == Some("satisfied"))
            .count();
        let received: i64 = counts.iter().map(|r| r.4).sum();
        let figures = [
            ("livelihood.stat.received", received),
            (
                "livelihood.stat.candidates",
                projects
                    .iter()
                    .filter(|p| p.state != ProjectState::Withdrawn)
                    .count() as i64,
            ),
            ("livelihood.stat.selected", selected.len() as i64),
            ("livelihood.stat.on_schedule", on_schedule as i64),
            ("livelihood.stat.delivered", delivered as i64),
            ("livelihood.stat.satisfied", satisfied as i64),
        ];
        funnel = figures
            .iter()
            .map(|(k, v)| Figure {
                label: t.t(k).to_string(),
                value: *v,
            })
            .collect();
        let bars = |figs: &[Figure], class: &'static str| -> Vec<Bar> {
            figs.iter()
                .map(|f| Bar {
                    label: f.label.clone(),
                    segments: vec![(f.value, class)],
                    title: format!("{}：{}", f.label, f.value),
                })
                .collect()
        };
        charts = vec![
            chart::bars(
                &t.t("livelihood.stat.chain"),
                &bars(&funnel, "seg-delivered"),
            ),
            chart::bars(
                &t.t("livelihood.stat.by_place"),
                &bars(&by_place, "seg-replied"),
            ),
            chart::bars(
                &t.t("livelihood.stat.by_category"),
                &bars(&by_category, "seg-replied"),
            ),
        ];
    }
    html(ListPage {
        shell,
        congress,
        cycles,
        manage,
        shown,
        funnel,
        charts,
        by_place,
        by_category,
        phases: super::public::phase_keys(),
    })
}

/// The new cycle's form: year, N, ratio, ballot form, and each phase's first and last day
/// (`{phase}_starts`, `{phase}_ends`).
async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::ManageLivelihood).await?;
    let o = ctx.origin(&state)?;
    let get = |k: &str| field(&f, k);
    let n = NewCycle {
        year: get("year").trim().parse().unwrap_or(0),
        title: get("title"),
        places: get("places").trim().parse().unwrap_or(0),
        ratio_percent: get("ratio_percent").trim().parse().unwrap_or(0),
        ballot_form: Some(get("ballot_form")).filter(|s| !s.is_empty()),
        selection_rule: Some(get("selection_rule")).filter(|s| !s.is_empty()),
        phases: Phase::ALL
            .iter()
            .map(|p| PhaseInput {
                phase: p.as_str().into(),
                starts_on: get(&format!("{}_starts", p.as_str())),
                ends_on: get(&format!("{}_ends", p.as_str())),
            })
            .collect(),
    };
    let id = service::create_cycle(&state.db, c.id, &n, &o).await?;
    Ok(Redirect::to(&format!("/c/{cid}/livelihood/{id}")).into_response())
}

fn field(f: &[(String, String)], k: &str) -> String {
    f.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn ids(f: &[(String, String)], k: &str) -> Vec<i64> {
    f.iter()
        .filter(|(n, _)| n == k)
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect()
}

#[derive(Template)]
#[template(path = "livelihood/templates/cycle.html")]
struct CyclePage {
    shell: Shell,
    congress: Congress,
    v: CycleView,
    manage: bool,
    propose: bool,
    screen: bool,
    /// Meetings that may take the review (standing committee, presidium) and the plenary votes.
    review_meetings: Vec<MeetingRow>,
    plenaries: Vec<MeetingRow>,
    units: Vec<(i64, String)>,
    /// The selection vote's state, when there is one.
    vote_state: Option<VoteState>,
    /// The meetings the list was reviewed at and rated at: (meeting, item, title).
    review_at: Option<(i64, i64, String)>,
    rating_at: Option<(i64, i64, String)>,
    categories: Vec<(String, String)>,
}

async fn cycle_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::ViewLivelihood).await?;
    let v = api::cycle_view(&state, &congress, id).await?;
    let manage = can(&state, &ctx, &congress, Permission::ManageLivelihood)?;
    let screen = manage || can(&state, &ctx, &congress, Permission::DeliverLivelihood)?;
    let propose = can(&state, &ctx, &congress, Permission::ProposeLivelihood)?;
    let meetings: Vec<MeetingRow> = crate::meetings::meetings(&state.db, congress.id)
        .await?
        .into_iter()
        .filter(|m| m.state != MeetingState::Closed)
        .collect();
    let (plenaries, review_meetings): (Vec<MeetingRow>, Vec<MeetingRow>) = meetings
        .into_iter()
        .filter(|m| m.kind != MeetingKind::Preparatory)
        .partition(|m| m.kind == MeetingKind::CongressSitting);
    let vote_state = match v.cycle.vote_id {
        Some(vid) => Some(
            crate::meetings::service::vote(&state.db, congress.id, vid)
                .await?
                .1
                .state,
        ),
        None => None,
    };
    let review_at = item_at(&state, &congress, v.cycle.review_item_id).await?;
    let rating_at = item_at(&state, &congress, v.cycle.rating_item_id).await?;
    let shell = Shell::new(&state, &ctx, "livelihood.title").await?;
    let categories = std::iter::once((String::new(), shell.t.t("form.choose").to_string()))
        .chain(
            crate::opinions::domain::CATEGORIES
                .iter()
                .map(|c| (c.to_string(), shell.t.k("opinion.category", c))),
        )
        .collect();
    html(CyclePage {
        units: store::units(&state.db, congress.id).await?,
        shell,
        congress,
        v,
        manage,
        propose,
        screen,
        review_meetings,
        plenaries,
        vote_state,
        review_at,
        rating_at,
        categories,
    })
}

/// The meeting an agenda item is on, for a link: (meeting, item, the meeting's title).
async fn item_at(
    state: &AppState,
    c: &Congress,
    item: Option<i64>,
) -> AppResult<Option<(i64, i64, String)>> {
    let Some(item) = item else { return Ok(None) };
    let Some((meeting, _)) = crate::meetings::item(&state.db, c.id, item).await? else {
        return Ok(None);
    };
    let m = crate::meetings::service::meeting(&state.db, c.id, meeting).await?;
    Ok(Some((meeting, item, m.title)))
}

/// One step on a cycle from its page: `propose`, `candidate`, `reject` (a proposal), and the
/// office's `review`, `review_opinion`, `vote`, `apply_vote`, `rating`, `apply_ratings`.
async fn cycle_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| field(&f, k);
    let num = |k: &str| {
        get(k)
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::BadRequest("error.bad_request"))
    };
    let back = format!("/c/{cid}/livelihood/{id}");
    let action = get("action");
    match action.as_str() {
        "propose" => {
            let c = guard(&state, &ctx, cid, Permission::ProposeLivelihood).await?;
            let o = ctx.origin(&state)?;
            let p = ProposalInput {
                title: get("title"),
                body: get("body"),
                place: get("place"),
                category: get("category"),
                ..Default::default()
            };
            let source = api::source_of(&ctx, &c)?;
            service::propose(&state.db, c.id, id, &p, source, Some(&o), (o.now, o.today)).await?;
            return Ok(Redirect::to(&format!("{back}#proposals")).into_response());
        }
        "candidate" => {
            let c = api::screening_guard(&state, &ctx, cid).await?;
            let o = ctx.origin(&state)?;
            let cf = CandidateForm {
                title: get("title"),
                content: get("content"),
                targets: get("targets"),
                budget_yuan: get("budget_yuan").trim().parse().ok(),
                lead_unit: get("lead_unit").trim().parse().ok(),
                timetable: get("timetable"),
                proposals: ids(&f, "proposals"),
            };
            service::add_candidate(&state.db, c.id, id, &cf, &o).await?;
            return Ok(Redirect::to(&format!("{back}#candidates")).into_response());
        }
        "reject" => {
            let c = api::screening_guard(&state, &ctx, cid).await?;
            let o = ctx.origin(&state)?;
            service::reject_proposal(&state.db, c.id, num("proposal")?, &get("reason"), &o).await?;
            return Ok(Redirect::to(&format!("{back}#proposals")).into_response());
        }
        _ => {}
    }
    let c = guard(&state, &ctx, cid, Permission::ManageLivelihood).await?;
    let o = ctx.origin(&state)?;
    let step = match action.as_str() {
        "review" => CycleAction::Review {
            meeting: num("meeting")?,
        },
        "review_opinion" => CycleAction::ReviewOpinion {
            opinion: get("opinion"),
        },
        "vote" => CycleAction::Vote {
            meeting: num("meeting")?,
            decision: Some(get("decision")).filter(|d| !d.trim().is_empty()),
        },
        "apply_vote" => CycleAction::ApplyVote,
        "rating" => CycleAction::Rating {
            meeting: num("meeting")?,
        },
        "apply_ratings" => CycleAction::ApplyRatings,
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    api::apply_cycle(&state, &c, id, step, &o).await?;
    Ok(Redirect::to(&format!("{back}#steps")).into_response())
}

/// 一键转为民生实事建议 from an opinion's page.
async fn from_opinion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::ProposeLivelihood).await?;
    guard(&state, &ctx, cid, Permission::HandleOpinions).await?;
    let o = ctx.origin(&state)?;
    let (cycle, _) = service::propose_opinion(&state.db, c.id, id, &o).await?;
    Ok(Redirect::to(&format!("/c/{cid}/livelihood/{cycle}#proposals")).into_response())
}

/// The same from a suggestion's page (the deputies' affairs office).
async fn from_suggestion(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::ProposeLivelihood).await?;
    guard(&state, &ctx, cid, Permission::HandleSuggestions).await?;
    let o = ctx.origin(&state)?;
    let (cycle, _) = service::propose_suggestion(&state.db, c.id, id, &o).await?;
    Ok(Redirect::to(&format!("/c/{cid}/livelihood/{cycle}#proposals")).into_response())
}
