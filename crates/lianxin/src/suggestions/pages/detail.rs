//! The detail page of a suggestion: what it shows, and which action panels the viewer gets.

use super::super::domain::{Delivery, State, UnitRole};
use super::super::service::{self, CONTACT_FORMS, Capacity};
use super::super::store::{self};
use super::super::{capacity, guard};
use super::html;
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "suggestions/templates/detail.html")]
pub(super) struct DetailPage {
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
    /// The office may propose it as a livelihood project (民生实事).
    office: bool,
    opinions: Vec<store::Opinion>,
    /// (attachment, its size for people, whether the viewer may remove it)
    files: Vec<(crate::attachments::Attachment, String, bool)>,
    /// The kinds of file the viewer may attach now.
    attach_purposes: Vec<&'static str>,
    ratings: Vec<store::RatingRow>,
    /// Some signers rated this round, others not yet (every-signer setting).
    ratings_waiting: bool,
    /// The reply classes the congress uses.
    classes: Vec<&'static str>,
    /// Items the office may merge this one into: (id, label).
    merge_choices: Vec<(String, String)>,
    /// 并案: the item this one is handled with, and the items handled with this one.
    merged_with: Option<(i64, String)>,
    merged_here: Vec<(i64, String)>,
}

/// `第12号 标题` (or the title alone before registration).
fn label(s: &store::Suggestion) -> String {
    match s.number {
        Some(n) => format!("第{n}号 {}", s.title),
        None => s.title.clone(),
    }
}

#[derive(Default)]
pub(super) struct Can {
    publish: bool,
    unpublish: bool,
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
pub(super) struct DoneQuery {
    done: Option<String>,
}

pub(super) async fn detail(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    render(&state, &ctx, cid, id, &[], q.done.unwrap_or_default()).await
}

pub(super) async fn render(
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
        .find(|u| u.active == 1 && u.role == UnitRole::Lead)
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
            rate: service::may_rate(&state.db, congress.id, &s, d).await?,
            ..Can::default()
        },
        Capacity::Office => Can {
            review: st == State::Submitted,
            assign: matches!(st, State::Registered | State::UnitReturned),
            verify_delivery: s.delivery == Delivery::Reported,
            close: st == State::Escalated,
            decide_extension: s.extension_months.is_some(),
            publish: s.published_at.is_none()
                && s.replied_on.is_some()
                && !st.reply_pending()
                && service::publication_allowed(&state.db, congress.id).await?,
            unpublish: s.published_at.is_some(),
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
                report_delivery: lead && s.delivery == Delivery::Pending,
                request_extension: lead && st == State::Assigned && s.extension_months.is_none(),
                co_opinion: st.reply_pending()
                    && units
                        .iter()
                        .any(|u| u.unit_id == unit && u.active == 1 && u.role == UnitRole::Co),
                ..Can::default()
            }
        }
    };
    let unit_choices = if can.assign {
        std::iter::once((String::new(), String::new()))
            .chain(
                crate::people::orgs_of_kind(&state.db, congress.id, "handling_unit")
                    .await?
                    .into_iter()
                    .map(|u| (u.id.to_string(), u.name)),
            )
            .collect()
    } else {
        Vec::new()
    };
    let mut files = Vec::new();
    for a in service::attachments(&state.db, congress.id, &s, cap).await? {
        let removable = a.uploaded_by == Some(ctx.actor()?.user.0)
            && match service::Purpose::parse(&a.purpose) {
                Some(p) => service::may_attach(&state.db, congress.id, &s, cap, p).await?,
                None => false,
            };
        let size = crate::attachments::human_size(a.size);
        files.push((a, size, removable));
    }
    let mut attach_purposes = Vec::new();
    for p in service::Purpose::ALL {
        if service::may_attach(&state.db, congress.id, &s, cap, p).await? {
            attach_purposes.push(p.as_str());
        }
    }
    let ratings = store::ratings(&state.db, congress.id, id).await?;
    let ratings_waiting =
        st == State::Replied && ratings.iter().any(|r| r.round == s.unsatisfied_count);
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
    let merge_choices: Vec<(String, String)> = if can.assign && st == State::Registered {
        similar
            .iter()
            .filter(|x| matches!(x.state.as_str(), "registered" | "assigned"))
            .map(|x| {
                let n = x.number.map(|n| format!("第{n}号 ")).unwrap_or_default();
                (x.id.to_string(), format!("{n}{}", x.title))
            })
            .collect()
    } else {
        Vec::new()
    };
    let merged_with = match s.merged_into {
        Some(m) => store::get(&state.db, congress.id, m)
            .await?
            .map(|x| (x.id, label(&x))),
        None => None,
    };
    let mut merged_here = Vec::new();
    for m in store::merged_items(&state.db, congress.id, id).await? {
        if let Some(x) = store::get(&state.db, congress.id, m).await? {
            merged_here.push((x.id, label(&x)));
        }
    }
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
            office: cap == Capacity::Office,
            opinions: store::opinions(&state.db, congress_id, id).await?,
            files,
            attach_purposes,
            ratings,
            ratings_waiting,
            merge_choices,
            merged_with,
            merged_here,
            classes: service::reply_classes(&state.db, congress_id)
                .await?
                .into_iter()
                .map(|c| c.as_str())
                .collect(),
        },
    )
}

/// Runs an action; success goes back to the item, a refusal re-renders it with the reason.
pub(super) async fn after(
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

pub(super) async fn deputy_here(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
) -> AppResult<(Congress, i64)> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        Capacity::Deputy(d) => Ok((congress, d)),
        _ => Err(AppError::Forbidden),
    }
}

pub(super) async fn office_here(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<Congress> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        Capacity::Office => Ok(congress),
        _ => Err(AppError::Forbidden),
    }
}

pub(super) async fn unit_here(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
) -> AppResult<(Congress, i64, bool)> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        Capacity::Unit { unit, head } => Ok((congress, unit, head)),
        _ => Err(AppError::Forbidden),
    }
}
