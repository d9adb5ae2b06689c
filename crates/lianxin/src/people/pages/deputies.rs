//! The deputies' roster: list and search, detail, create, edit, status change.

use super::*;

#[derive(Template)]
#[template(path = "people/templates/deputies.html")]
pub(super) struct DeputiesPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<store::DeputyRow>,
    /// For a search: each row's name with the matching part marked.
    highlights: Vec<super::Highlight>,
    q: String,
    next: Option<String>,
    can_edit: bool,
}

pub(super) async fn deputies(
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
pub(super) struct DeputyPage {
    shell: Shell,
    congress: Congress,
    d: store::DeputyDetail,
    can_edit: bool,
    /// The viewer's work needs the full personal data (a button shows it, audited).
    can_reveal: bool,
    revealed: Option<store::Personal>,
    today: String,
    updated: bool,
    /// 履职记录: meetings attended and votes taken part in (never how).
    meetings: crate::meetings::MeetingRecord,
}

#[derive(Deserialize)]
pub(super) struct DoneQuery {
    updated: Option<String>,
}

pub(super) async fn deputy(
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
    let can_reveal = allows(
        ctx.actor()?,
        Permission::RevealPersonal,
        congress.target(),
        state.policy(),
    );
    let shell = Shell::new(&state, &ctx, "deputy.title").await?;
    let meetings = crate::meetings::record_of(&state.db, congress.id, d.person_id).await?;
    html(DeputyPage {
        meetings,
        shell,
        congress,
        d,
        can_edit,
        can_reveal,
        revealed: None,
        today: state.clock.today().to_string(),
        updated: q.updated.is_some(),
    })
}

/// Shows the full personal data (a POST, so that it is a deliberate act and never cached or
/// prefetched); the viewing is audited.
pub(super) async fn reveal_deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::RevealPersonal).await?;
    let full =
        service::reveal_personal_cmd(&state.db, &congress, id, &origin(&state, &ctx)?).await?;
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
    let meetings = crate::meetings::record_of(&state.db, congress.id, d.person_id).await?;
    html(DeputyPage {
        meetings,
        shell,
        congress,
        d,
        can_edit,
        can_reveal: true,
        revealed: Some(full),
        today: state.clock.today().to_string(),
        updated: false,
    })
}

#[derive(Template)]
#[template(path = "people/templates/deputy_form.html")]
pub(super) struct DeputyForm {
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

pub(super) async fn deputy_form(
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

pub(super) async fn new_deputy(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<Response> {
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

pub(super) async fn create_deputy(
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

pub(super) fn input_of(d: &store::DeputyDetail) -> DeputyInput {
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
        // Contact details are not put back into the form: empty means unchanged.
        phone: String::new(),
        email: String::new(),
        address: String::new(),
    }
}

pub(super) async fn edit_deputy(
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

pub(super) async fn update_deputy(
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
pub(super) struct StatusForm {
    status: String,
    status_date: String,
    #[serde(default)]
    status_reason: String,
}

pub(super) async fn change_status(
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
            let can_reveal = allows(
                ctx.actor()?,
                Permission::RevealPersonal,
                congress.target(),
                state.policy(),
            );
            let shell = Shell::new(&state, &ctx, "deputy.title")
                .await?
                .with_errors(&errs);
            let meetings = crate::meetings::record_of(&state.db, congress.id, d.person_id).await?;
            html_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                DeputyPage {
                    meetings,
                    shell,
                    congress,
                    d,
                    can_edit: true,
                    can_reveal,
                    revealed: None,
                    today: f.status_date,
                    updated: false,
                },
            )
        }
        Err(e) => Err(e),
    }
}
