//! The SQL of votes: setting up, opening, the ballot context and batches, participation,
//! closing with the sealed result, the ballot purge after the count, and corrections.

use super::super::domain::{VoteMethod, VoteState};
use super::*;

/// A vote to be set up on an agenda item (state `ready`).
pub struct NewVoteRow<'a> {
    pub meeting: i64,
    pub item: i64,
    pub rule: &'a str,
    pub method: &'a str,
    pub subject: &'a str,
    /// Places to fill (named votes only).
    pub seats: Option<i64>,
    /// The candidates' list as JSON (named votes only).
    pub candidates: Option<&'a str>,
    pub post: Option<&'a str>,
    /// Write-ins must be deputies (elections only).
    pub write_in_deputies: bool,
}

pub async fn insert_vote(
    tx: &mut Tx<'_>,
    congress: CongressId,
    v: &NewVoteRow<'_>,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO votes (congress_id, meeting_id, item_id, rule, method, subject, seats, candidates, post, write_in_deputies, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $11, 'ready', $10) RETURNING id",
    )
    .bind(congress.0)
    .bind(v.meeting)
    .bind(v.item)
    .bind(v.rule)
    .bind(v.method)
    .bind(v.subject)
    .bind(v.seats)
    .bind(v.candidates)
    .bind(v.post)
    .bind(now)
    .bind(i64::from(v.write_in_deputies))
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Sets a selection vote's ballot form and threshold rule (before it opens).
pub async fn set_selection_rules(
    tx: &mut Tx<'_>,
    vote: i64,
    form: &str,
    rule: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE votes SET ballot_form = $2, selection_rule = $3 WHERE id = $1 AND state = 'ready'",
    )
    .bind(vote)
    .bind(form)
    .bind(rule)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn vote(db: &Db, congress: CongressId, id: i64) -> Result<Option<VoteRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VOTE} WHERE congress_id = $1 AND id = $2"
    )))
    .bind(congress.0)
    .bind(id)
    .fetch_optional(&db.pool)
    .await
}

pub async fn votes(db: &Db, meeting: i64) -> Result<Vec<VoteRow>, sqlx::Error> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{VOTE} WHERE meeting_id = $1 ORDER BY id"
    )))
    .bind(meeting)
    .fetch_all(&db.pool)
    .await
}

/// Opens a ready vote with its snapshot; false if it was not ready.
pub async fn open_vote(
    tx: &mut Tx<'_>,
    vote: i64,
    members: u32,
    present: u32,
    now: i64,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE votes SET state = 'open', members = $2, present = $3, opened_at = $4 WHERE id = $1 AND state = 'ready'",
    )
    .bind(vote)
    .bind(i64::from(members))
    .bind(i64::from(present))
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Records a method switch (devices failed: show of hands or paper), before the vote closes.
pub async fn switch_method(
    tx: &mut Tx<'_>,
    vote: i64,
    method: &str,
    note: &str,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE votes SET method = $2, method_note = $3 WHERE id = $1 AND state <> 'closed'",
    )
    .bind(vote)
    .bind(method)
    .bind(note)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// What checking a ballot needs, in one query: the vote, and the voter's roll entry in its meeting.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BallotContext {
    pub vote: i64,
    pub rule: String,
    pub method: VoteMethod,
    pub state: VoteState,
    pub seats: Option<i64>,
    pub candidates: Option<String>,
    pub write_in_deputies: i64,
    pub ballot_form: Option<String>,
    pub person_id: Option<i64>,
    pub capacity: Option<String>,
    pub attendance: Option<String>,
}

pub async fn ballot_context(
    db: &Db,
    congress: CongressId,
    vote: i64,
    user: i64,
) -> Result<Option<BallotContext>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id AS vote, v.rule, v.method, v.state, v.seats, v.candidates, v.write_in_deputies, v.ballot_form, r.person_id, r.capacity, r.attendance \
         FROM votes v LEFT JOIN meeting_roll r ON r.meeting_id = v.meeting_id AND r.user_id = $3 \
         WHERE v.congress_id = $1 AND v.id = $2",
    )
    .bind(congress.0)
    .bind(vote)
    .bind(user)
    .fetch_optional(&db.pool)
    .await
}

/// `participate` for a batch: the (vote, person) pairs that were recorded now — a pair already
/// there, or repeated in the batch after its first, is not.
pub async fn participate_many(
    tx: &mut Tx<'_>,
    pairs: &[(i64, CongressId, i64)],
) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql =
        String::from("INSERT INTO vote_participation (vote_id, congress_id, person_id) VALUES ");
    for k in 0..pairs.len() {
        if k > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3));
    }
    sql.push_str(" ON CONFLICT DO NOTHING RETURNING vote_id, person_id");
    let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
    for (v, c, p) in pairs {
        q = q.bind(*v).bind(c.0).bind(*p);
    }
    q.fetch_all(&mut **tx).await
}

/// Secret ballots of a batch: (vote, content) of votes opened before ballots were sealed
/// (written in the clear, as then), and (vote, tracker) of all.
pub async fn insert_ballots_many(
    tx: &mut Tx<'_>,
    ballots: &[(i64, CongressId, String)],
    trackers: &[(i64, CongressId, String)],
) -> Result<(), sqlx::Error> {
    // Each vote's clear ballots (under fresh random keys, in key order).
    let mut by_vote: std::collections::BTreeMap<(i64, i64), Vec<String>> = Default::default();
    for (v, c, content) in ballots {
        by_vote.entry((*v, c.0)).or_default().push(content.clone());
    }
    for ((v, c), contents) in by_vote {
        ballots::insert_clear(tx, v, CongressId(c), &contents).await?;
    }
    if trackers.is_empty() {
        return Ok(());
    }
    let mut sql =
        String::from("INSERT INTO ballot_trackers (vote_id, congress_id, tracker) VALUES ");
    for k in 0..trackers.len() {
        if k > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3));
    }
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (v, c, t) in trackers {
        q = q.bind(*v).bind(c.0).bind(t.as_str());
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Undoes `participate` inside the same transaction (the vote closed meanwhile).
pub async fn unparticipate(tx: &mut Tx<'_>, vote: i64, person: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM vote_participation WHERE vote_id = $1 AND person_id = $2")
        .bind(vote)
        .bind(person)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_named_ballot(
    tx: &mut Tx<'_>,
    vote: i64,
    congress: CongressId,
    person: i64,
    content: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO named_ballots (vote_id, congress_id, person_id, content) VALUES ($1, $4, $2, $3)")
        .bind(vote)
        .bind(person)
        .bind(content)
        .bind(congress.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The ballots' contents in key order (a random order), secret and named alike.
pub async fn ballot_contents(tx: &mut Tx<'_>, vote: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT content FROM ballots WHERE vote_id = $1 \
         UNION ALL SELECT content FROM named_ballots WHERE vote_id = $1 ORDER BY 1",
    )
    .bind(vote)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The trackers of a vote, sorted.
pub async fn trackers(db: &Db, vote: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT tracker FROM ballot_trackers WHERE vote_id = $1 ORDER BY tracker")
            .bind(vote)
            .fetch_all(&db.pool)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Named ballots with the voter's name, for a named vote's published list.
pub async fn named_ballots(db: &Db, vote: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.name, b.content FROM named_ballots b JOIN persons p ON p.id = b.person_id \
         WHERE b.vote_id = $1 ORDER BY p.name_key, p.id",
    )
    .bind(vote)
    .fetch_all(&db.pool)
    .await
}

/// How many have voted (the board's figure while the vote is open).
pub async fn voted(db: &Db, vote: i64) -> Result<u32, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM vote_participation WHERE vote_id = $1")
        .bind(vote)
        .fetch_one(&db.pool)
        .await?;
    Ok(n as u32)
}

/// Who voted (never how): for the minutes and the deputies' performance record.
pub async fn participants(db: &Db, vote: i64) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT person_id FROM vote_participation WHERE vote_id = $1 ORDER BY person_id",
    )
    .bind(vote)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Closes an open vote: the closing transaction's first write, so that no ballot commits after
/// it; false if the vote was not open.
pub async fn close_vote(tx: &mut Tx<'_>, vote: i64, now: i64) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE votes SET state = 'closed', closed_at = $2 WHERE id = $1 AND state = 'open'",
    )
    .bind(vote)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// A count as it is stored: the published ballots, the result, whether it passed, and the seal
/// over them.
pub struct SealedCount<'a> {
    pub published: &'a str,
    pub result: &'a str,
    pub passed: Option<bool>,
    pub seal: &'a crate::platform::seal::Seal,
}

/// Stores a closed vote's published ballots, its result and its seal.
pub async fn record_result(
    tx: &mut Tx<'_>,
    vote: i64,
    count: &SealedCount<'_>,
) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE votes SET published = $2, result = $3, passed = $4, \
         digest = $5, signature = $6, seal_version = $7 WHERE id = $1 AND state = 'closed'",
    )
    .bind(vote)
    .bind(count.published)
    .bind(count.result)
    .bind(count.passed.map(i64::from))
    .bind(&count.seal.digest)
    .bind(&count.seal.signature)
    .bind(count.seal.key_version)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// On PostgreSQL a heap keeps rows in the order written and stamps each with its transaction:
/// rewriting a closed vote's ballots, trackers and participation in key order, in the closing
/// transaction, leaves every row with the same stamp and in an order that follows no voter.
/// (SQLite keeps these tables WITHOUT ROWID, in key order already.)
pub async fn rewrite_for_secrecy(db: &Db, tx: &mut Tx<'_>, vote: i64) -> Result<(), sqlx::Error> {
    if db.backend != Backend::Postgres {
        return Ok(());
    }
    for (table, cols, order) in [
        (
            "ballots",
            "vote_id, congress_id, ballot_key, content",
            "ballot_key",
        ),
        (
            "ballot_trackers",
            "vote_id, congress_id, tracker",
            "tracker",
        ),
        (
            "vote_participation",
            "vote_id, congress_id, person_id",
            "person_id",
        ),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "WITH gone AS (DELETE FROM {table} WHERE vote_id = $1 RETURNING {cols}) \
             INSERT INTO {table} ({cols}) SELECT {cols} FROM gone ORDER BY {order}"
        )))
        .bind(vote)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The tables a secret vote's ballots and voters pass through.
const BALLOT_TABLES: &str = "sealed_ballots, ballots, ballot_trackers, vote_participation";

/// Reclaims the dead row versions that closing left (PostgreSQL; outside any transaction), and
/// says how many VACUUM could not remove — an older snapshot (a running `pg_dump`, a long
/// report) holds them — so that the vote is marked and the removal retried.
pub async fn vacuum_ballots(db: &Db) -> Result<i64, sqlx::Error> {
    if db.backend != Backend::Postgres {
        return Ok(0);
    }
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM {BALLOT_TABLES}")))
        .execute(&db.pool)
        .await?;
    let (dead,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(n_dead_tup), 0)::bigint FROM pg_stat_user_tables \
         WHERE schemaname = current_schema() \
         AND relname IN ('sealed_ballots', 'ballots', 'ballot_trackers', 'vote_participation')",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok(dead)
}

pub async fn set_purge_pending(db: &Db, vote: i64, pending: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE votes SET purge_pending = $2 WHERE id = $1")
        .bind(vote)
        .bind(i64::from(pending))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The closed votes whose dead row versions remained.
pub async fn purge_pending(db: &Db) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT id FROM votes WHERE purge_pending = 1")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A correction of a sealed result (the result itself never changes).
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CorrectionRow {
    pub id: i64,
    pub reason: String,
    pub published: String,
    pub result: String,
    pub passed: Option<i64>,
    pub digest: String,
    pub signature: String,
    pub seal_version: i64,
    pub created_at: i64,
}

pub async fn insert_correction(
    tx: &mut Tx<'_>,
    congress: CongressId,
    vote: i64,
    reason: &str,
    count: &SealedCount<'_>,
    by: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO vote_corrections (congress_id, vote_id, reason, published, result, passed, digest, signature, seal_version, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(congress.0)
    .bind(vote)
    .bind(reason)
    .bind(count.published)
    .bind(count.result)
    .bind(count.passed.map(i64::from))
    .bind(&count.seal.digest)
    .bind(&count.seal.signature)
    .bind(count.seal.key_version)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn corrections(db: &Db, vote: i64) -> Result<Vec<CorrectionRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, reason, published, result, passed, digest, signature, seal_version, created_at \
         FROM vote_corrections WHERE vote_id = $1 ORDER BY id",
    )
    .bind(vote)
    .fetch_all(&db.pool)
    .await
}
