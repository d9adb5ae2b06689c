//! The suggestion pages: one list (what it holds depends on who looks: the office sees every item
//! by state, a unit what is assigned to it, a deputy what they lead or were asked to sign), the
//! draft form, and one detail page whose action panels follow the viewer's capacity and the
//! item's state.

use super::domain::{Command, State};
use super::service::{self, CATEGORIES, CONTACT_FORMS, Capacity, DraftInput};
use super::store::{self, Scope};
use super::{capacity, guard, origin};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/suggestions", get(list).post(create))
        .route("/c/{cid}/suggestions/new", get(new_form))
        .route("/c/{cid}/suggestions/{id}", get(detail))
        .route("/c/{cid}/suggestions/{id}/consent", post(consent))
        .route("/c/{cid}/suggestions/{id}/submit", post(submit))
        .route("/c/{cid}/suggestions/{id}/withdraw", post(withdraw))
        .route("/c/{cid}/suggestions/{id}/review", post(review))
        .route("/c/{cid}/suggestions/{id}/assign", post(assign))
        .route("/c/{cid}/suggestions/{id}/unit-return", post(unit_return))
        .route("/c/{cid}/suggestions/{id}/contact", post(contact))
        .route("/c/{cid}/suggestions/{id}/reply", post(reply))
        .route("/c/{cid}/suggestions/{id}/rate", post(rate))
        .route("/c/{cid}/suggestions/{id}/delivery", post(delivery))
        .route("/c/{cid}/suggestions/{id}/close", post(close))
        .route("/c/{cid}/suggestions/{id}/extension", post(extension))
        .route("/c/{cid}/suggestions/{id}/key", post(key))
        .route("/c/{cid}/suggestions/{id}/opinion", post(opinion))
        .route(
            "/c/{cid}/suggestions/{id}/extension-decision",
            post(extension_decision),
        )
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

#[derive(Deserialize)]
struct ListQuery {
    state: Option<String>,
    before: Option<i64>,
    /// `1`: the key-supervision list.
    key: Option<String>,
}

#[derive(Template)]
#[template(path = "suggestions/templates/list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<store::Suggestion>,
    next: Option<i64>,
    state: String,
    states: Vec<&'static str>,
    is_deputy: bool,
    stats: Option<store::Stats>,
    today: String,
    key_list: bool,
}

async fn list(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let key_list = q.key.as_deref() == Some("1");
    let scope = match cap {
        Capacity::Office if key_list => Scope::Key,
        Capacity::Office => Scope::All,
        Capacity::Deputy(d) => Scope::Deputy(d),
        Capacity::Unit { unit, .. } => Scope::Unit(unit),
    };
    let filter = q.state.as_deref().and_then(State::parse);
    let mut rows = store::list(
        &state.db,
        congress.id,
        scope,
        filter.map(State::as_str),
        q.before,
        50,
    )
    .await?;
    let next = (rows.len() > 50).then(|| rows[49].id);
    rows.truncate(50);
    let today = state.clock.today().to_string();
    let stats = if cap == Capacity::Office {
        Some(store::stats(&state.db, congress.id, &today).await?)
    } else {
        None
    };
    let shell = Shell::new(&state, &ctx, "suggestions.title").await?;
    html(
        StatusCode::OK,
        ListPage {
            shell,
            congress,
            rows,
            next,
            state: filter.map(|s| s.as_str().to_string()).unwrap_or_default(),
            states: State::ALL.iter().map(|s| s.as_str()).collect(),
            is_deputy: matches!(cap, Capacity::Deputy(_)),
            stats,
            today,
            key_list,
        },
    )
}

#[derive(Template)]
#[template(path = "suggestions/templates/new.html")]
struct NewPage {
    shell: Shell,
    congress: Congress,
    input: DraftInput,
    categories: Vec<(String, String)>,
    /// The district's towns (empty for a town congress).
    towns: Vec<(String, String)>,
}

async fn towns(
    state: &AppState,
    shell: &Shell,
    congress: &Congress,
) -> AppResult<Vec<(String, String)>> {
    let children: Vec<(String, String)> = crate::congress::store::all(&state.db)
        .await?
        .into_iter()
        .filter(|c| c.parent == Some(congress.id))
        .map(|c| (c.id.0.to_string(), c.short_name))
        .collect();
    Ok(if children.is_empty() {
        children
    } else {
        std::iter::once((String::new(), shell.t.t("suggestion.town_none").to_string()))
            .chain(children)
            .collect()
    })
}

fn categories(shell: &Shell) -> Vec<(String, String)> {
    std::iter::once((String::new(), shell.t.t("form.choose").to_string()))
        .chain(
            CATEGORIES
                .iter()
                .map(|c| (c.to_string(), shell.t.k("suggestion.category", c))),
        )
        .collect()
}

async fn new_form(AxState(state): AxState<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let Capacity::Deputy(_) = capacity(&state, &ctx, &congress).await? else {
        return Err(AppError::Forbidden);
    };
    let shell = Shell::new(&state, &ctx, "suggestion.new_title").await?;
    html(
        StatusCode::OK,
        NewPage {
            towns: towns(&state, &shell, &congress).await?,
            categories: categories(&shell),
            shell,
            congress,
            input: DraftInput::default(),
        },
    )
}

async fn create(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(input): Form<DraftInput>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let Capacity::Deputy(deputy) = capacity(&state, &ctx, &congress).await? else {
        return Err(AppError::Forbidden);
    };
    match service::draft(
        &state.db,
        congress.id,
        deputy,
        &input,
        &origin(&state, &ctx)?,
    )
    .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/c/{cid}/suggestions/{id}")).into_response()),
        Err(AppError::Invalid(errs)) => {
            let shell = Shell::new(&state, &ctx, "suggestion.new_title")
                .await?
                .with_errors(&errs);
            html(
                StatusCode::UNPROCESSABLE_ENTITY,
                NewPage {
                    towns: towns(&state, &shell, &congress).await?,
                    categories: categories(&shell),
                    shell,
                    congress,
                    input,
                },
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "suggestions/templates/detail.html")]
struct DetailPage {
    shell: Shell,
    congress: Congress,
    s: store::Suggestion,
    signers: Vec<store::Signer>,
    units: Vec<store::UnitLink>,
    contacts: Vec<store::Contact>,
    replies: Vec<store::Reply>,
    events: Vec<store::Event>,
    /// What the viewer may do now.
    can: Can,
    unit_choices: Vec<(String, String)>,
    forms: Vec<(String, String)>,
    today: String,
    overdue: bool,
    done: String,
    /// Earlier suggestions like this one (shown to the office and to the lead deputy).
    similar: Vec<service::Similar>,
    /// The unit that usually led similar items (shown when assigning).
    usual_unit: Option<(i64, String, i64)>,
    /// The office may download the assignment notice.
    show_notice: bool,
    opinions: Vec<store::Opinion>,
}

#[derive(Default)]
struct Can {
    consent: bool,
    submit: bool,
    withdraw: bool,
    review: bool,
    assign: bool,
    unit_return: bool,
    contact: bool,
    reply: bool,
    rate: bool,
    report_delivery: bool,
    verify_delivery: bool,
    close: bool,
    request_extension: bool,
    decide_extension: bool,
    key: bool,
    co_opinion: bool,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn detail(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    render(&state, &ctx, cid, id, &[], q.done.unwrap_or_default()).await
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    id: i64,
    errors: &[FieldError],
    done: String,
) -> AppResult<Response> {
    let congress = guard(state, ctx, cid).await?;
    let cap = capacity(state, ctx, &congress).await?;
    let s = service::load(&state.db, congress.id, id, cap).await?;
    let st = State::parse(&s.state).unwrap_or(State::Closed);
    let signers = store::signers(&state.db, congress.id, id).await?;
    let units = store::units(&state.db, congress.id, id).await?;
    let lead_unit = units
        .iter()
        .find(|u| u.active == 1 && u.role == "lead")
        .map(|u| u.unit_id);
    let today = state.clock.today().to_string();
    let editable = matches!(st, State::Draft | State::ReturnedForRevision);
    let can = match cap {
        Capacity::Deputy(d) => Can {
            consent: editable
                && signers
                    .iter()
                    .any(|g| g.deputy_id == d && g.consent == "invited"),
            submit: editable && s.lead_deputy_id == d,
            withdraw: s.lead_deputy_id == d && (editable || st == State::Submitted),
            rate: s.lead_deputy_id == d && st == State::Replied,
            ..Can::default()
        },
        Capacity::Office => Can {
            review: st == State::Submitted,
            assign: matches!(st, State::Registered | State::UnitReturned),
            verify_delivery: s.delivery == "reported",
            close: st == State::Escalated,
            decide_extension: s.extension_months.is_some(),
            key: matches!(
                st,
                State::Registered
                    | State::Assigned
                    | State::UnitReturned
                    | State::Replied
                    | State::Rehandling
                    | State::Escalated
            ),
            ..Can::default()
        },
        Capacity::Unit { unit, head } => {
            let lead = lead_unit == Some(unit);
            Can {
                unit_return: lead && st == State::Assigned,
                contact: st.reply_pending(),
                reply: lead && head && st.reply_pending(),
                report_delivery: lead && s.delivery == "pending",
                request_extension: lead && st == State::Assigned && s.extension_months.is_none(),
                co_opinion: st.reply_pending()
                    && units
                        .iter()
                        .any(|u| u.unit_id == unit && u.active == 1 && u.role == "co"),
                ..Can::default()
            }
        }
    };
    let unit_choices = if can.assign {
        std::iter::once((String::new(), String::new()))
            .chain(
                crate::people::store::orgs_of_kind(&state.db, congress.id, "handling_unit")
                    .await?
                    .into_iter()
                    .map(|u| (u.id.to_string(), u.name)),
            )
            .collect()
    } else {
        Vec::new()
    };
    let show_notice = cap == Capacity::Office && s.assigned_on.is_some();
    let congress_id = congress.id;
    let shell = Shell::new(state, ctx, "suggestion.title")
        .await?
        .with_errors(errors);
    let forms = CONTACT_FORMS
        .iter()
        .map(|f| (f.to_string(), shell.t.k("suggestion.form", f)))
        .collect();
    let overdue = st.reply_pending() && s.due_on.as_deref().is_some_and(|d| d < today.as_str());
    let show_similar = match cap {
        Capacity::Office => true,
        Capacity::Deputy(d) => d == s.lead_deputy_id && editable,
        Capacity::Unit { .. } => false,
    };
    let similar = if show_similar {
        service::similar(&state.db, congress.id, &s).await?
    } else {
        Vec::new()
    };
    let usual_unit = if can.assign {
        let ids: Vec<i64> = similar.iter().map(|x| x.id).collect();
        store::usual_lead_unit(&state.db, congress.id, &ids).await?
    } else {
        None
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        DetailPage {
            shell,
            contacts: store::contacts(&state.db, congress.id, id).await?,
            replies: store::replies(&state.db, congress.id, id).await?,
            events: store::events(&state.db, congress.id, id).await?,
            congress,
            s,
            signers,
            units,
            can,
            unit_choices,
            forms,
            today,
            overdue,
            done,
            similar,
            usual_unit,
            show_notice,
            opinions: store::opinions(&state.db, congress_id, id).await?,
        },
    )
}

/// Runs an action; success goes back to the item, a refusal re-renders it with the reason.
async fn after(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    id: i64,
    action: &str,
    result: Result<(), AppError>,
) -> AppResult<Response> {
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/c/{cid}/suggestions/{id}?done={action}")).into_response())
        }
        Err(AppError::Invalid(errs)) => render(state, ctx, cid, id, &errs, String::new()).await,
        Err(e) => Err(e),
    }
}

async fn deputy_here(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<(Congress, i64)> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        Capacity::Deputy(d) => Ok((congress, d)),
        _ => Err(AppError::Forbidden),
    }
}

async fn office_here(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<Congress> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        Capacity::Office => Ok(congress),
        _ => Err(AppError::Forbidden),
    }
}

async fn unit_here(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<(Congress, i64, bool)> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        Capacity::Unit { unit, head } => Ok((congress, unit, head)),
        _ => Err(AppError::Forbidden),
    }
}

#[derive(Deserialize)]
struct ConsentForm {
    #[serde(default)]
    accept: String,
}

async fn consent(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ConsentForm>,
) -> AppResult<Response> {
    let (congress, d) = deputy_here(&state, &ctx, cid).await?;
    let r = service::answer_invitation(
        &state.db,
        congress.id,
        id,
        d,
        f.accept == "1",
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "consent", r).await
}

async fn submit(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let (congress, d) = deputy_here(&state, &ctx, cid).await?;
    let r =
        service::lead_action(&state.db, congress.id, id, d, false, &origin(&state, &ctx)?).await;
    after(&state, &ctx, cid, id, "submit", r).await
}

async fn withdraw(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let (congress, d) = deputy_here(&state, &ctx, cid).await?;
    let r = service::lead_action(&state.db, congress.id, id, d, true, &origin(&state, &ctx)?).await;
    after(&state, &ctx, cid, id, "withdraw", r).await
}

#[derive(Deserialize)]
struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn review(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReviewForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let cmd = match f.decision.as_str() {
        "register" => Command::Register,
        "return" => Command::ReturnForRevision,
        "reject" => Command::Reject,
        _ => {
            return render(
                &state,
                &ctx,
                cid,
                id,
                &[FieldError::new("decision", "field.required")],
                String::new(),
            )
            .await;
        }
    };
    let r = service::review(
        &state.db,
        congress.id,
        id,
        cmd,
        &f.reason,
        &origin(&state, &ctx)?,
    )
    .await
    .map(|_| ());
    after(&state, &ctx, cid, id, "review", r).await
}

/// The assignment form: a lead unit and co-units (a multi-select sends the key repeatedly, so
/// the body is read as pairs).
async fn assign(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let lead = get("lead_unit").and_then(|v| v.parse::<i64>().ok());
    let co: Vec<i64> = f
        .iter()
        .filter(|(k, _)| k == "co_units")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let complex = get("complex") == Some("1");
    let r = service::assign(
        &state.db,
        congress.id,
        id,
        lead,
        &co,
        complex,
        &origin(&state, &ctx)?,
    )
    .await
    .map(|_| ());
    after(&state, &ctx, cid, id, "assign", r).await
}

#[derive(Deserialize)]
struct ReasonForm {
    #[serde(default)]
    reason: String,
}

async fn unit_return(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let (congress, unit, _) = unit_here(&state, &ctx, cid).await?;
    let r = service::unit_return(
        &state.db,
        congress.id,
        id,
        unit,
        &f.reason,
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "unit_return", r).await
}

#[derive(Deserialize)]
struct ContactForm {
    #[serde(default)]
    on_date: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    content: String,
}

async fn contact(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ContactForm>,
) -> AppResult<Response> {
    let (congress, unit, _) = unit_here(&state, &ctx, cid).await?;
    let r = service::log_contact(
        &state.db,
        congress.id,
        id,
        unit,
        &f.on_date,
        &f.form,
        &f.content,
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "contact", r).await
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    class: String,
    #[serde(default)]
    body: String,
}

async fn reply(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReplyForm>,
) -> AppResult<Response> {
    let (congress, unit, head) = unit_here(&state, &ctx, cid).await?;
    let r = service::reply(
        &state.db,
        congress.id,
        id,
        unit,
        head,
        &f.class,
        &f.body,
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "reply", r).await
}

#[derive(Deserialize)]
struct RateForm {
    #[serde(default)]
    rating: String,
}

async fn rate(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<RateForm>,
) -> AppResult<Response> {
    let (congress, d) = deputy_here(&state, &ctx, cid).await?;
    let r = service::rate(
        &state.db,
        congress.id,
        id,
        d,
        &f.rating,
        &origin(&state, &ctx)?,
    )
    .await
    .map(|_| ());
    after(&state, &ctx, cid, id, "rate", r).await
}

async fn delivery(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let r = service::delivery(&state.db, congress.id, id, cap, &origin(&state, &ctx)?).await;
    after(&state, &ctx, cid, id, "delivery", r).await
}

async fn close(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let r = service::close_escalated(
        &state.db,
        congress.id,
        id,
        &f.reason,
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "close", r).await
}

#[derive(Deserialize)]
struct ExtensionForm {
    #[serde(default)]
    months: String,
    #[serde(default)]
    extension_reason: String,
}

async fn extension(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ExtensionForm>,
) -> AppResult<Response> {
    let (congress, unit, _) = unit_here(&state, &ctx, cid).await?;
    let months = f.months.trim().parse::<i64>().unwrap_or(0);
    let r = service::request_extension(
        &state.db,
        congress.id,
        id,
        unit,
        months,
        &f.extension_reason,
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "extension", r).await
}

#[derive(Deserialize)]
struct ApproveForm {
    #[serde(default)]
    approve: String,
}

async fn extension_decision(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ApproveForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let r = service::decide_extension(
        &state.db,
        congress.id,
        id,
        f.approve == "1",
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "extension_decision", r).await
}

#[derive(Deserialize)]
struct KeyForm {
    #[serde(default)]
    supervisor: String,
    #[serde(default)]
    note: String,
}

async fn key(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<KeyForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let r = service::key_supervision(
        &state.db,
        congress.id,
        id,
        &f.supervisor,
        &f.note,
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "key", r).await
}

#[derive(Deserialize)]
struct OpinionForm {
    #[serde(default)]
    opinion: String,
}

async fn opinion(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<OpinionForm>,
) -> AppResult<Response> {
    let (congress, unit, _) = unit_here(&state, &ctx, cid).await?;
    let r = service::co_opinion(
        &state.db,
        congress.id,
        id,
        unit,
        &f.opinion,
        &origin(&state, &ctx)?,
    )
    .await;
    after(&state, &ctx, cid, id, "opinion", r).await
}
