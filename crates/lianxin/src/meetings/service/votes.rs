//! Votes: setting one up on an agenda item (checked against its rules), opening it on its
//! quorum, casting, and switching the method when devices fail.

use super::*;
/// 设置表决 — a vote on an agenda item; the candidate list is checked against the rules now.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewVote {
    pub method: Option<VoteMethod>,
    pub subject: String,
    pub seats: Option<u32>,
    pub candidates: Option<Vec<String>>,
    pub post: Option<recount::Post>,
    /// 另选他人 only among the congress's deputies; by default for standing-committee members
    /// (组织法 Art 47), whom the congress elects "在代表中".
    #[serde(default)]
    pub write_ins_deputies_only: Option<bool>,
    /// An election's candidates are listed by the stroke count of the surname (姓氏笔画) unless
    /// the session's rules set the order given.
    #[serde(default)]
    pub keep_order: Option<bool>,
    /// An appointment or removal is voted one person at a time; several people in one vote only
    /// when the chairpersons' meeting so decided — `merged_by` names that decision.
    #[serde(default)]
    pub appointees: Option<Vec<String>>,
    #[serde(default)]
    pub merged_by: Option<String>,
    /// A selection's ballot form by the session's 票决办法: `choose` (up to N, the default) or
    /// `per_item` (赞成/反对/弃权 on each candidate).
    #[serde(default)]
    pub ballot_form: Option<String>,
    /// A selection's threshold by the 票决办法: `over_half_of_members` (the default),
    /// `over_half_of_present` or `most_votes`; recorded with the vote and in its published input.
    #[serde(default)]
    pub selection_rule: Option<String>,
}

pub async fn create_vote(
    db: &Db,
    congress: CongressId,
    meeting_id: i64,
    item_id: i64,
    v: &NewVote,
    o: &Origin,
) -> Result<i64, AppError> {
    let m = meeting(db, congress, meeting_id).await?;
    let item = store::items(db, m.id)
        .await?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(AppError::NotFound)?;
    let kind = item.kind;
    let mut tx = db.write().await?;
    let id = create_vote_in(&mut tx, congress, &m, (item.id, kind), v, o).await?;
    tx.commit().await?;
    Ok(id)
}

/// [`create_vote`] inside the caller's transaction, for the agenda item `(id, kind)` of `m`
/// (putting every project of a cycle to its rating vote in one step).
pub async fn create_vote_in(
    tx: &mut Tx<'_>,
    congress: CongressId,
    m: &MeetingRow,
    (item_id, kind): (i64, ItemKind),
    v: &NewVote,
    o: &Origin,
) -> Result<i64, AppError> {
    if m.state == MeetingState::Closed {
        return Err(AppError::Conflict("meetings.closed"));
    }
    let rule = kind
        .rule()
        .ok_or(AppError::Conflict("meetings.item_not_voted"))?;
    let subject = v.subject.trim();
    let mut errors = Vec::new();
    if subject.is_empty() || subject.chars().count() > 300 {
        errors.push(FieldError::new(
            Field("subject"),
            "meetings.subject_required",
        ));
    }
    let appointees: Vec<String> = v
        .appointees
        .iter()
        .flatten()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    let merged_by = v
        .merged_by
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty());
    let merged = appointees.len() > 1;
    if merged && kind == ItemKind::Appointment && merged_by.is_none() {
        errors.push(FieldError::new(
            Field("merged_by"),
            "meetings.merged_needs_decision",
        ));
    }
    let named = matches!(rule, Rule::Election | Rule::Selection);
    let mut candidates: Vec<String> = v
        .candidates
        .iter()
        .flatten()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    if rule == Rule::Election && v.keep_order != Some(true) {
        crate::text::strokes::sort_by_strokes(&mut candidates);
    }
    if named {
        let seats = v.seats.unwrap_or(0);
        let probe = Input {
            rule,
            body: BodyKind::Congress,
            members: 1,
            present: 1,
            ballots_issued: None,
            round: None,
            seats: Some(seats),
            candidates: Some(candidates.clone()),
            post: v.post,
            excess: None,
            presidium_quorum: None,
            verdict_rule: None,
            selection_rule: v.selection_rule.clone(),
            ballots: Some(Vec::new()),
            counts: None,
            void_ballots: None,
            ballots_returned: None,
            other: Default::default(),
        };
        match recount::recount(&probe) {
            Err(_) => errors.push(FieldError::new(
                Field("candidates"),
                "meetings.candidates_invalid",
            )),
            Ok(out) if !out.valid => errors.push(
                FieldError::new(Field("candidates"), "meetings.candidates_rule")
                    .with_arg(out.invalid_reason.unwrap_or_default()),
            ),
            Ok(_) => {}
        }
    }
    let ballot_form = match (rule, v.ballot_form.as_deref()) {
        (Rule::Selection, None | Some("choose")) => Some("choose"),
        (Rule::Selection, Some("per_item")) => Some("per_item"),
        (_, None) => None,
        _ => {
            errors.push(FieldError::new(
                Field("ballot_form"),
                "meetings.ballot_form_invalid",
            ));
            None
        }
    };
    let selection_rule = match (rule, v.selection_rule.as_deref()) {
        (Rule::Selection, None) => None,
        (
            Rule::Selection,
            Some(r @ ("over_half_of_members" | "over_half_of_present" | "most_votes")),
        ) => Some(r),
        (_, None) => None,
        _ => {
            errors.push(FieldError::new(
                Field("selection_rule"),
                "meetings.selection_rule_invalid",
            ));
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let list = named
        .then(|| serde_json::to_string(&candidates))
        .transpose()
        .map_err(AppError::internal)?;
    let row = store::NewVoteRow {
        meeting: m.id,
        item: item_id,
        rule: rule_str(rule),
        method: v.method.unwrap_or(VoteMethod::Secret).as_str(),
        subject,
        seats: named.then(|| i64::from(v.seats.unwrap_or(0))),
        candidates: list.as_deref(),
        post: v.post.filter(|_| named).map(post_str),
        write_in_deputies: rule == Rule::Election
            && v.write_ins_deputies_only
                .unwrap_or(v.post == Some(recount::Post::Member)),
    };
    let id = store::insert_vote(tx, congress, &row, o.now).await?;
    if let Some(form) = ballot_form {
        store::set_selection_rules(tx, id, form, selection_rule).await?;
    }
    if merged && let Some(decision) = merged_by {
        let note = format!("合并表决（{}）：{decision}", appointees.join("、"));
        store::switch_method(
            tx,
            id,
            v.method.unwrap_or(VoteMethod::Secret).as_str(),
            &note,
        )
        .await?;
    }
    record(
        tx,
        congress,
        format!("vote:{id}"),
        o,
        "meetings.vote_create",
        Outcome::Success,
        &["method", "subject", "seats", "candidates"],
    )
    .await?;
    Ok(id)
}

pub fn rule_str(r: Rule) -> &'static str {
    match r {
        Rule::Decision => "decision",
        Rule::Election => "election",
        Rule::Selection => "selection",
        Rule::Rating => "rating",
    }
}

fn post_str(p: recount::Post) -> &'static str {
    match p {
        recount::Post::Head => "head",
        recount::Post::DeputyHead => "deputy_head",
        recount::Post::Member => "member",
        recount::Post::Deputy => "deputy",
    }
}

/// The vote of the path, with its meeting, in this congress.
pub async fn vote(
    db: &Db,
    congress: CongressId,
    id: i64,
) -> Result<(MeetingRow, VoteRow), AppError> {
    let v = store::vote(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let m = meeting(db, congress, v.meeting_id).await?;
    Ok((m, v))
}

/// 开始表决 — only in an open meeting with its quorum; snapshots the members in office and
/// those present (`legal-rules.md` §0.2).
pub async fn open_vote(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    o: &Origin,
) -> Result<(), AppError> {
    let (m, v) = vote(db, congress, vote_id).await?;
    let target = format!("vote:{}", v.id);
    if m.state != MeetingState::Open {
        return Err(refused(
            db,
            congress,
            target,
            o,
            "meetings.vote_open",
            AppError::Conflict("meetings.not_open"),
        )
        .await);
    }
    let rules = quorum_rules(db, congress, &m).await?;
    let q = quorum_with(db, &m, &rules).await?;
    if !q.met {
        return Err(refused(
            db,
            congress,
            target,
            o,
            "meetings.vote_open",
            AppError::Conflict("meetings.no_quorum"),
        )
        .await);
    }
    // A secret vote's key pair: the private half kept (and synced) before the vote opens.
    let secret = v.method == VoteMethod::Secret;
    let public_key = if secret {
        Some(ballot_seal::create_key(&db.vault, v.id).map_err(AppError::internal)?)
    } else {
        None
    };
    let opened = async {
        let mut tx = db.write().await?;
        // Counted again inside the transaction that opens the vote: the snapshot is what was
        // checked, even if someone checked in or out since the look above.
        let q = quorum_in(&mut tx, &m, &rules).await?;
        if !q.met {
            return Err(AppError::Conflict("meetings.no_quorum"));
        }
        if !store::open_vote(&mut tx, v.id, q.members, q.present, o.now).await? {
            return Err(AppError::Conflict("meetings.vote_not_ready"));
        }
        if let Some(key) = &public_key {
            ballot_store::set_public_key(&mut tx, v.id, key).await?;
        }
        Ok(tx)
    }
    .await;
    let mut tx = match opened {
        Ok(tx) => tx,
        Err(e) => {
            // Not opened: the key must not outlive it.
            let _ = ballot_seal::destroy_key(&db.vault, v.id);
            if matches!(e, AppError::Conflict("meetings.no_quorum")) {
                return Err(refused(db, congress, target, o, "meetings.vote_open", e).await);
            }
            return Err(e);
        }
    };
    record(
        &mut tx,
        congress,
        target,
        o,
        "meetings.vote_open",
        Outcome::Success,
        &["members", "present"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 投票 — a member present casts their ballot, once (see `ballot_box`: the checks, then one
/// transaction of its own; the HTTP routes queue it for a group commit instead).
pub async fn cast(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    ballot: &serde_json::Value,
    o: &Origin,
) -> Result<Option<String>, AppError> {
    let p = crate::meetings::ballot_box::prepare(db, congress, vote_id, ballot, o).await?;
    crate::meetings::ballot_box::cast_alone(db, p).await
}

pub(crate) fn rule_of(v: &VoteRow) -> Result<Rule, AppError> {
    serde_json::from_value(serde_json::Value::String(v.rule.clone())).map_err(AppError::internal)
}

pub(crate) fn candidates_of(v: &VoteRow) -> Vec<String> {
    v.candidates
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default()
}

/// 改变表决方式 — devices failed: a show of hands or paper, with the reason; recorded.
pub async fn switch_method(
    db: &Db,
    congress: CongressId,
    vote_id: i64,
    to: VoteMethod,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let (_, v) = vote(db, congress, vote_id).await?;
    if !matches!(to, VoteMethod::Hands | VoteMethod::Paper) {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("method"),
            "meetings.switch_to_manual",
        )]));
    }
    if reason.trim().chars().count() < 4 {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("reason"),
            "meetings.switch_reason",
        )]));
    }
    if store::voted(db, v.id).await? > 0 {
        return Err(AppError::Conflict("meetings.switch_after_ballots"));
    }
    let mut tx = db.write().await?;
    let note = format!("{} → {}: {}", v.method, to.as_str(), reason.trim());
    if !store::switch_method(&mut tx, v.id, to.as_str(), &note).await? {
        return Err(AppError::Conflict("meetings.vote_closed"));
    }
    record(
        &mut tx,
        congress,
        format!("vote:{}", v.id),
        o,
        "meetings.vote_switch",
        Outcome::Success,
        &["method", "reason"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
