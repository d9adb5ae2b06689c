//! 相似意见 — the groups of similar opinions, largest first; one group's members; merging a
//! group (one answer for every citizen) and taking an opinion out again.

use super::{html, staff_guard};
use crate::congress::Congress;
use crate::opinions::service;
use crate::opinions::store::{self, GroupRow, Opinion};
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "opinions/templates/groups.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    groups: Vec<GroupRow>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    let groups = store::groups(&state.db, congress.id, 100).await?;
    html(
        StatusCode::OK,
        ListPage {
            shell: Shell::new(&state, &ctx, "opinions.groups").await?,
            congress,
            groups,
        },
    )
}

#[derive(Template)]
#[template(path = "opinions/templates/group.html")]
struct GroupPage {
    shell: Shell,
    congress: Congress,
    group: i64,
    members: Vec<Opinion>,
    /// The open members not merged into another: the choices for the one that is answered.
    primaries: Vec<i64>,
    done: String,
}

#[derive(Deserialize, Default)]
pub(super) struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    group: i64,
    errors: &[FieldError],
    done: String,
) -> AppResult<Response> {
    let members = store::members(&state.db, congress.id, group).await?;
    if members.is_empty() {
        return Err(AppError::NotFound);
    }
    let primaries = members
        .iter()
        .filter(|m| m.is_open() && m.merged_into.is_none())
        .map(|m| m.id)
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        GroupPage {
            shell: Shell::new(state, ctx, "opinions.groups")
                .await?
                .with_errors(errors),
            congress,
            group,
            members,
            primaries,
            done,
        },
    )
}

pub(super) async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, group): Ids,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    render(&state, &ctx, congress, group, &[], q.done).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MergeForm {
    primary: String,
}

pub(super) async fn merge(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, group): Ids,
    Form(f): Form<MergeForm>,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let primary = f.primary.trim().parse().unwrap_or(0);
    match service::merge(&state.db, congress.id, group, primary, &o).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/c/{cid}/opinions/groups/{group}?done=merged")).into_response(),
        ),
        Err(AppError::Invalid(errs)) => {
            render(&state, &ctx, congress, group, &errs, String::new()).await
        }
        Err(e) => Err(e),
    }
}

pub(super) async fn split(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    let o = ctx.origin(&state)?;
    let group = store::get(&state.db, congress.id, id)
        .await?
        .and_then(|op| op.group_id);
    service::split(&state.db, congress.id, id, &o).await?;
    let to = match group {
        Some(g) if g != id => format!("/c/{cid}/opinions/groups/{g}?done=split"),
        _ => format!("/c/{cid}/opinions/{id}?done=split"),
    };
    Ok(Redirect::to(&to).into_response())
}
