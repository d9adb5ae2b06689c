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
    /// Stored without its dash; written everywhere as `XXXXX-XXXXX` (`domain::show_code`).
    #[serde(serialize_with = "super::domain::serialize_code")]
    pub tracking_code: String,
    pub kind: super::domain::OpinionKind,
    pub category: String,
    pub place: String,
    pub deputy: Option<String>,
    pub station: Option<String>,
    pub channel: String,
    pub body: String,
    pub share_contact: i64,
    pub state: super::domain::OpinionState,
    pub answer: Option<String>,
    pub answered_on: Option<String>,
    pub rating: Option<String>,
    pub rating_reason: Option<String>,
    pub rated_round: Option<i64>,
    pub reopened: i64,
    pub created_at: i64,
    pub deputy_id: Option<i64>,
    pub station_id: Option<i64>,
    /// `congress` (its station, deputy or office), `unit`, `suggestion` or `elsewhere`.
    pub holder: String,
    pub unit_id: Option<i64>,
    pub unit: Option<String>,
    pub due_on: Option<String>,
    pub referral: Option<String>,
    pub suggestion_id: Option<i64>,
    pub group_id: Option<i64>,
    pub merged_into: Option<i64>,
}

impl Opinion {
    /// Still to be answered (received, or reopened after an unsatisfied rating).
    pub fn is_open(&self) -> bool {
        matches!(self.state.as_str(), "received" | "reopened")
    }
}

pub(super) const SELECT: &str = "SELECT o.id, o.congress_id, o.tracking_code, o.kind, o.category, o.place, p.name AS deputy, \
     s.name AS station, o.channel, o.body, o.share_contact, o.state, o.answer, o.answered_on, o.rating, o.rating_reason, o.rated_round, o.reopened, o.created_at, \
     o.deputy_id, o.station_id, o.holder, o.unit_id, u.name AS unit, o.due_on, o.referral, o.suggestion_id, o.group_id, o.merged_into \
     FROM opinions o LEFT JOIN deputies d ON d.id = o.deputy_id LEFT JOIN persons p ON p.id = d.person_id \
     LEFT JOIN stations s ON s.id = o.station_id LEFT JOIN organizations u ON u.id = o.unit_id";

mod groups;
mod routing;
mod search;
mod stats;
pub use groups::*;
pub use routing::*;
pub use search::*;
pub use stats::*;

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
    /// When an answer is due (`opinion.answer_window` from today).
    pub due_on: &'a str,
}

pub async fn insert(db: &Db, tx: &mut Tx<'_>, n: &NewOpinion<'_>) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO opinions (congress_id, tracking_code, kind, category, place, deputy_id, station_id, channel, body, \
         contact_sealed, share_contact, state, created_at, updated_at, due_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'received', $12, $12, $13) RETURNING id",
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
    .bind(n.due_on)
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

/// Where an opinion stands after a step: its state, holder and congress (it may have moved).
pub async fn position(db: &Db, id: i64) -> Result<Option<(String, String, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT state, holder, congress_id FROM opinions WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
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

/// Records the answer; false if it was answered meanwhile. Opinions merged into this one are
/// answered with it (see [`answer_merged`]).
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
    due_on: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    // Reopened, a referral or a suggestion's reply comes back to the congress; a unit's answer
    // goes back to the unit, which answers again by the new date.
    let r = sqlx::query(
        "UPDATE opinions SET rating = $2, rating_reason = $3, rated_round = reopened, \
         state = CASE WHEN $4 = 1 THEN 'reopened' ELSE state END, reopened = reopened + $4, updated_at = $5, \
         holder = CASE WHEN $4 = 1 AND holder <> 'unit' THEN 'congress' ELSE holder END, \
         due_on = CASE WHEN $4 = 1 THEN $6 ELSE due_on END \
         WHERE id = $1 AND state = 'answered' AND (rated_round IS NULL OR rated_round < reopened)",
    )
    .bind(id)
    .bind(rating)
    .bind(reason)
    .bind(i64::from(reopen))
    .bind(now)
    .bind(due_on)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}
