//! 民意分析 — the office's insight page: per place and per station the opinions received,
//! answered on time and the citizens' satisfaction (charts, with the figures in tables), the
//! month's top keywords, and the largest groups of similar opinions.

use super::{html, staff_guard};
use crate::congress::Congress;
use crate::opinions::api::Insight;
use crate::opinions::store::{self, GroupRow, Tally};
use crate::platform::error::AppResult;
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::chart::{self, Bar};
use crate::web::ctx::Ctx;
use crate::web::extract::Id;
use crate::web::shell::Shell;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Datelike;

/// One breakdown: its rows, the handling chart and the satisfaction chart.
struct Breakdown {
    title: &'static str,
    rows: Vec<Tally>,
    handling: String,
    satisfaction: String,
}

#[derive(Template)]
#[template(path = "opinions/templates/insight.html")]
struct InsightPage {
    shell: Shell,
    congress: Congress,
    year: i32,
    breakdowns: Vec<Breakdown>,
    keywords: Vec<String>,
    groups: Vec<GroupRow>,
    groups_chart: String,
}

fn label(shell: &Shell, name: &str) -> String {
    if name.is_empty() {
        shell.t.t("opinions.insight.unspecified").to_string()
    } else {
        name.to_string()
    }
}

fn charts(shell: &Shell, rows: &[Tally]) -> (String, String) {
    let handling: Vec<Bar> = rows
        .iter()
        .map(|r| Bar {
            label: label(shell, &r.name),
            title: shell
                .t
                .t("opinions.insight.bar")
                .replace("{label}", &label(shell, &r.name))
                .replace("{received}", &r.received.to_string())
                .replace("{answered}", &r.answered.to_string())
                .replace("{on_time}", &r.on_time.to_string()),
            segments: vec![
                (r.on_time, "seg-delivered"),
                (r.answered - r.on_time, "seg-overdue"),
                (r.received - r.answered, "seg-pending"),
            ],
        })
        .collect();
    let satisfaction: Vec<Bar> = rows
        .iter()
        .filter(|r| r.satisfied + r.basically_satisfied + r.unsatisfied > 0)
        .map(|r| Bar {
            label: label(shell, &r.name),
            title: format!(
                "{}：{} {}，{} {}，{} {}",
                label(shell, &r.name),
                shell.t.k("suggestion.rating", "satisfied"),
                r.satisfied,
                shell.t.k("suggestion.rating", "basically_satisfied"),
                r.basically_satisfied,
                shell.t.k("suggestion.rating", "unsatisfied"),
                r.unsatisfied
            ),
            segments: vec![
                (r.satisfied, "seg-delivered"),
                (r.basically_satisfied, "seg-replied"),
                (r.unsatisfied, "seg-overdue"),
            ],
        })
        .collect();
    (
        chart::bars(&shell.t.t("opinions.insight.handling"), &handling),
        chart::bars(&shell.t.t("opinions.insight.satisfaction"), &satisfaction),
    )
}

/// The figures of the insight page (this year; keywords of this month), for the page and API.
pub(crate) async fn figures(state: &AppState, congress: CongressId) -> AppResult<Insight> {
    let today = state.clock.today();
    let year_start = today.with_ordinal(1).unwrap_or(today);
    let month_start = today.with_day(1).unwrap_or(today);
    let since = crate::platform::clock::china_midnight_ms(year_start);
    let texts = store::texts(
        &state.db,
        congress,
        crate::platform::clock::china_midnight_ms(month_start),
        state.clock.now_ms() + 1,
        2000,
    )
    .await?;
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    Ok(Insight {
        by_place: store::by_place(&state.db, congress, since).await?,
        by_station: store::by_station(&state.db, congress, since).await?,
        keywords: crate::text::keywords(&refs, 12)
            .into_iter()
            .map(|(k, _)| k)
            .collect(),
        groups: store::groups(&state.db, congress, 10).await?,
    })
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<Response> {
    let congress = staff_guard(&state, &ctx, cid).await?;
    let shell = Shell::new(&state, &ctx, "opinions.insight").await?;
    let f = figures(&state, congress.id).await?;
    let mut breakdowns = Vec::new();
    for (title, rows) in [
        ("opinions.insight.by_place", f.by_place),
        ("opinions.insight.by_station", f.by_station),
    ] {
        let (handling, satisfaction) = charts(&shell, &rows);
        breakdowns.push(Breakdown {
            title,
            rows,
            handling,
            satisfaction,
        });
    }
    let bars: Vec<Bar> = f
        .groups
        .iter()
        .map(|g| {
            let gist: String = g.body.chars().take(14).collect();
            Bar {
                title: format!("{gist}：{}", g.size),
                label: gist,
                segments: vec![(g.size, "seg-replied")],
            }
        })
        .collect();
    html(
        StatusCode::OK,
        InsightPage {
            groups_chart: chart::bars(&shell.t.t("opinions.insight.groups"), &bars),
            shell,
            congress,
            year: state.clock.today().year(),
            breakdowns,
            keywords: f.keywords,
            groups: f.groups,
        },
    )
}
