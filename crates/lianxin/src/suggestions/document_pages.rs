//! The documents of a suggestion as DOCX downloads, and the office's template editor.

use super::documents::{self, KINDS};
use super::domain::{Delivery, UnitRole};
use super::service::{self, Capacity};
use super::store;
use super::{capacity, guard};
use crate::audit::{self, Outcome, Record};
use crate::congress::Congress;
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::i18n::Lang;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/suggestions/{id}/notice.docx", get(notice))
        .route("/c/{cid}/suggestions/{id}/reply.docx", get(reply))
        .route("/c/{cid}/suggestions/report.docx", get(report))
        .route(
            "/c/{cid}/suggestions/templates",
            get(templates).post(save_templates),
        )
}

fn zh_date(iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%Y年%-m月%-d日").to_string())
        .unwrap_or_else(|_| iso.to_string())
}

fn docx(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

async fn text_of(state: &AppState, congress: &Congress, kind: &str) -> AppResult<String> {
    Ok(match store::template(&state.db, congress.id, kind).await? {
        Some(t) => t,
        None => documents::default_template(kind)
            .ok_or(AppError::NotFound)?
            .to_string(),
    })
}

/// The common placeholders of an item.
async fn values(
    state: &AppState,
    congress: &Congress,
    s: &store::Suggestion,
) -> AppResult<Vec<(&'static str, String)>> {
    let units = store::units(&state.db, congress.id, s.id).await?;
    let lead = units
        .iter()
        .find(|u| u.active == 1 && u.role == UnitRole::Lead)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let co: Vec<String> = units
        .iter()
        .filter(|u| u.active == 1 && u.role == UnitRole::Co)
        .map(|u| u.name.clone())
        .collect();
    Ok(vec![
        ("人大名称", congress.name.clone()),
        (
            "编号",
            s.number.map(|n| format!("第{n}号")).unwrap_or_default(),
        ),
        ("标题", s.title.clone()),
        ("领衔代表", s.lead_name.clone()),
        ("主办单位", lead),
        (
            "协办说明",
            if co.is_empty() {
                String::new()
            } else {
                format!("，{}协办", co.join("、"))
            },
        ),
        (
            "答复期限",
            s.due_on.as_deref().map(zh_date).unwrap_or_default(),
        ),
        ("日期", zh_date(&state.clock.today().to_string())),
    ])
}

/// 交办通知 — for the office, once the item is assigned.
async fn notice(State(state): State<AppState>, ctx: Ctx, Ids(cid, id): Ids) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    if capacity(&state, &ctx, &congress).await? != Capacity::Office {
        return Err(AppError::Forbidden);
    }
    let s = service::load(&state.db, congress.id, id, Capacity::Office).await?;
    if s.assigned_on.is_none() {
        return Err(AppError::Conflict("suggestion.refused.not_assigned"));
    }
    let text = documents::fill(
        &text_of(&state, &congress, "assignment_notice").await?,
        &values(&state, &congress, &s).await?,
    );
    let bytes = documents::render(&text).map_err(AppError::internal)?;
    Ok(docx(bytes, &format!("assignment-notice-{id}.docx")))
}

/// 答复函 — for whoever may see the item, once replied (the latest reply).
async fn reply(State(state): State<AppState>, ctx: Ctx, Ids(cid, id): Ids) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let s = service::load(&state.db, congress.id, id, cap).await?;
    let replies = store::replies(&state.db, congress.id, id).await?;
    let Some(r) = replies.last() else {
        return Err(AppError::Conflict("suggestion.refused.not_replied"));
    };
    let mut v = values(&state, &congress, &s).await?;
    let body: Vec<String> = r
        .body
        .lines()
        .map(|l| format!("    {}", l.trim()))
        .collect();
    v.push(("答复内容", body.join("\n")));
    v.push((
        "答复分类",
        crate::platform::i18n::tr(Lang::Zh, &format!("suggestion.class.{}", r.class)).to_string(),
    ));
    v.push(("承办单位", r.unit.clone()));
    v.push(("日期", zh_date(&r.replied_on)));
    // The reply date, not today, dates the letter: later downloads give the same document.
    let v: Vec<(&str, String)> = {
        let mut seen = std::collections::BTreeSet::new();
        v.into_iter()
            .rev()
            .filter(|(k, _)| seen.insert(*k))
            .collect()
    };
    let text = documents::fill(&text_of(&state, &congress, "reply_letter").await?, &v);
    let bytes = documents::render(&text).map_err(AppError::internal)?;
    Ok(docx(bytes, &format!("reply-{id}.docx")))
}

#[derive(serde::Deserialize)]
struct ReportQuery {
    #[serde(default)]
    year: String,
}

/// 办理情况报告 — the annual handling report of a calendar year (its recess and the sessions
/// opened in it), filled from the office's template with the same figures as the statistics.
async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let congress = office(&state, &ctx, cid).await?;
    let year = q.year.trim();
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return Err(AppError::BadRequest("suggestions.report.year_required"));
    }
    let keys = super::stats::period_keys(&state, &congress, year).await?;
    let today = state.clock.today().to_string();
    let t = store::stats(&state.db, congress.id, &today, &keys).await?;
    let rate = super::stats::rate;
    let lines = |by: store::By, rows: Vec<store::StatsRow>| -> String {
        if rows.is_empty() {
            return "    无。".into();
        }
        rows.iter()
            .map(|r| {
                let label = if by == store::By::Category {
                    crate::platform::i18n::tr(Lang::Zh, &format!("suggestion.category.{}", r.label))
                        .to_string()
                } else {
                    r.label.clone()
                };
                let s = &r.stats;
                format!(
                    "    {label}：收到{}件，答复{}件，按期答复率{}，满意率{}，办成{}件，办成率{}{}。",
                    s.received,
                    s.replied,
                    rate(s.replied_on_time, s.replied),
                    rate(s.satisfied, s.rated),
                    s.delivered,
                    rate(s.delivered, s.replied),
                    if s.overdue > 0 {
                        format!("，超期{}件", s.overdue)
                    } else {
                        String::new()
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let by_category = lines(
        store::By::Category,
        store::stats_by(&state.db, congress.id, store::By::Category, &today, &keys).await?,
    );
    let by_unit = lines(
        store::By::Unit,
        store::stats_by(&state.db, congress.id, store::By::Unit, &today, &keys).await?,
    );
    let keys_items = store::key_items(&state.db, congress.id, &keys).await?;
    let key_text = if keys_items.is_empty() {
        "    本年度未确定重点督办建议。".to_string()
    } else {
        keys_items
            .iter()
            .map(|k| {
                let outcome = match (k.reply_class.as_deref(), k.delivery) {
                    (None, _) => "正在办理".to_string(),
                    (Some("A"), _) | (_, Delivery::Verified) => "已办成".to_string(),
                    (Some(c), _) => format!(
                        "已答复（{}）",
                        crate::platform::i18n::tr(Lang::Zh, &format!("suggestion.class.{c}"))
                    ),
                };
                format!(
                    "    {}《{}》，由{}主办{}，{}。",
                    k.number.map(|n| format!("第{n}号")).unwrap_or_default(),
                    k.title,
                    k.unit.as_deref().unwrap_or("—"),
                    k.supervisor
                        .as_deref()
                        .map(|s| format!("，{s}督办"))
                        .unwrap_or_default(),
                    outcome
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let values: Vec<(&str, String)> = vec![
        ("年度", year.to_string()),
        ("人大名称", congress.name.clone()),
        ("收到件数", t.received.to_string()),
        ("立案件数", t.registered.to_string()),
        ("交办件数", t.assigned.to_string()),
        ("答复件数", t.replied.to_string()),
        ("按期件数", t.replied_on_time.to_string()),
        ("按期答复率", rate(t.replied_on_time, t.replied)),
        ("评价件数", t.rated.to_string()),
        ("满意件数", t.satisfied.to_string()),
        ("满意率", rate(t.satisfied, t.rated)),
        ("未评价件数", (t.replied - t.rated).max(0).to_string()),
        ("办成件数", t.delivered.to_string()),
        ("办成率", rate(t.delivered, t.replied)),
        ("超期件数", t.overdue.to_string()),
        ("分类情况", by_category),
        ("单位情况", by_unit),
        ("重点督办情况", key_text),
        ("日期", zh_date(&today)),
    ];
    let text = documents::fill(&text_of(&state, &congress, "annual_report").await?, &values);
    let bytes = documents::render(&text).map_err(AppError::internal)?;
    audit::append_alone(
        &state.db,
        &Record {
            at: state.clock.now_ms(),
            user: Some(ctx.actor()?.user),
            congress: Some(congress.id),
            action: "suggestions.report",
            target: format!("report:{year}"),
            outcome: Outcome::Success,
            fields: &[],
            client_addr: ctx.client_addr.clone(),
        },
    )
    .await?;
    Ok(docx(bytes, &format!("suggestion-report-{year}.docx")))
}

#[derive(Template)]
#[template(path = "suggestions/templates/document_templates.html")]
struct TemplatesPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<(String, String)>,
    saved: bool,
}

async fn office(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<Congress> {
    let congress = guard(state, ctx, cid).await?;
    if capacity(state, ctx, &congress).await? != Capacity::Office {
        return Err(AppError::Forbidden);
    }
    Ok(congress)
}

async fn templates(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = office(&state, &ctx, cid).await?;
    let mut rows = Vec::new();
    for (kind, _) in KINDS {
        rows.push((kind.to_string(), text_of(&state, &congress, kind).await?));
    }
    let shell = Shell::new(&state, &ctx, "suggestion.templates").await?;
    let page = TemplatesPage {
        shell,
        congress,
        rows,
        saved: false,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}

async fn save_templates(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let congress = office(&state, &ctx, cid).await?;
    let mut errors = Vec::new();
    for (kind, _) in KINDS {
        let body = f.get(*kind).map(|b| b.trim()).unwrap_or("");
        if body.is_empty() {
            errors.push(FieldError::new(Field(kind), "field.required"));
        } else if body.chars().count() > 10_000 {
            errors.push(FieldError::new(Field(kind), "field.too_long"));
        }
    }
    if !errors.is_empty() {
        let rows = KINDS
            .iter()
            .map(|(k, _)| (k.to_string(), f.get(*k).cloned().unwrap_or_default()))
            .collect();
        let shell = Shell::new(&state, &ctx, "suggestion.templates")
            .await?
            .with_errors(&errors);
        let page = TemplatesPage {
            shell,
            congress,
            rows,
            saved: false,
        };
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(page.render().map_err(AppError::internal)?),
        )
            .into_response());
    }
    let actor = ctx.actor()?.user;
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    for (kind, _) in KINDS {
        let body = f
            .get(*kind)
            .map(|b| b.trim().replace("\r\n", "\n"))
            .unwrap_or_default();
        store::set_template(&mut tx, congress.id, kind, &body, actor.0, now).await?;
    }
    audit::append(
        &mut tx,
        &Record {
            at: now,
            user: Some(actor),
            congress: Some(congress.id),
            action: "suggestions.templates",
            target: "document_templates".into(),
            outcome: Outcome::Success,
            fields: &["assignment_notice", "reply_letter", "annual_report"],
            client_addr: ctx.client_addr.clone(),
        },
    )
    .await?;
    tx.commit().await?;
    let mut rows = Vec::new();
    for (kind, _) in KINDS {
        rows.push((kind.to_string(), text_of(&state, &congress, kind).await?));
    }
    let shell = Shell::new(&state, &ctx, "suggestion.templates").await?;
    let page = TemplatesPage {
        shell,
        congress,
        rows,
        saved: true,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}
