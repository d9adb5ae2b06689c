//! Attachments on a suggestion's page: upload (multipart, CSRF in the query as for every
//! multipart form), download and removal.

use super::super::service::{self};
use super::super::{capacity, guard, origin};
use super::detail::after;
use crate::attachments;
use crate::platform::error::AppResult;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use axum::extract::{Multipart, Path, State as AxState};
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub(crate) use crate::attachments::read_upload;

pub(super) async fn upload(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Path((cid, id)): Path<(i64, i64)>,
    form: Multipart,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let (purpose, file) = read_upload(form).await?;
    let (name, bytes) = file.unwrap_or_default();
    let r = service::attach(
        &state.db,
        congress.id,
        id,
        cap,
        &purpose,
        &name,
        &bytes,
        &origin(&state, &ctx)?,
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
    Ok(file_response(&a, bytes))
}

/// A stored file as a download (never shown inline: see `attachments`).
pub(crate) fn file_response(a: &attachments::store::Attachment, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, a.media_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                attachments::disposition(&a.file_name),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

pub(super) async fn remove(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Path((cid, id, aid)): Path<(i64, i64, i64)>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let r = service::detach(&state.db, congress.id, id, aid, cap, &origin(&state, &ctx)?).await;
    after(&state, &ctx, cid, id, "detach", r).await
}
