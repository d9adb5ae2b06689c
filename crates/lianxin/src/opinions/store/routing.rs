//! Routing SQL: routing to a handling unit and its return, referral elsewhere, transfer to
//! another congress, conversion to a suggestion and the suggestion's reply coming back. Each
//! update names the state it expects, so a step raced by another changes nothing (false).

use crate::db::{Backend, Tx};
use crate::platform::ids::CongressId;

/// The states an opinion is open in.
const OPEN: &str = "state IN ('received', 'reopened')";

/// 转交承办单位: the congress hands an open opinion it holds to one of its units.
pub async fn route(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    unit: i64,
    due_on: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE opinions SET holder = 'unit', unit_id = $3, due_on = $4, updated_at = $5 \
         WHERE congress_id = $1 AND id = $2 AND holder = 'congress' AND {OPEN}"
    )))
    .bind(congress.0)
    .bind(id)
    .bind(unit)
    .bind(due_on)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// 退回: the unit gives an opinion that is not its matter back to the congress.
pub async fn unit_return(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    unit: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE opinions SET holder = 'congress', unit_id = NULL, updated_at = $4 \
         WHERE congress_id = $1 AND id = $2 AND holder = 'unit' AND unit_id = $3 AND {OPEN}"
    )))
    .bind(congress.0)
    .bind(id)
    .bind(unit)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// 告知其他渠道: closes an open opinion the congress holds with the explanation as its answer
/// and where the citizen should go instead.
pub async fn refer(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    referral: &str,
    explanation: &str,
    on: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE opinions SET holder = 'elsewhere', referral = $3, state = 'answered', answer = $4, answered_on = $5, updated_at = $6 \
         WHERE congress_id = $1 AND id = $2 AND holder = 'congress' AND {OPEN}"
    )))
    .bind(congress.0)
    .bind(id)
    .bind(referral)
    .bind(explanation)
    .bind(on)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// 移交: the opinion now belongs to another congress (a town's to its district or back). What
/// belonged to the old congress — its deputy, station, unit, group — no longer applies.
///
/// The opinion and its history are *moved*, keeping the id and the tracking code. The congress
/// is part of every key, so that a sharded database keeps a congress's rows together and never
/// has to change the congress of a row: on PostgreSQL the rows are written under the new congress
/// and deleted under the old one (a column added to `opinions` or `opinion_events` must be added
/// to these copies — the transfer test compares every column before and after); on SQLite, one
/// file with one rowid per opinion, they are re-keyed in place.
pub async fn transfer(
    tx: &mut Tx<'_>,
    from: CongressId,
    id: i64,
    to: CongressId,
    due_on: &str,
    now: i64,
) -> Result<bool, sqlx::Error> {
    // What the transfer resets: the deputy, station, unit and group were the old congress's.
    let sqlite = tx.backend() == Backend::Sqlite;
    if sqlite {
        // SQLite's rowid is the id across congresses, so the row cannot be copied beside
        // itself: it is re-keyed in place, and its references are checked at commit (a
        // reference left in the old congress fails the commit, as PostgreSQL's delete does).
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut **tx)
            .await?;
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE opinions SET congress_id = $3, holder = 'congress', deputy_id = NULL, station_id = NULL, unit_id = NULL, \
             group_id = NULL, merged_into = NULL, due_on = $4, updated_at = $5 \
             WHERE congress_id = $1 AND id = $2 AND holder = 'congress' AND {OPEN}"
        )))
        .bind(from.0)
        .bind(id)
        .bind(to.0)
        .bind(due_on)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE opinion_events SET congress_id = $3 WHERE congress_id = $1 AND opinion_id = $2",
        )
        .bind(from.0)
        .bind(id)
        .bind(to.0)
        .execute(&mut **tx)
        .await?;
    } else {
        let r = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO opinions (id, congress_id, tracking_code, kind, category, place, deputy_id, station_id, channel, body, \
             contact_sealed, share_contact, state, answer, answered_on, rating, rating_reason, rated_round, reopened, created_at, \
             updated_at, holder, unit_id, due_on, referral, suggestion_id, group_id, merged_into) \
             SELECT id, $3, tracking_code, kind, category, place, NULL, NULL, channel, body, \
             contact_sealed, share_contact, state, answer, answered_on, rating, rating_reason, rated_round, reopened, created_at, \
             $5, 'congress', NULL, $4, referral, suggestion_id, NULL, NULL \
             FROM opinions WHERE congress_id = $1 AND id = $2 AND holder = 'congress' AND {OPEN}"
        )))
        .bind(from.0)
        .bind(id)
        .bind(to.0)
        .bind(due_on)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        if r.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO opinion_events (id, congress_id, opinion_id, at, user_id, action, public_note) \
             SELECT id, $3, opinion_id, at, user_id, action, public_note FROM opinion_events \
             WHERE congress_id = $1 AND opinion_id = $2",
        )
        .bind(from.0)
        .bind(id)
        .bind(to.0)
        .execute(&mut **tx)
        .await?;
    }
    // Anything merged into it stays behind, handled on its own.
    sqlx::query(
        "UPDATE opinions SET merged_into = NULL WHERE congress_id = $1 AND merged_into = $2",
    )
    .bind(from.0)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    let mut left = vec!["DELETE FROM opinion_buckets WHERE congress_id = $1 AND opinion_id = $2"];
    if !sqlite {
        left.push("DELETE FROM opinion_events WHERE congress_id = $1 AND opinion_id = $2");
        left.push("DELETE FROM opinions WHERE congress_id = $1 AND id = $2");
    }
    for sql in left {
        sqlx::query(sql)
            .bind(from.0)
            .bind(id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(true)
}

/// 转为代表建议: the opinion is now followed through the suggestion.
pub async fn converted(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    suggestion: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE opinions SET holder = 'suggestion', suggestion_id = $3, updated_at = $4 \
         WHERE congress_id = $1 AND id = $2 AND holder = 'congress' AND {OPEN}"
    )))
    .bind(congress.0)
    .bind(id)
    .bind(suggestion)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The suggestion's reply answers the opinions it came from; returns their ids.
pub async fn answer_from_suggestion(
    tx: &mut Tx<'_>,
    congress: CongressId,
    suggestion: i64,
    reply: &str,
    on: &str,
    now: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    let ids: Vec<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM opinions WHERE congress_id = $1 AND suggestion_id = $2 AND holder = 'suggestion' AND {OPEN} ORDER BY id"
    )))
    .bind(congress.0)
    .bind(suggestion)
    .fetch_all(&mut **tx)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE opinions SET state = 'answered', answer = $3, answered_on = $4, updated_at = $5 \
         WHERE congress_id = $1 AND suggestion_id = $2 AND holder = 'suggestion' AND {OPEN}"
    )))
    .bind(congress.0)
    .bind(suggestion)
    .bind(reply)
    .bind(on)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(ids.into_iter().map(|(i,)| i).collect())
}
