//! 代表与机构 — persons, deputies (a person's membership of a congress for a term), the bodies of a
//! congress and their members, constituencies, liaison stations, and handling units; roster
//! import and export.

pub mod api;
pub mod domain;
pub mod pages;
pub mod service;
pub mod store;
pub mod xlsx;

use crate::accounts::policy::{Permission, require};
use crate::congress::Congress;
use crate::platform::error::AppError;
use crate::web::AppState;
use crate::web::ctx::Ctx;

/// Loads the congress of the path and checks the permission: the one entry to every handler here.
pub async fn guard(
    state: &AppState,
    ctx: &Ctx,
    congress_id: i64,
    perm: Permission,
) -> Result<Congress, AppError> {
    let actor = ctx.actor()?;
    let congress = crate::web::shell::congress(state, congress_id).await?;
    require(actor, perm, congress.target(), state.policy())?;
    Ok(congress)
}

/// The term new deputies join: the one in force today.
pub async fn current_term(state: &AppState, congress: &Congress) -> Result<i64, AppError> {
    let today = state.clock.today().to_string();
    crate::congress::store::current_term(&state.db, congress.id, &today)
        .await?
        .map(|t| t.id)
        .ok_or(AppError::Conflict("error.no_term"))
}

pub fn origin(state: &AppState, ctx: &Ctx) -> Result<service::Origin, AppError> {
    Ok(service::Origin {
        user: ctx.actor()?.user,
        client_addr: ctx.client_addr.clone(),
        now: state.clock.now_ms(),
    })
}

/// Highlighted pieces of a text: (piece, matched).
pub type Highlight = Vec<(String, bool)>;

/// A page of a list: the rows, the next cursor, and for a search, each row's highlighted title.
pub struct Listing<T> {
    pub rows: Vec<T>,
    pub next: Option<String>,
    pub highlights: Vec<Highlight>,
}

/// Deputies of a congress: by search when `q` is given (ranked, highlighted), else in pinyin order.
pub async fn list_deputies(
    state: &AppState,
    congress: &Congress,
    q: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Listing<store::DeputyRow>, AppError> {
    use crate::platform::page::{Cursor, Page};
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        Some(q) => {
            let after = after
                .map(|a| {
                    crate::search::parse_cursor(a).ok_or(AppError::BadRequest("error.bad_cursor"))
                })
                .transpose()?;
            let hits =
                crate::search::search(&state.db, congress.id, "deputy", q, after, limit).await?;
            let next = (hits.len() as i64 > limit)
                .then(|| hits.get(limit as usize - 1).map(crate::search::cursor_of))
                .flatten();
            let hits: Vec<_> = hits.into_iter().take(limit as usize).collect();
            let ids: Vec<i64> = hits.iter().map(|h| h.item_id).collect();
            let rows = store::deputies_by_ids(&state.db, congress.id, &ids).await?;
            let highlights = rows
                .iter()
                .map(|r| crate::text::highlight(&r.name, q))
                .collect();
            Ok(Listing {
                rows,
                next,
                highlights,
            })
        }
        None => {
            let after = after
                .map(|a| Cursor::decode(a).ok_or(AppError::BadRequest("error.bad_cursor")))
                .transpose()?;
            let rows = store::list_deputies(&state.db, congress.id, after.as_ref(), limit).await?;
            let page = Page::from_rows(rows, limit, |r| Cursor {
                key: r.name_key.clone(),
                id: r.id,
            });
            Ok(Listing {
                highlights: Vec::new(),
                rows: page.items,
                next: page.next,
            })
        }
    }
}

/// Handling units of a congress: by search when `q` is given, else by name.
pub async fn list_units(
    state: &AppState,
    congress: &Congress,
    q: Option<&str>,
    after: Option<&str>,
    limit: i64,
) -> Result<Listing<store::Unit>, AppError> {
    use crate::platform::page::{Cursor, Page};
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        Some(q) => {
            let after = after
                .map(|a| {
                    crate::search::parse_cursor(a).ok_or(AppError::BadRequest("error.bad_cursor"))
                })
                .transpose()?;
            let hits =
                crate::search::search(&state.db, congress.id, "unit", q, after, limit).await?;
            let next = (hits.len() as i64 > limit)
                .then(|| hits.get(limit as usize - 1).map(crate::search::cursor_of))
                .flatten();
            let ids: Vec<i64> = hits
                .iter()
                .take(limit as usize)
                .map(|h| h.item_id)
                .collect();
            let rows = store::units_by_ids(&state.db, congress.id, &ids).await?;
            let highlights = rows
                .iter()
                .map(|r| crate::text::highlight(&r.name, q))
                .collect();
            Ok(Listing {
                rows,
                next,
                highlights,
            })
        }
        None => {
            let after = after
                .map(|a| Cursor::decode(a).ok_or(AppError::BadRequest("error.bad_cursor")))
                .transpose()?;
            let rows = store::units(&state.db, congress.id, after.as_ref(), limit).await?;
            let page = Page::from_rows(rows, limit, |u| Cursor {
                key: u.name.clone(),
                id: u.id,
            });
            Ok(Listing {
                highlights: Vec::new(),
                rows: page.items,
                next: page.next,
            })
        }
    }
}
