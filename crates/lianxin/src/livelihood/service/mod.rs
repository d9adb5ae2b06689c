//! The cycle's commands, from the call for proposals to the rating: each is one transaction with
//! its audit record, and a refusal changes nothing. The review, the selection vote and the rating
//! are agenda items and votes of `meetings` (its commands, its tally); this module links them to
//! the cycle and reads their sealed results back into the projects.

mod candidates;
mod proposals;
pub use candidates::*;
pub use proposals::*;

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
    let row = store::NewCycleRow {
        year: c.year,
        title: &title,
        places: i64::from(c.places),
        ratio_percent: i64::from(c.ratio_percent),
        ballot_form: form,
        selection_rule,
    };
    let id = store::insert_cycle(&mut tx, congress, &row, o.user.0, o.now).await?;
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

pub async fn project(db: &Db, congress: CongressId, id: i64) -> Result<ProjectRow, AppError> {
    store::project(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)
}
