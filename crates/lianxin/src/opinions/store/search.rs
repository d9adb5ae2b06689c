//! The staff's list of opinions: filters (text in traditional or simplified characters, place,
//! station, category, kind, state, holder, dates) and who may see what, newest first, keyset
//! on id.

use super::{Opinion, SELECT};
use crate::db::Db;
use crate::platform::ids::CongressId;

/// What the list shows. Empty fields do not filter.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Filter {
    /// Words to find (traditional or simplified characters).
    pub q: String,
    /// The town or community, as written on the opinion (a prefix matches).
    pub place: String,
    pub station: Option<i64>,
    pub category: String,
    pub kind: String,
    pub state: String,
    pub holder: String,
    /// Received on or after / on or before (YYYY-MM-DD, China time).
    pub from: String,
    pub to: String,
    /// Keyset: the last id of the previous page.
    pub before: Option<i64>,
}

/// Whose opinions the list may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Station staff and the deputies' affairs office: all of the congress's.
    All,
    /// A deputy: those addressed to them.
    Deputy(i64),
    /// A handling unit: those routed to it.
    Unit(i64),
}

enum Bind {
    Int(i64),
    Text(String),
}

/// Appends `AND cond`, its `$?` numbered after $1 (congress) and $2 (limit).
fn add(sql: &mut String, binds: &mut Vec<Bind>, cond: &str, b: Bind) {
    binds.push(b);
    sql.push_str(&format!(
        " AND {}",
        cond.replace("$?", &format!("${}", binds.len() + 2))
    ));
}

/// A page of opinions (one more than `limit` when there is a next page).
pub async fn list(
    db: &Db,
    congress: CongressId,
    scope: Scope,
    f: &Filter,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    limit: i64,
) -> Result<Vec<Opinion>, sqlx::Error> {
    let mut sql = format!("{SELECT} WHERE o.congress_id = $1");
    let mut binds: Vec<Bind> = Vec::new();
    match scope {
        Scope::All => {}
        Scope::Deputy(d) => add(&mut sql, &mut binds, "o.deputy_id = $?", Bind::Int(d)),
        Scope::Unit(u) => add(
            &mut sql,
            &mut binds,
            "o.holder = 'unit' AND o.unit_id = $?",
            Bind::Int(u),
        ),
    }
    if let Some((cond, param)) = crate::search::matching(
        db.backend,
        congress,
        "opinion",
        &f.q,
        "o.id",
        binds.len() + 3,
    ) {
        binds.push(Bind::Text(param));
        sql.push_str(&format!(" AND {cond}"));
    }
    if !f.place.trim().is_empty() {
        let pattern = format!("{}%", crate::db::like_escape(f.place.trim()));
        add(
            &mut sql,
            &mut binds,
            "o.place LIKE $? ESCAPE '\\'",
            Bind::Text(pattern),
        );
    }
    if let Some(s) = f.station {
        add(&mut sql, &mut binds, "o.station_id = $?", Bind::Int(s));
    }
    for (col, v) in [
        ("o.category", &f.category),
        ("o.kind", &f.kind),
        ("o.state", &f.state),
        ("o.holder", &f.holder),
    ] {
        if !v.is_empty() {
            add(
                &mut sql,
                &mut binds,
                &format!("{col} = $?"),
                Bind::Text(v.clone()),
            );
        }
    }
    if let Some(t) = from_ms {
        add(&mut sql, &mut binds, "o.created_at >= $?", Bind::Int(t));
    }
    if let Some(t) = to_ms {
        add(&mut sql, &mut binds, "o.created_at < $?", Bind::Int(t));
    }
    if let Some(b) = f.before {
        add(&mut sql, &mut binds, "o.id < $?", Bind::Int(b));
    }
    sql.push_str(" ORDER BY o.id DESC LIMIT $2");
    let mut q = sqlx::query_as::<_, Opinion>(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(limit + 1);
    for b in binds {
        q = match b {
            Bind::Int(i) => q.bind(i),
            Bind::Text(t) => q.bind(t),
        };
    }
    q.fetch_all(&db.pool).await
}
