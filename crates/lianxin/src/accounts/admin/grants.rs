//! Granting and revoking roles (the security administrator's half of 三员分立): a grant that
//! would break the separation, or one in a congress outside the administrator's scope, is refused.

use super::*;

#[derive(Deserialize)]
pub(super) struct GrantForm {
    congress: String,
    role: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    organization: String,
}

pub(super) async fn add_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(id): Id,
    Form(f): Form<GrantForm>,
) -> AppResult<Response> {
    let user = UserId(id);
    let actor = ctx.actor()?.clone();
    if actor.user == user {
        return Err(AppError::Denied("admin.not_self"));
    }
    let congress = crate::web::shell::congress(
        &state,
        f.congress
            .parse()
            .map_err(|_| AppError::BadRequest("error.bad_form"))?,
    )
    .await?;
    if !allows(
        &actor,
        Permission::ManageGrants,
        congress.target(),
        state.policy(),
    ) {
        return Err(AppError::Forbidden);
    }
    store::user_row(&state.db, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let role = Role::parse(&f.role).ok_or(AppError::BadRequest("error.bad_form"))?;
    let office = Office::parse(&f.office);
    let organization: Option<i64> = f.organization.parse().ok();
    if let Some(org) = organization
        && crate::people::unit(&state.db, congress.id, org)
            .await?
            .is_none()
    {
        return show_user(
            &state,
            &ctx,
            user,
            None,
            &[FieldError::new(
                Field("organization"),
                "admin.unit_elsewhere",
            )],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let new = Grant {
        congress: congress.id,
        role,
        office: if role == Role::Staff { office } else { None },
        organization,
    };
    let mut all = store::grants_of(&state.db, user).await?;
    if all
        .iter()
        .any(|g| g.congress == new.congress && g.role == new.role)
    {
        return show_user(
            &state,
            &ctx,
            user,
            None,
            &[FieldError::new(Field("role"), "admin.grant_exists")],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    all.push(new.clone());
    if let Err(conflict) = check_grants(&all) {
        let key = match conflict {
            GrantConflict::AdminWithOtherRole => "admin.separation",
            GrantConflict::StaffWithoutOffice => "admin.office_required",
            GrantConflict::UnitRoleWithoutUnit => "admin.unit_required",
        };
        return show_user(
            &state,
            &ctx,
            user,
            None,
            &[FieldError::new(Field("role"), key)],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    store::grant(&mut tx, user, &new, now).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            Some(congress.id),
            "accounts.grant",
            id,
            &["role", "office", "organization_id"],
        )?,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

pub(super) async fn revoke_grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Ids(id, gid): Ids,
) -> AppResult<Response> {
    let user = UserId(id);
    let actor = ctx.actor()?.clone();
    if actor.user == user {
        return Err(AppError::Denied("admin.not_self"));
    }
    let rows = store::grant_rows(&state.db, user).await?;
    let g = rows
        .iter()
        .find(|g| g.id == gid)
        .ok_or(AppError::NotFound)?;
    let congress = crate::web::shell::congress(&state, g.congress_id).await?;
    if !allows(
        &actor,
        Permission::ManageGrants,
        congress.target(),
        state.policy(),
    ) {
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.write().await?;
    store::revoke(&mut tx, user, gid).await?;
    audit::append(
        &mut tx,
        &record(
            &ctx,
            now,
            Some(congress.id),
            "accounts.revoke",
            id,
            &["role"],
        )?,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}
