//! The system administrator's page for the congresses of a district: add a town congress, a term
//! (届) or a session (次会议). Dates are checked; a term or session that ends before it starts is
//! refused.

use super::{Congress, CongressLevel, Session, Term, store};
use crate::accounts::admin::scope;
use crate::accounts::policy::{Permission, allows};
use crate::audit::{self, Outcome, Record};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Form;
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/congresses", get(page))
        .route("/admin/congresses/towns", post(add_town))
        .route("/admin/congresses/terms", post(add_term))
        .route("/admin/congresses/sessions", post(add_session))
}

pub struct CongressView {
    pub congress: Congress,
    pub terms: Vec<(Term, Vec<Session>)>,
}

#[derive(Template)]
#[template(path = "congress/templates/admin.html")]
struct AdminPage {
    shell: Shell,
    congresses: Vec<CongressView>,
    districts: Vec<(String, String)>,
    all: Vec<(String, String)>,
    terms: Vec<(String, String)>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let scope = scope(state, ctx, Permission::ManageCongresses).await?;
    if scope.is_empty() {
        return Err(AppError::Forbidden);
    }
    let shell = Shell::new(state, ctx, "admin.congresses_title")
        .await?
        .with_errors(errors);
    let mut views = Vec::new();
    let mut term_options = Vec::new();
    for c in &scope {
        let sessions = store::sessions(&state.db, c.id).await?;
        let mut terms = Vec::new();
        for t in store::terms(&state.db, c.id).await? {
            term_options.push((
                t.id.to_string(),
                format!(
                    "{} · {}",
                    c.name,
                    shell.t.f("term.number", "n", t.number.to_string())
                ),
            ));
            let s = sessions
                .iter()
                .filter(|s| s.term_id == t.id)
                .cloned()
                .collect();
            terms.push((t, s));
        }
        views.push(CongressView {
            congress: c.clone(),
            terms,
        });
    }
    let page = AdminPage {
        districts: scope
            .iter()
            .filter(|c| c.level == CongressLevel::District)
            .map(|c| (c.id.0.to_string(), c.name.clone()))
            .collect(),
        all: scope
            .iter()
            .map(|c| (c.id.0.to_string(), c.name.clone()))
            .collect(),
        terms: term_options,
        congresses: views,
        shell,
    };
    Ok((status, Html(page.render().map_err(AppError::internal)?)).into_response())
}

async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    render(&state, &ctx, &[], StatusCode::OK).await
}

/// Loads a congress the actor administers.
async fn administered(state: &AppState, ctx: &Ctx, id: &str) -> AppResult<Congress> {
    let id: i64 = id
        .parse()
        .map_err(|_| AppError::BadRequest("error.bad_form"))?;
    let c = store::get(&state.db, CongressId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    if !allows(
        ctx.actor()?,
        Permission::ManageCongresses,
        c.target(),
        state.policy(),
    ) {
        return Err(AppError::Forbidden);
    }
    Ok(c)
}

fn audit_record<'a>(
    ctx: &Ctx,
    now: i64,
    congress: CongressId,
    action: &'a str,
    target: String,
    fields: &'a [&'a str],
) -> AppResult<Record<'a>> {
    Ok(Record {
        at: now,
        user: Some(ctx.actor()?.user),
        congress: Some(congress),
        action,
        target,
        outcome: Outcome::Success,
        fields,
        client_addr: ctx.client_addr.clone(),
    })
}

/// Parses two dates and checks their order; pushes field errors.
pub fn date_range(
    start: &str,
    end: &str,
    start_field: &'static str,
    end_field: &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<(String, String)> {
    let a = NaiveDate::parse_from_str(start.trim(), "%Y-%m-%d");
    let b = NaiveDate::parse_from_str(end.trim(), "%Y-%m-%d");
    if a.is_err() {
        errors.push(FieldError::new(Field(start_field), "field.date_invalid"));
    }
    if b.is_err() {
        errors.push(FieldError::new(Field(end_field), "field.date_invalid"));
    }
    match (a, b) {
        (Ok(a), Ok(b)) if b < a => {
            errors.push(FieldError::new(Field(end_field), "admin.end_before_start"));
            None
        }
        (Ok(a), Ok(b)) => Some((a.to_string(), b.to_string())),
        _ => None,
    }
}

#[derive(Deserialize)]
struct TownForm {
    district: String,
    name: String,
    short_name: String,
    region_code: String,
}

async fn add_town(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TownForm>,
) -> AppResult<Response> {
    let district = administered(&state, &ctx, &f.district).await?;
    if district.level != CongressLevel::District {
        return Err(AppError::BadRequest("error.bad_form"));
    }
    let mut errors = Vec::new();
    let name = f.name.trim();
    let short = f.short_name.trim();
    let code = f.region_code.trim();
    if name.is_empty() || name.chars().count() > 50 {
        errors.push(FieldError::new(Field("name"), "field.required"));
    }
    if short.is_empty() || short.chars().count() > 20 {
        errors.push(FieldError::new(Field("short_name"), "field.required"));
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new(
            Field("region_code"),
            "admin.region_invalid",
        ));
    } else if store::by_region(&state.db, code).await?.is_some() {
        errors.push(FieldError::new(Field("region_code"), "admin.region_taken"));
    }
    if !errors.is_empty() {
        return render(&state, &ctx, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let id = store::create(
        &mut tx,
        Some(district.id),
        CongressLevel::Town,
        name,
        short,
        code,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        &audit_record(
            &ctx,
            now,
            id,
            "congress.town_create",
            format!("congress:{id}"),
            &["name", "short_name", "region_code"],
        )?,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/congresses").into_response())
}

#[derive(Deserialize)]
struct TermForm {
    congress: String,
    number: String,
    starts_on: String,
    ends_on: String,
}

async fn add_term(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<TermForm>,
) -> AppResult<Response> {
    let congress = administered(&state, &ctx, &f.congress).await?;
    let mut errors = Vec::new();
    let number: Option<i64> = f
        .number
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=99).contains(n));
    if number.is_none() {
        errors.push(FieldError::new(Field("number"), "admin.number_invalid"));
    }
    let dates = date_range(
        &f.starts_on,
        &f.ends_on,
        "starts_on",
        "ends_on",
        &mut errors,
    );
    if let Some(n) = number
        && store::terms(&state.db, congress.id)
            .await?
            .iter()
            .any(|t| t.number == n)
    {
        errors.push(FieldError::new(Field("number"), "admin.term_exists"));
    }
    let (Some(number), Some((starts, ends)), true) = (number, dates, errors.is_empty()) else {
        return render(&state, &ctx, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let id = store::create_term(&mut tx, congress.id, number, &starts, &ends).await?;
    audit::append(
        &mut tx,
        &audit_record(
            &ctx,
            now,
            congress.id,
            "congress.term_create",
            format!("term:{id}"),
            &["number", "starts_on", "ends_on"],
        )?,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/congresses").into_response())
}

#[derive(Deserialize)]
struct SessionForm {
    term: String,
    number: String,
    opens_on: String,
    closes_on: String,
}

async fn add_session(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(f): Form<SessionForm>,
) -> AppResult<Response> {
    let term_id: i64 = f
        .term
        .parse()
        .map_err(|_| AppError::BadRequest("error.bad_form"))?;
    let term = store::term(&state.db, term_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let congress = administered(&state, &ctx, &term.0.to_string()).await?;
    let term = term.1;
    let mut errors = Vec::new();
    let number: Option<i64> = f
        .number
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=99).contains(n));
    if number.is_none() {
        errors.push(FieldError::new(Field("number"), "admin.number_invalid"));
    }
    let dates = date_range(
        &f.opens_on,
        &f.closes_on,
        "opens_on",
        "closes_on",
        &mut errors,
    );
    if let Some((opens, closes)) = &dates
        && (opens.as_str() < term.starts_on.as_str() || closes.as_str() > term.ends_on.as_str())
    {
        errors.push(FieldError::new(
            Field("opens_on"),
            "admin.session_outside_term",
        ));
    }
    if let Some(n) = number
        && store::sessions(&state.db, congress.id)
            .await?
            .iter()
            .any(|s| s.term_id == term.id && s.number == n)
    {
        errors.push(FieldError::new(Field("number"), "admin.session_exists"));
    }
    let (Some(number), Some((opens, closes)), true) = (number, dates, errors.is_empty()) else {
        return render(&state, &ctx, &errors, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    let id = store::create_session(&mut tx, congress.id, term.id, number, &opens, &closes).await?;
    audit::append(
        &mut tx,
        &audit_record(
            &ctx,
            now,
            congress.id,
            "congress.session_create",
            format!("session:{id}"),
            &["number", "opens_on", "closes_on"],
        )?,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/congresses").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_range_must_not_end_before_it_starts() {
        let mut e = Vec::new();
        assert!(
            super::date_range("2026-01-10", "2026-01-10", "a", "b", &mut e).is_some(),
            "one-day session"
        );
        assert!(super::date_range("2026-01-10", "2026-01-09", "a", "b", &mut e).is_none());
        assert_eq!(e.last().map(|e| e.key), Some("admin.end_before_start"));
        let mut e = Vec::new();
        assert!(super::date_range("2026-02-30", "2026-03-01", "a", "b", &mut e).is_none());
        assert_eq!(e[0].key, "field.date_invalid");
    }
}
