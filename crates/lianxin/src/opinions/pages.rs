//! The staff's side: the congress's opinions, newest first; one opinion with its history, the
//! citizen's contact masked, and the answer form.

use super::domain;
use super::service;
use super::store::{self, Opinion, Step};
use crate::accounts::policy::Permission;
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::text::redact::redact;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/opinions", get(list))
        .route("/c/{cid}/opinions/new", get(new_form).post(enter))
        .route("/c/{cid}/opinions/{id}", get(detail))
        .route("/c/{cid}/opinions/{id}/answer", post(answer))
        .route("/c/{cid}/opinions/qr/deputies/{id}", get(deputy_qr))
        .route("/c/{cid}/opinions/qr/stations/{id}", get(station_qr))
}

async fn guard(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<Congress> {
    crate::people::guard(state, ctx, cid, Permission::ManageStations).await
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    before: Option<i64>,
}

#[derive(Template)]
#[template(path = "opinions/templates/list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<Opinion>,
    next: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let mut rows = store::list(&state.db, congress.id, q.before, 51).await?;
    let next = (rows.len() > 50).then(|| rows[49].id);
    rows.truncate(50);
    html(
        StatusCode::OK,
        ListPage {
            shell: Shell::new(&state, &ctx, "opinions.title").await?,
            congress,
            rows,
            next,
        },
    )
}

#[derive(Template)]
#[template(path = "opinions/templates/detail.html")]
struct DetailPage {
    shell: Shell,
    congress: Congress,
    o: Opinion,
    code: String,
    steps: Vec<Step>,
    /// The citizen's contact with phones, IDs and e-mail masked.
    contact: Option<String>,
    /// `answered`, `entered` (show the code to give the citizen), or empty.
    done: String,
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    id: i64,
    errors: &[FieldError],
    done: String,
) -> AppResult<Response> {
    let o = store::get(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let contact = store::contact(&state.db, congress.id, id)
        .await?
        .map(|c| redact(&c));
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        DetailPage {
            shell: Shell::new(state, ctx, "opinions.title")
                .await?
                .with_errors(errors),
            code: domain::show_code(&o.tracking_code),
            steps: store::steps(&state.db, id).await?,
            congress,
            o,
            contact,
            done,
        },
    )
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    render(&state, &ctx, congress, id, &[], q.done).await
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<AnswerForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    match service::answer(
        &state.db,
        congress.id,
        id,
        &f.answer,
        ctx.actor()?.user,
        state.clock.now_ms(),
        state.clock.today(),
        ctx.client_addr.clone(),
    )
    .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/c/{cid}/opinions/{id}?done=answered")).into_response())
        }
        Err(AppError::Invalid(errs)) => {
            render(&state, &ctx, congress, id, &errs, String::new()).await
        }
        Err(e) => Err(e),
    }
}

/// A printable QR code that opens the opinion form addressed to `who` (`deputy` or `station`).
async fn qr(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    congress: &Congress,
    who: &str,
    id: i64,
) -> AppResult<Response> {
    let origin = crate::web::qr::origin(headers, state.config.tls_proxy)
        .ok_or(AppError::BadRequest("error.bad_form"))?;
    let url = format!("{origin}/opinions/{}/new?{who}={id}", congress.id);
    let svg = crate::web::qr::svg(&url).ok_or_else(|| AppError::internal("qr"))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "image/svg+xml; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"opinion-{who}-{id}.svg\""),
            ),
        ],
        svg,
    )
        .into_response())
}

/// 代表二维码 — leads to the form addressed to the deputy (a deputy of this congress in office).
async fn deputy_qr(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    crate::people::deputy_name_in_office(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    qr(&state, &headers, &congress, "deputy", id).await
}

/// 联络站二维码 — leads to the form addressed to the station.
async fn station_qr(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: axum::http::HeaderMap,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    crate::people::station_name(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    qr(&state, &headers, &congress, "station", id).await
}

#[derive(Template)]
#[template(path = "opinions/templates/enter.html")]
struct EnterPage {
    shell: Shell,
    congress: Congress,
    input: service::OpinionInput,
    channel: String,
    kinds: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    channels: Vec<(String, String)>,
}

async fn render_enter(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    input: service::OpinionInput,
    channel: String,
    errors: &[FieldError],
) -> AppResult<Response> {
    let shell = Shell::new(state, ctx, "opinions.enter")
        .await?
        .with_errors(errors);
    let kinds = domain::KINDS
        .iter()
        .map(|k| (k.to_string(), shell.t.k("opinion.kind", k)))
        .collect();
    let categories = std::iter::once((String::new(), shell.t.t("form.choose").to_string()))
        .chain(
            domain::CATEGORIES
                .iter()
                .map(|c| (c.to_string(), shell.t.k("opinion.category", c))),
        )
        .collect();
    let channels = ["walk_in", "phone", "letter"]
        .iter()
        .map(|c| (c.to_string(), shell.t.k("opinion.channel", c)))
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        EnterPage {
            shell,
            congress,
            input,
            channel,
            kinds,
            categories,
            channels,
        },
    )
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let input = service::OpinionInput {
        kind: "need".into(),
        ..service::OpinionInput::default()
    };
    render_enter(&state, &ctx, congress, input, "walk_in".into(), &[]).await
}

#[derive(Deserialize, Default)]
struct EnterForm {
    #[serde(flatten)]
    input: service::OpinionInput,
    #[serde(default)]
    channel: String,
}

async fn enter(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<EnterForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    match service::enter_for_citizen(
        &state.db,
        congress.id,
        &f.input,
        &f.channel,
        ctx.actor()?.user,
        state.clock.now_ms(),
        ctx.client_addr.clone(),
    )
    .await
    {
        Ok(r) => {
            Ok(Redirect::to(&format!("/c/{cid}/opinions/{}?done=entered", r.id)).into_response())
        }
        Err(AppError::Invalid(errs)) => {
            render_enter(&state, &ctx, congress, f.input, f.channel, &errs).await
        }
        Err(e) => Err(e),
    }
}
