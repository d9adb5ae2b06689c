//! The inbox: in-app notices with an unread count in the header; `/api/v1/notifications` too.

use super::{InboxItem, inbox, mark_read};
use crate::platform::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Id;
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inbox", get(inbox_page))
        .route("/inbox/{id}/read", post(read))
        .route("/api/v1/notifications", get(api_inbox))
}

#[derive(Template)]
#[template(path = "notify/templates/inbox.html")]
struct InboxPage {
    shell: Shell,
    items: Vec<InboxItem>,
}

async fn inbox_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let items = inbox(&state.db, actor.user, 100).await?;
    let shell = Shell::new(&state, &ctx, "inbox.title").await?;
    Ok(Html(
        InboxPage { shell, items }
            .render()
            .map_err(AppError::internal)?,
    )
    .into_response())
}

async fn read(State(state): State<AppState>, ctx: Ctx, Id(id): Id) -> AppResult<Response> {
    let actor = ctx.actor()?;
    mark_read(&state.db, actor.user, id, state.clock.now_ms()).await?;
    Ok(Redirect::to("/inbox").into_response())
}

/// The signed-in user's newest notices.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    responses((status = 200, body = crate::platform::page::Page<InboxItem>), (status = 401, body = crate::web::errors::Problem)))]
pub async fn api_inbox(
    State(state): State<AppState>,
    ctx: Ctx,
) -> AppResult<axum::Json<crate::platform::page::Page<InboxItem>>> {
    let actor = ctx.actor()?;
    Ok(axum::Json(crate::platform::page::Page::all(
        inbox(&state.db, actor.user, 100).await?,
    )))
}
