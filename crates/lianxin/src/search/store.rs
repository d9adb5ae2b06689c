//! The full-text SQL of the system, one branch per backend: documents indexed and removed
//! inside the caller's transaction, ranked searches, the filter condition a module's own list
//! adds, the LIKE baseline, and the dictionary warmed from the roster.

use super::{Doc, Hit, NEWEST_K, TOP_K, doc_tokens, fts5_query, pg_query, scope};
use crate::db::{Backend, Db, Tx};
use crate::platform::ids::CongressId;
use crate::text;

/// Indexes (or re-indexes) a document inside the caller's transaction.
pub async fn index(tx: &mut Tx<'_>, doc: &Doc<'_>, now: i64) -> Result<(), sqlx::Error> {
    index_tokens(tx, doc, &doc_tokens(doc), now).await
}

/// Indexes a document with its tokens computed beforehand ([`doc_tokens`], which does not depend
/// on the item's id): segmentation is the cost, and it need not happen inside a transaction.
pub async fn index_tokens(
    tx: &mut Tx<'_>,
    doc: &Doc<'_>,
    tokens: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO search_docs (congress_id, kind, item_id, title, body, tokens, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (congress_id, kind, item_id) DO UPDATE SET title = $4, body = $5, tokens = $6, updated_at = $7",
    )
    .bind(doc.congress.0)
    .bind(doc.kind)
    .bind(doc.item_id)
    .bind(doc.title)
    .bind(doc.body)
    .bind(tokens)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Takes an item out of one congress's index (an opinion transferred away).
pub async fn remove(
    tx: &mut Tx<'_>,
    congress: CongressId,
    kind: &str,
    item_id: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM search_docs WHERE congress_id = $1 AND kind = $2 AND item_id = $3")
        .bind(congress.0)
        .bind(kind)
        .bind(item_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Searches one kind of item of one congress. An empty query (no terms) finds nothing.
pub async fn search(
    db: &Db,
    congress: CongressId,
    kind: &str,
    q: &str,
    after: Option<(f64, i64)>,
    limit: i64,
) -> Result<Vec<Hit>, sqlx::Error> {
    let terms = text::query_terms(q);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let scope = scope(congress, kind);
    // The cursor's score is bound as text and cast in SQL: a nullable float parameter fixed its
    // type on the first page (NULL) of a prepared statement on PostgreSQL and broke the next one.
    // Rust prints the shortest decimal that reads back as the same f64, so nothing is lost.
    let (score, id) = after.map_or((None, 0), |(s, i)| (Some(s.to_string()), i));
    // Backend-specific SQL (the only full-text SQL of the system).
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT d.id, d.item_id, d.title, d.body, s.score FROM \
             (SELECT rowid AS id, bm25(search_fts) AS score FROM search_fts WHERE search_fts MATCH $1 LIMIT $2) s \
             JOIN search_docs d ON d.id = s.id \
             WHERE ($3 IS NULL OR s.score > CAST($3 AS REAL) OR (s.score = CAST($3 AS REAL) AND d.id > $4)) ORDER BY s.score, d.id LIMIT $5"
        }
        Backend::Postgres => {
            "SELECT d.id, d.item_id, d.title, d.body, s.score FROM \
             (SELECT c.id, (-ts_rank(to_tsvector('simple', c.tokens), to_tsquery('simple', $1)))::float8 AS score \
              FROM (SELECT id, tokens FROM search_docs WHERE to_tsvector('simple', tokens) @@ to_tsquery('simple', $1) LIMIT $2) c) s \
             JOIN search_docs d ON d.id = s.id \
             WHERE ($3::text IS NULL OR s.score > $3::float8 OR (s.score = $3::float8 AND d.id > $4)) ORDER BY s.score, d.id LIMIT $5"
        }
    };
    let query = match db.backend {
        Backend::Sqlite => fts5_query(&scope, &terms),
        Backend::Postgres => pg_query(&scope, &terms),
    };
    sqlx::query_as(sql)
        .bind(query)
        .bind(TOP_K)
        .bind(score)
        .bind(id)
        .bind(limit + 1)
        .fetch_all(&db.pool)
        .await
}

/// A condition for a module's own filtered list: `column IN (the newest NEWEST_K items of this
/// congress and kind whose text matches q)`, with the match expression to bind as parameter
/// `$n`. None when the query has no terms. The full-text SQL stays here; the module adds its own
/// filters and order (newest first) around it. Capping the matches keeps a list for a frequent
/// word as fast as for a rare one at a million rows (otherwise every match would be collected
/// before the newest 50 could be picked); the page says when the cap was reached.
pub fn matching(
    backend: Backend,
    congress: CongressId,
    kind: &str,
    q: &str,
    column: &str,
    n: usize,
) -> Option<(String, String)> {
    let terms = text::query_terms(q);
    if terms.is_empty() {
        return None;
    }
    let scope = scope(congress, kind);
    Some(match backend {
        // FTS5 walks its doclists backwards for ORDER BY rowid DESC: the newest first, at once.
        Backend::Sqlite => (
            format!(
                "{column} IN (SELECT d.item_id FROM search_docs d WHERE d.id IN \
                 (SELECT rowid FROM search_fts WHERE search_fts MATCH ${n} ORDER BY rowid DESC LIMIT {NEWEST_K}))"
            ),
            fts5_query(&scope, &terms),
        ),
        Backend::Postgres => (
            format!(
                "{column} IN (SELECT m.item_id FROM (SELECT item_id FROM search_docs \
                 WHERE to_tsvector('simple', tokens) @@ to_tsquery('simple', ${n}) ORDER BY id DESC LIMIT {NEWEST_K}) m)"
            ),
            pg_query(&scope, &terms),
        ),
    })
}

/// Item ids matching a `LIKE '%w%'` scan of title and body for every word of `q` (all must
/// appear): the baseline the benchmark compares with. Ranking the best matches needs all of them,
/// so the benchmark passes no limit and the scan reads the whole table.
pub async fn like_scan(
    db: &Db,
    congress: CongressId,
    kind: &str,
    q: &str,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let words: Vec<String> = q
        .split_whitespace()
        .map(|w| format!("%{}%", crate::db::like_escape(w)))
        .collect();
    let mut sql =
        String::from("SELECT item_id FROM search_docs WHERE congress_id = $1 AND kind = $2");
    for i in 0..words.len() {
        let p = i + 4;
        sql.push_str(&format!(
            " AND (title LIKE ${p} ESCAPE '\\' OR body LIKE ${p} ESCAPE '\\')"
        ));
    }
    sql.push_str(" ORDER BY id LIMIT $3");
    let mut query = sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(kind)
        .bind(limit);
    for w in words {
        query = query.bind(w);
    }
    let rows = query.fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|(i,)| i).collect())
}

/// Loads the congresses' own vocabulary into the segmenter's user dictionary: the names of the
/// deputies in office and the place names (towns, constituencies, stations). Called at start-up;
/// names added later are added as their items are indexed. Returns how many words were added.
pub async fn warm_dictionary(db: &Db) -> Result<usize, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT p.name FROM deputies d JOIN persons p ON p.id = d.person_id WHERE d.status = 'in_office' \
         UNION SELECT short_name FROM congresses UNION SELECT name FROM constituencies UNION SELECT name FROM stations",
    )
    .fetch_all(&db.pool)
    .await?;
    text::add_words(rows.iter().map(|(n,)| n.as_str()));
    Ok(rows.len())
}
