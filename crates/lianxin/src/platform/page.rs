//! Keyset pagination: lists continue after the last row seen, so page 1,000 costs what page 1
//! costs (no OFFSET scans, no COUNT(*) over large tables).

use serde::{Deserialize, Serialize};

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 200;

/// The position after which the next page starts: the sort key and id of the last row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub key: String,
    pub id: i64,
}

impl Cursor {
    /// Encodes as `id.key` (URL-safe after percent-encoding by the form layer).
    pub fn encode(&self) -> String {
        format!("{}.{}", self.id, self.key)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (id, key) = s.split_once('.')?;
        Some(Cursor {
            id: id.parse().ok()?,
            key: key.to_string(),
        })
    }
}

/// A page of rows plus the cursor for the next one, if there is more. Every list the API returns
/// has this shape, `{"items": [...], "next": cursor-or-null}`, including those that are never
/// long enough to page (`next` is then always null), so that a client reads every list alike
/// and a list that grows can start paging without breaking it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The whole list, as one page.
    pub fn all(items: Vec<T>) -> Self {
        Page { items, next: None }
    }

    /// Builds a page from `limit + 1` fetched rows: the extra row only says whether more exist.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, cursor_of: impl Fn(&T) -> Cursor) -> Self {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next = if more {
            rows.last().map(|r| cursor_of(r).encode())
        } else {
            None
        };
        Page { items: rows, next }
    }
}

pub fn clamp_limit(requested: Option<i64>) -> i64 {
    requested
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_keys_with_dots() {
        let c = Cursor {
            key: "zhang.san".into(),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("x.y"), None);
    }

    #[test]
    fn extra_row_means_next_page() {
        let p = Page::from_rows(vec![1, 2, 3], 2, |r| Cursor {
            key: String::new(),
            id: *r,
        });
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next.as_deref(), Some("2."));
        let p = Page::from_rows(vec![1, 2], 2, |r| Cursor {
            key: String::new(),
            id: *r,
        });
        assert_eq!(p.next, None);
    }
}
