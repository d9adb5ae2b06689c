//! The handlers' side of opinions: the list with its search and filters, one opinion with its
//! history and the steps its holder may take, the groups of similar opinions, the insight page,
//! and staff entry. Station staff and the deputies' affairs office see all of the congress's;
//! a deputy those addressed to them; a unit those routed to it.

mod detail;
mod entry;
mod groups;
pub mod home;
mod insight;

pub(crate) use insight::figures as insight_figures;

use super::domain;
use super::service::Handler;
use super::store::{self, Filter, Opinion};
use crate::accounts::policy::{Permission, allows};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Id, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/opinions", get(list))
        .route(
            "/c/{cid}/opinions/new",
            get(entry::new_form).post(entry::enter),
        )
        .route("/c/{cid}/opinions/convert", post(detail::convert))
        .route("/c/{cid}/opinions/groups", get(groups::list))
        .route("/c/{cid}/opinions/groups/{id}", get(groups::detail))
        .route("/c/{cid}/opinions/groups/{id}/merge", post(groups::merge))
        .route("/c/{cid}/opinions/insight", get(insight::page))
        .route("/c/{cid}/opinions/{id}", get(detail::detail))
        .route("/c/{cid}/opinions/{id}/answer", post(detail::answer))
        .route("/c/{cid}/opinions/{id}/route", post(detail::route))
        .route("/c/{cid}/opinions/{id}/return", post(detail::unit_return))
        .route("/c/{cid}/opinions/{id}/refer", post(detail::refer))
        .route("/c/{cid}/opinions/{id}/transfer", post(detail::transfer))
        .route("/c/{cid}/opinions/{id}/split", post(groups::split))
        .route(
            "/c/{cid}/opinions/{id}/attachments/{aid}",
            get(detail::download),
        )
        .route("/c/{cid}/opinions/qr/deputies/{id}", get(entry::deputy_qr))
        .route("/c/{cid}/opinions/qr/stations/{id}", get(entry::station_qr))
}

/// Anyone who handles opinions in the congress, with the capacity they act in.
pub(crate) async fn guard(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<(Congress, Handler)> {
    let congress =
        crate::accounts::policy::guard(state, ctx, cid, Permission::HandleOpinions).await?;
    let handler = handler(state, ctx, &congress).await?;
    Ok((congress, handler))
}

/// In what capacity the actor handles opinions here: the congress's staff first, then a unit,
/// then a deputy (an account with several grants acts in the broadest).
pub(crate) async fn handler(
    state: &AppState,
    ctx: &Ctx,
    congress: &Congress,
) -> AppResult<Handler> {
    let actor = ctx.actor()?;
    if allows(
        actor,
        Permission::ManageStations,
        congress.target(),
        state.policy(),
    ) {
        return Ok(Handler::Staff);
    }
    match crate::suggestions::capacity(state, ctx, congress).await? {
        crate::suggestions::service::Capacity::Office => Ok(Handler::Staff),
        crate::suggestions::service::Capacity::Unit { unit, .. } => Ok(Handler::Unit(unit)),
        crate::suggestions::service::Capacity::Deputy(d) => Ok(Handler::Deputy(d)),
    }
}

/// Station staff and the office only (entry, transfer, groups, insight).
pub(crate) async fn staff_guard(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<Congress> {
    crate::accounts::policy::guard(state, ctx, cid, Permission::ManageStations).await
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

/// Choices for a select: an empty "all" first, then each key with its label.
fn choices(shell: &Shell, prefix: &str, keys: &[&str]) -> Vec<(String, String)> {
    std::iter::once((String::new(), shell.t.t("opinions.filter_all").to_string()))
        .chain(keys.iter().map(|k| (k.to_string(), shell.t.k(prefix, k))))
        .collect()
}

/// A date filter as stored milliseconds (`to` is inclusive: up to the next midnight).
pub(crate) fn date_range(f: &Filter) -> (Option<i64>, Option<i64>) {
    let parse = |s: &str| chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let from = parse(&f.from).map(crate::platform::clock::china_midnight_ms);
    let to = parse(&f.to)
        .and_then(|d| d.succ_opt())
        .map(crate::platform::clock::china_midnight_ms);
    (from, to)
}

#[derive(Template)]
#[template(path = "opinions/templates/list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    staff: bool,
    deputy: bool,
    rows: Vec<Opinion>,
    filter: Filter,
    /// The filter as a query string (for the next page's link).
    query: String,
    next: Option<i64>,
    today: String,
    kinds: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    states: Vec<(String, String)>,
    holders: Vec<(String, String)>,
    stations: Vec<(i64, String)>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(f): Query<Filter>,
) -> AppResult<Response> {
    let (congress, handler) = guard(&state, &ctx, cid).await?;
    let (from, to) = date_range(&f);
    let mut rows = store::list(&state.db, congress.id, handler.scope(), &f, from, to, 50).await?;
    let next = (rows.len() > 50).then(|| rows[49].id);
    rows.truncate(50);
    let shell = Shell::new(&state, &ctx, "opinions.title").await?;
    let query = serde_urlencoded::to_string([
        ("q", f.q.as_str()),
        ("place", f.place.as_str()),
        ("category", f.category.as_str()),
        ("kind", f.kind.as_str()),
        ("state", f.state.as_str()),
        ("holder", f.holder.as_str()),
        ("from", f.from.as_str()),
        ("to", f.to.as_str()),
        (
            "station",
            &f.station.map(|s| s.to_string()).unwrap_or_default(),
        ),
    ])
    .unwrap_or_default();
    let stations = crate::stations::stations(&state.db, congress.id)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    html(
        StatusCode::OK,
        ListPage {
            kinds: choices(&shell, "opinion.kind", domain::KINDS),
            categories: choices(&shell, "opinion.category", domain::CATEGORIES),
            states: choices(
                &shell,
                "opinion.state",
                &["received", "answered", "reopened"],
            ),
            holders: choices(
                &shell,
                "opinion.holder",
                &["congress", "unit", "suggestion", "elsewhere"],
            ),
            shell,
            staff: handler == Handler::Staff,
            deputy: matches!(handler, Handler::Deputy(_)),
            today: state.clock.today().to_string(),
            congress,
            rows,
            filter: f,
            query,
            next,
            stations,
        },
    )
}
