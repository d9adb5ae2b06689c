//! `/calendar`: the holiday arrangements in force, a deadline calculator for everyone signed in,
//! and, for the system administrator, loading a new year's arrangement (validated line by line;
//! nothing is stored unless the whole text is valid).

use super::deadlines::{self, Span};
use super::rules::{self, Basis, Calendar, Deadline};
use super::store;
use crate::accounts::admin::scope;
use crate::accounts::policy::Permission;
use crate::audit::{self, Outcome, Record};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::i18n::tr;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/calendar", get(page).post(load_year))
}

/// One year as shown: its source and its days off and make-up days.
pub struct YearView {
    pub year: i32,
    pub source: String,
    pub loaded: bool,
    pub days: Vec<(String, String, bool)>,
}

/// The calculator's answer.
pub struct Computed {
    pub due: String,
    pub days_left: i64,
    pub warning: String,
}

#[derive(Template)]
#[template(path = "calendar/templates/calendar.html")]
struct CalendarPage {
    shell: Shell,
    years: Vec<YearView>,
    can_load: bool,
    body: String,
    start: String,
    amount: String,
    unit: String,
    computed: Option<Computed>,
    loaded_message: String,
}

#[derive(Deserialize, Default)]
struct CalcQuery {
    start: Option<String>,
    amount: Option<String>,
    unit: Option<String>,
}

fn views(calendar: &Calendar, loaded: &[store::LoadedYear]) -> Vec<YearView> {
    calendar
        .years
        .iter()
        .rev()
        .map(|(y, data)| {
            let mut days: Vec<(String, String, bool)> = data
                .holidays
                .iter()
                .map(|(d, n)| (d.to_string(), n.clone(), false))
                .collect();
            days.extend(
                data.workdays
                    .iter()
                    .map(|(d, n)| (d.to_string(), n.clone(), true)),
            );
            days.sort();
            YearView {
                year: *y,
                source: data.source.clone(),
                loaded: loaded.iter().any(|l| l.year == i64::from(*y)),
                days,
            }
        })
        .collect()
}

/// The warning every deadline computed without a year's data carries.
pub fn warning(lang: crate::platform::i18n::Lang, d: &Deadline) -> String {
    d.unloaded_years
        .iter()
        .map(|y| {
            crate::platform::i18n::trf(lang, "calendar.not_loaded", &[("year", &y.to_string())])
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    q: CalcQuery,
    body: String,
    errors: &[FieldError],
    message: String,
    status: StatusCode,
) -> AppResult<Response> {
    ctx.actor()?;
    let calendar = store::load(&state.db).await?;
    let loaded = store::loaded_years(&state.db).await?;
    let can_load = !scope(state, ctx, Permission::ManageSettings)
        .await?
        .is_empty();
    let mut errors = errors.to_vec();
    let mut computed = None;
    if let (Some(start), Some(amount)) = (
        q.start.as_deref().filter(|s| !s.is_empty()),
        q.amount.as_deref().filter(|s| !s.is_empty()),
    ) {
        let start_date = NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| (2000..=2100).contains(&d.year()));
        let n: Option<u32> = amount.trim().parse().ok().filter(|n| *n <= 400);
        if start_date.is_none() {
            errors.push(FieldError::new(Field("start"), "field.date_invalid"));
        }
        if n.is_none() {
            errors.push(FieldError::new(Field("amount"), "calendar.amount_invalid"));
        }
        if let (Some(s), Some(n)) = (start_date, n) {
            let span = if q.unit.as_deref() == Some("months") {
                Span::Months(n)
            } else {
                Span::WorkingDays(n)
            };
            let d = span.compute(
                &calendar,
                s,
                Basis {
                    rule: "calendar.calculator".into(),
                    source: "民法典第二百零一条至第二百零三条".into(),
                },
            );
            computed = Some(Computed {
                due: d.due.to_string(),
                days_left: calendar.working_days_left(state.clock.today(), d.due),
                warning: warning(ctx.lang, &d),
            });
        }
    }
    let shell = Shell::new(state, ctx, "calendar.title")
        .await?
        .with_errors(&errors);
    let page = CalendarPage {
        shell,
        years: views(&calendar, &loaded),
        can_load,
        body,
        start: q.start.unwrap_or_else(|| state.clock.today().to_string()),
        amount: q.amount.unwrap_or_else(|| "3".into()),
        unit: q.unit.unwrap_or_else(|| "months".into()),
        computed,
        loaded_message: message,
    };
    Ok((status, Html(page.render().map_err(AppError::internal)?)).into_response())
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<CalcQuery>,
) -> AppResult<Response> {
    render(
        &state,
        &ctx,
        q,
        String::new(),
        &[],
        String::new(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct LoadForm {
    body: String,
}

/// Loads one or more years. Refused as a whole on any bad line; on success the open deadlines
/// computed without those years are recomputed and their holders told, in the same transaction.
async fn load_year(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<LoadForm>,
) -> AppResult<Response> {
    if scope(&state, &ctx, Permission::ManageSettings)
        .await?
        .is_empty()
    {
        return Err(AppError::Forbidden);
    }
    let actor = ctx.actor()?.user;
    let parsed = match rules::parse(&f.body) {
        Ok(y) if !y.is_empty() => y,
        Ok(_) => {
            let errs = [FieldError::new(Field("body"), "calendar.empty")];
            return render(
                &state,
                &ctx,
                CalcQuery::default(),
                f.body,
                &errs,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(line_errors) => {
            let first = &line_errors[0];
            let msg = format!(
                "{}: {}",
                crate::platform::i18n::trf(
                    ctx.lang,
                    "calendar.line",
                    &[("n", &first.line.to_string())]
                ),
                tr(ctx.lang, first.key)
            );
            let mut shell_errors = vec![FieldError::new(Field("body"), first.key)];
            shell_errors.truncate(1);
            return render(
                &state,
                &ctx,
                CalcQuery::default(),
                f.body,
                &shell_errors,
                msg,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    for (year, data) in &parsed {
        store::save_year(&mut tx, *year, &data.source, &f.body, now, actor.0).await?;
    }
    // The calendar as it will be after this commit.
    let mut calendar = store::load(&state.db).await?;
    for (year, data) in &parsed {
        calendar.years.insert(*year, data.clone());
    }
    let mut moved = 0;
    for year in parsed.keys() {
        moved += deadlines::recompute_for_year(&mut tx, &calendar, *year, now)
            .await?
            .len();
        audit::append(
            &mut tx,
            &Record {
                at: now,
                user: Some(actor),
                congress: None,
                action: "calendar.year_load",
                target: format!("year:{year}"),
                outcome: Outcome::Success,
                fields: &["holidays", "workdays", "source"],
                client_addr: ctx.client_addr.clone(),
            },
        )
        .await?;
    }
    tx.commit().await?;
    let years: Vec<String> = parsed.keys().map(i32::to_string).collect();
    let msg = crate::platform::i18n::trf(
        ctx.lang,
        "calendar.loaded",
        &[("years", &years.join("、")), ("n", &moved.to_string())],
    );
    render(
        &state,
        &ctx,
        CalcQuery::default(),
        String::new(),
        &[],
        msg,
        StatusCode::OK,
    )
    .await
}
