//! The station staff's pages: the stations of the congress with their coming reception days and
//! the form to schedule one; a day's page with the deputies on duty, its receptions and the form
//! to record one; cancelling a day.

use super::domain::DayInput;
use super::guard;
use super::service::{self, ReceptionInput};
use super::store::{self, DayRow, ReceptionRow, StationRow};
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
        .route("/c/{cid}/stations", get(list))
        .route("/c/{cid}/stations/{id}/days", post(schedule))
        .route("/c/{cid}/reception-days/{id}", get(day))
        .route("/c/{cid}/reception-days/{id}/cancel", post(cancel))
        .route("/c/{cid}/reception-days/{id}/receptions", post(record))
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

#[derive(Deserialize, Default)]
struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// A station with its coming days (each with the deputies on duty).
pub struct StationView {
    pub station: StationRow,
    pub coming: Vec<(DayRow, String)>,
    /// What was entered in this station's form when it failed (then the form is open).
    pub form: DayInput,
    pub open: bool,
    /// The deputies attached to the station: (id, name), offered for the duty list.
    pub attached: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "stations/templates/list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    stations: Vec<StationView>,
    earliest: String,
    done: String,
}

/// Names of a day's deputies on duty, joined with 、.
pub async fn duty_names(
    state: &AppState,
    congress: crate::platform::ids::CongressId,
    day: i64,
) -> AppResult<String> {
    Ok(store::on_duty(&state.db, congress, day)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect::<Vec<_>>()
        .join("、"))
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    errors: &[FieldError],
    failed: Option<(i64, DayInput)>,
    done: String,
) -> AppResult<Response> {
    let today = state.clock.today();
    let mut stations = Vec::new();
    for s in store::stations(&state.db, congress.id).await? {
        let mut coming = Vec::new();
        for d in store::days(
            &state.db,
            congress.id,
            Some(s.id),
            &today.to_string(),
            false,
            5,
        )
        .await?
        {
            let names = duty_names(state, congress.id, d.id).await?;
            coming.push((d, names));
        }
        let (open, form) = match &failed {
            Some((id, input)) if *id == s.id => (true, input.clone()),
            _ => (false, DayInput::default()),
        };
        let attached = store::station_deputies(&state.db, congress.id, s.id).await?;
        stations.push(StationView {
            attached,
            station: s,
            coming,
            form,
            open,
        });
    }
    let earliest = service::earliest(&state.db, congress.id, today)
        .await?
        .to_string();
    let shell = Shell::new(state, ctx, "stations.title")
        .await?
        .with_errors(errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        ListPage {
            shell,
            congress,
            stations,
            earliest,
            done,
        },
    )
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    render_list(&state, &ctx, congress, &[], None, q.done).await
}

async fn schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(input): Form<DayInput>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    match service::schedule(&state.db, congress.id, id, &input, &ctx.origin(&state)?).await {
        Ok(day) => Ok(
            Redirect::to(&format!("/c/{cid}/reception-days/{day}?done=schedule")).into_response(),
        ),
        Err(AppError::Invalid(errs)) => {
            render_list(
                &state,
                &ctx,
                congress,
                &errs,
                Some((id, input)),
                String::new(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "stations/templates/day.html")]
struct DayPage {
    shell: Shell,
    congress: Congress,
    d: DayRow,
    on_duty: Vec<(i64, String)>,
    /// Receptions, the visitor shown with phones, ID numbers and e-mail masked.
    receptions: Vec<ReceptionRow>,
    can_cancel: bool,
    can_record: bool,
    input: ReceptionInput,
    done: String,
}

async fn render_day(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    id: i64,
    errors: &[FieldError],
    input: ReceptionInput,
    done: String,
) -> AppResult<Response> {
    let d = store::day(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = state.clock.today().to_string();
    let receptions = store::receptions(&state.db, congress.id, id)
        .await?
        .into_iter()
        .map(|mut r| {
            r.visitor = r.visitor.map(|v| redact(&v));
            r
        })
        .collect();
    let shell = Shell::new(state, ctx, "stations.day")
        .await?
        .with_errors(errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        DayPage {
            on_duty: store::on_duty(&state.db, congress.id, id).await?,
            can_cancel: d.cancelled_at.is_none() && d.on_date >= today,
            can_record: d.cancelled_at.is_none() && d.on_date <= today,
            shell,
            congress,
            d,
            receptions,
            input,
            done,
        },
    )
}

async fn day(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    render_day(
        &state,
        &ctx,
        congress,
        id,
        &[],
        ReceptionInput::default(),
        q.done,
    )
    .await
}

#[derive(Deserialize)]
struct CancelForm {
    #[serde(default)]
    reason: String,
}

async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<CancelForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    match service::cancel(&state.db, congress.id, id, &f.reason, &ctx.origin(&state)?).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/c/{cid}/reception-days/{id}?done=cancel")).into_response())
        }
        Err(AppError::Invalid(errs)) => {
            render_day(
                &state,
                &ctx,
                congress,
                id,
                &errs,
                ReceptionInput::default(),
                String::new(),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(input): Form<ReceptionInput>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    match service::record_reception(&state.db, congress.id, id, &input, &ctx.origin(&state)?).await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/c/{cid}/reception-days/{id}?done=reception")).into_response(),
        ),
        Err(AppError::Invalid(errs)) => {
            render_day(&state, &ctx, congress, id, &errs, input, String::new()).await
        }
        Err(e) => Err(e),
    }
}
