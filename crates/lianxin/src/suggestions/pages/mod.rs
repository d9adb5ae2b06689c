//! The suggestion pages: one list (what it holds depends on who looks: the office sees every item
//! by state, a unit what is assigned to it, a deputy what they lead or were asked to sign), the
//! draft form, and one detail page whose action panels follow the viewer's capacity and the
//! item's state.

use super::domain::State;
use super::service::{self, CATEGORIES, Capacity, DraftInput};
use super::store::{self, Scope};
use super::{capacity, guard};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

mod actions;
mod detail;
pub(crate) mod files;
use actions::*;
use detail::*;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/suggestions", get(list).post(create))
        .route("/c/{cid}/suggestions/new", get(new_form))
        .route("/c/{cid}/suggestions/{id}", get(detail))
        .route("/c/{cid}/suggestions/{id}/consent", post(consent))
        .route("/c/{cid}/suggestions/{id}/submit", post(submit))
        .route("/c/{cid}/suggestions/{id}/withdraw", post(withdraw))
        .route("/c/{cid}/suggestions/{id}/review", post(review))
        .route("/c/{cid}/suggestions/{id}/assign", post(assign))
        .route("/c/{cid}/suggestions/{id}/unit-return", post(unit_return))
        .route("/c/{cid}/suggestions/{id}/contact", post(contact))
        .route("/c/{cid}/suggestions/{id}/reply", post(reply))
        .route("/c/{cid}/suggestions/{id}/rate", post(rate))
        .route("/c/{cid}/suggestions/{id}/delivery", post(delivery))
        .route("/c/{cid}/suggestions/{id}/close", post(close))
        .route("/c/{cid}/suggestions/{id}/extension", post(extension))
        .route("/c/{cid}/suggestions/{id}/key", post(key))
        .route("/c/{cid}/suggestions/{id}/opinion", post(opinion))
        .route("/c/{cid}/suggestions/{id}/publish", post(publish))
        .route("/c/{cid}/suggestions/{id}/merge", post(merge))
        .route(
            "/c/{cid}/suggestions/{id}/attachments",
            post(files::upload).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::UPLOAD_LIMIT,
            )),
        )
        .route(
            "/c/{cid}/suggestions/{id}/attachments/{aid}",
            get(files::download),
        )
        .route(
            "/c/{cid}/suggestions/{id}/attachments/{aid}/delete",
            post(files::remove),
        )
        .route(
            "/c/{cid}/suggestions/{id}/extension-decision",
            post(extension_decision),
        )
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

#[derive(Deserialize)]
struct ListQuery {
    state: Option<String>,
    before: Option<i64>,
    /// `1`: the key-supervision list.
    key: Option<String>,
}

#[derive(Template)]
#[template(path = "suggestions/templates/list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<store::Suggestion>,
    next: Option<i64>,
    state: String,
    states: Vec<&'static str>,
    is_deputy: bool,
    stats: Option<store::Stats>,
    today: String,
    key_list: bool,
}

async fn list(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let key_list = q.key.as_deref() == Some("1");
    let scope = match cap {
        Capacity::Office if key_list => Scope::Key,
        Capacity::Office => Scope::All,
        Capacity::Deputy(d) => Scope::Deputy(d),
        Capacity::Unit { unit, .. } => Scope::Unit(unit),
    };
    let filter = q.state.as_deref().and_then(State::parse);
    let mut rows = store::list(
        &state.db,
        congress.id,
        scope,
        filter.map(State::as_str),
        q.before,
        50,
    )
    .await?;
    let next = (rows.len() > 50).then(|| rows[49].id);
    rows.truncate(50);
    let today = state.clock.today().to_string();
    let stats = if cap == Capacity::Office {
        Some(store::stats(&state.db, congress.id, &today, &[]).await?)
    } else {
        None
    };
    let shell = Shell::new(&state, &ctx, "suggestions.title").await?;
    html(
        StatusCode::OK,
        ListPage {
            shell,
            congress,
            rows,
            next,
            state: filter.map(|s| s.as_str().to_string()).unwrap_or_default(),
            states: State::ALL.iter().map(|s| s.as_str()).collect(),
            is_deputy: matches!(cap, Capacity::Deputy(_)),
            stats,
            today,
            key_list,
        },
    )
}

#[derive(Template)]
#[template(path = "suggestions/templates/new.html")]
struct NewPage {
    shell: Shell,
    congress: Congress,
    input: DraftInput,
    categories: Vec<(String, String)>,
    /// The district's towns (empty for a town congress).
    towns: Vec<(String, String)>,
    /// The congress sits and the deputy is in a delegation: they may draft in its name.
    delegation_possible: bool,
}

async fn delegation_possible(
    state: &AppState,
    congress: &Congress,
    deputy: i64,
) -> AppResult<bool> {
    let (kind, _) = service::period_of(&state.db, congress.id, state.clock.today()).await?;
    Ok(kind == "session"
        && store::delegation_of(&state.db, congress.id, deputy)
            .await?
            .is_some())
}

async fn towns(
    state: &AppState,
    shell: &Shell,
    congress: &Congress,
) -> AppResult<Vec<(String, String)>> {
    let children: Vec<(String, String)> = crate::congress::all(&state.db)
        .await?
        .into_iter()
        .filter(|c| c.parent == Some(congress.id))
        .map(|c| (c.id.0.to_string(), c.short_name))
        .collect();
    Ok(if children.is_empty() {
        children
    } else {
        std::iter::once((String::new(), shell.t.t("suggestion.town_none").to_string()))
            .chain(children)
            .collect()
    })
}

fn categories(shell: &Shell) -> Vec<(String, String)> {
    std::iter::once((String::new(), shell.t.t("form.choose").to_string()))
        .chain(
            CATEGORIES
                .iter()
                .map(|c| (c.to_string(), shell.t.k("suggestion.category", c))),
        )
        .collect()
}

async fn new_form(AxState(state): AxState<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let Capacity::Deputy(deputy) = capacity(&state, &ctx, &congress).await? else {
        return Err(AppError::Forbidden);
    };
    let shell = Shell::new(&state, &ctx, "suggestion.new_title").await?;
    html(
        StatusCode::OK,
        NewPage {
            delegation_possible: delegation_possible(&state, &congress, deputy).await?,
            towns: towns(&state, &shell, &congress).await?,
            categories: categories(&shell),
            shell,
            congress,
            input: DraftInput::default(),
        },
    )
}

async fn create(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(input): Form<DraftInput>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let Capacity::Deputy(deputy) = capacity(&state, &ctx, &congress).await? else {
        return Err(AppError::Forbidden);
    };
    match service::draft(&state.db, congress.id, deputy, &input, &ctx.origin(&state)?).await {
        Ok(id) => Ok(Redirect::to(&format!("/c/{cid}/suggestions/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let shell = Shell::new(&state, &ctx, "suggestion.new_title")
                .await?
                .with_errors(&errs);
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                NewPage {
                    delegation_possible: input.as_delegation
                        || delegation_possible(&state, &congress, deputy).await?,
                    towns: towns(&state, &shell, &congress).await?,
                    categories: categories(&shell),
                    shell,
                    congress,
                    input,
                },
            )
        }
        Err(e) => Err(e),
    }
}
