//! `/results/{cid}` — the public portal's sealed vote results of the congress's sittings and
//! standing-committee meetings, when the congress publishes them (setting
//! `results.publish`): what was voted on, the counts, the verdict and the seal; never
//! who voted how. The same as JSON at `/api/v1/public/congresses/{cid}/results`.

use super::recount::{Rule, Stored, Verdict};
use super::store::{self, PublicResult};
use crate::congress as congresses;
use crate::platform::error::{AppError, AppResult};
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::Id;
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route("/results/{cid}", get(page))
}

/// The published results, or not found when the congress keeps them internal.
async fn published(state: &AppState, cid: i64) -> Result<(String, Vec<PublicResult>), AppError> {
    let c = congresses::get(&state.db, CongressId(cid))
        .await?
        .ok_or(AppError::NotFound)?;
    let policy = crate::settings::get(&state.db, c.id, "results.publish")
        .await?
        .map(|r| r.value);
    if policy.as_deref() == Some("keep_internal") {
        return Err(AppError::NotFound);
    }
    Ok((c.name, store::public_results(&state.db, c.id).await?))
}

#[derive(Template)]
#[template(path = "meetings/templates/public.html")]
struct PublicPage {
    shell: Shell,
    congress: String,
    rows: Vec<(PublicResult, String, String)>,
}

async fn page(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let (congress, results) = published(&state, cid).await?;
    let t = crate::platform::i18n::T(ctx.lang);
    let rows = results
        .into_iter()
        .map(|r| {
            let stored = Stored::parse(&r.result).ok();
            let counts = match &stored {
                Some(s) if matches!(s.rule, Rule::Decision | Rule::Rating) => s
                    .counts
                    .iter()
                    .filter(|(k, _)| k.as_str() != "not_voted")
                    .map(|(k, n)| format!("{} {n}", t.k("meetings.count", k)))
                    .collect::<Vec<_>>()
                    .join(" · "),
                Some(s) => s
                    .counts
                    .iter()
                    .map(|(k, n)| format!("{k} {n}"))
                    .collect::<Vec<_>>()
                    .join(" · "),
                None => String::new(),
            };
            let verdict = match stored.as_ref().map(Stored::verdict) {
                Some(Verdict::Passed) => t.t("meetings.passed"),
                Some(Verdict::NotPassed) => t.t("meetings.not_passed"),
                Some(Verdict::Elected(e)) => format!("{}{}", t.t("meetings.elected"), e.join("、")),
                _ => String::new(),
            };
            (r, counts, verdict)
        })
        .collect();
    let shell = Shell::new(&state, &ctx, "meetings.public_title").await?;
    Ok(Html(
        PublicPage {
            shell,
            congress,
            rows,
        }
        .render()
        .map_err(AppError::internal)?,
    )
    .into_response())
}

/// 表决结果公开 — the sealed results a congress publishes (404 when it keeps them internal).
#[utoipa::path(get, path = "/api/v1/public/congresses/{cid}/results", tag = "public", params(("cid" = i64, Path)),
    responses((status = 200, body = crate::platform::page::Page<PublicResult>), (status = 404, body = crate::web::errors::Problem)))]
pub async fn results(
    State(state): State<AppState>,
    Id(cid): Id,
) -> AppResult<axum::Json<crate::platform::page::Page<PublicResult>>> {
    Ok(axum::Json(crate::platform::page::Page::all(
        published(&state, cid).await?.1,
    )))
}
