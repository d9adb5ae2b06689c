//! Staff-side entry: opinions that came by visit, phone or letter, and the printable QR codes
//! of deputies and stations that lead citizens to the form.

use super::{html, staff_guard};
use crate::congress::Congress;
use crate::opinions::{domain, service};
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids};
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// A printable QR code that opens the opinion form addressed to `who` (`deputy` or `station`).
async fn qr(state: &AppState, congress: &Congress, who: &str, id: i64) -> AppResult<Response> {
    let origin = crate::web::qr::origin(&state.config);
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
pub(super) async fn deputy_qr(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    crate::people::deputy_name_in_office(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    qr(&state, &congress, "deputy", id).await
}

/// 联络站二维码 — leads to the form addressed to the station.
pub(super) async fn station_qr(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    crate::people::station_name(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    qr(&state, &congress, "station", id).await
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

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    let input = service::OpinionInput {
        kind: "need".into(),
        ..service::OpinionInput::default()
    };
    render_enter(&state, &ctx, congress, input, "walk_in".into(), &[]).await
}

#[derive(Deserialize, Default)]
pub(super) struct EnterForm {
    #[serde(flatten)]
    input: service::OpinionInput,
    #[serde(default)]
    channel: String,
}

pub(super) async fn enter(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<EnterForm>,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    let received = match service::prepare_staff(
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
        Ok(p) => {
            state
                .service::<crate::opinions::intake::Intake>()?
                .submit(p)
                .await
        }
        Err(e) => Err(e),
    };
    match received {
        Ok(r) => {
            Ok(Redirect::to(&format!("/c/{cid}/opinions/{}?done=entered", r.id)).into_response())
        }
        Err(AppError::Invalid(errs)) => {
            render_enter(&state, &ctx, congress, f.input, f.channel, &errs).await
        }
        Err(e) => Err(e),
    }
}
