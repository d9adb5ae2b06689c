//! Handling units: list and search, create, edit (with their heads).

use super::*;

#[derive(Template)]
#[template(path = "people/templates/units.html")]
pub(super) struct UnitsPage {
    shell: Shell,
    congress: Congress,
    rows: Vec<store::Unit>,
    highlights: Vec<super::Highlight>,
    q: String,
    next: Option<String>,
    can_edit: bool,
}

pub(super) async fn units(
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
pub(super) struct UnitForm {
    shell: Shell,
    congress: Congress,
    action: String,
    input: UnitInput,
    organs: Vec<(String, String)>,
    genders: Vec<(String, String)>,
}

pub(super) async fn unit_form(
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

pub(super) async fn new_unit(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid, Permission::EditUnits).await?;
    let action = format!("/c/{}/units", congress.id);
    let input = UnitInput {
        organ_kind: "government".into(),
        ..UnitInput::default()
    };
    html(unit_form(&state, &ctx, congress, action, input, &[]).await?)
}

pub(super) async fn create_unit(
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

pub(super) async fn edit_unit(
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

pub(super) async fn update_unit(
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
