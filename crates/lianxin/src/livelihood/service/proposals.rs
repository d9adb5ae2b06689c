//! 征集 — proposals: entered by a citizen, a deputy, a station or the office, or drawn from an
//! opinion or a suggestion; grouped with their like; rejected with a reason.

use super::*;

/// A proposal as entered: by a citizen on the public call, a deputy, station staff or the office.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProposalInput {
    pub title: String,
    pub body: String,
    /// The town or community it concerns.
    pub place: String,
    /// One of the opinions' categories (`opinion.category.*`).
    pub category: String,
    /// The public form's signed time and its empty trap field (anti-flood, as opinions).
    pub issued: String,
    pub website: String,
}

/// Who proposes, and what it came from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Public,
    Deputy,
    Station,
    Staff,
    Opinion(i64),
    Suggestion(i64),
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Public => "public",
            Source::Deputy => "deputy",
            Source::Station => "station",
            Source::Staff => "staff",
            Source::Opinion(_) => "opinion",
            Source::Suggestion(_) => "suggestion",
        }
    }
}

/// 征集 — takes a proposal into a cycle. The public call is open only in the collection phase;
/// deputies, stations and the office may add proposals until the list goes to the vote. A
/// proposal is grouped with the most similar earlier one (`text::similar`), if any is close.
pub async fn propose(
    db: &Db,
    congress: CongressId,
    cycle_id: i64,
    p: &ProposalInput,
    source: Source,
    by: Option<&Origin>,
    (now, today): (i64, NaiveDate),
) -> Result<i64, AppError> {
    let c = cycle(db, congress, cycle_id).await?;
    let mut errors = Vec::new();
    if !text_ok(&p.title, 2, 60) {
        errors.push(FieldError::new(
            Field("title"),
            "livelihood.proposal_title_required",
        ));
    }
    if !text_ok(&p.body, 10, 2000) {
        errors.push(FieldError::new(
            Field("body"),
            "livelihood.proposal_body_required",
        ));
    }
    if !text_ok(&p.place, 1, 40) {
        errors.push(FieldError::new(Field("place"), "livelihood.place_required"));
    }
    if !crate::opinions::domain::CATEGORIES.contains(&p.category.as_str()) {
        errors.push(FieldError::new(
            Field("category"),
            "livelihood.category_required",
        ));
    }
    if matches!(source, Source::Public) {
        let fresh = p.website.is_empty()
            && crate::opinions::service::token_time(db, p.issued.trim())
                .is_some_and(|t| crate::opinions::domain::fill_time_ok(t, now));
        if !fresh {
            errors.push(FieldError::new(Field("body"), "opinion.form_expired"));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let phase = phase_today(db, &c, today).await?;
    match source {
        Source::Public if phase != Some(Phase::Collection) => {
            return Err(AppError::Conflict("livelihood.not_collecting"));
        }
        _ if c.vote_id.is_some() => return Err(AppError::Conflict("livelihood.list_closed")),
        _ => {}
    }
    let (opinion, suggestion) = match source {
        Source::Opinion(id) => (Some(id), None),
        Source::Suggestion(id) => (None, Some(id)),
        _ => (None, None),
    };
    if (opinion.is_some() || suggestion.is_some())
        && store::proposed_from(db, c.id, opinion, suggestion).await?
    {
        return Err(AppError::Conflict("livelihood.already_proposed"));
    }
    let group = group_of(db, congress, c.id, &format!("{}\n{}", p.title, p.body)).await?;
    let mut tx = db.write().await?;
    let id = store::insert_proposal(
        &mut tx,
        congress,
        &NewProposalRow {
            cycle: c.id,
            source: source.as_str(),
            opinion_id: opinion,
            suggestion_id: suggestion,
            place: p.place.trim(),
            category: &p.category,
            title: p.title.trim(),
            body: p.body.trim(),
            group_id: group,
            by: by.map(|o| o.user.0),
        },
        now,
    )
    .await?
    .ok_or(AppError::Conflict("livelihood.already_proposed"))?;
    let target = format!("livelihood_proposal:{id}");
    let fields: &[&str] = &["source", "title", "body", "place", "category"];
    match by {
        Some(o) => record(&mut tx, congress, target, o, "livelihood.propose", fields).await?,
        None => {
            audit::append(
                &mut tx,
                &Record {
                    at: now,
                    user: None,
                    congress: Some(congress),
                    action: "livelihood.propose",
                    target,
                    outcome: Outcome::Success,
                    fields,
                    client_addr: None,
                },
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// The earlier proposal (a group's first) most similar to this text, at or above the congress's
/// similarity threshold. A cycle holds hundreds of proposals, not millions: compared directly.
async fn group_of(
    db: &Db,
    congress: CongressId,
    cycle: i64,
    text: &str,
) -> Result<Option<i64>, AppError> {
    let threshold = crate::opinions::service::grouping_threshold(db, congress).await?;
    let mine = crate::text::similar::features(text);
    let mut best: Option<(f64, i64)> = None;
    for p in store::proposals(db, cycle).await? {
        if p.group_id.is_some() {
            continue;
        }
        let theirs = crate::text::similar::features(&format!("{}\n{}", p.title, p.body));
        let s = crate::text::similar::jaccard(&mine, &theirs);
        if s >= threshold && best.is_none_or(|(b, _)| s > b) {
            best = Some((s, p.id));
        }
    }
    Ok(best.map(|(_, id)| id))
}

/// 一键转为民生实事建议 — an opinion of kind 问需 becomes a proposal of the cycle collecting
/// now, keeping the link.
pub async fn propose_opinion(
    db: &Db,
    congress: CongressId,
    opinion_id: i64,
    o: &Origin,
) -> Result<(i64, i64), AppError> {
    let op = crate::opinions::get(db, congress, opinion_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if op.kind != crate::opinions::domain::OpinionKind::Need {
        return Err(AppError::Conflict("livelihood.opinion_not_need"));
    }
    let c = open_list(db, congress, o.today).await?;
    let input = ProposalInput {
        title: headline(&op.body),
        body: op.body.clone(),
        place: if op.place.trim().is_empty() {
            "—".into()
        } else {
            op.place.clone()
        },
        category: op.category.clone(),
        ..Default::default()
    };
    let id = propose(
        db,
        congress,
        c.id,
        &input,
        Source::Opinion(op.id),
        Some(o),
        (o.now, o.today),
    )
    .await?;
    Ok((c.id, id))
}

/// A deputy's suggestion becomes a proposal of the cycle collecting now, keeping the link.
pub async fn propose_suggestion(
    db: &Db,
    congress: CongressId,
    suggestion_id: i64,
    o: &Origin,
) -> Result<(i64, i64), AppError> {
    let s = crate::suggestions::get(db, congress, suggestion_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let c = open_list(db, congress, o.today).await?;
    let category = if crate::opinions::domain::CATEGORIES.contains(&s.category.as_str()) {
        s.category.clone()
    } else {
        "other".into()
    };
    let input = ProposalInput {
        title: headline(&s.title),
        body: s.content.clone(),
        place: "全区".into(),
        category,
        ..Default::default()
    };
    let id = propose(
        db,
        congress,
        c.id,
        &input,
        Source::Suggestion(s.id),
        Some(o),
        (o.now, o.today),
    )
    .await?;
    Ok((c.id, id))
}

/// The cycle whose list is still open: the one collecting today, else the latest not yet voted.
async fn open_list(db: &Db, congress: CongressId, today: NaiveDate) -> Result<CycleRow, AppError> {
    if let Some(c) = collecting(db, congress, today).await? {
        return Ok(c);
    }
    store::cycles(db, congress)
        .await?
        .into_iter()
        .find(|c| c.vote_id.is_none())
        .ok_or(AppError::Conflict("livelihood.no_open_cycle"))
}

/// A proposal's title from a longer text: its first sentence, at most 30 characters.
fn headline(text: &str) -> String {
    let first = text
        .split(['。', '！', '？', '\n', '.', '!', '?'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or("");
    let t: String = first.chars().take(30).collect();
    if t.chars().count() < 2 {
        "民生实事建议".into()
    } else {
        t
    }
}

/// 不予采纳 — the government side declines a proposal (and those grouped with it), giving the
/// reason that is published with it.
pub async fn reject_proposal(
    db: &Db,
    congress: CongressId,
    id: i64,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let p = store::proposal(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !text_ok(reason, 5, 500) {
        return Err(AppError::field(
            Field("reason"),
            "livelihood.reason_required",
        ));
    }
    let mut tx = db.write().await?;
    if store::settle_proposals(
        &mut tx,
        p.cycle_id,
        &[p.id],
        "rejected",
        Some(reason.trim()),
        None,
    )
    .await?
        == 0
    {
        return Err(AppError::Conflict("livelihood.proposal_settled"));
    }
    record(
        &mut tx,
        congress,
        format!("livelihood_proposal:{id}"),
        o,
        "livelihood.proposal_reject",
        &["reason"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---- screening (初定)
