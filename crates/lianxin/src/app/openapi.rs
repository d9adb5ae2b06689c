//! The OpenAPI 3.1 document, generated from the handlers' annotations, and a docs page drawn
//! from it on the server (works offline, without JavaScript).

use crate::platform::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Lianxin 连心 API",
        description = "人大工作平台 JSON API. Errors are RFC 9457 problem details with Chinese and English titles. Authenticate with the session cookie (send `X-CSRF-Token` on writes) or `Authorization: Bearer <token>`."
    ),
    paths(
        crate::accounts::api::me,
        crate::accounts::api::create_token,
        crate::accounts::tokens::list,
        crate::accounts::tokens::revoke_api,
        crate::congress::api::list,
        crate::congress::api::detail,
        crate::people::api::list_deputies,
        crate::people::api::get_deputy,
        crate::people::api::create_deputy,
        crate::people::api::update_deputy,
        crate::people::api::personal,
        crate::suggestions::api::list_suggestions,
        crate::suggestions::api::create_suggestion,
        crate::suggestions::api::get_suggestion,
        crate::suggestions::api::act_on_suggestion,
        crate::suggestions::api::upload_attachment,
        crate::suggestions::api::download_attachment,
        crate::opinions::api::opinion_form,
        crate::opinions::api::submit_opinion,
        crate::opinions::api::track_opinion,
        crate::opinions::api::rate_opinion,
        crate::opinions::api::list_opinions,
        crate::opinions::api::get_opinion,
        crate::opinions::api::act_on_opinion,
        crate::opinions::api::convert_opinions,
        crate::opinions::api::list_groups,
        crate::opinions::api::merge_group,
        crate::opinions::api::insight,
        crate::meetings::api::list_meetings,
        crate::meetings::api::create_meeting,
        crate::meetings::api::get_meeting,
        crate::meetings::api::act_on_meeting,
        crate::meetings::api::create_vote,
        crate::meetings::api::get_vote,
        crate::meetings::api::act_on_vote,
        crate::meetings::api::cast_ballot,
        crate::meetings::public::results,
        crate::livelihood::api::list_cycles,
        crate::livelihood::api::create_cycle,
        crate::livelihood::api::get_cycle,
        crate::livelihood::api::propose,
        crate::livelihood::api::propose_opinion,
        crate::livelihood::api::propose_suggestion,
        crate::livelihood::api::add_candidate,
        crate::livelihood::api::act_on_cycle,
        crate::livelihood::api::act_on_proposal,
        crate::livelihood::api::get_project,
        crate::livelihood::api::act_on_project,
        crate::livelihood::public::api_open_data,
        crate::suggestions::motions::api::list_motions,
        crate::suggestions::motions::api::create_motion,
        crate::suggestions::motions::api::get_motion,
        crate::suggestions::motions::api::act_on_motion,
        crate::suggestions::motions::api::get_motion_deadline,
        crate::suggestions::motions::api::set_motion_deadline,
        crate::people::api::list_units,
        crate::people::api::create_unit,
        crate::people::api::list_members,
        crate::people::api::add_member,
        crate::people::api::public_deputies,
        crate::suggestions::public::public_replies,
        crate::stations::api::public_reception_days,
        crate::notify::pages::api_inbox,
        crate::settings::pages::api_list,
    ),
    components(schemas(crate::web::errors::Problem, crate::web::errors::ProblemField))
)]
pub struct ApiDoc;

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(json))
        .route("/docs", get(docs))
}

async fn json() -> AppResult<Response> {
    let body = document().to_json().map_err(AppError::internal)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

pub struct Operation {
    pub method: String,
    pub path: String,
    pub summary: String,
    pub tag: String,
}

#[derive(Template)]
#[template(path = "app/templates/api_docs.html")]
struct DocsPage {
    shell: Shell,
    operations: Vec<Operation>,
}

/// Lists the operations of the document (read back as JSON, so it follows whatever the
/// generator emits).
pub fn operations() -> Vec<Operation> {
    let value = serde_json::to_value(document()).unwrap_or_default();
    let mut out = Vec::new();
    if let Some(paths) = value.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                if let Some(op) = item.get(method) {
                    let text =
                        |k: &str| op.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
                    let tag = op
                        .get("tags")
                        .and_then(|t| t.get(0))
                        .and_then(|t| t.as_str())
                        .unwrap_or("")
                        .to_string();
                    let summary = if text("summary").is_empty() {
                        text("description")
                    } else {
                        text("summary")
                    };
                    out.push(Operation {
                        method: method.to_uppercase(),
                        path: path.clone(),
                        summary,
                        tag,
                    });
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.tag, &a.path).cmp(&(&b.tag, &b.path)));
    out
}

async fn docs(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let shell = Shell::new(&state, &ctx, "api.title").await?;
    Ok(Html(
        DocsPage {
            shell,
            operations: operations(),
        }
        .render()
        .map_err(AppError::internal)?,
    )
    .into_response())
}
