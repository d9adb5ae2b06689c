//! 政府买单 and 人大验单 — a selected project's delivery and its supervision: the lead unit keeps
//! the implementation plan (milestones with weights and dates, the responsible person) and
//! reports progress with evidence; the office forms a supervision group of deputies, whose
//! visits record findings and raise problems; the unit answers each problem with its
//! rectification and the office or the group closes it.

use super::domain::{self, Milestone, Phase, ProjectState};
use super::service::{self, Origin, invalid, record};
use super::store::{self, MilestoneRow, ProjectRow};
use crate::accounts::policy::{Permission, allows};
use crate::accounts::roles::Role;
use crate::attachments::{self, self as files};
use crate::congress::Congress;
use crate::db::Db;
use crate::platform::error::AppError;
use crate::platform::error::Field;
use crate::platform::ids::CongressId;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use chrono::NaiveDate;
use serde::Deserialize;

/// In what capacity the actor works on a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    /// The congress's staff: run the cycle, form groups, close problems.
    pub office: bool,
    /// An account of the project's lead unit: plan, report, rectify.
    pub lead_unit: bool,
    /// A deputy of the project's supervision group: visit, raise and close problems.
    pub supervisor: bool,
}

pub async fn capacity(
    state: &AppState,
    ctx: &Ctx,
    congress: &Congress,
    p: &ProjectRow,
) -> Result<Capacity, AppError> {
    let actor = ctx.actor()?;
    let office = allows(
        actor,
        Permission::ManageLivelihood,
        congress.target(),
        state.policy(),
    );
    let lead_unit = allows(
        actor,
        Permission::DeliverLivelihood,
        congress.target(),
        state.policy(),
    ) && actor.grants.iter().any(|g| {
        g.congress == congress.id
            && matches!(g.role, Role::UnitOperator | Role::UnitHead)
            && g.organization == Some(p.lead_unit_id)
    });
    let supervisor = store::supervisors(&state.db, p.id)
        .await?
        .iter()
        .any(|(_, _, user)| *user == Some(actor.user.0));
    Ok(Capacity {
        office,
        lead_unit,
        supervisor,
    })
}

fn selected(p: &ProjectRow) -> Result<(), AppError> {
    if p.state == ProjectState::Selected {
        Ok(())
    } else {
        Err(AppError::Conflict("livelihood.not_selected"))
    }
}

/// The implementation phase's first and last day: milestones are dated within it.
async fn plan_span(db: &Db, cycle: i64) -> Result<(NaiveDate, NaiveDate), AppError> {
    service::spans(&store::phases(db, cycle).await?)
        .into_iter()
        .find(|s| s.phase == Phase::Implementation)
        .map(|s| (s.starts, s.ends))
        .ok_or_else(|| AppError::internal("cycle without implementation phase"))
}

/// 实施计划 — a milestone of the plan.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MilestoneInput {
    pub title: String,
    pub weight: u32,
    /// `YYYY-MM-DD`, within the implementation phase.
    pub due_on: String,
}

pub async fn add_milestone(
    db: &Db,
    congress: CongressId,
    p: &ProjectRow,
    who: Capacity,
    m: &MilestoneInput,
    o: &Origin,
) -> Result<i64, AppError> {
    if !(who.lead_unit || who.office) {
        return Err(AppError::Forbidden);
    }
    selected(p)?;
    let Ok(due) = NaiveDate::parse_from_str(m.due_on.trim(), "%Y-%m-%d") else {
        return Err(AppError::field(
            Field("due_on"),
            "livelihood.milestone_due_required",
        ));
    };
    let title = m.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        return Err(AppError::field(
            Field("title"),
            "livelihood.milestone_title_required",
        ));
    }
    let (starts, ends) = plan_span(db, p.cycle_id).await?;
    domain::check_milestone(
        &Milestone {
            weight: m.weight,
            due,
            done_percent: 0,
        },
        starts,
        ends,
    )
    .map_err(invalid)?;
    let mut tx = db.write().await?;
    let id = store::insert_milestone(
        &mut tx,
        congress,
        p.id,
        title,
        i64::from(m.weight),
        &due.to_string(),
    )
    .await?;
    record(
        &mut tx,
        congress,
        format!("livelihood_project:{}", p.id),
        o,
        "livelihood.milestone",
        &["title", "weight", "due_on"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A report by the lead unit: `progress` (with each milestone's new percent), or the `midyear`
/// and `yearend` reports to the standing committee; with evidence files.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReportInput {
    pub kind: String,
    pub body: String,
    /// (milestone id, percent done) — never above 100, never back.
    pub milestones: Vec<(i64, u32)>,
    /// 责任人 — the person answerable for delivery, if it changes.
    pub responsible: Option<String>,
}

/// The project's progress from its milestones (weighted, rounded down).
pub fn progress(ms: &[MilestoneRow]) -> u32 {
    domain::progress_percent(&as_domain(ms))
}

fn as_domain(ms: &[MilestoneRow]) -> Vec<Milestone> {
    ms.iter()
        .map(|m| Milestone {
            weight: m.weight.max(0) as u32,
            due: NaiveDate::parse_from_str(&m.due_on, "%Y-%m-%d").unwrap_or_default(),
            done_percent: m.percent.clamp(0, 100) as u32,
        })
        .collect()
}

/// Milestones not finished by their day, as of `today`.
pub fn overdue(ms: &[MilestoneRow], today: NaiveDate) -> Vec<i64> {
    ms.iter()
        .zip(as_domain(ms))
        .filter(|(_, d)| domain::overdue(d, today))
        .map(|(m, _)| m.id)
        .collect()
}

pub async fn report(
    db: &Db,
    congress: CongressId,
    p: &ProjectRow,
    who: Capacity,
    r: &ReportInput,
    file: Option<(String, Vec<u8>)>,
    o: &Origin,
) -> Result<i64, AppError> {
    if !(who.lead_unit || who.office) {
        return Err(AppError::Forbidden);
    }
    selected(p)?;
    if !matches!(r.kind.as_str(), "progress" | "midyear" | "yearend") {
        return Err(AppError::field(Field("kind"), "livelihood.report_kind"));
    }
    let body = r.body.trim();
    if body.chars().count() < 5 || body.chars().count() > 5000 {
        return Err(AppError::field(
            Field("body"),
            "livelihood.report_body_required",
        ));
    }
    let mut ms = store::milestones(db, p.id).await?;
    for (id, percent) in &r.milestones {
        let Some(m) = ms.iter_mut().find(|m| m.id == *id) else {
            return Err(AppError::NotFound);
        };
        if *percent > 100 {
            return Err(AppError::field(
                Field("milestones"),
                "livelihood.progress_over_100",
            ));
        }
        if i64::from(*percent) < m.percent {
            return Err(AppError::field(
                Field("milestones"),
                "livelihood.progress_backwards",
            ));
        }
        m.percent = i64::from(*percent);
    }
    let checked = evidence(&file)?;
    let progress = progress(&ms);
    let mut tx = db.write().await?;
    for (id, percent) in &r.milestones {
        let done = (*percent == 100).then(|| o.today.to_string());
        store::set_milestone(&mut tx, p.id, *id, i64::from(*percent), done.as_deref()).await?;
    }
    if let Some(who) = r
        .responsible
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        store::set_responsible(&mut tx, p.id, who).await?;
    }
    let report = store::NewReport {
        kind: &r.kind,
        body,
        progress: Some(i64::from(progress)),
    };
    let id = store::insert_report(&mut tx, congress, p.id, &report, o.user.0, o.now).await?;
    attach(db, &mut tx, congress, id, checked, o).await?;
    record(
        &mut tx,
        congress,
        format!("livelihood_project:{}", p.id),
        o,
        "livelihood.report",
        &["kind", "body", "milestones", "file"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// An evidence file checked before the transaction (a file that is not what its name says
/// changes nothing).
fn evidence(
    file: &Option<(String, Vec<u8>)>,
) -> Result<Option<(attachments::Checked, &[u8])>, AppError> {
    match file {
        Some((name, bytes)) if !bytes.is_empty() => {
            Ok(Some((attachments::check(name, bytes)?, bytes.as_slice())))
        }
        _ => Ok(None),
    }
}

/// Keeps a report's or a visit's evidence, in the caller's transaction.
async fn attach(
    db: &Db,
    tx: &mut crate::db::Tx<'_>,
    congress: CongressId,
    report: i64,
    file: Option<(attachments::Checked, &[u8])>,
    o: &Origin,
) -> Result<(), sqlx::Error> {
    if let Some((c, bytes)) = file {
        files::insert(
            db,
            tx,
            owner(congress, report),
            PURPOSE,
            (&c, bytes),
            Some(o.user.0),
            o.now,
        )
        .await?;
    }
    Ok(())
}

pub const FILE_KIND: &str = "livelihood_report";
pub const PURPOSE: &str = "evidence";

pub fn owner(congress: CongressId, report: i64) -> files::Owner<'static> {
    files::Owner {
        congress,
        kind: FILE_KIND,
        id: report,
    }
}

/// 监督组 — the office names deputies in office to a project's supervision group.
pub async fn add_supervisors(
    db: &Db,
    congress: CongressId,
    p: &ProjectRow,
    who: Capacity,
    persons: &[i64],
    o: &Origin,
) -> Result<(), AppError> {
    if !who.office {
        return Err(AppError::Forbidden);
    }
    selected(p)?;
    if persons.is_empty() {
        return Err(AppError::field(
            Field("persons"),
            "livelihood.supervisors_required",
        ));
    }
    for person in persons {
        if store::deputy_in_office(db, congress, *person)
            .await?
            .is_none()
        {
            return Err(AppError::field(Field("persons"), "livelihood.not_a_deputy"));
        }
    }
    let mut tx = db.write().await?;
    for person in persons {
        store::add_supervisor(&mut tx, congress, p.id, *person).await?;
    }
    record(
        &mut tx,
        congress,
        format!("livelihood_project:{}", p.id),
        o,
        "livelihood.supervisors",
        &["persons"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 视察 — a visit of the supervision group: its findings, a problem if one was found, a photo.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VisitInput {
    pub findings: String,
    pub problem: String,
}

pub async fn visit(
    db: &Db,
    congress: CongressId,
    p: &ProjectRow,
    who: Capacity,
    v: &VisitInput,
    file: Option<(String, Vec<u8>)>,
    o: &Origin,
) -> Result<i64, AppError> {
    if !(who.supervisor || who.office) {
        return Err(AppError::Forbidden);
    }
    selected(p)?;
    let findings = v.findings.trim();
    if findings.chars().count() < 5 || findings.chars().count() > 5000 {
        return Err(AppError::field(
            Field("findings"),
            "livelihood.findings_required",
        ));
    }
    let problem = v.problem.trim();
    if problem.chars().count() > 2000 {
        return Err(AppError::field(
            Field("problem"),
            "livelihood.problem_too_long",
        ));
    }
    let checked = evidence(&file)?;
    let mut tx = db.write().await?;
    let visit = store::NewReport {
        kind: "visit",
        body: findings,
        progress: None,
    };
    let id = store::insert_report(&mut tx, congress, p.id, &visit, o.user.0, o.now).await?;
    if !problem.is_empty() {
        store::insert_problem(&mut tx, congress, p.id, "visit", problem, o.user.0, o.now).await?;
    }
    attach(db, &mut tx, congress, id, checked, o).await?;
    record(
        &mut tx,
        congress,
        format!("livelihood_project:{}", p.id),
        o,
        "livelihood.visit",
        &["findings", "problem", "file"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// 整改 — the lead unit answers a problem with its rectification; the office or the group
/// closes it once satisfied (an unanswered problem cannot be closed).
pub async fn settle_problem(
    db: &Db,
    congress: CongressId,
    p: &ProjectRow,
    who: Capacity,
    problem_id: i64,
    rectification: Option<&str>,
    o: &Origin,
) -> Result<(), AppError> {
    let pr = store::problem(db, congress, problem_id)
        .await?
        .filter(|x| x.project_id == p.id)
        .ok_or(AppError::NotFound)?;
    let mut tx = db.write().await?;
    let (to, action) = match rectification {
        Some(text) => {
            if !(who.lead_unit || who.office) {
                return Err(AppError::Forbidden);
            }
            let n = text.trim().chars().count();
            if !(5..=5000).contains(&n) {
                return Err(AppError::field(
                    Field("rectification"),
                    "livelihood.rectification_required",
                ));
            }
            ("answered", "livelihood.rectify")
        }
        None => {
            if !(who.supervisor || who.office) {
                return Err(AppError::Forbidden);
            }
            ("closed", "livelihood.problem_close")
        }
    };
    if !store::set_problem(&mut tx, pr.id, to, rectification.map(str::trim), o.now).await? {
        return Err(AppError::Conflict("livelihood.problem_state"));
    }
    record(
        &mut tx,
        congress,
        format!("livelihood_problem:{}", pr.id),
        o,
        action,
        &["rectification"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
