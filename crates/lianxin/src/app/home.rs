//! The home page (待办): the cards every slice offers ([`CardSource`]), the user's latest
//! notices, their open deadlines with days left and legal basis, and the holiday reminder.

use crate::accounts::policy::{Permission, allows};
use crate::platform::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::home::{CardSource, HomeCard, HomeScope};
use crate::web::shell::{Shell, current_congress, visible_congresses};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

/// The slices' cards, in the order the page shows them.
const CARD_SOURCES: &[CardSource] = &[
    crate::people::home::cards,
    crate::opinions::pages::home::cards,
    crate::livelihood::home::cards,
    crate::accounts::home::cards,
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/home", get(home))
}

/// A deadline on the home page: days left (amber within 15 working days, red when overdue),
/// the date, and its legal basis.
pub struct DueItem {
    pub title: String,
    pub link: String,
    pub due_on: String,
    pub days_left: i64,
    pub urgency: &'static str,
    pub basis: String,
    pub warning: String,
}

#[derive(Template)]
#[template(path = "app/templates/home.html")]
struct HomePage {
    shell: Shell,
    congress_name: String,
    roles: Vec<String>,
    cards: Vec<HomeCard>,
    notices: Vec<crate::notify::InboxItem>,
    deadlines: Vec<DueItem>,
    calendar_reminder: String,
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let actor = ctx.actor()?;
    let shell = Shell::new(&state, &ctx, "home.title").await?;
    let scopes = visible_congresses(&state, &ctx).await?;
    let current = current_congress(&ctx, &scopes).cloned();
    let t = shell.t;
    let mut cards = Vec::new();
    let mut roles = Vec::new();
    if let Some(c) = &current {
        for g in actor.grants.iter().filter(|g| g.congress == c.id) {
            roles.push(t.t(g.role.key()));
        }
        let scope = HomeScope {
            state: &state,
            ctx: &ctx,
            actor,
            congress: c,
            t,
        };
        for source in CARD_SOURCES {
            cards.extend(source(&scope).await?);
        }
    }
    let notices = crate::notify::inbox(&state.db, actor.user, 5).await?;
    let calendar = crate::calendar::load(&state.db).await?;
    let today = state.clock.today();
    let deadlines = crate::calendar::deadlines::open_for(&state.db, actor.user, 20)
        .await?
        .into_iter()
        .filter_map(|d| {
            let due = chrono::NaiveDate::parse_from_str(&d.due_on, "%Y-%m-%d").ok()?;
            let days_left = calendar.working_days_left(today, due);
            let warning = d
                .unloaded_years
                .split(',')
                .filter(|y| !y.is_empty())
                .map(|y| crate::platform::i18n::trf(t.0, "calendar.not_loaded", &[("year", y)]))
                .collect::<Vec<_>>()
                .join(" ");
            Some(DueItem {
                title: format!(
                    "{} · {}",
                    t.k("deadline.module", &d.module),
                    t.k("deadline.kind", &d.kind)
                ),
                link: d.link,
                due_on: d.due_on,
                urgency: if days_left < 0 {
                    "overdue"
                } else if days_left <= 15 {
                    "soon"
                } else {
                    "ok"
                },
                days_left,
                basis: format!("{}（{}）", t.t(&d.basis_rule), d.basis_source),
                warning,
            })
        })
        .collect();
    // In November and December, remind the system administrator to load next year's holidays.
    let next_year = chrono::Datelike::year(&today) + 1;
    let admin = current.as_ref().is_some_and(|c| {
        allows(
            actor,
            Permission::ManageSettings,
            c.target(),
            state.policy(),
        )
    });
    let calendar_reminder =
        if admin && chrono::Datelike::month(&today) >= 11 && !calendar.is_loaded(next_year) {
            crate::platform::i18n::trf(
                t.0,
                "calendar.reminder",
                &[("year", &next_year.to_string())],
            )
        } else {
            String::new()
        };
    let page = HomePage {
        shell,
        congress_name: current.map(|c| c.name).unwrap_or_default(),
        roles,
        cards,
        notices,
        deadlines,
        calendar_reminder,
    };
    Ok(Html(page.render().map_err(AppError::internal)?).into_response())
}
