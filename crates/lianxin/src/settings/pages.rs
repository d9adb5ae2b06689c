//! `/c/{cid}/settings`: every parameter with its value and source; the system administrator
//! changes values (with their source) or applies a provincial preset; history kept, audited.

use super::registry::{self, Kind, PARAMS, SourceKind};
use super::{Resolved, load, service, store};
use crate::accounts::policy::{Permission, allows};
use crate::congress::Congress;
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id};
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
        .route("/c/{cid}/settings", get(page).post(set_value))
        .route("/c/{cid}/settings/preset", post(apply_preset))
        .route("/api/v1/congresses/{cid}/settings", get(api_list))
}

/// Staff of the congress read the settings; the system administrator changes them.
async fn guard(state: &AppState, ctx: &Ctx, cid: i64, change: bool) -> AppResult<Congress> {
    let actor = ctx.actor()?;
    let c = crate::web::shell::congress(state, cid).await?;
    let p = state.policy();
    let can_change = allows(actor, Permission::ManageSettings, c.target(), p);
    if change && !can_change {
        return Err(AppError::Forbidden);
    }
    if !can_change
        && !allows(actor, Permission::ViewRoster, c.target(), p)
        && !allows(actor, Permission::ViewUnits, c.target(), p)
    {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

/// A parameter as shown.
pub struct Row {
    pub r: Resolved,
    pub choices: Vec<(String, String)>,
    pub is_period: bool,
}

#[derive(Template)]
#[template(path = "settings/templates/settings.html")]
struct SettingsPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<Row>,
    can_change: bool,
    history: Vec<store::HistoryRow>,
    presets: Vec<(String, String)>,
    source_kinds: Vec<(String, String)>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let shell = Shell::new(state, ctx, "settings.title")
        .await?
        .with_errors(errors);
    let t = shell.t;
    let rows = load(&state.db, congress.id)
        .await?
        .into_iter()
        .map(|r| {
            let p = registry::param(&r.key);
            let choices = match p.map(|p| p.kind) {
                Some(Kind::Choice(cs)) => cs
                    .iter()
                    .map(|c| (c.to_string(), t.t(format!("settings.choice.{c}"))))
                    .collect(),
                _ => Vec::new(),
            };
            Row {
                is_period: matches!(p.map(|p| p.kind), Some(Kind::Period { .. })),
                r,
                choices,
            }
        })
        .collect();
    let can_change = allows(
        ctx.actor()?,
        Permission::ManageSettings,
        congress.target(),
        state.policy(),
    );
    let page = SettingsPage {
        rows,
        can_change,
        history: store::history(&state.db, congress.id, 20).await?,
        presets: registry::PRESETS
            .iter()
            .map(|p| (p.key.to_string(), p.title.to_string()))
            .collect(),
        source_kinds: ["own_decision", "by_reference"]
            .iter()
            .map(|k| (k.to_string(), t.k("settings.source", k)))
            .collect(),
        congress,
        shell,
    };
    Ok((status, Html(page.render().map_err(AppError::internal)?)).into_response())
}

async fn page(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, false).await?;
    render(&state, &ctx, congress, &[], StatusCode::OK).await
}

#[derive(Deserialize)]
struct SetForm {
    key: String,
    value: String,
    source_kind: String,
    #[serde(default)]
    source_text: String,
    #[serde(default)]
    decided_on: String,
}

/// Validates a change: the value within its legal bounds; a decision needs its date, a reference
/// needs the regulation and article.
pub fn validate_change(
    key: &str,
    value: &str,
    kind: &str,
    text: &str,
    decided_on: &str,
) -> Result<(String, SourceKind), Vec<FieldError>> {
    let mut errs = Vec::new();
    let Some(p) = registry::param(key) else {
        return Err(vec![FieldError::new(Field("key"), "settings.unknown")]);
    };
    let value = match registry::validate(p, value) {
        Ok(v) => Some(v),
        Err(k) => {
            errs.push(FieldError::new(Field("value"), k));
            None
        }
    };
    let kind = match SourceKind::parse(kind) {
        Some(k @ (SourceKind::OwnDecision | SourceKind::ByReference)) => Some(k),
        _ => {
            errs.push(FieldError::new(Field("source_kind"), "settings.bad_source"));
            None
        }
    };
    if text.trim().is_empty() || text.chars().count() > 200 || text.chars().any(char::is_control) {
        errs.push(FieldError::new(
            Field("source_text"),
            "settings.source_required",
        ));
    }
    if kind == Some(SourceKind::OwnDecision)
        && chrono::NaiveDate::parse_from_str(decided_on.trim(), "%Y-%m-%d").is_err()
    {
        errs.push(FieldError::new(Field("decided_on"), "field.date_invalid"));
    }
    match (value, kind) {
        (Some(v), Some(k)) if errs.is_empty() => Ok((v, k)),
        _ => Err(errs),
    }
}

async fn set_value(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<SetForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, true).await?;
    let (value, kind) = match validate_change(
        &f.key,
        &f.value,
        &f.source_kind,
        &f.source_text,
        &f.decided_on,
    ) {
        Ok(v) => v,
        Err(errs) => {
            return render(
                &state,
                &ctx,
                congress,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let change = super::Change {
        key: &f.key,
        value: &value,
        source: kind,
        source_text: f.source_text.trim(),
        decided_on: (kind == SourceKind::OwnDecision).then(|| f.decided_on.trim()),
    };
    service::change(&state.db, congress.id, &change, &ctx.origin(&state)?).await?;
    Ok(Redirect::to(&format!("/c/{}/settings", congress.id)).into_response())
}

#[derive(Deserialize)]
struct PresetForm {
    preset: String,
}

/// Applies a provincial preset as a starting point: each value is labelled "preset" with its
/// regulation and article until the congress confirms it.
async fn apply_preset(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<PresetForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, true).await?;
    let Some(preset) = registry::preset(&f.preset) else {
        return render(
            &state,
            &ctx,
            congress,
            &[FieldError::new(Field("preset"), "settings.unknown")],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    service::apply_preset(&state.db, congress.id, preset, &ctx.origin(&state)?).await?;
    Ok(Redirect::to(&format!("/c/{}/settings", congress.id)).into_response())
}

/// Every parameter of the congress with its value and source.
#[utoipa::path(get, path = "/api/v1/congresses/{cid}/settings", tag = "settings", params(("cid" = i64, Path)),
    responses((status = 200, body = crate::platform::page::Page<Resolved>), (status = 403, body = crate::web::errors::Problem)))]
pub async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<axum::Json<crate::platform::page::Page<Resolved>>> {
    let congress = guard(&state, &ctx, cid, false).await?;
    Ok(axum::Json(crate::platform::page::Page::all(
        load(&state.db, congress.id).await?,
    )))
}

/// Keeps the list of parameters and the page in step (used by a test).
pub fn param_keys() -> Vec<&'static str> {
    PARAMS.iter().map(|p| p.key).collect()
}
