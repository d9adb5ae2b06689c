//! 大屏 — the projector board of a meeting: the vote on the floor, its progress, its result as
//! soon as it is sealed, pushed by server-sent events (a page that works without them reloads).

use super::api::guard;
use super::domain::VoteState;
use super::pages::{html, ordered_counts};
use super::recount::{Stored, Verdict};
use super::service::{self};
use super::store::{self};
use crate::accounts::policy::Permission;
use crate::congress::Congress;
use crate::platform::error::AppResult;
use crate::platform::i18n::T;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Ids;
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::time::Duration;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/board/{cid}/{id}", get(board))
        .route("/board/{cid}/{id}/events", get(board_events))
}

#[derive(Template)]
#[template(path = "meetings/templates/board.html")]
struct BoardPage {
    shell: Shell,
    cid: i64,
    id: i64,
    b: BoardState,
}

/// What the board shows, as display strings keyed by element (`b-{key}`).
#[derive(serde::Serialize, Clone, PartialEq, Default)]
struct BoardState {
    title: String,
    quorum: String,
    subject: String,
    state: String,
    progress: String,
    counts: String,
    threshold: String,
    verdict: String,
    basis: String,
}

async fn board_state(state: &AppState, c: &Congress, id: i64, t: &T) -> AppResult<BoardState> {
    let m = service::meeting(&state.db, c.id, id).await?;
    let q = service::quorum(&state.db, c.id, &m).await?;
    let mut b = BoardState {
        title: m.title.clone(),
        quorum: format!(
            "{} {} / {} · {} {} {}",
            t.t("meetings.present"),
            q.present,
            q.members,
            t.t("meetings.required"),
            q.required,
            if q.met {
                t.t("meetings.quorum_met")
            } else {
                t.t("meetings.quorum_not_met")
            }
        ),
        ..Default::default()
    };
    let votes = store::votes(&state.db, m.id).await?;
    let current = votes
        .iter()
        .find(|v| v.state == VoteState::Open)
        .or_else(|| votes.iter().rev().find(|v| v.state == VoteState::Closed));
    if let Some(v) = current {
        b.subject = v.subject.clone();
        b.state = t.k("meetings.vote_state", v.state);
        if v.state == VoteState::Open {
            b.progress = t.f(
                "meetings.progress",
                "n",
                format!(
                    "{} / {}",
                    store::voted(&state.db, v.id).await?,
                    v.present.unwrap_or(0)
                ),
            );
        } else if let Some(r) = v.result.as_deref().and_then(|r| Stored::parse(r).ok()) {
            b.counts = ordered_counts(&v.rule, &r.counts, t)
                .into_iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect::<Vec<_>>()
                .join(" · ");
            b.threshold = t.f("meetings.threshold", "n", r.threshold.to_string());
            b.verdict = match r.verdict() {
                Verdict::Passed => t.t("meetings.passed"),
                Verdict::NotPassed => t.t("meetings.not_passed"),
                Verdict::Elected(e) => format!("{}{}", t.t("meetings.elected"), e.join("、")),
                Verdict::NoneElected => String::new(),
            };
            b.basis = r.basis.join("；");
        }
    }
    Ok(b)
}

/// 大屏 — the projector page: large type, high contrast, no reload.
async fn board(State(state): State<AppState>, ctx: Ctx, Ids(cid, id): Ids) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let t = T(ctx.lang);
    let b = board_state(&state, &c, id, &t).await?;
    html(BoardPage {
        shell: Shell::new(&state, &ctx, "meetings.board").await?,
        cid,
        id,
        b,
    })
}

/// The board's figures as server-sent events: sent when they change, polled twice a second.
async fn board_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::AttendMeetings).await?;
    let t = T(ctx.lang);
    let stream = futures_util::stream::unfold(
        (state, c, t, None::<BoardState>),
        move |(state, c, t, last)| async move {
            loop {
                if last.is_some() {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                let now = board_state(&state, &c, id, &t).await.ok()?;
                if last.as_ref() != Some(&now) {
                    let event = Event::default().json_data(&now).ok()?;
                    return Some((
                        Ok::<_, std::convert::Infallible>(event),
                        (state, c, t, Some(now)),
                    ));
                }
            }
        },
    );
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}
