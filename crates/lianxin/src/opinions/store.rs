//! All SQL of opinions. Every staff query filters by congress; the public look-up is by the
//! unguessable tracking code only.

use crate::db::{Db, Tx};
use crate::platform::ids::CongressId;
use serde::Serialize;

pub const CONTACT: &str = "opinions.contact_sealed";

/// An opinion as staff see it (the contact stays sealed here; see `contact`).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Opinion {
    pub id: i64,
    pub congress_id: i64,
    pub tracking_code: String,
    pub kind: String,
    pub category: String,
    pub place: String,
    pub deputy: Option<String>,
    pub station: Option<String>,
    pub channel: String,
    pub body: String,
    pub share_contact: i64,
    pub state: String,
    pub answer: Option<String>,
    pub answered_on: Option<String>,
    pub rating: Option<String>,
    pub rating_reason: Option<String>,
    pub rated_round: Option<i64>,
    pub reopened: i64,
    pub created_at: i64,
}

const SELECT: &str = "SELECT o.id, o.congress_id, o.tracking_code, o.kind, o.category, o.place, p.name AS deputy, \
     s.name AS station, o.channel, o.body, o.share_contact, o.state, o.answer, o.answered_on, o.rating, o.rating_reason, o.rated_round, o.reopened, o.created_at \
     FROM opinions o LEFT JOIN deputies d ON d.id = o.deputy_id LEFT JOIN persons p ON p.id = d.person_id \
     LEFT JOIN stations s ON s.id = o.station_id";

pub struct NewOpinion<'a> {
    pub congress: CongressId,
    pub code: &'a str,
    pub kind: &'a str,
    pub category: &'a str,
    pub place: &'a str,
    pub deputy: Option<i64>,
    pub station: Option<i64>,
    pub channel: &'a str,
    pub body: &'a str,
    pub contact: Option<&'a str>,
    pub share_contact: bool,
    pub now: i64,
}

pub async fn insert(db: &Db, tx: &mut Tx<'_>, n: &NewOpinion<'_>) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO opinions (congress_id, tracking_code, kind, category, place, deputy_id, station_id, channel, body, \
         contact_sealed, share_contact, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'received', $12, $12) RETURNING id",
    )
    .bind(n.congress.0)
    .bind(n.code)
    .bind(n.kind)
    .bind(n.category)
    .bind(n.place)
    .bind(n.deputy)
    .bind(n.station)
    .bind(n.channel)
    .bind(n.body)
    .bind(db.vault.seal_opt(CONTACT, n.contact)?)
    .bind(i64::from(n.share_contact))
    .bind(n.now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn event(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    user: Option<i64>,
    action: &str,
    public_note: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO opinion_events (congress_id, opinion_id, at, user_id, action, public_note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(congress.0)
    .bind(id)
    .bind(now)
    .bind(user)
    .bind(action)
    .bind(public_note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One step of an opinion's history, as the citizen's tracking page shows it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Step {
    pub at: i64,
    pub action: String,
    pub public_note: String,
}

pub async fn steps(db: &Db, id: i64) -> Result<Vec<Step>, sqlx::Error> {
    sqlx::query_as(
        "SELECT at, action, public_note FROM opinion_events WHERE opinion_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await
}

/// The public look-up: by tracking code, nothing else.
pub async fn by_code(db: &Db, code: &str) -> Result<Option<Opinion>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE o.tracking_code = $1"
    )))
    .bind(code)
    .fetch_optional(&db.pool)
    .await
}

pub async fn get(db: &Db, congress: CongressId, id: i64) -> Result<Option<Opinion>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE o.congress_id = $1 AND o.id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

/// A page of a congress's opinions, newest first (keyset on id).
pub async fn list(
    db: &Db,
    congress: CongressId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Opinion>, sqlx::Error> {
    let mut sql = format!("{SELECT} WHERE o.congress_id = $1");
    if before.is_some() {
        sql.push_str(" AND o.id < $3");
    }
    sql.push_str(" ORDER BY o.id DESC LIMIT $2");
    let mut q = sqlx::query_as::<_, Opinion>(sqlx::AssertSqlSafe(sql))
        .bind(congress.0)
        .bind(limit);
    if let Some(b) = before {
        q = q.bind(b);
    }
    q.fetch_all(&db.pool).await
}

/// The citizen's contact, opened (callers mask it for display).
pub async fn contact(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT contact_sealed FROM opinions WHERE congress_id = $1 AND id = $2")
            .bind(congress.0)
            .bind(id)
            .fetch_optional(&db.pool)
            .await?;
    Ok(db
        .vault
        .open_opt(CONTACT, row.and_then(|(c,)| c).as_deref())?)
}

/// Records the answer; false if it was answered meanwhile.
pub async fn set_answered(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    answer: &str,
    on: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE opinions SET state = 'answered', answer = $3, answered_on = $4, updated_at = $5 \
         WHERE congress_id = $1 AND id = $2 AND state IN ('received', 'reopened')",
    )
    .bind(congress.0)
    .bind(id)
    .bind(answer)
    .bind(on)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records the citizen's rating of the latest answer (and reopens it when `reopen`); false if
/// the opinion changed meanwhile.
pub async fn set_rating(
    tx: &mut Tx<'_>,
    id: i64,
    rating: &str,
    reason: &str,
    reopen: bool,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE opinions SET rating = $2, rating_reason = $3, rated_round = reopened, \
         state = CASE WHEN $4 = 1 THEN 'reopened' ELSE state END, reopened = reopened + $4, updated_at = $5 \
         WHERE id = $1 AND state = 'answered' AND (rated_round IS NULL OR rated_round < reopened)",
    )
    .bind(id)
    .bind(rating)
    .bind(reason)
    .bind(i64::from(reopen))
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}
