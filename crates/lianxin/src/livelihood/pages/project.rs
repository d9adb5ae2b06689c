//! A project's page and its steps: the lead unit keeps the plan and reports, the supervision group
//! visits and follows problems up (multipart, so that a report or a visit can carry a file).

use super::*;

#[derive(Template)]
#[template(path = "livelihood/templates/project.html")]
pub(super) struct ProjectPage {
    shell: Shell,
    congress: Congress,
    cycle: CycleRow,
    v: ProjectView,
    who: delivery::Capacity,
    screen: bool,
    /// The report and visit files, per report id.
    files: Vec<(i64, Vec<files::Attachment>)>,
    /// Deputies in office, for the supervision group's form: (person, name).
    deputies: Vec<(i64, String)>,
}

pub(super) async fn project_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::ViewLivelihood).await?;
    let p = service::project(&state.db, congress.id, id).await?;
    let cycle = service::cycle(&state.db, congress.id, p.cycle_id).await?;
    let who = delivery::capacity(&state, &ctx, &congress, &p).await?;
    let screen = who.office || can(&state, &ctx, &congress, Permission::DeliverLivelihood)?;
    let v = api::project_view(&state, p).await?;
    let mut fs = Vec::new();
    for r in &v.reports {
        fs.push((
            r.id,
            files::list(&state.db, delivery::owner(congress.id, r.id)).await?,
        ));
    }
    let deputies = if who.office {
        store::deputies_in_office(&state.db, congress.id).await?
    } else {
        Vec::new()
    };
    html(ProjectPage {
        shell: Shell::new(&state, &ctx, "livelihood.project").await?,
        congress,
        cycle,
        v,
        who,
        screen,
        files: fs,
        deputies,
    })
}

/// Reads a multipart form's text fields and its file (if one was chosen).
pub(super) async fn read_multipart(
    mut form: Multipart,
) -> AppResult<(Vec<(String, String)>, Option<(String, Vec<u8>)>)> {
    let bad = |_| AppError::BadRequest("error.bad_form");
    let mut fields = Vec::new();
    let mut file = None;
    while let Some(f) = form.next_field().await.map_err(bad)? {
        let name = f.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = f.file_name().unwrap_or_default().to_string();
            let bytes = f.bytes().await.map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::PayloadTooLarge
                } else {
                    AppError::BadRequest("error.bad_form")
                }
            })?;
            if !file_name.is_empty() && !bytes.is_empty() {
                file = Some((file_name, bytes.to_vec()));
            }
        } else {
            fields.push((name, f.text().await.map_err(bad)?));
        }
    }
    Ok((fields, file))
}

/// One step on a project from its page (multipart, CSRF in the query, so reports and visits
/// can carry a file): `amend`, `withdraw`, `milestone`, `report`, `supervisors`, `visit`,
/// `rectify`, `close_problem`.
pub(super) async fn project_step(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    form: Multipart,
) -> AppResult<Response> {
    let c = guard(&state, &ctx, cid, Permission::ViewLivelihood).await?;
    let o = ctx.origin(&state)?;
    let (f, file) = read_multipart(form).await?;
    let get = |k: &str| field(&f, k);
    let num = |k: &str| {
        get(k)
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::BadRequest("error.bad_request"))
    };
    let action = match get("action").as_str() {
        "amend" => ProjectAction::Amend {
            candidate: CandidateForm {
                content: get("content"),
                targets: get("targets"),
                budget_yuan: get("budget_yuan").trim().parse().ok(),
                timetable: get("timetable"),
                ..Default::default()
            },
        },
        "withdraw" => ProjectAction::Withdraw,
        "milestone" => ProjectAction::Milestone {
            milestone: MilestoneInput {
                title: get("title"),
                weight: get("weight").trim().parse().unwrap_or(0),
                due_on: get("due_on"),
            },
        },
        "report" => ProjectAction::Report {
            report: ReportInput {
                kind: get("kind"),
                body: get("body"),
                milestones: f
                    .iter()
                    .filter_map(|(k, v)| {
                        let id = k.strip_prefix("m-")?.parse().ok()?;
                        let v = v.trim();
                        if v.is_empty() {
                            return None;
                        }
                        // A number that does not parse is refused like one above 100.
                        Some((id, v.parse::<u32>().unwrap_or(u32::MAX)))
                    })
                    .collect(),
                responsible: Some(get("responsible")),
            },
        },
        "supervisors" => ProjectAction::Supervisors {
            persons: ids(&f, "persons"),
        },
        "visit" => ProjectAction::Visit {
            visit: VisitInput {
                findings: get("findings"),
                problem: get("problem"),
            },
        },
        "rectify" => ProjectAction::Rectify {
            problem: num("problem")?,
            rectification: get("rectification"),
        },
        "close_problem" => ProjectAction::CloseProblem {
            problem: num("problem")?,
        },
        _ => return Err(AppError::BadRequest("error.bad_request")),
    };
    api::apply_project(&state, &ctx, &c, id, action, file, &o).await?;
    Ok(Redirect::to(&format!("/c/{cid}/livelihood/projects/{id}")).into_response())
}
