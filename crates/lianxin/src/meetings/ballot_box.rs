//! 投票箱 — ballots are checked on arrival and then written by one writer in group commits: a
//! full chamber voting at once would otherwise queue 500 write transactions on SQLite's single
//! writer, each waiting for its own fsync. The shared group-commit writer
//! ([`crate::db::group_commit`]) takes whatever has queued (up to `MAX_BATCH`) and writes each ballot with the fact that its member voted and the audit record
//! "member X voted in vote Y", and answers each member only after the commit. A secret vote's
//! ballots of one batch are sealed together with the vote's public key (`ballot_seal`), so the
//! transaction that says who voted holds nothing readable of how. A second ballot or
//! a ballot after closing is refused inside the batch without costing the others theirs; if the
//! batch fails as a whole, each ballot is retried in a transaction of its own.

use super::domain::{self, VoteMethod, VoteState};
use super::service::{Origin, refused};
use super::store::ballots as ballot_store;
use super::{ballot_seal, store};
use crate::audit::{Outcome, Record};
use crate::db::group_commit::{Batch, GroupWriter, write_alone};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;
use rand::RngExt;
use std::collections::HashMap;

/// The most ballots one commit takes.
pub const MAX_BATCH: usize = 256;

/// A ballot that passed every check that needs no write: the vote is open and electronic, the
/// member is on the roll as a member and checked in, the ballot has its rule's shape.
pub struct Prepared {
    congress: CongressId,
    vote: i64,
    person: i64,
    secret: bool,
    content: String,
    /// The length every sealed ballot of the vote is padded to (`ballot_seal::pad_len`).
    pad: usize,
    origin: Origin,
}

pub async fn prepare(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    ballot: &serde_json::Value,
    o: &Origin,
) -> Result<Prepared, AppError> {
    // One query for the vote and the voter's place on its roll: a full chamber sends 500 at once.
    let v = store::ballot_context(db, congress, vote_id, o.user.0)
        .await?
        .ok_or(AppError::NotFound)?;
    let target = format!("vote:{}", v.vote);
    let deny = |e: AppError| refused(db, congress, target.clone(), o, "meetings.vote_cast", e);
    if v.state != VoteState::Open {
        return Err(deny(AppError::Conflict("meetings.vote_not_open")).await);
    }
    let method = v.method;
    if !matches!(method, VoteMethod::Secret | VoteMethod::Named) {
        return Err(deny(AppError::Conflict("meetings.vote_not_electronic")).await);
    }
    let (Some(person), Some("member")) = (v.person_id, v.capacity.as_deref()) else {
        return Err(deny(AppError::Denied("meetings.not_a_member")).await);
    };
    if v.attendance.as_deref() != Some("present") {
        return Err(deny(AppError::Denied("meetings.not_checked_in")).await);
    }
    let rule = serde_json::from_value(serde_json::Value::String(v.rule.clone()))
        .map_err(AppError::internal)?;
    let candidates: Vec<String> = v
        .candidates
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let content = domain::check_ballot(rule, v.seats.unwrap_or(0) as u32, &candidates, ballot)
        .map_err(|e| {
            AppError::Invalid(vec![FieldError::new(
                Field("ballot"),
                match e {
                    domain::BallotError::Shape => "meetings.ballot_shape",
                    domain::BallotError::NotListed => "meetings.ballot_not_listed",
                    domain::BallotError::TooMany => "meetings.ballot_too_many",
                },
            )])
        })?;
    // 票决办法: a per-item selection takes 赞成/反对/弃权 on each, a choose-N selection a list.
    let form_ok = match v.ballot_form.as_deref() {
        Some("per_item") => content.is_object(),
        Some("choose") => content.is_array(),
        _ => true,
    };
    if !form_ok {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("ballot"),
            "meetings.ballot_shape",
        )]));
    }
    if v.write_in_deputies != 0 {
        for name in content["write_in"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str())
        {
            if crate::people::deputies_named(db, congress, name)
                .await?
                .is_empty()
            {
                return Err(AppError::Invalid(vec![
                    FieldError::new(Field("ballot"), "meetings.write_in_not_deputy").with_arg(name),
                ]));
            }
        }
    }
    Ok(Prepared {
        congress,
        vote: v.vote,
        person,
        secret: method == VoteMethod::Secret,
        content: content.to_string(),
        pad: ballot_seal::pad_len(rule, v.seats.unwrap_or(0) as u32, &candidates),
        origin: o.clone(),
    })
}

/// A tracker shown to the voter: ten characters from an alphabet without look-alikes.
fn tracker() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let s: String = (0..10)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("{}-{}", &s[..5], &s[5..])
}

type Outcome_ = Result<Option<String>, AppError>;

/// Writes a batch of ballots in the caller's transaction, in a handful of statements whatever
/// its size; a refused ballot (a second one, or one after closing) is audited and left out alone.
async fn store_all(
    db: &Db,
    tx: &mut Tx<'_>,
    batch: &[&Prepared],
) -> Result<Vec<Outcome_>, sqlx::Error> {
    // The first statement writes: SQLite takes its write lock here, not after a read.
    let pairs: Vec<(i64, CongressId, i64)> = batch
        .iter()
        .map(|p| (p.vote, p.congress, p.person))
        .collect();
    let mut recorded = store::participate_many(tx, &pairs).await?;
    // For each vote of the batch: None if it is no longer open, else its ballot public key.
    let mut open: HashMap<i64, Option<Option<String>>> = HashMap::new();
    for p in batch {
        if let std::collections::hash_map::Entry::Vacant(e) = open.entry(p.vote) {
            e.insert(ballot_store::open_vote_key(db, tx, p.vote).await?);
        }
    }
    let mut to_seal: HashMap<(i64, CongressId, usize), Vec<&str>> = HashMap::new();
    let (mut ballots, mut trackers) = (Vec::new(), Vec::new());
    let mut audit: Vec<(usize, bool)> = Vec::with_capacity(batch.len());
    let mut out = Vec::with_capacity(batch.len());
    for (k, p) in batch.iter().enumerate() {
        // The first of a pair repeated in the batch takes the place recorded; the others are seconds.
        let Some(at) = recorded.iter().position(|r| *r == (p.vote, p.person)) else {
            audit.push((k, false));
            out.push(Err(AppError::Conflict("meetings.already_voted")));
            continue;
        };
        recorded.swap_remove(at);
        let Some(Some(public_key)) = open.get(&p.vote) else {
            store::unparticipate(tx, p.vote, p.person).await?;
            audit.push((k, false));
            out.push(Err(AppError::Conflict("meetings.vote_not_open")));
            continue;
        };
        if p.secret {
            let t = tracker();
            match public_key {
                Some(_) => to_seal
                    .entry((p.vote, p.congress, p.pad))
                    .or_default()
                    .push(p.content.as_str()),
                // A vote opened before ballots were sealed (an upgrade during a sitting).
                None => ballots.push((p.vote, p.congress, p.content.clone())),
            }
            trackers.push((p.vote, p.congress, t.clone()));
            out.push(Ok(Some(t)));
        } else {
            store::insert_named_ballot(tx, p.vote, p.congress, p.person, &p.content).await?;
            out.push(Ok(None));
        }
        audit.push((k, true));
    }
    for ((vote, congress, pad), contents) in &to_seal {
        let Some(Some(Some(key))) = open.get(vote) else {
            continue;
        };
        let sealed =
            ballot_seal::seal(key, contents, *pad).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        ballot_store::insert_sealed(tx, *vote, *congress, &sealed).await?;
    }
    store::insert_ballots_many(tx, &ballots, &trackers).await?;
    // "member X voted in vote Y" — the only record of the act; a refusal is recorded as one.
    let targets: Vec<String> = batch.iter().map(|p| format!("vote:{}", p.vote)).collect();
    let records: Vec<Record<'_>> = audit
        .iter()
        .map(|(k, voted)| {
            let p = batch[*k];
            Record {
                at: p.origin.now,
                user: Some(p.origin.user),
                congress: Some(p.congress),
                action: if *voted {
                    "meetings.voted"
                } else {
                    "meetings.vote_cast"
                },
                target: targets[*k].clone(),
                outcome: if *voted {
                    Outcome::Success
                } else {
                    Outcome::Denied
                },
                fields: &[],
                client_addr: p.origin.client_addr.clone(),
            }
        })
        .collect();
    crate::audit::append_many(tx, &records).await?;
    Ok(out)
}

/// One ballot in a transaction of its own.
pub async fn cast_alone(db: &Db, p: Prepared) -> Outcome_ {
    write_alone(db, &Ballots, &[&p])
        .await?
        .pop()
        .unwrap_or(Err(AppError::internal("no outcome")))
}

/// How ballots are written in a batch: in a handful of statements whatever its size.
pub struct Ballots;

impl Batch for Ballots {
    type Item = Prepared;
    type Output = Option<String>;
    const MAX: usize = MAX_BATCH;
    const NAME: &'static str = "ballot";

    async fn write(
        &self,
        db: &Db,
        tx: &mut Tx<'static>,
        items: &[&Prepared],
    ) -> Result<Vec<Outcome_>, AppError> {
        Ok(store_all(db, tx, items).await?)
    }
}

/// The ballots' writer: every member's phone casts through it.
pub type BallotBox = GroupWriter<Ballots>;

/// Starts the writer on the current runtime.
pub fn start(db: Db) -> BallotBox {
    GroupWriter::start(db, Ballots)
}
