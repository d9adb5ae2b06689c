//! The citizen's side, without an account: the form (`/opinions/{cid}/new`, optionally for a
//! deputy or a station, as their QR codes link), the receipt with the tracking code, and the
//! tracking page (`/track?code=…`). Anonymous requests are rate-limited per address by the web
//! layer; a code that does not exist answers the same "not found" as a mistyped one.

use super::domain::{self, CATEGORIES, KINDS, OpinionState};
use super::service::{self, OpinionInput};
use super::store::{self, Opinion, Step};
use crate::congress::{self as congresses, Congress};
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/opinions/{cid}/new", get(form).post(submit))
        .route("/track", get(track))
        .route("/track/rate", axum::routing::post(rate))
        .route(
            "/track/attachments",
            axum::routing::post(attach).layer(axum::extract::DefaultBodyLimit::max(
                crate::web::UPLOAD_LIMIT,
            )),
        )
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

#[derive(Deserialize, Default)]
struct FormQuery {
    #[serde(default)]
    deputy: String,
    #[serde(default)]
    station: String,
}

#[derive(Template)]
#[template(path = "opinions/templates/form.html")]
struct FormPage {
    shell: Shell,
    congress: Congress,
    input: OpinionInput,
    kinds: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    /// Whom the form is addressed to ("张三代表", "青石镇人大代表联络站"), if anyone.
    addressed: Option<String>,
}

async fn congress_of(state: &AppState, cid: i64) -> AppResult<Congress> {
    congresses::get(&state.db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)
}

async fn render_form(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    mut input: OpinionInput,
    errors: &[FieldError],
) -> AppResult<Response> {
    let shell = Shell::new(state, ctx, "opinion.new_title")
        .await?
        .with_errors(errors);
    let addressed = match (input.deputy.parse::<i64>(), input.station.parse::<i64>()) {
        (Ok(d), _) => crate::people::deputy_name_in_office(&state.db, congress.id, d)
            .await?
            .map(|n| shell.t.f("opinion.to_deputy", "n", n)),
        (_, Ok(s)) => crate::people::station_name(&state.db, congress.id, s).await?,
        _ => None,
    };
    // A fresh signed time each time the form is shown (also after an error).
    input.issued = service::form_token(&state.db, state.clock.now_ms())?;
    input.website = String::new();
    let kinds = KINDS
        .iter()
        .map(|k| (k.to_string(), shell.t.k("opinion.kind", k)))
        .collect();
    let categories = std::iter::once((String::new(), shell.t.t("form.choose").to_string()))
        .chain(
            CATEGORIES
                .iter()
                .map(|c| (c.to_string(), shell.t.k("opinion.category", c))),
        )
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        FormPage {
            shell,
            congress,
            input,
            kinds,
            categories,
            addressed,
        },
    )
}

async fn form(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<FormQuery>,
) -> AppResult<Response> {
    let congress = congress_of(&state, cid).await?;
    let input = OpinionInput {
        kind: "need".into(),
        deputy: q.deputy,
        station: q.station,
        ..OpinionInput::default()
    };
    render_form(&state, &ctx, congress, input, &[]).await
}

async fn submit(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(input): Form<OpinionInput>,
) -> AppResult<Response> {
    let congress = congress_of(&state, cid).await?;
    let received = match service::prepare_citizen(
        &state.db,
        congress.id,
        &input,
        state.clock.now_ms(),
        ctx.client_addr.clone(),
    )
    .await
    {
        Ok(p) => state.service::<super::intake::Intake>()?.submit(p).await,
        Err(e) => Err(e),
    };
    match received {
        Ok(r) => Ok(
            Redirect::to(&format!("/track?code={}&new=1", domain::show_code(&r.code)))
                .into_response(),
        ),
        Err(AppError::Invalid(errs)) => render_form(&state, &ctx, congress, input, &errs).await,
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct TrackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    new: String,
}

#[derive(Template)]
#[template(path = "opinions/templates/track.html")]
struct TrackPage {
    shell: Shell,
    code: String,
    shown_code: String,
    found: Option<(Opinion, Vec<Step>)>,
    fresh: bool,
    searched: bool,
    /// The citizen may rate the latest answer now.
    can_rate: bool,
    rated: bool,
    /// Who holds (or answered) it, in plain words.
    holder: String,
    /// The citizen's files (names and sizes).
    files: Vec<crate::attachments::Attachment>,
    attached: bool,
    /// The suggestion it became: its number (empty while a draft) and state key.
    suggestion: Option<(String, String)>,
}

/// Who holds the opinion, as the citizen reads it: the deputy, the station, the congress's
/// office, the unit by name, the suggestion, or the channel it was referred to.
async fn holder_text(state: &AppState, shell: &Shell, o: &Opinion) -> AppResult<String> {
    Ok(match o.holder.as_str() {
        "unit" => o.unit.clone().unwrap_or_default(),
        "suggestion" => shell.t.t("opinion.holder.suggestion").to_string(),
        "elsewhere" => shell.t.k(
            "opinion.referral",
            o.referral.as_deref().unwrap_or("other_authority"),
        ),
        _ => match (&o.deputy, &o.station) {
            (Some(d), _) => shell.t.f("opinion.to_deputy", "n", d.clone()),
            (None, Some(s)) => s.clone(),
            _ => {
                let c = congresses::get(&state.db, CongressId(o.congress_id)).await?;
                let town = c.as_ref().is_some_and(|c| c.parent.is_some());
                format!(
                    "{}{}",
                    c.map(|c| c.name).unwrap_or_default(),
                    shell.t.t(if town {
                        "opinion.holder_presidium"
                    } else {
                        "opinion.holder_office"
                    })
                )
            }
        },
    })
}

async fn track(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TrackQuery>,
) -> AppResult<Response> {
    render_track(&state, &ctx, &q, &[]).await
}

async fn render_track(
    state: &AppState,
    ctx: &Ctx,
    q: &TrackQuery,
    errors: &[FieldError],
) -> AppResult<Response> {
    let typed = q.code.trim().to_string();
    let found = match domain::normalize_code(&typed) {
        Some(code) => match store::by_code(&state.db, &code).await? {
            Some(o) => {
                let steps = store::steps(&state.db, o.id).await?;
                Some((o, steps))
            }
            None => None,
        },
        None => None,
    };
    let searched = !typed.is_empty();
    let status = if searched && found.is_none() {
        StatusCode::NOT_FOUND
    } else if !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let can_rate = found
        .as_ref()
        .is_some_and(|(o, _)| domain::may_rate(o.state, o.rated_round, o.reopened));
    let shown_code = found
        .as_ref()
        .map(|(o, _)| domain::show_code(&o.tracking_code))
        .unwrap_or_default();
    let shell = Shell::new(state, ctx, "opinion.track_title")
        .await?
        .with_errors(errors);
    let files = match &found {
        Some((o, _)) => service::attachments(&state.db, CongressId(o.congress_id), o.id).await?,
        None => Vec::new(),
    };
    let (holder, suggestion) = match &found {
        Some((o, _)) => (
            holder_text(state, &shell, o).await?,
            service::suggestion_progress(&state.db, o).await?,
        ),
        None => (String::new(), None),
    };
    html(
        status,
        TrackPage {
            shell,
            holder,
            suggestion,
            files,
            attached: q.new == "attached",
            code: typed,
            shown_code,
            fresh: q.new == "1" && found.is_some(),
            rated: q.new == "rated" && found.is_some(),
            can_rate,
            found,
            searched,
        },
    )
}

#[derive(Deserialize, Default)]
struct RateForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    reason: String,
}

async fn rate(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<RateForm>,
) -> AppResult<Response> {
    match service::rate(
        &state.db,
        &f.code,
        &f.rating,
        &f.reason,
        state.clock.now_ms(),
        ctx.client_addr.clone(),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/track?code={}&new=rated",
            domain::normalize_code(&f.code).unwrap_or_default()
        ))
        .into_response()),
        Err(AppError::Invalid(errs)) => {
            let q = TrackQuery {
                code: f.code,
                new: String::new(),
            };
            render_track(&state, &ctx, &q, &errs).await
        }
        Err(e) => Err(e),
    }
}

/// 补充材料 — the citizen adds a photo or a document from the tracking page (multipart; the
/// CSRF token and the code travel in the query, as for every upload form).
async fn attach(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<TrackQuery>,
    form: axum::extract::Multipart,
) -> AppResult<Response> {
    let (_, file) = crate::attachments::read_upload(form).await?;
    let (name, bytes) = file.unwrap_or_default();
    match service::attach_by_citizen(
        &state.db,
        &q.code,
        &name,
        &bytes,
        state.clock.now_ms(),
        ctx.client_addr.clone(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/track?code={}&new=attached",
            domain::normalize_code(&q.code).unwrap_or_default()
        ))
        .into_response()),
        Err(AppError::Invalid(errs)) => {
            let q = TrackQuery {
                code: q.code,
                new: String::new(),
            };
            render_track(&state, &ctx, &q, &errs).await
        }
        Err(e) => Err(e),
    }
}
