//! 办理情况统计 — the office's statistics: the totals, and per category and per lead unit, on
//! screen and as XLSX. Each rate shows its base: on-time replies of replied items, satisfaction
//! of **rated** items (with the unrated share beside it), and delivery (办成: solved, or class B
//! verified solved) of replied items — so that satisfaction cannot hide what was not delivered.

use super::store::{self, Stats, StatsRow};
use super::{capacity, guard};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult};
use crate::platform::i18n::tr;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Id;
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

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

#[derive(Template)]
#[template(path = "suggestions/templates/stats.html")]
struct Page {
    shell: Shell,
    congress: Congress,
    total: Stats,
    /// (title key, rows, whether the rows are categories)
    tables: Vec<(&'static str, Vec<StatsRow>, bool)>,
}

async fn office(state: &AppState, ctx: &Ctx, cid: i64) -> AppResult<Congress> {
    let congress = guard(state, ctx, cid).await?;
    match capacity(state, ctx, &congress).await? {
        super::service::Capacity::Office => Ok(congress),
        _ => Err(AppError::Forbidden),
    }
}

async fn page(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = office(&state, &ctx, cid).await?;
    let today = state.clock.today().to_string();
    let shell = Shell::new(&state, &ctx, "suggestions.stats").await?;
    let page = Page {
        total: store::stats(&state.db, congress.id, &today).await?,
        tables: vec![
            (
                "suggestions.stats.by_category",
                store::stats_by(&state.db, congress.id, "category", &today).await?,
                true,
            ),
            (
                "suggestions.stats.by_unit",
                store::stats_by(&state.db, congress.id, "unit", &today).await?,
                false,
            ),
            (
                "suggestions.stats.by_town",
                store::stats_by(&state.db, congress.id, "town", &today).await?,
                false,
            ),
        ],
        shell,
        congress,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}

async fn xlsx(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = office(&state, &ctx, cid).await?;
    let today = state.clock.today().to_string();
    let lang = ctx.lang;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let e = AppError::internal;
    for (sheet_key, by) in [
        ("suggestions.stats.by_category", "category"),
        ("suggestions.stats.by_unit", "unit"),
    ] {
        let rows = store::stats_by(&state.db, congress.id, by, &today).await?;
        let sheet = wb.add_worksheet();
        sheet.set_name(tr(lang, sheet_key)).map_err(e)?;
        let heads = [
            if by == "unit" {
                "suggestion.lead_unit"
            } else {
                "suggestion.field.category"
            },
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
            sheet.write_string(0, i as u16, tr(lang, h)).map_err(e)?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            let s = &row.stats;
            let label = if by == "category" {
                tr(lang, &format!("suggestion.category.{}", row.label)).to_string()
            } else {
                row.label.clone()
            };
            sheet.write_string(r, 0, label).map_err(e)?;
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
