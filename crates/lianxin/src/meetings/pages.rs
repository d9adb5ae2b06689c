//! The meetings pages: the list; a meeting's page (staff run the roll, the agenda and the votes;
//! a member checks in with the code on the screen and votes from their phone); the check-in
//! screen with its rotating QR code; a vote's result with its seal, trackers and published
//! ballots; and the projector board, updated by server-sent events.

use super::api::{self, MeetingAction, MeetingView, VoteView, guard};
use super::domain::{self, Attendance, ItemKind, MeetingState, VoteMethod, VoteState};
use super::recount::{Stored, Verdict};
use super::service::{self, NewVote};
use super::store::{self, MeetingRow};
use crate::accounts::policy::{Permission, allows};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult};
use crate::platform::i18n::T;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/meetings", get(list).post(create))
        .route("/c/{cid}/meetings/{id}", get(page))
        .route("/c/{cid}/meetings/{id}/step", post(meeting_step))
        .route("/c/{cid}/meetings/{id}/screen", get(screen))
        .route("/c/{cid}/meetings/{id}/minutes.docx", get(minutes))
        .route("/c/{cid}/votes/{id}", get(vote_page))
        .route("/c/{cid}/votes/{id}/step", post(vote_step))
        .route("/c/{cid}/votes/{id}/ballot", post(ballot))
        .route("/c/{cid}/votes/{id}/paper-ballot.docx", get(paper_ballot))
        .route(
            "/c/{cid}/agenda-items/{id}/documents",
            post(super::documents::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::UPLOAD_LIMIT,
            )),
        )
        .route(
            "/c/{cid}/agenda-items/{id}/documents/{aid}",
            get(super::documents::download),
        )
        .merge(super::board::routes())
}

pub(super) fn html(t: impl Template) -> AppResult<Response> {
    Ok(Html(t.render().map_err(AppError::internal)?).into_response())
}

#[derive(Template)]
#[template(path = "meetings/templates/list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    meetings: Vec<MeetingRow>,
    run: bool,
    /// 代表法 Art 62: deputies who missed two sessions without leave (staff only).
    absences: Vec<(i64, String, usize)>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let run = can_run(&state, &ctx, &congress)?;
    let absences = if run {
        service::unexcused_absences(&state.db, congress.id).await?
    } else {
        Vec::new()
    };
    html(ListPage {
        absences,
        meetings: store::meetings(&state.db, congress.id).await?,
        shell: Shell::new(&state, &ctx, "meetings.title").await?,
        congress,
        run,
    })
}

#[derive(Deserialize)]
struct NewMeetingForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    place: String,
    /// `datetime-local`: 2026-11-29T09:00, China time.
    #[serde(default)]
    starts_at: String,
}

/// 召集会议 from the list page.
async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<NewMeetingForm>,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::RunMeetings).await?;
    let o = ctx.origin(&state)?;
    let kind = super::domain::MeetingKind::parse(&f.kind)
        .ok_or(AppError::BadRequest("error.bad_request"))?;
    let starts_at = chrono::NaiveDateTime::parse_from_str(&f.starts_at, "%Y-%m-%dT%H:%M")
        .ok()
        .and_then(|t| {
            t.and_local_timezone(crate::platform::clock::shanghai())
                .single()
        })
        .map_or(o.now, |t| t.timestamp_millis());
    let m = service::NewMeeting {
        kind,
        title: f.title,
        place: f.place,
        starts_at,
    };
    let id = service::create_meeting(&state.db, c.id, &m, &o).await?;
    Ok(Redirect::to(&format!("/c/{cid}/meetings/{id}")).into_response())
}

fn can_run(state: &AppState, ctx: &Ctx, c: &Congress) -> AppResult<bool> {
    Ok(allows(
        ctx.actor()?,
        Permission::RunMeetings,
        c.target(),
        state.policy(),
    ))
}

#[derive(Template)]
#[template(path = "meetings/templates/meeting.html")]
struct MeetingPage {
    shell: Shell,
    congress: Congress,
    v: MeetingView,
    run: bool,
    /// The viewer's own roll entry: (capacity, attendance).
    me: Option<(String, Attendance)>,
    /// Votes the viewer has already voted in.
    voted: Vec<i64>,
    kinds: Vec<&'static str>,
    /// From the QR code's link: the check-in code, filled in.
    code: String,
    /// Shown once after a secret ballot: the voter's tracker.
    tracker: String,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    tracker: String,
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Query(q): Query<PageQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let run = can_run(&state, &ctx, &congress)?;
    let v = api::meeting_view(&state, &congress, id).await?;
    let mine = store::roll_of_user(&state.db, id, ctx.actor()?.user.0).await?;
    let mut voted = Vec::new();
    if let Some(r) = &mine {
        for vote in &v.votes {
            if store::participants(&state.db, vote.id)
                .await?
                .contains(&r.person_id)
            {
                voted.push(vote.id);
            }
        }
    }
    html(MeetingPage {
        shell: Shell::new(&state, &ctx, "meetings.title").await?,
        me: mine.map(|r| (r.capacity, r.attendance)),
        voted,
        kinds: ItemKind::ALL.iter().map(|k| k.as_str()).collect(),
        code: q
            .code
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect(),
        tracker: q
            .tracker
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(11)
            .collect(),
        congress,
        v,
        run,
    })
}

#[derive(Deserialize)]
struct StepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    person: Option<i64>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    item: Option<i64>,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    seats: Option<u32>,
    #[serde(default)]
    candidates: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    deputies_only: String,
}

async fn meeting_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<StepForm>,
) -> AppResult<Response> {
    let member_step = matches!(f.action.as_str(), "check_in_code" | "request_leave");
    let perm = if member_step {
        Permission::AttendMeetings
    } else {
        Permission::RunMeetings
    };
    let c = guard(&state, &ctx, cid, perm).await?;
    let o = ctx.origin(&state)?;
    let db = &state.db;
    let person = || f.person.ok_or(AppError::BadRequest("error.bad_request"));
    let action = match f.action.as_str() {
        "open" => MeetingAction::Open,
        "close" => MeetingAction::Close,
        "add_item" => MeetingAction::AddItem {
            kind: ItemKind::parse(&f.kind).ok_or(AppError::BadRequest("error.bad_request"))?,
            title: f.title.clone(),
        },
        "check_in" => MeetingAction::CheckIn { person: person()? },
        "approve_leave" => MeetingAction::ApproveLeave { person: person()? },
        "check_in_code" => MeetingAction::CheckInCode {
            code: f.code.clone(),
        },
        "request_leave" => MeetingAction::RequestLeave {
            reason: f.reason.clone(),
        },
        "create_vote" => {
            let item = f.item.ok_or(AppError::BadRequest("error.bad_request"))?;
            let candidates: Vec<String> = f
                .candidates
                .split(['\n', ',', '，', '、'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let v = NewVote {
                method: VoteMethod::parse(&f.method),
                subject: f.subject.clone(),
                seats: f.seats,
                candidates: (!candidates.is_empty()).then_some(candidates),
                post: super::recount::Post::parse_form(&f.post),
                write_ins_deputies_only: Some(f.deputies_only == "1"),
                keep_order: None,
                appointees: None,
                merged_by: None,
                ballot_form: None,
                selection_rule: None,
            };
            let vid = service::create_vote(db, c.id, id, item, &v, &o).await?;
            return Ok(Redirect::to(&format!("/c/{cid}/meetings/{id}#vote-{vid}")).into_response());
        }
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    super::api::apply(db, c.id, id, action, &o).await?;
    Ok(Redirect::to(&format!("/c/{cid}/meetings/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "meetings/templates/screen.html")]
struct ScreenPage {
    shell: Shell,
    meeting: MeetingRow,
    qr: String,
    code: String,
    present: u32,
    members: u32,
}

/// 签到屏 — the rotating QR code on the room's screen (refreshes itself each window).
async fn screen(State(state): State<AppState>, ctx: Ctx, Ids(cid, id): Ids) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::RunMeetings).await?;
    let m = service::meeting(&state.db, c.id, id).await?;
    let code = domain::check_in_code(&m.check_in_key, m.id, state.clock.now_ms());
    let origin = crate::web::qr::origin(&state.config);
    let url = format!("{origin}/c/{cid}/meetings/{id}?code={code}");
    let q = service::quorum(&state.db, c.id, &m).await?;
    html(ScreenPage {
        shell: Shell::new(&state, &ctx, "meetings.screen").await?,
        qr: crate::web::qr::svg(&url).unwrap_or_default(),
        code,
        present: q.present,
        members: q.members,
        meeting: m,
    })
}

#[derive(Template)]
#[template(path = "meetings/templates/vote.html")]
struct VotePage {
    shell: Shell,
    congress: Congress,
    meeting: MeetingRow,
    v: VoteView,
    /// (label key, figure) of the result's counts.
    counts: Vec<(String, String)>,
    threshold: String,
    verdict: String,
    elected: String,
    runoff: String,
    basis: Vec<String>,
    published: String,
}

async fn vote_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let (meeting, row) = service::vote(&state.db, congress.id, id).await?;
    let v = api::vote_view(&state, row).await?;
    let t = T(ctx.lang);
    let r = v.result.clone().unwrap_or_default();
    let stored = serde_json::from_value::<Stored>(r).ok();
    let counts = stored
        .as_ref()
        .map(|s| ordered_counts(&v.rule, &s.counts, &t))
        .unwrap_or_default();
    let verdict = match stored.as_ref().map(Stored::verdict) {
        Some(Verdict::Passed) => t.t("meetings.passed"),
        Some(Verdict::NotPassed) => t.t("meetings.not_passed"),
        _ => String::new(),
    };
    let threshold = stored
        .as_ref()
        .map(|s| s.threshold.to_string())
        .unwrap_or_default();
    html(VotePage {
        shell: Shell::new(&state, &ctx, "meetings.vote").await?,
        threshold,
        elected: stored
            .as_ref()
            .map(|s| s.elected.join("、"))
            .unwrap_or_default(),
        runoff: stored
            .as_ref()
            .map(|s| s.runoff.join("、"))
            .unwrap_or_default(),
        basis: stored.map(|s| s.basis).unwrap_or_default(),
        published: v
            .published
            .as_ref()
            .map(|p| serde_json::to_string_pretty(p).unwrap_or_default())
            .unwrap_or_default(),
        counts,
        verdict,
        congress,
        meeting,
        v,
    })
}

/// A result's counts in the order people read them: 赞成, 反对, 弃权, then not voting; names by
/// votes, most first.
pub(super) fn ordered_counts(
    rule: &str,
    m: &serde_json::Map<String, serde_json::Value>,
    t: &T,
) -> Vec<(String, String)> {
    let fixed: &[&str] = match rule {
        "decision" => &["yes", "no", "abstain", "not_voted"],
        "rating" => &[
            "satisfied",
            "basically_satisfied",
            "dissatisfied",
            "not_voted",
        ],
        _ => {
            let mut named: Vec<(String, i64)> = m
                .iter()
                .map(|(k, n)| (k.clone(), n.as_i64().unwrap_or(0)))
                .collect();
            named.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
            return named.into_iter().map(|(k, n)| (k, n.to_string())).collect();
        }
    };
    fixed
        .iter()
        .filter_map(|k| m.get(*k).map(|n| (t.k("meetings.count", k), n.to_string())))
        .collect()
}

#[derive(Deserialize)]
struct VoteStepForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    reason: String,
}

async fn vote_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<VoteStepForm>,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::RunMeetings).await?;
    let o = ctx.origin(&state)?;
    let (m, _) = service::vote(&state.db, c.id, id).await?;
    match f.action.as_str() {
        "open" => service::open_vote(&state.db, c.id, id, &o).await?,
        "close" => {
            service::close_vote(&state.db, c.id, id, None, &o).await?;
        }
        "switch" => {
            let to =
                VoteMethod::parse(&f.method).ok_or(AppError::BadRequest("error.bad_request"))?;
            service::switch_method(&state.db, c.id, id, to, &f.reason, &o).await?
        }
        _ => return Err(AppError::BadRequest("error.bad_request")),
    }
    Ok(Redirect::to(&format!("/c/{cid}/meetings/{}#vote-{id}", m.id)).into_response())
}

/// A ballot from the meeting page: `choice` for a decision or rating; for an election
/// `c_{n}` = for / against / abstain per listed candidate and `write_in`.
async fn ballot(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let o = ctx.origin(&state)?;
    let (m, v) = service::vote(&state.db, c.id, id).await?;
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let ballot = match v.rule.as_str() {
        "decision" | "rating" => serde_json::Value::String(get("choice").unwrap_or_default()),
        "selection" if v.ballot_form.as_deref() == Some("per_item") => {
            let mut b = serde_json::Map::new();
            for (n, name) in service::candidates_of(&v).iter().enumerate() {
                if let Some(choice) = get(&format!("c_{n}")) {
                    b.insert(name.clone(), choice.into());
                }
            }
            serde_json::Value::Object(b)
        }
        "selection" => serde_json::Value::from(
            f.iter()
                .filter(|(n, _)| n == "chosen")
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>(),
        ),
        _ => {
            let mut b = serde_json::Map::new();
            for (n, name) in service::candidates_of(&v).iter().enumerate() {
                if let Some(choice) = get(&format!("c_{n}"))
                    .filter(|c| ["for", "against", "abstain"].contains(&c.as_str()))
                {
                    let list = b
                        .entry(choice)
                        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                    if let Some(a) = list.as_array_mut() {
                        a.push(name.clone().into());
                    }
                }
            }
            let write_in: Vec<String> = get("write_in")
                .unwrap_or_default()
                .split(['，', ',', '、'])
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            if !write_in.is_empty() {
                b.insert("write_in".into(), write_in.into());
            }
            serde_json::Value::Object(b)
        }
    };
    let prepared = super::ballot_box::prepare(&state.db, c.id, id, &ballot, &o).await?;
    let tracker = state
        .service::<super::ballot_box::BallotBox>()?
        .submit(prepared)
        .await?;
    let q = tracker.map(|t| format!("?tracker={t}")).unwrap_or_default();
    Ok(Redirect::to(&format!("/c/{cid}/meetings/{}{q}#vote-{id}", m.id)).into_response())
}

/// 会议纪要 — the minutes as a Word document: attendance and every result.
async fn minutes(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let v = api::meeting_view(&state, &c, id).await?;
    let bytes = super::minutes::docx(&v, &c.name).map_err(AppError::internal)?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"minutes-{id}.docx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A printable paper ballot (DOCX), candidates in the vote's order (姓氏笔画 by default).
async fn paper_ballot(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::RunMeetings).await?;
    let (_, v) = service::vote(&state.db, c.id, id).await?;
    let bytes = super::minutes::paper_ballot(&v, &c.name).map_err(AppError::internal)?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"ballot-{id}.docx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
