//! 个人信息权利请求 — the data-subject request desk (PIPL Art 44–50): staff of the offices that
//! hold personal data register a citizen's or deputy's request to access, copy, correct or
//! delete their data, see what the platform holds (an audited view), act on it, and answer
//! within the deadline (15 working days on the legal calendar). The requester's name and
//! contact are sealed and erased after the retention period.

use super::store::{self, NewRequest};
use crate::accounts::policy::Permission;
use crate::accounts::policy::guard;
use crate::audit::{self, Record};
use crate::calendar::deadlines::{self, Registration, Span};
use crate::calendar::rules::Basis;
use crate::congress::Congress;
use crate::people::{self as people, Personal};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

const REQUESTER: &str = "privacy_requests.requester_sealed";
const SUBJECT: &str = "privacy_requests.subject";
/// PIPL Art 50 asks for timely handling without a number; 15 working days is the period local
/// rules and GB/T 35273-2020 §8.7 practice use for replies. A setting can replace it later.
const REPLY_WORKING_DAYS: u32 = 15;
pub const KINDS: &[&str] = &["access", "copy", "correction", "deletion"];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/privacy", get(list).post(create))
        .route("/c/{cid}/privacy/new", get(new_form))
        .route("/c/{cid}/privacy/{id}", get(show))
        .route("/c/{cid}/privacy/{id}/close", post(close))
        .route("/c/{cid}/privacy/{id}/erase", post(erase))
}

/// The requester's details, sealed as one value.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Requester {
    name: String,
    contact: String,
    /// The ID number, phone or e-mail the request is about.
    identifier: String,
}

fn html(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

fn open_requester(state: &AppState, sealed: &str) -> Requester {
    // An erased (retention) or unreadable value shows as empty, never as an error page.
    state
        .db
        .vault
        .open_sealed(REQUESTER, sealed)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

pub struct ListRow {
    pub id: i64,
    pub kind: String,
    pub requester: String,
    pub received_on: String,
    pub due_on: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "privacy/templates/list.html")]
struct ListPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<ListRow>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::RevealPersonal).await?;
    let rows = store::list(&state.db, congress.id.0)
        .await?
        .into_iter()
        .map(|r| ListRow {
            id: r.id,
            requester: crate::platform::vault::mask_address(
                &open_requester(&state, &r.requester_sealed).name,
            ),
            kind: r.kind,
            received_on: r.received_on,
            due_on: r.due_on,
            status: r.status,
        })
        .collect();
    let shell = Shell::new(&state, &ctx, "privacy.title").await?;
    html(
        StatusCode::OK,
        ListPage {
            shell,
            congress,
            rows,
        },
    )
}

#[derive(Deserialize, Default)]
struct NewForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    received_on: String,
}

#[derive(Template)]
#[template(path = "privacy/templates/new.html")]
struct NewPage {
    shell: Shell,
    congress: Congress,
    kinds: Vec<(String, String)>,
    form: NewForm,
}

fn kinds(shell: &Shell) -> Vec<(String, String)> {
    KINDS
        .iter()
        .map(|k| (k.to_string(), shell.t.k("privacy.kind", k)))
        .collect()
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::RevealPersonal).await?;
    let shell = Shell::new(&state, &ctx, "privacy.new_title").await?;
    let form = NewForm {
        received_on: state.clock.today().to_string(),
        ..NewForm::default()
    };
    html(
        StatusCode::OK,
        NewPage {
            kinds: kinds(&shell),
            shell,
            congress,
            form,
        },
    )
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<NewForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::RevealPersonal).await?;
    let actor = ctx.actor()?.clone();
    let mut errors = Vec::new();
    if !KINDS.contains(&f.kind.as_str()) {
        errors.push(FieldError::new(Field("kind"), "field.required"));
    }
    let name = f.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new(Field("name"), "field.required"));
    } else if name.chars().count() > 100 {
        errors.push(FieldError::new(Field("name"), "field.too_long"));
    }
    if f.contact.chars().count() > 100 {
        errors.push(FieldError::new(Field("contact"), "field.too_long"));
    }
    let identifier = f.identifier.trim().to_string();
    if identifier.is_empty() {
        errors.push(FieldError::new(Field("identifier"), "field.required"));
    } else if identifier.chars().count() > 100 {
        errors.push(FieldError::new(Field("identifier"), "field.too_long"));
    }
    let received = chrono::NaiveDate::parse_from_str(f.received_on.trim(), "%Y-%m-%d").ok();
    match received {
        None => errors.push(FieldError::new(Field("received_on"), "field.date_invalid")),
        Some(d) if d > state.clock.today() => {
            errors.push(FieldError::new(Field("received_on"), "privacy.future_date"))
        }
        Some(_) => {}
    }
    let (Some(received), true) = (received, errors.is_empty()) else {
        let shell = Shell::new(&state, &ctx, "privacy.new_title")
            .await?
            .with_errors(&errors);
        return html(
            StatusCode::UNPROCESSABLE_ENTITY,
            NewPage {
                kinds: kinds(&shell),
                shell,
                congress,
                form: f,
            },
        );
    };
    let now = state.clock.now_ms();
    let requester = Requester {
        name: name.to_string(),
        contact: f.contact.trim().to_string(),
        identifier: identifier.clone(),
    };
    let sealed = state
        .db
        .vault
        .seal(
            REQUESTER,
            &serde_json::to_string(&requester).map_err(AppError::internal)?,
        )
        .map_err(AppError::internal)?;
    let digest = state
        .db
        .vault
        .digest(SUBJECT, &identifier.to_ascii_uppercase())
        .map_err(AppError::internal)?;
    let calendar = crate::calendar::load(&state.db).await?;
    let basis = Basis {
        rule: "rule.privacy_reply".into(),
        source: "个人信息保护法第五十条".into(),
    };
    let due = Span::WorkingDays(REPLY_WORKING_DAYS).compute(&calendar, received, basis.clone());
    let mut tx = state.db.write().await?;
    let id = store::create(
        &mut tx,
        &NewRequest {
            congress: congress.id.0,
            kind: &f.kind,
            requester_sealed: &sealed,
            subject_digest: &digest,
            received_on: &received.to_string(),
            due_on: &due.due.to_string(),
            by: actor.user.0,
            now,
        },
    )
    .await?;
    let link = format!("/c/{}/privacy/{id}", congress.id.0);
    deadlines::register(
        &mut tx,
        &calendar,
        &Registration {
            congress: congress.id,
            module: "privacy",
            item_id: id,
            kind: "reply",
            span: Span::WorkingDays(REPLY_WORKING_DAYS),
            holder: Some(actor.user),
            link: &link,
        },
        received,
        basis,
        now,
    )
    .await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            congress.id,
            "privacy.request_create",
            id,
            &["kind", "requester", "identifier"],
        )?,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&link).into_response())
}

fn record<'a>(
    ctx: &Ctx,
    now: i64,
    congress: CongressId,
    action: &'a str,
    id: i64,
    fields: &'a [&'a str],
) -> AppResult<Record<'a>> {
    let o = ctx.origin_at(now)?;
    let target = format!("privacy_request:{id}");
    Ok(Record::by(&o, Some(congress), action, target, fields))
}

/// One person the request's identifier matches, with what the platform holds about them.
pub struct Held {
    pub person: i64,
    pub name: String,
    pub personal: Personal,
    pub mandates: Vec<store::Mandate>,
    /// A deputy in office or suspended: the law requires the record (代表法; PIPL Art 47 ¶2).
    pub must_keep: bool,
}

#[derive(Template)]
#[template(path = "privacy/templates/request.html")]
struct RequestPage {
    shell: Shell,
    congress: Congress,
    id: i64,
    kind: String,
    requester: Requester,
    received_on: String,
    due_on: String,
    status: String,
    answer: String,
    held: Vec<Held>,
    erased: bool,
}

async fn held_for(state: &AppState, identifier: &str) -> AppResult<Vec<Held>> {
    let mut out = Vec::new();
    for p in people::persons_by_identifier(&state.db, identifier).await? {
        let personal = people::sealed_personal(&state.db, p.0)
            .await?
            .open(&state.db.vault)?;
        let mandates = store::mandates(&state.db, p.0).await?;
        let must_keep = mandates
            .iter()
            .any(|m| m.status != crate::people::domain::DeputyStatus::Terminated);
        out.push(Held {
            person: p.0,
            name: store::person_name(&state.db, p.0)
                .await?
                .unwrap_or_default(),
            personal,
            mandates,
            must_keep,
        });
    }
    Ok(out)
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    id: i64,
    errors: &[FieldError],
    erased: bool,
) -> AppResult<Response> {
    let r = store::get(&state.db, congress.id.0, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let requester = open_requester(state, &r.requester_sealed);
    let held = if requester.identifier.is_empty() {
        Vec::new()
    } else {
        held_for(state, &requester.identifier).await?
    };
    // Seeing what is held about a person is itself recorded.
    audit::append_alone(
        &state.db,
        &record(
            ctx,
            state.clock.now_ms(),
            congress.id,
            "privacy.request_view",
            id,
            &["held"],
        )?,
    )
    .await?;
    let shell = Shell::new(state, ctx, "privacy.request_title")
        .await?
        .with_errors(errors);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    html(
        status,
        RequestPage {
            shell,
            congress,
            id,
            kind: r.kind,
            requester,
            received_on: r.received_on,
            due_on: r.due_on,
            status: r.status,
            answer: r.answer.unwrap_or_default(),
            held,
            erased,
        },
    )
}

async fn show(State(state): State<AppState>, ctx: Ctx, Ids(cid, id): Ids) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::RevealPersonal).await?;
    render(&state, &ctx, congress, id, &[], false).await
}

#[derive(Deserialize)]
struct CloseForm {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    answer: String,
}

/// Answers (or refuses, with the reason the law allows) and closes the request.
async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<CloseForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::RevealPersonal).await?;
    let mut errors = Vec::new();
    if !matches!(f.outcome.as_str(), "answered" | "refused") {
        errors.push(FieldError::new(Field("outcome"), "field.required"));
    }
    let answer = f.answer.trim();
    if answer.is_empty() {
        errors.push(FieldError::new(Field("answer"), "privacy.answer_required"));
    } else if answer.chars().count() > 2000 {
        errors.push(FieldError::new(Field("answer"), "field.too_long"));
    }
    if !errors.is_empty() {
        return render(&state, &ctx, congress, id, &errors, false).await;
    }
    let now = state.clock.now_ms();
    let by = ctx.actor()?.user;
    let mut tx = state.db.write().await?;
    if !store::close(&mut tx, congress.id.0, id, &f.outcome, answer, by.0, now).await? {
        return Err(AppError::Conflict("privacy.not_open"));
    }
    deadlines::close(&mut tx, "privacy", id, "reply", now).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            congress.id,
            "privacy.request_close",
            id,
            &["status", "answer"],
        )?,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/c/{}/privacy/{id}", congress.id.0)).into_response())
}

/// A deletion request: erases the contact details of every matched person whose record the law
/// does not require to be kept; deputies in office keep theirs (the answer says why).
async fn erase(State(state): State<AppState>, ctx: Ctx, Ids(cid, id): Ids) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::RevealPersonal).await?;
    let r = store::get(&state.db, congress.id.0, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if r.kind != "deletion" || r.status != "open" {
        return Err(AppError::Conflict("privacy.not_deletion"));
    }
    let requester = open_requester(&state, &r.requester_sealed);
    let held = held_for(&state, &requester.identifier).await?;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    for h in held.iter().filter(|h| !h.must_keep) {
        people::erase_contacts(&mut tx, h.person).await?;
    }
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            congress.id,
            "privacy.erase",
            id,
            &["phone", "email", "address"],
        )?,
    )
    .await?;
    tx.commit().await?;
    render(&state, &ctx, congress, id, &[], true).await
}
