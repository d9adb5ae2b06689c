//! Closing a vote: the count, the sealed result, the ballots kept for a recount, the purge of
//! what must not outlive the count, and the sealed correction of a miscount.

use super::*;
/// 计票人录入 — a show of hands or paper vote's counts, in the shape of `docs/tally.md`.
pub async fn close_vote(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    counts: Option<(serde_json::Map<String, serde_json::Value>, u32)>,
    o: &Origin,
) -> Result<Output, AppError> {
    let (m, v) = vote(db, congress, vote_id).await?;
    if v.state != VoteState::Open {
        return Err(AppError::Conflict("meetings.vote_not_open"));
    }
    let method = v.method;
    let paper = matches!(method, VoteMethod::Hands | VoteMethod::Paper);
    if paper != counts.is_some() {
        return Err(AppError::Conflict(if paper {
            "meetings.counts_required"
        } else {
            "meetings.counts_not_expected"
        }));
    }
    let kind = m.kind;
    let (body, presidium_quorum) = body_rules(db, congress, kind).await?;
    let verdict_rule = if v.rule == "rating" {
        crate::settings::get(db, congress, "rating.verdict")
            .await?
            .map(|r| r.value)
    } else {
        None
    };
    let rule = rule_of(&v)?;
    let named = matches!(rule, Rule::Election | Rule::Selection);
    crate::congress::sealing::ensure_key(db, congress, o.now).await?;
    let mut tx = db.write().await?;
    if !store::close_vote(&mut tx, v.id, o.now).await? {
        return Err(AppError::Conflict("meetings.vote_not_open"));
    }
    // The sealed ballots opened in memory with the vote's key (the key store's file).
    let sealed = ballot_store::sealed(&mut tx, v.id).await?;
    let mut opened = Vec::new();
    if !sealed.is_empty() {
        let key = ballot_seal::load_key(&db.vault, v.id)
            .map_err(AppError::internal)?
            .ok_or_else(|| AppError::internal(ballot_seal::BallotSealError::Missing(v.id)))?;
        for batch in &sealed {
            opened.extend(ballot_seal::open(&key, batch).map_err(AppError::internal)?);
        }
    }
    let ballots = if paper {
        None
    } else {
        let mut contents = store::ballot_contents(&mut tx, v.id).await?;
        contents.extend(opened.iter().cloned());
        contents.sort();
        let mut list = Vec::new();
        for c in contents {
            list.push(serde_json::from_str(&c).map_err(AppError::internal)?);
        }
        Some(list)
    };
    let (counts, void) = match counts {
        Some((c, void)) => (Some(c), Some(void)),
        None => (None, None),
    };
    let input = Input {
        rule,
        body,
        members: v.members.unwrap_or(0) as u32,
        present: v.present.unwrap_or(0) as u32,
        ballots_issued: None,
        round: None,
        seats: named.then(|| v.seats.unwrap_or(0) as u32),
        candidates: named.then(|| candidates_of(&v)),
        post: v
            .post
            .as_deref()
            .and_then(|p| serde_json::from_value(serde_json::Value::String(p.into())).ok()),
        excess: None,
        presidium_quorum,
        verdict_rule,
        selection_rule: v.selection_rule.clone(),
        ballots,
        counts,
        void_ballots: void,
        ballots_returned: None,
        other: [(
            "subject".to_string(),
            serde_json::Value::String(v.subject.clone()),
        )]
        .into_iter()
        .collect(),
    };
    let out = recount::recount(&input).map_err(|e| {
        AppError::Invalid(vec![
            FieldError::new(Field("counts"), "meetings.counts_invalid").with_arg(e.0),
        ])
    })?;
    let published = serde_json::to_string(&publishable(input, &out)).map_err(AppError::internal)?;
    let result = serde_json::to_string(&out).map_err(AppError::internal)?;
    let sealed = format!("{published}\n{result}");
    let seal =
        crate::congress::sealing::seal_result(db, congress, sealed.as_bytes(), o.now).await?;
    // Kept in the clear for any recount, in one shuffled batch; the sealed rows go.
    ballot_store::insert_clear(&mut tx, v.id, congress, &opened).await?;
    ballot_store::delete_sealed(&mut tx, v.id).await?;
    store::rewrite_for_secrecy(db, &mut tx, v.id).await?;
    let count = store::SealedCount {
        published: &published,
        result: &result,
        passed: out.passed,
        seal: &seal,
    };
    store::record_result(&mut tx, v.id, &count).await?;
    record(
        &mut tx,
        congress,
        format!("vote:{}", v.id),
        o,
        "meetings.vote_close",
        Outcome::Success,
        &["result", "digest"],
    )
    .await?;
    tx.commit().await?;
    // Counted and kept: the key is destroyed, so that what the WAL, archives, replicas and
    // backups hold of the vote can never be opened. A failure here is retried by the sweep.
    if let Err(e) = ballot_seal::destroy_key(&db.vault, v.id) {
        tracing::error!(vote = v.id, error = %e, "the ballot key of a closed vote was not destroyed; the sweep retries");
    }
    purge(db, v.id).await;
    Ok(out)
}

/// Removes the dead row versions of a closed vote's ballot tables, and checks that it did; where
/// it could not, the vote is marked (its result page says so) and the log says why.
async fn purge(db: &Db, vote: i64) -> bool {
    match store::vacuum_ballots(db).await {
        Ok(0) => store::set_purge_pending(db, vote, false).await.is_ok(),
        Ok(dead) => {
            tracing::warn!(
                vote,
                dead,
                "dead row versions of a closed vote's ballot tables remain after VACUUM: an older snapshot (a running pg_dump?) holds them; retried every minute"
            );
            let _ = store::set_purge_pending(db, vote, true).await;
            false
        }
        Err(e) => {
            tracing::warn!(vote, error = %e, "vacuum after closing a vote; retried every minute");
            let _ = store::set_purge_pending(db, vote, true).await;
            false
        }
    }
}

/// Retries the removal of dead row versions for every vote marked; returns how many are clean.
pub async fn retry_purges(db: &Db) -> Result<usize, AppError> {
    let mut clean = 0;
    for vote in store::purge_pending(db).await? {
        if purge(db, vote).await {
            clean += 1;
        }
    }
    Ok(clean)
}

/// Destroys every ballot key whose vote is no longer open (a close interrupted between its
/// commit and the key's removal, a vote that failed to open). Run at start and every minute.
pub async fn destroy_spent_ballot_keys(db: &Db) -> Result<usize, AppError> {
    if db.vault.dir().is_none() {
        return Ok(0);
    }
    let kept = ballot_seal::kept_keys(&db.vault).map_err(AppError::internal)?;
    if kept.is_empty() {
        return Ok(0);
    }
    let open = ballot_store::open_among(db, &kept).await?;
    let mut destroyed = 0;
    for vote in kept.into_iter().filter(|v| !open.contains(v)) {
        if ballot_seal::destroy_key(&db.vault, vote).map_err(AppError::internal)? {
            destroyed += 1;
        }
    }
    Ok(destroyed)
}

/// What is published of a closed vote: its input with the ballots shuffled — but where ballots
/// carry write-in names, a ballot could identify its voter (a name only they would write), so
/// the per-name counts are published instead, with the void and returned ballots: `lianxin
/// tally` recounts them to the same counts and the same elected, without the per-candidate
/// 反对/弃权 detail.
fn publishable(input: Input, out: &Output) -> Input {
    let write_ins = input.rule == Rule::Election
        && input.ballots.iter().flatten().any(|b| {
            b.get("write_in")
                .is_some_and(|w| w.as_array().is_some_and(|a| !a.is_empty()))
        });
    if !write_ins {
        return input;
    }
    Input {
        ballots: None,
        counts: Some(out.counts.clone()),
        void_ballots: Some(out.void_ballots),
        ballots_returned: Some(out.ballots_returned),
        ..input
    }
}

/// 更正 — a sealed result is final; a correction (the tellers found a miscount, say) is a new
/// record: the published input with the corrected counts, recounted by the same rules, sealed,
/// with its reason. Electronic ballots are not re-entered: only the counts of the input change.
pub async fn correct(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    reason: &str,
    counts: serde_json::Map<String, serde_json::Value>,
    void_ballots: u32,
    o: &Origin,
) -> Result<recount::Output, AppError> {
    let (_, v) = vote(db, congress, vote_id).await?;
    if v.state != VoteState::Closed {
        return Err(AppError::Conflict("meetings.correct_open"));
    }
    if reason.trim().chars().count() < 10 {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("reason"),
            "meetings.correct_reason",
        )]));
    }
    let mut input: Input = v
        .published
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .ok_or_else(|| AppError::internal("a closed vote without its published input"))?;
    input.ballots = None;
    input.counts = Some(counts);
    input.void_ballots = Some(void_ballots);
    input
        .other
        .insert("corrects".into(), serde_json::Value::from(v.id));
    input.other.insert(
        "reason".into(),
        serde_json::Value::String(reason.trim().into()),
    );
    let out = recount::recount(&input).map_err(|e| {
        AppError::Invalid(vec![
            FieldError::new(Field("counts"), "meetings.counts_invalid").with_arg(e.0),
        ])
    })?;
    let published = serde_json::to_string(&input).map_err(AppError::internal)?;
    let result = serde_json::to_string(&out).map_err(AppError::internal)?;
    let seal = crate::congress::sealing::seal_result(
        db,
        congress,
        format!("{published}\n{result}").as_bytes(),
        o.now,
    )
    .await?;
    let mut tx = db.write().await?;
    let count = store::SealedCount {
        published: &published,
        result: &result,
        passed: out.passed,
        seal: &seal,
    };
    store::insert_correction(
        &mut tx,
        congress,
        v.id,
        reason.trim(),
        &count,
        o.user.0,
        o.now,
    )
    .await?;
    record(
        &mut tx,
        congress,
        format!("vote:{}", v.id),
        o,
        "meetings.vote_correct",
        Outcome::Success,
        &["reason", "counts"],
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}
