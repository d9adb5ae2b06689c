//! 代表与机构 — persons, deputies (a person's membership of a congress for a term), the bodies of a
//! congress and their members, constituencies, liaison stations, and handling units; roster
//! import and export.

pub mod api;
pub mod domain;
pub mod home;
pub mod pages;
pub mod service;
mod store;
pub mod xlsx;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{
    ID_CARD, Named, Personal, PublicDeputy, Station, add_membership, constituencies,
    create_constituency, create_org, create_person, create_station, deputy, deputy_details,
    erase_contacts, orgs_of_kind, person_by_id_card, persons_by_identifier, public_deputies,
    sealed_personal, stations_of_district, unit, units,
};

use crate::congress::Congress;
use crate::platform::error::AppError;
use crate::web::AppState;
use crate::web::ctx::Ctx;

/// The term new deputies join: the one in force today.
pub async fn current_term(state: &AppState, congress: &Congress) -> Result<i64, AppError> {
    let today = state.clock.today().to_string();
    crate::congress::current_term(&state.db, congress.id, &today)
        .await?
        .map(|t| t.id)
        .ok_or(AppError::Conflict("error.no_term"))
}

/// Deputies of the congress in office with exactly this name (for co-signer and duty lists).
pub async fn deputies_named(
    db: &crate::db::Db,
    congress: crate::platform::ids::CongressId,
    name: &str,
) -> Result<Vec<i64>, sqlx::Error> {
    store::deputies_named(db, congress, name).await
}

/// The name of a deputy of the congress in office, if the id names one (QR links, duty lists).
pub async fn deputy_name_in_office(
    db: &crate::db::Db,
    congress: crate::platform::ids::CongressId,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    store::deputy_name_in_office(db, congress, id).await
}

/// The name of a station of the congress, if the id names one.
pub async fn station_name(
    db: &crate::db::Db,
    congress: crate::platform::ids::CongressId,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    store::station_name(db, congress, id).await
}

/// The name of a handling unit of the congress, if the id names one (forwarding opinions).
pub async fn unit_name(
    db: &crate::db::Db,
    congress: crate::platform::ids::CongressId,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    Ok(store::unit(db, congress, id).await?.map(|u| u.name))
}

/// Where the person behind an account can be reached outside the system (phone for SMS, else
/// e-mail), opened from the vault; for notices that must not wait for the next sign-in.
pub async fn contact_of_user(
    db: &crate::db::Db,
    user: crate::platform::ids::UserId,
) -> Result<Option<(&'static str, String)>, sqlx::Error> {
    store::contact_of_user(db, user.0).await
}

pub fn origin(state: &AppState, ctx: &Ctx) -> Result<service::Origin, AppError> {
    ctx.origin(state)
}

/// Highlighted pieces of a text: (piece, matched).
pub type Highlight = Vec<(String, bool)>;

/// A page of a list: the rows, the next cursor, and for a search, each row's highlighted title.
pub struct Listing<T> {
    pub rows: Vec<T>,
    pub next: Option<String>,
    pub highlights: Vec<Highlight>,
}

/// What a list is asked for: search words (if any), the cursor of the page before, the page size.
#[derive(Clone, Copy)]
struct Ask<'a> {
    q: Option<&'a str>,
    after: Option<&'a str>,
    limit: i64,
}

/// A list that is searched when `q` is given (ranked, highlighted on each row's title) and
/// otherwise paged in its own order. `by_ids` loads the rows of the hits in their order; `plain`
/// gives the page after a cursor in the list's own order.
async fn searchable<T>(
    state: &AppState,
    congress: &Congress,
    kind: &str,
    ask: Ask<'_>,
    by_ids: impl AsyncFnOnce(Vec<i64>) -> Result<Vec<T>, sqlx::Error>,
    plain: impl AsyncFnOnce(
        Option<crate::platform::page::Cursor>,
    ) -> Result<(Vec<T>, Option<String>), sqlx::Error>,
    title: impl Fn(&T) -> &str,
) -> Result<Listing<T>, AppError> {
    use crate::platform::page::Cursor;
    let Ask { q, after, limit } = ask;
    match q.map(str::trim).filter(|s| !s.is_empty()) {
        Some(q) => {
            let after = after
                .map(|a| {
                    crate::search::parse_cursor(a).ok_or(AppError::BadRequest("error.bad_cursor"))
                })
                .transpose()?;
            let hits = crate::search::search(&state.db, congress.id, kind, q, after, limit).await?;
            let next = (hits.len() as i64 > limit)
                .then(|| hits.get(limit as usize - 1).map(crate::search::cursor_of))
                .flatten();
            let rows = by_ids(
                hits.iter()
                    .take(limit as usize)
                    .map(|h| h.item_id)
                    .collect(),
            )
            .await?;
            let highlights = rows
                .iter()
                .map(|r| crate::text::highlight(title(r), q))
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
            let (rows, next) = plain(after).await?;
            Ok(Listing {
                rows,
                next,
                highlights: Vec::new(),
            })
        }
    }
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
    let db = &state.db;
    searchable(
        state,
        congress,
        "deputy",
        Ask { q, after, limit },
        async |ids| store::deputies_by_ids(db, congress.id, &ids).await,
        async |after| {
            let rows = store::list_deputies(db, congress.id, after.as_ref(), limit).await?;
            let page = Page::from_rows(rows, limit, |r| Cursor {
                key: r.name_key.clone(),
                id: r.id,
            });
            Ok((page.items, page.next))
        },
        |r| r.name.as_str(),
    )
    .await
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
    let db = &state.db;
    searchable(
        state,
        congress,
        "unit",
        Ask { q, after, limit },
        async |ids| store::units_by_ids(db, congress.id, &ids).await,
        async |after| {
            let rows = store::units(db, congress.id, after.as_ref(), limit).await?;
            let page = Page::from_rows(rows, limit, |u| Cursor {
                key: u.name.clone(),
                id: u.id,
            });
            Ok((page.items, page.next))
        },
        |u| u.name.as_str(),
    )
    .await
}
