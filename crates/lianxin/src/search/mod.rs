//! 全文检索 — full-text search inside the database, so that a search sees exactly what the last
//! transaction committed: SQLite FTS5 (external-content table kept in step by triggers) or a
//! PostgreSQL GIN index over `to_tsvector('simple', tokens)`. The tokens are the normalised,
//! segmented text of [`crate::text`], each prefixed with its scope (`c<congress>k<kind>`), so that
//! every postings list already belongs to one congress and one kind of item: a search never reads
//! another congress's entries, and no list spans the whole table. Only the first K matches are
//! ranked, so frequent terms stay fast; results are keyset-paginated by (score, id).

mod store;

use crate::platform::ids::CongressId;
use crate::text::{self, Term};
pub use store::{index, index_tokens, like_scan, matching, remove, search, warm_dictionary};

/// Candidates ranked per query.
pub const TOP_K: i64 = 1000;

/// A document to index.
pub struct Doc<'a> {
    pub congress: CongressId,
    /// `deputy`, `unit`, later `suggestion`, `opinion`, …
    pub kind: &'a str,
    pub item_id: i64,
    pub title: &'a str,
    pub body: &'a str,
}

/// The scope prefix of every token: `c12kdeputy`. Kinds are letters only, so the prefix cannot
/// run into a token that starts with a digit.
pub(crate) fn scope(congress: CongressId, kind: &str) -> String {
    format!(
        "c{}k{}",
        congress.0,
        kind.chars()
            .filter(char::is_ascii_lowercase)
            .collect::<String>()
    )
}

/// The tokens stored for a document: its text's tokens, each prefixed with the scope.
pub fn doc_tokens(doc: &Doc<'_>) -> String {
    let p = scope(doc.congress, doc.kind);
    text::tokens(&format!("{} {}", doc.title, doc.body))
        .iter()
        .map(|w| format!("{p}{w}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A search result; `score` is lower-is-better on both backends.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Hit {
    pub id: i64,
    pub item_id: i64,
    pub title: String,
    pub body: String,
    pub score: f64,
}

/// Where the next page starts: the last hit's score and id.
pub fn cursor_of(h: &Hit) -> String {
    format!("s{}~{}", h.score, h.id)
}

pub fn parse_cursor(s: &str) -> Option<(f64, i64)> {
    let (score, id) = s.strip_prefix('s')?.split_once('~')?;
    Some((score.parse().ok()?, id.parse().ok()?))
}

pub(crate) fn fts5_query(scope: &str, terms: &[Term]) -> String {
    let quote = |s: &str| format!("\"{scope}{}\"", s.replace('"', "\"\""));
    let parts: Vec<String> = terms
        .iter()
        .map(|t| match t {
            Term::Exact(w) => quote(w),
            Term::Prefix(w) => format!("{}*", quote(w)),
        })
        .collect();
    parts.join(" AND ")
}

pub(crate) fn pg_query(scope: &str, terms: &[Term]) -> String {
    let quote = |s: &str| format!("'{scope}{}'", s.replace('\'', "''").replace('\\', "\\\\"));
    let parts: Vec<String> = terms
        .iter()
        .map(|t| match t {
            Term::Exact(w) => quote(w),
            Term::Prefix(w) => format!("{}:*", quote(w)),
        })
        .collect();
    parts.join(" & ")
}

/// How many of the newest matches a filtered list looks at (see [`matching`]).
pub const NEWEST_K: i64 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_quoted_for_each_backend() {
        let terms = vec![
            Term::Exact("区委".into()),
            Term::Prefix("王".into()),
            Term::Exact("a\"b'c".into()),
        ];
        assert_eq!(
            fts5_query("c1kdeputy", &terms),
            "\"c1kdeputy区委\" AND \"c1kdeputy王\"* AND \"c1kdeputya\"\"b'c\""
        );
        assert_eq!(
            pg_query("c1kdeputy", &terms),
            "'c1kdeputy区委' & 'c1kdeputy王':* & 'c1kdeputya\"b''c'"
        );
        let doc = Doc {
            congress: CongressId(12),
            kind: "deputy",
            item_id: 1,
            title: "区委书记",
            body: "",
        };
        assert!(
            doc_tokens(&doc)
                .split(' ')
                .all(|t| t.starts_with("c12kdeputy"))
        );
        assert_eq!(parse_cursor("12.abc"), None);
    }
}
