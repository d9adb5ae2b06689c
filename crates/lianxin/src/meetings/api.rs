//! `/api/v1/congresses/{cid}/meetings` and `/votes`: the same as the pages, in JSON — what a
//! member's phone or tablet uses to check in and vote, and what staff use to run the meeting.

use super::domain::{ItemKind, MeetingState, VoteMethod, VoteState};
use super::service::{self, CheckIn, NewMeeting, NewVote, QuorumNow};
use super::store::{self, ItemRow, MeetingRow, RollRow};
use crate::accounts::policy::Permission;
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
            "/congresses/{cid}/meetings",
            get(list_meetings).post(create_meeting),
        )
        .route("/congresses/{cid}/meetings/{id}", get(get_meeting))
        .route(
            "/congresses/{cid}/meetings/{id}/actions",
            post(act_on_meeting),
        )
        .route("/congresses/{cid}/meetings/{id}/votes", post(create_vote))
        .route("/congresses/{cid}/votes/{id}", get(get_vote))
        .route("/congresses/{cid}/votes/{id}/actions", post(act_on_vote))
        .route("/congresses/{cid}/votes/{id}/ballot", post(cast_ballot))
        .route(
            "/public/congresses/{cid}/results",
            get(super::public::results),
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

#[utoipa::path(get, path = "/api/v1/congresses/{cid}/meetings", tag = "meetings", params(("cid" = i64, Path)),
    responses((status = 200, body = crate::platform::page::Page<MeetingRow>), (status = 403, body = crate::web::errors::Problem)))]
pub async fn list_meetings(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<crate::platform::page::Page<MeetingRow>>> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    Ok(axum::Json(crate::platform::page::Page::all(
        store::meetings(&state.db, c.id).await?,
    )))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}

/// 召集会议 — the roll is the body's members now (all deputies in office for a sitting).
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/meetings", tag = "meetings", params(("cid" = i64, Path)), request_body = NewMeeting,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn create_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Json(m): Json<NewMeeting>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let c = guard(&state, &ctx, cid, Permission::RunMeetings).await?;
    let o = ctx.origin(&state)?;
    let id = service::create_meeting(&state.db, c.id, &m, &o).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id })))
}

/// A vote as anyone of the meeting sees it: no ballot is linked to anyone.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VoteView {
    pub id: i64,
    pub item_id: i64,
    pub rule: String,
    pub method: VoteMethod,
    pub subject: String,
    pub seats: Option<i64>,
    pub candidates: Vec<String>,
    /// A selection's ballot form: `choose` or `per_item`.
    pub ballot_form: Option<String>,
    pub state: VoteState,
    /// Members in office and present, snapshotted when the vote opened.
    pub members: Option<i64>,
    pub present: Option<i64>,
    pub voted: u32,
    pub method_note: Option<String>,
    /// The recount's output (`docs/tally.md`), once closed.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// The recount's input with the ballots shuffled: `lianxin tally` recounts it.
    #[schema(value_type = Option<Object>)]
    pub published: Option<serde_json::Value>,
    /// The voters' trackers, sorted, apart from the ballots.
    pub trackers: Vec<String>,
    /// A named vote's ballots with the voters' names.
    pub named: Vec<(String, String)>,
    pub digest: Option<String>,
    pub signature: Option<String>,
    pub seal_version: Option<i64>,
    /// True while old row versions of the closed vote's ballot tables remain in PostgreSQL (an
    /// older snapshot holds them); the server retries their removal every minute.
    pub purge_pending: bool,
    /// Corrections of the sealed result, each a sealed record with its reason.
    pub corrections: Vec<store::CorrectionRow>,
}

pub(super) async fn vote_view(state: &AppState, v: store::VoteRow) -> Result<VoteView, AppError> {
    let closed = v.state == VoteState::Closed;
    let parse = |s: &Option<String>| s.as_deref().and_then(|s| serde_json::from_str(s).ok());
    Ok(VoteView {
        voted: store::voted(&state.db, v.id).await?,
        trackers: if closed {
            store::trackers(&state.db, v.id).await?
        } else {
            Vec::new()
        },
        named: if closed && v.method == VoteMethod::Named {
            store::named_ballots(&state.db, v.id).await?
        } else {
            Vec::new()
        },
        candidates: service::candidates_of(&v),
        corrections: store::corrections(&state.db, v.id).await?,
        result: parse(&v.result),
        published: parse(&v.published),
        id: v.id,
        item_id: v.item_id,
        rule: v.rule,
        method: v.method,
        subject: v.subject,
        seats: v.seats,
        state: v.state,
        members: v.members,
        present: v.present,
        method_note: v.method_note,
        digest: v.digest,
        signature: v.signature,
        seal_version: v.seal_version,
        ballot_form: v.ballot_form,
        purge_pending: v.purge_pending != 0,
    })
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    pub meeting: MeetingRow,
    pub quorum: QuorumNow,
    pub roll: Vec<RollRow>,
    pub items: Vec<ItemRow>,
    /// The items' documents, each flagged when it came after the notice period.
    pub documents: Vec<super::documents::ItemDocument>,
    pub votes: Vec<VoteView>,
}

pub(super) async fn meeting_view(
    state: &AppState,
    c: &Congress,
    id: i64,
) -> Result<MeetingView, AppError> {
    let m = service::meeting(&state.db, c.id, id).await?;
    let mut votes = Vec::new();
    for v in store::votes(&state.db, m.id).await? {
        votes.push(vote_view(state, v).await?);
    }
    let items = store::items(&state.db, m.id).await?;
    Ok(MeetingView {
        quorum: service::quorum(&state.db, c.id, &m).await?,
        roll: store::roll(&state.db, m.id).await?,
        documents: super::documents::of_meeting(&state.db, c.id, &m, &items).await?,
        items,
        votes,
        meeting: m,
    })
}

#[utoipa::path(get, path = "/api/v1/congresses/{cid}/meetings/{id}", tag = "meetings", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = MeetingView), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem)))]
pub async fn get_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<MeetingView>> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    Ok(axum::Json(meeting_view(&state, &c, id).await?))
}

/// One step on a meeting. Staff: open, close, add_item, check_in, approve_leave,
/// add_attendee. A member: check_in_code (the code on the screen), request_leave.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MeetingAction {
    Open,
    Close,
    AddItem {
        kind: ItemKind,
        title: String,
    },
    CheckIn {
        person: i64,
    },
    /// 签到表 — the paper sign-in sheet: every listed member present.
    CheckInSheet {
        persons: Vec<i64>,
    },
    ApproveLeave {
        person: i64,
    },
    AddAttendee {
        person: i64,
    },
    CheckInCode {
        code: String,
    },
    RequestLeave {
        reason: String,
    },
}

impl MeetingAction {
    /// A step a member takes for themselves (the rest are the office's).
    pub fn by_member(&self) -> bool {
        matches!(
            self,
            MeetingAction::CheckInCode { .. } | MeetingAction::RequestLeave { .. }
        )
    }
}

/// Performs one step on a meeting (the API and the pages alike).
pub(super) async fn apply(
    db: &crate::db::Db,
    congress: crate::platform::ids::CongressId,
    id: i64,
    action: MeetingAction,
    o: &service::Origin,
) -> Result<(), AppError> {
    let c = congress;
    match action {
        MeetingAction::Open => service::set_state(db, c, id, MeetingState::Open, o).await?,
        MeetingAction::Close => service::set_state(db, c, id, MeetingState::Closed, o).await?,
        MeetingAction::AddItem { kind, title } => {
            service::add_item(db, c, id, kind, &title, o).await?;
        }
        MeetingAction::CheckIn { person } => {
            service::check_in(db, c, id, CheckIn::Staff { person }, o).await?;
        }
        MeetingAction::CheckInSheet { persons } => {
            service::check_in_sheet(db, c, id, &persons, o).await?;
        }
        MeetingAction::CheckInCode { code } => {
            service::check_in(db, c, id, CheckIn::Code { code: &code }, o).await?;
        }
        MeetingAction::ApproveLeave { person } => {
            service::leave(db, c, id, Some(person), "", o).await?
        }
        MeetingAction::RequestLeave { reason } => {
            service::leave(db, c, id, None, &reason, o).await?
        }
        MeetingAction::AddAttendee { person } => {
            service::add_attendee(db, c, id, person, o).await?
        }
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/congresses/{cid}/meetings/{id}/actions", tag = "meetings", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = MeetingAction,
    responses((status = 200, body = QuorumNow), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn act_on_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(action): Json<MeetingAction>,
) -> AppResult<axum::Json<QuorumNow>> {
    let perm = if action.by_member() {
        Permission::AttendMeetings
    } else {
        Permission::RunMeetings
    };
    let c = guard(&state, &ctx, cid, perm).await?;
    let o = ctx.origin(&state)?;
    let db = &state.db;
    apply(db, c.id, id, action, &o).await?;
    let m = service::meeting(db, c.id, id).await?;
    Ok(axum::Json(service::quorum(db, c.id, &m).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewVoteOnItem {
    pub item: i64,
    #[serde(flatten)]
    pub vote: NewVote,
}

/// 设置表决 on an agenda item; the candidate list is checked against 组织法 Art 27 / 选举法 Art 31.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/meetings/{id}/votes", tag = "meetings", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = NewVoteOnItem,
    responses((status = 201, body = Created), (status = 403, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn create_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(v): Json<NewVoteOnItem>,
) -> AppResult<(StatusCode, axum::Json<Created>)> {
    let c = guard(&state, &ctx, cid, Permission::RunMeetings).await?;
    let o = ctx.origin(&state)?;
    let vid = service::create_vote(&state.db, c.id, id, v.item, &v.vote, &o).await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: vid })))
}

#[utoipa::path(get, path = "/api/v1/congresses/{cid}/votes/{id}", tag = "meetings", params(("cid" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = VoteView), (status = 403, body = crate::web::errors::Problem), (status = 404, body = crate::web::errors::Problem)))]
pub async fn get_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<axum::Json<VoteView>> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let (_, v) = service::vote(&state.db, c.id, id).await?;
    Ok(axum::Json(vote_view(&state, v).await?))
}

/// One step on a vote: open (quorum enforced), close (counted, sealed), counts (a show of hands
/// or paper: the tellers' counts, which close it), switch (devices failed).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum VoteAction {
    Open,
    Close,
    Counts {
        #[schema(value_type = Object)]
        counts: serde_json::Map<String, serde_json::Value>,
        #[serde(default)]
        void_ballots: u32,
    },
    Switch {
        method: VoteMethod,
        reason: String,
    },
    /// A closed vote's correction: a new sealed record with the reason; the result stays.
    Correct {
        reason: String,
        #[schema(value_type = Object)]
        counts: serde_json::Map<String, serde_json::Value>,
        #[serde(default)]
        void_ballots: u32,
    },
}

#[utoipa::path(post, path = "/api/v1/congresses/{cid}/votes/{id}/actions", tag = "meetings", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = VoteAction,
    responses((status = 200, body = VoteView), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn act_on_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(action): Json<VoteAction>,
) -> AppResult<axum::Json<VoteView>> {
    let perm = if matches!(action, VoteAction::Counts { .. }) {
        Permission::CountVotes
    } else {
        Permission::RunMeetings
    };
    let c = guard(&state, &ctx, cid, perm).await?;
    let o = ctx.origin(&state)?;
    let db = &state.db;
    match action {
        VoteAction::Open => service::open_vote(db, c.id, id, &o).await?,
        VoteAction::Close => {
            service::close_vote(db, c.id, id, None, &o).await?;
        }
        VoteAction::Counts {
            counts,
            void_ballots,
        } => {
            service::close_vote(db, c.id, id, Some((counts, void_ballots)), &o).await?;
        }
        VoteAction::Switch { method, reason } => {
            service::switch_method(db, c.id, id, method, &reason, &o).await?
        }
        VoteAction::Correct {
            reason,
            counts,
            void_ballots,
        } => {
            service::correct(db, c.id, id, &reason, counts, void_ballots, &o).await?;
        }
    }
    let (_, v) = service::vote(db, c.id, id).await?;
    Ok(axum::Json(vote_view(&state, v).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct BallotInput {
    /// As in `docs/tally.md`: `"yes"`; `{"for": [...], ...}`; `[...]`; `"satisfied"`.
    #[schema(value_type = Object)]
    pub ballot: serde_json::Value,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BallotReceipt {
    /// A secret vote's tracker: find it in the published list to see that the ballot counted.
    pub tracker: Option<String>,
}

/// 投票 — once, by a member checked in; acknowledged (201) only once committed.
#[utoipa::path(post, path = "/api/v1/congresses/{cid}/votes/{id}/ballot", tag = "meetings", params(("cid" = i64, Path), ("id" = i64, Path)), request_body = BallotInput,
    responses((status = 201, body = BallotReceipt), (status = 403, body = crate::web::errors::Problem), (status = 409, body = crate::web::errors::Problem), (status = 422, body = crate::web::errors::Problem)))]
pub async fn cast_ballot(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Json(b): Json<BallotInput>,
) -> AppResult<(StatusCode, axum::Json<BallotReceipt>)> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let o = ctx.origin(&state)?;
    let prepared = super::ballot_box::prepare(&state.db, c.id, id, &b.ballot, &o).await?;
    let tracker = state
        .service::<super::ballot_box::BallotBox>()?
        .submit(prepared)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(BallotReceipt { tracker })))
}
