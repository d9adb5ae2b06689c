//! The cycle's commands, from the call for proposals to the rating: each is one transaction with
//! its audit record, and a refusal changes nothing. The review, the selection vote and the rating
//! are agenda items and votes of `meetings` (its commands, its tally); this module links them to
//! the cycle and reads their sealed results back into the projects.

use super::domain::{self, CandidateInput, Phase, Span};
use super::store::{self, CycleRow, NewProjectRow, NewProposalRow, ProjectRow};
use crate::audit::{self, Outcome, Record};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;
use chrono::NaiveDate;
use serde::Deserialize;

pub use crate::platform::origin::Origin;

pub(super) async fn record(
    tx: &mut Tx<'_>,
    congress: CongressId,
    target: String,
    o: &Origin,
    action: &str,
    fields: &[&str],
) -> Result<(), sqlx::Error> {
    let r = Record::by(o, Some(congress), action, target, fields);
    audit::append(tx, &r).await.map(drop)
}

pub(super) fn invalid(problems: domain::Problems) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|(f, k)| FieldError::new(Field(f), k))
            .collect(),
    )
}

pub(super) fn text_ok(s: &str, min: usize, max: usize) -> bool {
    let n = s.trim().chars().count();
    n >= min && n <= max
}

// ---- cycles

/// A new year's cycle: its 票决办法 (N, the ratio, the ballot form) and the six phases' dates.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct NewCycle {
    pub year: i64,
    #[serde(default)]
    pub title: String,
    pub places: u32,
    #[serde(default)]
    pub ratio_percent: u32,
    /// `choose` (up to N, the default) or `per_item`.
    #[serde(default)]
    pub ballot_form: Option<String>,
    /// The approvals a project needs: `over_half_of_members` (the default: more than half of
    /// all deputies in office, 组织法 Art 25), `over_half_of_present` or `most_votes`.
    #[serde(default)]
    pub selection_rule: Option<String>,
    /// The six phases in order: (`collection`…`evaluation`, first day, last day), days as
    /// `YYYY-MM-DD`.
    pub phases: Vec<PhaseInput>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct PhaseInput {
    pub phase: String,
    pub starts_on: String,
    pub ends_on: String,
}

pub fn spans(phases: &[store::PhaseRow]) -> Vec<Span> {
    phases
        .iter()
        .filter_map(|p| {
            Some(Span {
                phase: Phase::parse(&p.phase)?,
                starts: NaiveDate::parse_from_str(&p.starts_on, "%Y-%m-%d").ok()?,
                ends: NaiveDate::parse_from_str(&p.ends_on, "%Y-%m-%d").ok()?,
            })
        })
        .collect()
}

pub async fn create_cycle(
    db: &Db,
    congress: CongressId,
    c: &NewCycle,
    o: &Origin,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    if !(2000..=2100).contains(&c.year) {
        errors.push(FieldError::new(Field("year"), "livelihood.year_invalid"));
    }
    if !(1..=100).contains(&c.places) {
        errors.push(FieldError::new(
            Field("places"),
            "livelihood.places_invalid",
        ));
    }
    if c.ratio_percent > 200 {
        errors.push(FieldError::new(
            Field("ratio_percent"),
            "livelihood.ratio_invalid",
        ));
    }
    let form = c.ballot_form.as_deref().unwrap_or("choose");
    if !matches!(form, "choose" | "per_item") {
        errors.push(FieldError::new(
            Field("ballot_form"),
            "livelihood.ballot_form_invalid",
        ));
    }
    let selection_rule = c
        .selection_rule
        .as_deref()
        .unwrap_or("over_half_of_members");
    if !matches!(
        selection_rule,
        "over_half_of_members" | "over_half_of_present" | "most_votes"
    ) {
        errors.push(FieldError::new(
            Field("selection_rule"),
            "livelihood.selection_rule_invalid",
        ));
    }
    let title = if c.title.trim().is_empty() {
        format!("{}年民生实事项目", c.year)
    } else {
        c.title.trim().to_string()
    };
    if !text_ok(&title, 1, 100) {
        errors.push(FieldError::new(Field("title"), "livelihood.title_required"));
    }
    let mut dates_ok = true;
    let mut plan = Vec::new();
    for p in &c.phases {
        let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        match (Phase::parse(&p.phase), day(&p.starts_on), day(&p.ends_on)) {
            (Some(phase), Some(starts), Some(ends)) => plan.push(Span {
                phase,
                starts,
                ends,
            }),
            _ => {
                errors.push(FieldError::new(
                    Field("phases"),
                    "livelihood.phase_dates_invalid",
                ));
                dates_ok = false;
                break;
            }
        }
    }
    if dates_ok && let Err(p) = domain::check_plan(&plan) {
        errors.extend(p.into_iter().map(|(f, k)| FieldError::new(Field(f), k)));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if store::year_taken(db, congress, c.year).await? {
        return Err(AppError::field(Field("year"), "livelihood.year_taken"));
    }
    let mut tx = db.write().await?;
    let id = store::insert_cycle(
        &mut tx,
        congress,
        c.year,
        &title,
        i64::from(c.places),
        i64::from(c.ratio_percent),
        (form, selection_rule),
        o.user.0,
        o.now,
    )
    .await?;
    for s in &plan {
        store::insert_phase(
            &mut tx,
            congress,
            id,
            s.phase.as_str(),
            &s.starts.to_string(),
            &s.ends.to_string(),
        )
        .await?;
    }
    record(
        &mut tx,
        congress,
        format!("livelihood_cycle:{id}"),
        o,
        "livelihood.cycle_create",
        &[
            "year",
            "places",
            "ratio_percent",
            "ballot_form",
            "selection_rule",
            "phases",
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn cycle(db: &Db, congress: CongressId, id: i64) -> Result<CycleRow, AppError> {
    store::cycle(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The phase the cycle is in today (none before it starts, between phases or after it ends).
pub async fn phase_today(
    db: &Db,
    c: &CycleRow,
    today: NaiveDate,
) -> Result<Option<Phase>, AppError> {
    Ok(domain::phase_on(
        &spans(&store::phases(db, c.id).await?),
        today,
    ))
}

/// The cycle taking proposals now: the one whose collection phase holds today.
pub async fn collecting(
    db: &Db,
    congress: CongressId,
    today: NaiveDate,
) -> Result<Option<CycleRow>, AppError> {
    for c in store::cycles(db, congress).await? {
        if phase_today(db, &c, today).await? == Some(Phase::Collection) {
            return Ok(Some(c));
        }
    }
    Ok(None)
}

// ---- proposals (群众点单)

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
    if op.kind != "need" {
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

/// 候选项目 as the government side submits it, with the proposals it answers.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct CandidateForm {
    pub title: String,
    pub content: String,
    /// 目标 — what will be delivered, measurably.
    pub targets: String,
    pub budget_yuan: Option<i64>,
    pub lead_unit: Option<i64>,
    /// 时间安排.
    pub timetable: String,
    pub proposals: Vec<i64>,
}

pub async fn add_candidate(
    db: &Db,
    congress: CongressId,
    cycle_id: i64,
    f: &CandidateForm,
    o: &Origin,
) -> Result<i64, AppError> {
    let c = cycle(db, congress, cycle_id).await?;
    if c.vote_id.is_some() {
        return Err(AppError::Conflict("livelihood.list_closed"));
    }
    let input = CandidateInput {
        title: f.title.clone(),
        content: f.content.clone(),
        lead_unit: f.lead_unit,
        budget_yuan: f.budget_yuan,
    };
    let mut errors: Vec<FieldError> = match domain::check_candidate(&input) {
        Ok(()) => Vec::new(),
        Err(p) => p
            .into_iter()
            .map(|(f, k)| FieldError::new(Field(f), k))
            .collect(),
    };
    if !text_ok(&f.targets, 2, 1000) {
        errors.push(FieldError::new(
            Field("targets"),
            "livelihood.targets_required",
        ));
    }
    if !text_ok(&f.timetable, 2, 500) {
        errors.push(FieldError::new(
            Field("timetable"),
            "livelihood.timetable_required",
        ));
    }
    if let Some(u) = f.lead_unit
        && !store::unit_exists(db, congress, u).await?
    {
        errors.push(FieldError::new(
            Field("lead_unit"),
            "livelihood.lead_unit_required",
        ));
    }
    let title = f.title.trim();
    let existing = store::projects(db, c.id).await?;
    if existing.iter().any(|p| p.title == title) {
        errors.push(FieldError::new(Field("title"), "livelihood.title_taken"));
    }
    let proposals = store::proposals(db, c.id).await?;
    if f.proposals.iter().any(|id| {
        !proposals
            .iter()
            .any(|p| p.id == *id && p.state == "received")
    }) {
        errors.push(FieldError::new(
            Field("proposals"),
            "livelihood.proposal_settled",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    let id = store::insert_project(
        &mut tx,
        congress,
        &NewProjectRow {
            cycle: c.id,
            title,
            content: f.content.trim(),
            targets: f.targets.trim(),
            budget_yuan: f.budget_yuan.unwrap_or(0),
            lead_unit: f.lead_unit.unwrap_or(0),
            timetable: f.timetable.trim(),
            responsible: None,
            by: o.user.0,
        },
        o.now,
    )
    .await?;
    store::settle_proposals(&mut tx, c.id, &f.proposals, "adopted", None, Some(id)).await?;
    record(
        &mut tx,
        congress,
        format!("livelihood_project:{id}"),
        o,
        "livelihood.candidate",
        &[
            "title",
            "content",
            "targets",
            "budget_yuan",
            "lead_unit",
            "timetable",
            "proposals",
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// 修改或撤回候选项目 — the review may amend the list: a candidate's content, targets, budget
/// and timetable change, or it is withdrawn; only before the list goes to the vote.
pub async fn amend_candidate(
    db: &Db,
    congress: CongressId,
    project_id: i64,
    f: Option<&CandidateForm>,
    o: &Origin,
) -> Result<(), AppError> {
    let p = project(db, congress, project_id).await?;
    let c = cycle(db, congress, p.cycle_id).await?;
    if c.vote_id.is_some() || p.state != "candidate" {
        return Err(AppError::Conflict("livelihood.list_closed"));
    }
    let mut tx = db.write().await?;
    let action = match f {
        None => {
            store::set_project_state(&mut tx, p.id, "candidate", "withdrawn", None).await?;
            "livelihood.candidate_withdraw"
        }
        Some(f) => {
            let input = CandidateInput {
                title: p.title.clone(),
                content: f.content.clone(),
                lead_unit: Some(p.lead_unit_id),
                budget_yuan: f.budget_yuan,
            };
            domain::check_candidate(&input).map_err(invalid)?;
            if !text_ok(&f.targets, 2, 1000) || !text_ok(&f.timetable, 2, 500) {
                return Err(AppError::field(
                    Field("targets"),
                    "livelihood.targets_required",
                ));
            }
            store::amend_project(
                &mut tx,
                p.id,
                f.content.trim(),
                f.targets.trim(),
                f.budget_yuan.unwrap_or(0),
                f.timetable.trim(),
            )
            .await?;
            "livelihood.candidate_amend"
        }
    };
    record(
        &mut tx,
        congress,
        format!("livelihood_project:{}", p.id),
        o,
        action,
        &["content", "targets", "budget_yuan", "timetable"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn project(db: &Db, congress: CongressId, id: i64) -> Result<ProjectRow, AppError> {
    store::project(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)
}
