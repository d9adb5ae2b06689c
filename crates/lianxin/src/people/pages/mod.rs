//! HTML pages of the people module, one file per page family: the congress overview and its
//! bodies, the deputies' roster, handling units, and XLSX import/export.

mod deputies;
mod overview;
mod transfer;
mod units;

use deputies::*;
use overview::*;
use transfer::*;
use units::*;

use super::domain::{DeputyInput, DeputyStatus};
use super::service::{self, UnitInput};
use super::store::{self, NamedTable};
use super::xlsx::{self, ImportReport, ListKind};
use super::{Highlight, current_term, list_deputies, list_units, origin};
use crate::accounts::policy::guard;
use crate::accounts::policy::{Permission, allows};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::i18n::tr;
use crate::platform::page::clamp_limit;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}", get(overview))
        .route("/c/{cid}/members", post(add_member))
        .route("/c/{cid}/members/{id}/end", post(end_member))
        .route("/c/{cid}/deputies", get(deputies).post(create_deputy))
        .route("/c/{cid}/deputies/new", get(new_deputy))
        .route("/c/{cid}/deputies/{id}", get(deputy).post(update_deputy))
        .route("/c/{cid}/deputies/{id}/edit", get(edit_deputy))
        .route("/c/{cid}/deputies/{id}/status", post(change_status))
        .route("/c/{cid}/deputies/{id}/reveal", post(reveal_deputy))
        .route("/c/{cid}/units", get(units).post(create_unit))
        .route("/c/{cid}/units/new", get(new_unit))
        .route("/c/{cid}/units/{id}/edit", get(edit_unit))
        .route("/c/{cid}/units/{id}", post(update_unit))
        .route(
            "/c/{cid}/import",
            get(import_page)
                .post(import_preview)
                .layer(DefaultBodyLimit::max(crate::web::UPLOAD_LIMIT)),
        )
        .route("/c/{cid}/import/confirm", post(import_confirm))
        .route("/c/{cid}/export/{file}", get(export))
        .route("/c/{cid}/template/{file}", get(template))
}

fn html(t: impl Template) -> AppResult<Response> {
    Ok(Html(t.render().map_err(AppError::internal)?).into_response())
}

fn html_status(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

/// `?q=…&after=…` of the searchable lists.
#[derive(Deserialize)]
pub(super) struct ListQuery {
    pub(super) q: Option<String>,
    pub(super) after: Option<String>,
}
