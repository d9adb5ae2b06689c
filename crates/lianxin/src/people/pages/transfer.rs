//! XLSX import (preview, then confirm) and export of the roster and the units, and templates.

use super::*;
use crate::platform::error::Field;

#[derive(Template)]
#[template(path = "people/templates/import.html")]
pub(super) struct ImportPage {
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
pub(super) async fn import_guard(
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

pub(super) async fn import_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Id(cid): Id,
) -> AppResult<Response> {
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

/// The context staged uploads are sealed under.
const STAGED: &str = "imports.staged";

pub(super) fn imports_dir(state: &AppState) -> std::path::PathBuf {
    state.config.data_dir.join("imports")
}

pub(super) async fn import_preview(
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
            .with_errors(&[FieldError::new(Field("file"), "import.choose_file")]);
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
        // The staged file holds personal data until it is confirmed: sealed like a column.
        let sealed = state
            .db
            .vault
            .seal_bytes(STAGED, &bytes)
            .map_err(AppError::internal)?;
        tokio::fs::write(dir.join(format!("{token}.sealed")), sealed)
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
pub(super) struct ConfirmForm {
    token: String,
    kind: String,
}

pub(super) async fn import_confirm(
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
    let path = imports_dir(&state).join(format!("{}.sealed", f.token));
    let sealed = tokio::fs::read_to_string(&path)
        .await
        .map_err(|_| AppError::Conflict("import.expired"))?;
    let bytes = state
        .db
        .vault
        .open_bytes(STAGED, &sealed)
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

pub(super) fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
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

pub(super) fn pct(s: &str) -> String {
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

pub(super) fn kind_of_file(file: &str) -> AppResult<ListKind> {
    file.strip_suffix(".xlsx")
        .and_then(ListKind::parse)
        .ok_or(AppError::NotFound)
}

pub(super) async fn export(
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

pub(super) async fn template(
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
