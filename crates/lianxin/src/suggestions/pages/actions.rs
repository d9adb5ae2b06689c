//! The actions on a suggestion's page: each one asks the service and goes back to the item.

use super::super::domain::Command;
use super::super::service::{self};
use super::super::{capacity, guard};
use crate::platform::error::Field;
use crate::platform::error::{AppError, AppResult, FieldError};
use crate::web::AppState;
use crate::web::ctx::Ctx;
use crate::web::extract::{Form, Ids};
use axum::extract::State as AxState;
use axum::response::Response;
use serde::Deserialize;

use super::detail::{after, deputy_here, office_here, render, unit_here};

#[derive(Deserialize)]
pub(super) struct ConsentForm {
    #[serde(default)]
    accept: String,
}

pub(super) async fn consent(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ConsentForm>,
) -> AppResult<Response> {
    let (congress, d) = deputy_here(&state, &ctx, cid).await?;
    let r = service::answer_invitation(
        &state.db,
        congress.id,
        id,
        d,
        f.accept == "1",
        &ctx.origin(&state)?,
    )
    .await;
    after(&state, &ctx, cid, id, "consent", r).await
}

pub(super) async fn submit(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let (congress, d) = deputy_here(&state, &ctx, cid).await?;
    let r = service::lead_action(&state.db, congress.id, id, d, false, &ctx.origin(&state)?).await;
    after(&state, &ctx, cid, id, "submit", r).await
}

pub(super) async fn withdraw(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let (congress, d) = deputy_here(&state, &ctx, cid).await?;
    let r = service::lead_action(&state.db, congress.id, id, d, true, &ctx.origin(&state)?).await;
    after(&state, &ctx, cid, id, "withdraw", r).await
}

#[derive(Deserialize)]
pub(super) struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn review(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReviewForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let cmd = match f.decision.as_str() {
        "register" => Command::Register,
        "return" => Command::ReturnForRevision,
        "reject" => Command::Reject,
        _ => {
            return render(
                &state,
                &ctx,
                cid,
                id,
                &[FieldError::new(Field("decision"), "field.required")],
                String::new(),
            )
            .await;
        }
    };
    let r = service::review(
        &state.db,
        congress.id,
        id,
        cmd,
        &f.reason,
        &ctx.origin(&state)?,
    )
    .await
    .map(|_| ());
    after(&state, &ctx, cid, id, "review", r).await
}

/// The assignment form: a lead unit and co-units (a multi-select sends the key repeatedly, so
/// the body is read as pairs).
pub(super) async fn assign(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let get = |k: &str| f.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let lead = get("lead_unit").and_then(|v| v.parse::<i64>().ok());
    let co: Vec<i64> = f
        .iter()
        .filter(|(k, _)| k == "co_units")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let complex = get("complex") == Some("1");
    let r = service::assign(
        &state.db,
        congress.id,
        id,
        lead,
        &co,
        complex,
        &ctx.origin(&state)?,
    )
    .await
    .map(|_| ());
    after(&state, &ctx, cid, id, "assign", r).await
}

#[derive(Deserialize)]
pub(super) struct ReasonForm {
    #[serde(default)]
    reason: String,
}

pub(super) async fn unit_return(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let (congress, unit, _) = unit_here(&state, &ctx, cid).await?;
    let r = service::unit_return(
        &state.db,
        congress.id,
        id,
        unit,
        &f.reason,
        &ctx.origin(&state)?,
    )
    .await;
    after(&state, &ctx, cid, id, "unit_return", r).await
}

#[derive(Deserialize)]
pub(super) struct ContactForm {
    #[serde(default)]
    on_date: String,
    #[serde(default)]
    form: String,
    #[serde(default)]
    content: String,
}

pub(super) async fn contact(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ContactForm>,
) -> AppResult<Response> {
    let (congress, unit, _) = unit_here(&state, &ctx, cid).await?;
    let c = service::ContactInput {
        unit,
        on_date: &f.on_date,
        form: &f.form,
        content: &f.content,
    };
    let r = service::log_contact(&state.db, congress.id, id, &c, &ctx.origin(&state)?).await;
    after(&state, &ctx, cid, id, "contact", r).await
}

#[derive(Deserialize)]
pub(super) struct ReplyForm {
    #[serde(default)]
    class: String,
    #[serde(default)]
    body: String,
}

pub(super) async fn reply(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReplyForm>,
) -> AppResult<Response> {
    let (congress, unit, head) = unit_here(&state, &ctx, cid).await?;
    let input = service::ReplyInput {
        unit,
        head,
        class: &f.class,
        body: &f.body,
    };
    let replied = *state.service::<service::Replied>()?;
    let r = service::reply(
        &state.db,
        congress.id,
        id,
        input,
        &ctx.origin(&state)?,
        replied,
    )
    .await;
    after(&state, &ctx, cid, id, "reply", r).await
}

#[derive(Deserialize)]
pub(super) struct RateForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

pub(super) async fn rate(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<RateForm>,
) -> AppResult<Response> {
    let (congress, d) = deputy_here(&state, &ctx, cid).await?;
    let r = service::rate(
        &state.db,
        congress.id,
        id,
        d,
        &f.rating,
        &f.comment,
        &ctx.origin(&state)?,
    )
    .await
    .map(|_| ());
    after(&state, &ctx, cid, id, "rate", r).await
}

pub(super) async fn delivery(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
) -> AppResult<Response> {
    let congress = guard(&state, &ctx, cid).await?;
    let cap = capacity(&state, &ctx, &congress).await?;
    let r = service::delivery(&state.db, congress.id, id, cap, &ctx.origin(&state)?).await;
    after(&state, &ctx, cid, id, "delivery", r).await
}

pub(super) async fn close(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ReasonForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let r =
        service::close_escalated(&state.db, congress.id, id, &f.reason, &ctx.origin(&state)?).await;
    after(&state, &ctx, cid, id, "close", r).await
}

#[derive(Deserialize)]
pub(super) struct ExtensionForm {
    #[serde(default)]
    months: String,
    #[serde(default)]
    extension_reason: String,
}

pub(super) async fn extension(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ExtensionForm>,
) -> AppResult<Response> {
    let (congress, unit, _) = unit_here(&state, &ctx, cid).await?;
    let months = f.months.trim().parse::<i64>().unwrap_or(0);
    let r = service::request_extension(
        &state.db,
        congress.id,
        id,
        unit,
        months,
        &f.extension_reason,
        &ctx.origin(&state)?,
    )
    .await;
    after(&state, &ctx, cid, id, "extension", r).await
}

#[derive(Deserialize)]
pub(super) struct ApproveForm {
    #[serde(default)]
    approve: String,
}

pub(super) async fn extension_decision(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<ApproveForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let r = service::decide_extension(
        &state.db,
        congress.id,
        id,
        f.approve == "1",
        &ctx.origin(&state)?,
    )
    .await;
    after(&state, &ctx, cid, id, "extension_decision", r).await
}

#[derive(Deserialize)]
pub(super) struct KeyForm {
    #[serde(default)]
    supervisor: String,
    #[serde(default)]
    note: String,
}

pub(super) async fn key(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<KeyForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let r = service::key_supervision(
        &state.db,
        congress.id,
        id,
        &f.supervisor,
        &f.note,
        &ctx.origin(&state)?,
    )
    .await;
    after(&state, &ctx, cid, id, "key", r).await
}

#[derive(Deserialize)]
pub(super) struct OpinionForm {
    #[serde(default)]
    opinion: String,
}

pub(super) async fn opinion(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<OpinionForm>,
) -> AppResult<Response> {
    let (congress, unit, _) = unit_here(&state, &ctx, cid).await?;
    let r = service::co_opinion(
        &state.db,
        congress.id,
        id,
        unit,
        &f.opinion,
        &ctx.origin(&state)?,
    )
    .await;
    after(&state, &ctx, cid, id, "opinion", r).await
}

#[derive(Deserialize)]
pub(super) struct PublishForm {
    #[serde(default)]
    publish: bool,
}

pub(super) async fn publish(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<PublishForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let r = service::publish(&state.db, congress.id, id, f.publish, &ctx.origin(&state)?).await;
    let done = if f.publish { "publish" } else { "unpublish" };
    after(&state, &ctx, cid, id, done, r).await
}

#[derive(Deserialize)]
pub(super) struct MergeForm {
    #[serde(default)]
    into: String,
}

pub(super) async fn merge(
    AxState(state): AxState<AppState>,
    ctx: Ctx,
    Ids(cid, id): Ids,
    Form(f): Form<MergeForm>,
) -> AppResult<Response> {
    let congress = office_here(&state, &ctx, cid).await?;
    let r = match f.into.trim().parse::<i64>() {
        Ok(into) => service::merge(&state.db, congress.id, id, into, &ctx.origin(&state)?).await,
        Err(_) => Err(AppError::Invalid(vec![FieldError::new(
            Field("into"),
            "suggestion.merge_target_unknown",
        )])),
    };
    after(&state, &ctx, cid, id, "merge", r).await
}
