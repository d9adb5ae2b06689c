//! Attachments on a suggestion's page: upload (multipart, CSRF in the query as for every
//! multipart form), download and removal.

use super::super::service::{self};
use super::super::{capacity, guard};
use super::detail::after;
use crate::attachments;
use crate::platform::error::AppResult;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use axum::extract::{Multipart, Path, State as AxState};
use axum::response::Response;

pub(super) async fn upload(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Path((cid, id)): Path<(i64, i64)>,
    form: Multipart,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let (purpose, file) = attachments::read_upload(form).await?;
    let (name, bytes) = file.unwrap_or_default();
    let r = service::attach(
        &state.db,
        congress.id,
        id,
        cap,
        crate::attachments::Upload {
            purpose: &purpose,
            file_name: &name,
            bytes: &bytes,
        },
        &ctx.origin(&state)?,
    )
    .await
    .map(|_| ());
    after(&state, &ctx, cid, id, "attach", r).await
}

pub(super) async fn download(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Path((cid, id, aid)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let (a, bytes) = service::download(&state.db, congress.id, id, aid, cap).await?;
    Ok(attachments::download_response(&a, bytes))
}

pub(super) async fn remove(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Path((cid, id, aid)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let r = service::detach(&state.db, congress.id, id, aid, cap, &ctx.origin(&state)?).await;
    after(&state, &ctx, cid, id, "detach", r).await
}
