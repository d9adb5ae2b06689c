//! 办理情况统计 — the office's statistics: the totals, and per session or recess year, per
//! category, per lead unit and per town, on screen with charts and as XLSX. Each rate shows its
//! base: on-time replies of replied items, satisfaction of **rated** items (with the unrated
//! share beside it), and delivery (办成: solved, or class B verified solved) of replied items —
//! so that satisfaction cannot hide what was not delivered.

use super::store::{self, By, Stats, StatsRow};
use super::{capacity, guard};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult};
use crate::platform::i18n::{Lang, tr};
use crate::web::AppState;
use crate::web::chart::{self, Bar};
use crate::web::ctx::Ctx;
use crate::web::extract::{Id, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}/suggestions/stats", get(page))
        .route("/c/{cid}/suggestions/stats.xlsx", get(xlsx))
}

/// A percentage with one decimal, or "—" when the base is empty.
pub fn rate(part: impl std::borrow::Borrow<i64>, whole: impl std::borrow::Borrow<i64>) -> String {
    let (part, whole) = (*part.borrow(), *whole.borrow());
    if whole <= 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// Which items the statistics cover: all, one numbering period (`s<id>`, `y<year>`), or a
/// calendar year (`2026`: its recess and the sessions opened in it).
#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    #[serde(default)]
    pub period: String,
}

/// The period keys a selection covers (empty: all).
pub async fn period_keys(
    state: &AppState,
    congress: &Congress,
    selection: &str,
) -> AppResult<Vec<String>> {
    let selection = selection.trim();
    if selection.is_empty() {
        return Ok(Vec::new());
    }
    if selection.len() == 4 && selection.chars().all(|c| c.is_ascii_digit()) {
        let mut keys = vec![format!("y{selection}")];
        for s in crate::congress::sessions(&state.db, congress.id).await? {
            if s.opens_on.starts_with(selection) {
                keys.push(format!("s{}", s.id));
            }
        }
        return Ok(keys);
    }
    Ok(vec![selection.to_string()])
}

/// The name of a numbering period: 第2次会议（2026-01-12） or 2026年闭会期间.
pub async fn period_labels(
    state: &AppState,
    congress: &Congress,
    lang: Lang,
) -> AppResult<Vec<(String, String)>> {
    let sessions = crate::congress::sessions(&state.db, congress.id).await?;
    let mut out = Vec::new();
    for key in store::periods(&state.db, congress.id).await? {
        let label = if let Some(year) = key.strip_prefix('y') {
            tr(lang, "suggestions.period.recess").replace("{n}", year)
        } else {
            let s = key
                .strip_prefix('s')
                .and_then(|id| id.parse::<i64>().ok())
                .and_then(|id| sessions.iter().find(|s| s.id == id));
            match s {
                Some(s) => tr(lang, "suggestions.period.session")
                    .replace("{n}", &s.number.to_string())
                    .replace("{date}", &s.opens_on),
                None => key.clone(),
            }
        };
        out.push((key, label));
    }
    Ok(out)
}

/// One breakdown on the page: its title, its rows and the chart of them.
pub struct Table {
    pub title: &'static str,
    pub by: By,
    pub rows: Vec<StatsRow>,
    pub chart: String,
}

#[derive(Template)]
#[template(path = "suggestions/templates/stats.html")]
struct Page {
    shell: Shell,
    congress: Congress,
    total: Stats,
    tables: Vec<Table>,
    /// (value, label) of the period selector.
    choices: Vec<(String, String)>,
    period: String,
    /// Calendar years with items, for the annual report.
    years: Vec<String>,
}

async fn office(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<Congress> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        super::service::Capacity::Office => Ok(congress),
        _ => Err(AppError::Forbidden),
    }
}

/// A row's label as people read it (categories and periods are codes in the database).
fn label_of(lang: Lang, by: By, raw: &str, periods: &[(String, String)]) -> String {
    match by {
        By::Category => tr(lang, &format!("suggestion.category.{raw}")).to_string(),
        By::Period => periods
            .iter()
            .find(|(k, _)| k == raw)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| raw.to_string()),
        By::Unit | By::Town => raw.to_string(),
    }
}

const BREAKDOWNS: [(&str, By); 4] = [
    ("suggestions.stats.by_period", By::Period),
    ("suggestions.stats.by_category", By::Category),
    ("suggestions.stats.by_unit", By::Unit),
    ("suggestions.stats.by_town", By::Town),
];

/// The bars of a breakdown: delivered, replied but not (yet) delivered, overdue, still pending.
fn chart_of(lang: Lang, title: &str, rows: &[StatsRow]) -> String {
    let bars: Vec<Bar> = rows
        .iter()
        .map(|r| {
            let s = &r.stats;
            let pending = (s.received - s.replied - s.overdue).max(0);
            Bar {
                label: r.label.clone(),
                title: tr(lang, "suggestions.chart.bar")
                    .replace("{label}", &r.label)
                    .replace("{received}", &s.received.to_string())
                    .replace("{replied}", &s.replied.to_string())
                    .replace("{delivered}", &s.delivered.to_string())
                    .replace("{overdue}", &s.overdue.to_string()),
                segments: vec![
                    (s.delivered, "seg-delivered"),
                    ((s.replied - s.delivered).max(0), "seg-replied"),
                    (s.overdue, "seg-overdue"),
                    (pending, "seg-pending"),
                ],
            }
        })
        .collect();
    chart::bars(title, &bars)
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let congress = office(&state, &ctx, cid).await?;
    let today = state.clock.today().to_string();
    let lang = ctx.lang;
    let keys = period_keys(&state, &congress, &q.period).await?;
    let labels = period_labels(&state, &congress, lang).await?;
    let mut tables = Vec::new();
    for (title, by) in BREAKDOWNS {
        if by == By::Period && keys.len() == 1 {
            continue;
        }
        let mut rows = store::stats_by(&state.db, congress.id, by, &today, &keys).await?;
        for r in &mut rows {
            r.label = label_of(lang, by, &r.label, &labels);
        }
        let chart = chart_of(lang, tr(lang, title), &rows);
        tables.push(Table {
            title,
            by,
            rows,
            chart,
        });
    }
    let mut years: Vec<String> = labels
        .iter()
        .filter_map(|(k, _)| k.strip_prefix('y').map(str::to_string))
        .collect();
    for s in crate::congress::sessions(&state.db, congress.id).await? {
        if labels.iter().any(|(k, _)| *k == format!("s{}", s.id)) {
            years.push(s.opens_on.chars().take(4).collect());
        }
    }
    years.sort_by(|a, b| b.cmp(a));
    years.dedup();
    let mut choices = vec![(
        String::new(),
        tr(lang, "suggestions.period.all").to_string(),
    )];
    choices.extend(years.iter().map(|y| {
        (
            y.clone(),
            tr(lang, "suggestions.period.year").replace("{n}", y),
        )
    }));
    choices.extend(labels.iter().cloned());
    let page = Page {
        total: store::stats(&state.db, congress.id, &today, &keys).await?,
        shell: Shell::new(&state, &ctx, "suggestions.stats").await?,
        tables,
        choices,
        period: q.period.trim().to_string(),
        years,
        congress,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}

async fn xlsx(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<PeriodQuery>,
) -> AppResult<Response> {
    let congress = office(&state, &ctx, cid).await?;
    let today = state.clock.today().to_string();
    let lang = ctx.lang;
    let keys = period_keys(&state, &congress, &q.period).await?;
    let labels = period_labels(&state, &congress, lang).await?;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let e = AppError::internal;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (sheet_key, by) in BREAKDOWNS {
        let rows = store::stats_by(&state.db, congress.id, by, &today, &keys).await?;
        let sheet = wb.add_worksheet();
        sheet.set_name(tr(lang, sheet_key)).map_err(e)?;
        let first = match by {
            By::Unit => "suggestion.lead_unit",
            By::Category => "suggestion.field.category",
            By::Town => "suggestion.town",
            By::Period => "suggestions.period",
        };
        let heads = [
            first,
            "suggestions.stat.received",
            "suggestions.stat.assigned",
            "suggestions.stat.replied",
            "suggestions.stat.on_time",
            "suggestions.stats.on_time_rate",
            "suggestions.stat.rated",
            "suggestions.stats.satisfaction_rate",
            "suggestions.stat.delivered",
            "suggestions.stats.delivery_rate",
            "suggestions.stat.overdue",
        ];
        for (i, h) in heads.iter().enumerate() {
            sheet
                .write_string_with_format(0, i as u16, tr(lang, h), &bold)
                .map_err(e)?;
        }
        sheet.set_column_width(0, 24).map_err(e)?;
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            let s = &row.stats;
            sheet
                .write_string(r, 0, label_of(lang, by, &row.label, &labels))
                .map_err(e)?;
            for (c, v) in [s.received, s.assigned, s.replied, s.replied_on_time]
                .iter()
                .enumerate()
            {
                sheet.write_number(r, c as u16 + 1, *v as f64).map_err(e)?;
            }
            sheet
                .write_string(r, 5, rate(s.replied_on_time, s.replied))
                .map_err(e)?;
            sheet.write_number(r, 6, s.rated as f64).map_err(e)?;
            sheet
                .write_string(r, 7, rate(s.satisfied, s.rated))
                .map_err(e)?;
            sheet.write_number(r, 8, s.delivered as f64).map_err(e)?;
            sheet
                .write_string(r, 9, rate(s.delivered, s.replied))
                .map_err(e)?;
            sheet.write_number(r, 10, s.overdue as f64).map_err(e)?;
        }
    }
    let bytes = wb.save_to_buffer().map_err(e)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"suggestion-statistics.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_show_their_base_and_never_divide_by_zero() {
        assert_eq!(super::rate(1, 3), "33.3%");
        assert_eq!(super::rate(0, 0), "—");
        assert_eq!(super::rate(5, 5), "100.0%");
    }
}
