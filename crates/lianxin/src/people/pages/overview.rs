//! The congress at a glance: term, sessions, bodies and their members (add, end).

use super::*;

/// A body of the congress with its members (常委会, 主席团, 专门委员会).
pub struct Body {
    pub name: String,
    pub members: Vec<store::Member>,
}

#[derive(Template)]
#[template(path = "people/templates/overview.html")]
pub(super) struct OverviewPage {
    shell: Shell,
    congress: Congress,
    term: Option<crate::congress::Term>,
    sessions: Vec<crate::congress::Session>,
    counts: (i64, i64, i64),
    bodies: Vec<Body>,
    working_bodies: Vec<store::Named>,
    organs: Vec<store::Named>,
    can_edit: bool,
    body_options: Vec<(String, String)>,
    deputy_options: Vec<(String, String)>,
    post_options: Vec<(String, String)>,
    today: String,
}

/// Groups members (ordered by body, then post) into bodies.
pub fn group_bodies(members: Vec<store::Member>) -> Vec<Body> {
    let mut bodies: Vec<Body> = Vec::new();
    for m in members {
        match bodies.last_mut() {
            Some(b) if b.name == m.organization => b.members.push(m),
            _ => bodies.push(Body {
                name: m.organization.clone(),
                members: vec![m],
            }),
        }
    }
    bodies
}

pub(super) async fn overview(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::ViewRoster).await?;
    render_overview(&state, &ctx, congress, &[], StatusCode::OK).await
}

pub(super) async fn render_overview(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    errors: &[FieldError],
    status: StatusCode,
) -> AppResult<Response> {
    let today = state.clock.today().to_string();
    let db = &state.db;
    let mut members = Vec::new();
    for kind in ["standing_committee", "presidium", "special_committee"] {
        members.extend(store::members(db, congress.id, kind).await?);
    }
    let can_edit = allows(
        ctx.actor()?,
        Permission::EditRoster,
        congress.target(),
        state.policy(),
    );
    let shell = Shell::new(state, ctx, "overview.title")
        .await?
        .with_errors(errors);
    let t = shell.t;
    let choose = || vec![(String::new(), t.t("form.choose"))];
    let (mut body_options, mut deputy_options) = (choose(), choose());
    if can_edit {
        body_options.extend(
            store::bodies(db, congress.id)
                .await?
                .into_iter()
                .map(|b| (b.id.to_string(), b.name)),
        );
        deputy_options.extend(
            store::deputies_in_office(db, congress.id)
                .await?
                .into_iter()
                .map(|d| (d.id.to_string(), d.name)),
        );
    }
    let page = OverviewPage {
        shell,
        term: crate::congress::current_term(db, congress.id, &today).await?,
        sessions: crate::congress::sessions(db, congress.id).await?,
        counts: store::counts(db, congress.id).await?,
        bodies: group_bodies(members),
        working_bodies: store::orgs_of_kind(db, congress.id, "working_body").await?,
        organs: store::orgs_of_kind(db, congress.id, "organ").await?,
        can_edit,
        body_options,
        deputy_options,
        post_options: ["member", "vice_chair", "chair"]
            .iter()
            .map(|p| (p.to_string(), t.k("post", p)))
            .collect(),
        today,
        congress,
    };
    html_status(status, page)
}

#[derive(Deserialize)]
pub(super) struct MemberForm {
    organization_id: String,
    deputy_id: String,
    post: String,
    starts_on: String,
}

pub(super) async fn add_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<MemberForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    let input = service::MemberInput {
        organization_id: f.organization_id.parse().unwrap_or(0),
        deputy_id: f.deputy_id.parse().unwrap_or(0),
        post: f.post,
        starts_on: f.starts_on,
    };
    match service::add_member_cmd(&state.db, &congress, &input, &origin(&state, &ctx)?).await {
        Ok(_) => Ok(Redirect::to(&format!("/c/{}", congress.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            render_overview(
                &state,
                &ctx,
                congress,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
pub(super) struct EndForm {
    ends_on: String,
}

pub(super) async fn end_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<EndForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    match service::end_member_cmd(&state.db, &congress, id, &f.ends_on, &origin(&state, &ctx)?)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/c/{}", congress.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            render_overview(
                &state,
                &ctx,
                congress,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
