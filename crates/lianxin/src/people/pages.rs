//! HTML pages of the roster: deputies (list, detail, create, edit, status), handling units, and
//! XLSX import with preview and export.

use super::domain::{DeputyInput, DeputyStatus};
use super::service::{self, UnitInput};
use super::store::{self, NamedTable};
use super::xlsx::{self, ImportReport, ListKind};
use super::{current_term, guard, origin};
use crate::accounts::policy::{Permission, allows};
use crate::congress::Congress;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::platform::i18n::tr;
use crate::platform::page::clamp_limit;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Id, Ids, Query};
use crate::web::shell::Shell;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/c/{cid}", get(overview))
        .route("/c/{cid}/members", post(add_member))
        .route("/c/{cid}/members/{id}/end", post(end_member))
        .route("/c/{cid}/deputies", get(deputies).post(create_deputy))
        .route("/c/{cid}/deputies/new", get(new_deputy))
        .route("/c/{cid}/deputies/{id}", get(deputy).post(update_deputy))
        .route("/c/{cid}/deputies/{id}/edit", get(edit_deputy))
        .route("/c/{cid}/deputies/{id}/status", post(change_status))
        .route("/c/{cid}/units", get(units).post(create_unit))
        .route("/c/{cid}/units/new", get(new_unit))
        .route("/c/{cid}/units/{id}/edit", get(edit_unit))
        .route("/c/{cid}/units/{id}", post(update_unit))
        .route(
            "/c/{cid}/import",
            get(import_page)
                .post(import_preview)
                .layer(DefaultBodyLimit::max(crate::web::UPLOAD_LIMIT)),
        )
        .route("/c/{cid}/import/confirm", post(import_confirm))
        .route("/c/{cid}/export/{file}", get(export))
        .route("/c/{cid}/template/{file}", get(template))
}

fn html(t: impl Template) -> AppResult<Response> {
    Ok(Html(t.render().map_err(AppError::internal)?).into_response())
}

fn html_status(status: StatusCode, t: impl Template) -> AppResult<Response> {
    Ok((status, Html(t.render().map_err(AppError::internal)?)).into_response())
}

// ---- the congress at a glance ----

/// A body of the congress with its members (常委会, 主席团, 专门委员会).
pub struct Body {
    pub name: String,
    pub members: Vec<store::Member>,
}

#[derive(Template)]
#[template(path = "people/templates/overview.html")]
struct OverviewPage {
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

async fn overview(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::ViewRoster).await?;
    render_overview(&state, &ctx, congress, &[], StatusCode::OK).await
}

async fn render_overview(
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
        term: crate::congress::store::current_term(db, congress.id, &today).await?,
        sessions: crate::congress::store::sessions(db, congress.id).await?,
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
struct MemberForm {
    organization_id: String,
    deputy_id: String,
    post: String,
    starts_on: String,
}

async fn add_member(
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
struct EndForm {
    ends_on: String,
}

async fn end_member(
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

// ---- deputies ----

#[derive(Template)]
#[template(path = "people/templates/deputies.html")]
struct DeputiesPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<store::DeputyRow>,
    /// For a search: each row's name with the matching part marked.
    highlights: Vec<super::Highlight>,
    q: String,
    next: Option<String>,
    can_edit: bool,
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    after: Option<String>,
}

async fn deputies(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::ViewRoster).await?;
    let listing = super::list_deputies(
        &state,
        &congress,
        q.q.as_deref(),
        q.after.as_deref(),
        clamp_limit(None),
    )
    .await?;
    let can_edit = allows(
        ctx.actor()?,
        Permission::EditRoster,
        congress.target(),
        state.policy(),
    );
    let shell = Shell::new(&state, &ctx, "deputies.title").await?;
    let q = q.q.as_deref().map(str::trim).unwrap_or("").to_string();
    html(DeputiesPage {
        shell,
        congress,
        rows: listing.rows,
        highlights: listing.highlights,
        q,
        next: listing.next,
        can_edit,
    })
}

#[derive(Template)]
#[template(path = "people/templates/deputy.html")]
struct DeputyPage {
    shell: Shell,
    congress: Congress,
    d: store::DeputyDetail,
    can_edit: bool,
    today: String,
    updated: bool,
}

#[derive(Deserialize)]
struct DoneQuery {
    updated: Option<String>,
}

async fn deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Query(q): Query<DoneQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::ViewRoster).await?;
    let d = store::deputy(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let can_edit = allows(
        ctx.actor()?,
        Permission::EditRoster,
        congress.target(),
        state.policy(),
    );
    let shell = Shell::new(&state, &ctx, "deputy.title").await?;
    html(DeputyPage {
        shell,
        congress,
        d,
        can_edit,
        today: state.clock.today().to_string(),
        updated: q.updated.is_some(),
    })
}

#[derive(Template)]
#[template(path = "people/templates/deputy_form.html")]
struct DeputyForm {
    shell: Shell,
    congress: Congress,
    action: String,
    input: DeputyInput,
    editing: bool,
    genders: Vec<(String, String)>,
    constituencies: Vec<(String, String)>,
    delegations: Vec<(String, String)>,
    stations: Vec<(String, String)>,
}

async fn deputy_form(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    action: String,
    input: DeputyInput,
    editing: bool,
    errors: &[FieldError],
) -> AppResult<DeputyForm> {
    let title = if editing {
        "deputy.edit_title"
    } else {
        "deputy.new_title"
    };
    let shell = Shell::new(state, ctx, title).await?.with_errors(errors);
    let t = shell.t;
    let with_blank = |names: Vec<String>| {
        let mut v = vec![(String::new(), t.t("form.choose"))];
        v.extend(names.into_iter().map(|n| (n.clone(), n)));
        v
    };
    Ok(DeputyForm {
        genders: vec![
            (String::new(), t.t("form.choose")),
            ("male".into(), t.t("gender.male")),
            ("female".into(), t.t("gender.female")),
        ],
        constituencies: with_blank(
            store::names(&state.db, congress.id, NamedTable::Constituency).await?,
        ),
        delegations: with_blank(
            store::names(&state.db, congress.id, NamedTable::Delegation).await?,
        ),
        stations: with_blank(store::names(&state.db, congress.id, NamedTable::Station).await?),
        shell,
        congress,
        action,
        input,
        editing,
    })
}

async fn new_deputy(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    let action = format!("/c/{}/deputies", congress.id);
    html(
        deputy_form(
            &state,
            &ctx,
            congress,
            action,
            DeputyInput::default(),
            false,
            &[],
        )
        .await?,
    )
}

async fn create_deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(input): Form<DeputyInput>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    let term = current_term(&state, &congress).await?;
    match service::create_deputy_cmd(&state.db, &congress, term, &input, &origin(&state, &ctx)?)
        .await
    {
        Ok(id) => Ok(
            Redirect::to(&format!("/c/{}/deputies/{id}?updated=created", congress.id))
                .into_response(),
        ),
        Err(AppError::Invalid(errs)) => {
            let action = format!("/c/{}/deputies", congress.id);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                deputy_form(&state, &ctx, congress, action, input, false, &errs).await?,
            )
        }
        Err(e) => Err(e),
    }
}

fn input_of(d: &store::DeputyDetail) -> DeputyInput {
    DeputyInput {
        name: d.name.clone(),
        gender: d.gender.clone(),
        ethnicity: d.ethnicity.clone(),
        id_card: String::new(),
        party: d.party.clone(),
        composition: d.composition.clone(),
        occupation: d.occupation.clone(),
        education: d.education.clone(),
        constituency: d.constituency.clone().unwrap_or_default(),
        delegation: d.delegation.clone().unwrap_or_default(),
        station: d.station.clone().unwrap_or_default(),
    }
}

async fn edit_deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    let d = store::deputy(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = format!("/c/{}/deputies/{id}", congress.id);
    html(deputy_form(&state, &ctx, congress, action, input_of(&d), true, &[]).await?)
}

async fn update_deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(input): Form<DeputyInput>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    match service::update_deputy_cmd(&state.db, &congress, id, &input, &origin(&state, &ctx)?).await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/c/{}/deputies/{id}?updated=1", congress.id)).into_response(),
        ),
        Err(AppError::Invalid(errs)) => {
            let action = format!("/c/{}/deputies/{id}", congress.id);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                deputy_form(&state, &ctx, congress, action, input, true, &errs).await?,
            )
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
    status_date: String,
    #[serde(default)]
    status_reason: String,
}

async fn change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<StatusForm>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditRoster).await?;
    let next = DeputyStatus::parse(&f.status).ok_or(AppError::BadRequest("error.bad_form"))?;
    match service::set_status_cmd(
        &state.db,
        &congress,
        id,
        next,
        f.status_date.trim(),
        &f.status_reason,
        &origin(&state, &ctx)?,
    )
    .await
    {
        Ok(()) => Ok(
            Redirect::to(&format!("/c/{}/deputies/{id}?updated=status", congress.id))
                .into_response(),
        ),
        Err(AppError::Invalid(errs)) => {
            let d = store::deputy(&state.db, congress.id, id)
                .await?
                .ok_or(AppError::NotFound)?;
            let shell = Shell::new(&state, &ctx, "deputy.title")
                .await?
                .with_errors(&errs);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                DeputyPage {
                    shell,
                    congress,
                    d,
                    can_edit: true,
                    today: f.status_date,
                    updated: false,
                },
            )
        }
        Err(e) => Err(e),
    }
}

// ---- handling units ----

#[derive(Template)]
#[template(path = "people/templates/units.html")]
struct UnitsPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<store::Unit>,
    highlights: Vec<super::Highlight>,
    q: String,
    next: Option<String>,
    can_edit: bool,
}

async fn units(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::ViewUnits).await?;
    let listing = super::list_units(
        &state,
        &congress,
        q.q.as_deref(),
        q.after.as_deref(),
        clamp_limit(None),
    )
    .await?;
    let can_edit = allows(
        ctx.actor()?,
        Permission::EditUnits,
        congress.target(),
        state.policy(),
    );
    let shell = Shell::new(&state, &ctx, "units.title").await?;
    let q = q.q.as_deref().map(str::trim).unwrap_or("").to_string();
    html(UnitsPage {
        shell,
        congress,
        rows: listing.rows,
        highlights: listing.highlights,
        q,
        next: listing.next,
        can_edit,
    })
}

#[derive(Template)]
#[template(path = "people/templates/unit_form.html")]
struct UnitForm {
    shell: Shell,
    congress: Congress,
    action: String,
    input: UnitInput,
    organs: Vec<(String, String)>,
    genders: Vec<(String, String)>,
}

async fn unit_form(
    state: &AppState,
    ctx: &Ctx,
    congress: Congress,
    action: String,
    input: UnitInput,
    errors: &[FieldError],
) -> AppResult<UnitForm> {
    let shell = Shell::new(state, ctx, "units.form_title")
        .await?
        .with_errors(errors);
    let t = shell.t;
    let organs = [
        "government",
        "supervisory_commission",
        "court",
        "procuratorate",
    ]
    .iter()
    .map(|k| (k.to_string(), t.t(format!("organ.{k}"))))
    .collect();
    let genders = vec![
        (String::new(), t.t("form.choose")),
        ("male".into(), t.t("gender.male")),
        ("female".into(), t.t("gender.female")),
    ];
    Ok(UnitForm {
        shell,
        congress,
        action,
        input,
        organs,
        genders,
    })
}

async fn new_unit(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditUnits).await?;
    let action = format!("/c/{}/units", congress.id);
    let input = UnitInput {
        organ_kind: "government".into(),
        ..UnitInput::default()
    };
    html(unit_form(&state, &ctx, congress, action, input, &[]).await?)
}

async fn create_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(input): Form<UnitInput>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditUnits).await?;
    match service::create_unit_cmd(&state.db, &congress, &input, &origin(&state, &ctx)?).await {
        Ok(_) => Ok(Redirect::to(&format!("/c/{}/units", congress.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let action = format!("/c/{}/units", congress.id);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                unit_form(&state, &ctx, congress, action, input, &errs).await?,
            )
        }
        Err(e) => Err(e),
    }
}

async fn edit_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditUnits).await?;
    let u = store::unit(&state.db, congress.id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let action = format!("/c/{}/units/{id}", congress.id);
    let input = UnitInput {
        name: u.name,
        organ_kind: u.organ_kind.unwrap_or_default(),
        head_name: u.head.unwrap_or_default(),
        head_gender: u.head_gender.unwrap_or_default(),
    };
    html(unit_form(&state, &ctx, congress, action, input, &[]).await?)
}

async fn update_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(input): Form<UnitInput>,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditUnits).await?;
    match service::update_unit_cmd(&state.db, &congress, id, &input, &origin(&state, &ctx)?).await {
        Ok(()) => Ok(Redirect::to(&format!("/c/{}/units", congress.id)).into_response()),
        Err(AppError::Invalid(errs)) => {
            let action = format!("/c/{}/units/{id}", congress.id);
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                unit_form(&state, &ctx, congress, action, input, &errs).await?,
            )
        }
        Err(e) => Err(e),
    }
}

// ---- import and export ----

#[derive(Template)]
#[template(path = "people/templates/import.html")]
struct ImportPage {
    shell: Shell,
    congress: Congress,
    report: Option<ImportReport>,
    token: String,
    kind: String,
    file_error: String,
    /// The upload form shows unless a valid file waits for confirmation or was just written.
    show_upload: bool,
}

/// The import permission depends on the list: the roster or the units.
async fn import_guard(
    state: &AppState,
    ctx: &Ctx,
    cid: i64,
    kind: ListKind,
) -> AppResult<Congress> {
    let perm = match kind {
        ListKind::Deputies => Permission::EditRoster,
        ListKind::Units => Permission::EditUnits,
    };
    guard(state, ctx, cid, perm).await
}

async fn import_page(State(state): State<AppState>, ctx: Ctx, Id(cid): Id) -> AppResult<Response> {
    let congress = crate::web::shell::congress(&state, cid).await?;
    let actor = ctx.actor()?;
    let p = state.policy();
    if !allows(actor, Permission::EditRoster, congress.target(), p)
        && !allows(actor, Permission::EditUnits, congress.target(), p)
    {
        return Err(AppError::Forbidden);
    }
    let shell = Shell::new(&state, &ctx, "import.title").await?;
    html(ImportPage {
        shell,
        congress,
        report: None,
        token: String::new(),
        kind: "deputies".into(),
        file_error: String::new(),
        show_upload: true,
    })
}

fn imports_dir(state: &AppState) -> std::path::PathBuf {
    state.config.data_dir.join("imports")
}

async fn import_preview(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    mut form: Multipart,
) -> AppResult<Response> {
    let mut kind = None;
    let mut bytes = None;
    while let Some(field) = form
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.bad_form"))?
    {
        match field.name() {
            Some("kind") => {
                kind = ListKind::parse(
                    &field
                        .text()
                        .await
                        .map_err(|_| AppError::BadRequest("error.bad_form"))?,
                )
            }
            Some("file") => {
                bytes = Some(field.bytes().await.map_err(|_| AppError::PayloadTooLarge)?)
            }
            _ => {}
        }
    }
    let kind = kind.ok_or(AppError::BadRequest("error.bad_form"))?;
    let congress = import_guard(&state, &ctx, cid, kind).await?;
    let bytes = bytes.filter(|b| !b.is_empty());
    let Some(bytes) = bytes else {
        let shell = Shell::new(&state, &ctx, "import.title")
            .await?
            .with_errors(&[FieldError::new("file", "import.choose_file")]);
        return html_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            ImportPage {
                shell,
                congress,
                report: None,
                token: String::new(),
                kind: kind.as_str().into(),
                file_error: tr(ctx.lang, "import.choose_file").into(),
                show_upload: true,
            },
        );
    };
    let term = current_term(&state, &congress).await?;
    let report = xlsx::import(
        &state.db,
        congress.id,
        term,
        kind,
        &bytes,
        false,
        &origin(&state, &ctx)?,
    )
    .await?;
    let mut token = String::new();
    if report.valid() {
        token = crate::platform::secret::random_token();
        let dir = imports_dir(&state);
        tokio::fs::create_dir_all(&dir)
            .await
            .map_err(AppError::internal)?;
        tokio::fs::write(dir.join(format!("{token}.xlsx")), &bytes)
            .await
            .map_err(AppError::internal)?;
    }
    let status = if report.valid() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shell = Shell::new(&state, &ctx, "import.preview_title").await?;
    html_status(
        status,
        ImportPage {
            shell,
            congress,
            report: Some(report),
            token,
            kind: kind.as_str().into(),
            file_error: String::new(),
            show_upload: true,
        },
    )
}

#[derive(Deserialize)]
struct ConfirmForm {
    token: String,
    kind: String,
}

async fn import_confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
    Form(f): Form<ConfirmForm>,
) -> AppResult<Response> {
    let kind = ListKind::parse(&f.kind).ok_or(AppError::BadRequest("error.bad_form"))?;
    let congress = import_guard(&state, &ctx, cid, kind).await?;
    if f.token.len() != 64 || !f.token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::BadRequest("error.bad_form"));
    }
    let path = imports_dir(&state).join(format!("{}.xlsx", f.token));
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|_| AppError::Conflict("import.expired"))?;
    let term = current_term(&state, &congress).await?;
    // Validated again: the roster may have changed since the preview.
    let report = xlsx::import(
        &state.db,
        congress.id,
        term,
        kind,
        &bytes,
        true,
        &origin(&state, &ctx)?,
    )
    .await?;
    if report.written {
        let _ = tokio::fs::remove_file(&path).await;
    }
    let status = if report.written {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let shell = Shell::new(&state, &ctx, "import.title").await?;
    html_status(
        status,
        ImportPage {
            shell,
            congress,
            report: Some(report),
            token: String::new(),
            kind: kind.as_str().into(),
            file_error: String::new(),
            show_upload: true,
        },
    )
}

fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}.xlsx\"; filename*=UTF-8''{}.xlsx",
        filename.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        pct(filename)
    );
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn kind_of_file(file: &str) -> AppResult<ListKind> {
    file.strip_suffix(".xlsx")
        .and_then(ListKind::parse)
        .ok_or(AppError::NotFound)
}

async fn export(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cid, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let cid: i64 = cid.parse().map_err(|_| AppError::NotFound)?;
    let kind = kind_of_file(&file)?;
    let perm = match kind {
        ListKind::Deputies => Permission::ViewRoster,
        ListKind::Units => Permission::ViewUnits,
    };
    let congress = guard(&state, &ctx, cid, perm).await?;
    let bytes = xlsx::export(&state.db, congress.id, kind, ctx.lang)
        .await
        .map_err(AppError::internal)?;
    let name = format!(
        "{}-{}",
        congress.short_name,
        tr(ctx.lang, &format!("export.{}", kind.as_str()))
    );
    Ok(xlsx_response(bytes, &name))
}

async fn template(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((cid, file)): Path<(String, String)>,
) -> AppResult<Response> {
    let cid: i64 = cid.parse().map_err(|_| AppError::NotFound)?;
    let kind = kind_of_file(&file)?;
    import_guard(&state, &ctx, cid, kind).await?;
    let bytes = xlsx::template(kind).map_err(AppError::internal)?;
    Ok(xlsx_response(
        bytes,
        tr(ctx.lang, &format!("export.template_{}", kind.as_str())),
    ))
}
