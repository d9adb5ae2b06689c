//! 候选项目 — the candidates the government side submits, with the proposals they answer, and
//! their amendment before the vote.

use super::super::domain::{ProjectState, ProposalState};
use super::*;

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
            .any(|p| p.id == *id && p.state == ProposalState::Received)
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
    if c.vote_id.is_some() || p.state != ProjectState::Candidate {
        return Err(AppError::Conflict("livelihood.list_closed"));
    }
    let mut tx = db.write().await?;
    let action = match f {
        None => {
            store::set_project_state(
                &mut tx,
                p.id,
                ProjectState::Candidate,
                ProjectState::Withdrawn,
                None,
            )
            .await?;
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
