//! 组成人员 — the members of a congress's bodies, drawn from its deputies in office, added and
//! ended with their dates.

use super::*;

/// A member to put on a body, as entered.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
pub struct MemberInput {
    /// The body (standing committee, presidium or special committee) of this congress.
    pub organization_id: i64,
    /// The deputy, of this congress and in office.
    pub deputy_id: i64,
    /// chair / vice_chair / member
    pub post: String,
    /// YYYY-MM-DD
    pub starts_on: String,
}

/// Puts a deputy on a body of the congress (组织法 Art 19, 34, 47: members come from the deputies).
pub async fn add_member_cmd(
    db: &Db,
    congress: &Congress,
    input: &MemberInput,
    origin: &Origin,
) -> Result<i64, AppError> {
    use crate::people::domain::{BodyKind, Post, check_member};
    let mut errs = Vec::new();
    let kind = store::body(db, congress.id, input.organization_id)
        .await?
        .as_deref()
        .and_then(BodyKind::parse);
    if kind.is_none() {
        errs.push(FieldError::new(
            Field("organization_id"),
            "member.body_unknown",
        ));
    }
    let post = Post::parse(&input.post);
    if post.is_none() {
        errs.push(FieldError::new(Field("post"), "member.post_invalid"));
    }
    if chrono::NaiveDate::parse_from_str(input.starts_on.trim(), "%Y-%m-%d").is_err() {
        errs.push(FieldError::new(Field("starts_on"), "field.date_invalid"));
    }
    let deputy = store::deputy(db, congress.id, input.deputy_id).await?;
    let in_office = deputy.as_ref().is_some_and(|d| d.status.in_office());
    if let (Some(k), Some(p)) = (kind, post)
        && let Err(key) = check_member(k, p, in_office)
    {
        errs.push(FieldError::new(
            Field(if key == "member.not_deputy" {
                "deputy_id"
            } else {
                "post"
            }),
            key,
        ));
    }
    let (Some(_), Some(post), Some(deputy), true) = (kind, post, deputy, errs.is_empty()) else {
        return Err(AppError::Invalid(errs));
    };
    let person = crate::platform::ids::PersonId(deputy.person_id);
    let mut tx = db.write().await?;
    if store::is_current_member(&mut tx, input.organization_id, person).await? {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("deputy_id"),
            "member.already",
        )]));
    }
    let id = store::upsert_membership(
        &mut tx,
        congress.id,
        input.organization_id,
        person,
        post.as_str(),
        input.starts_on.trim(),
    )
    .await?;
    audit::append(
        &mut tx,
        &Record::by(
            origin,
            Some(congress.id),
            "people.member_add",
            format!("membership:{id}"),
            &["organization_id", "person_id", "post", "starts_on"],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn end_member_cmd(
    db: &Db,
    congress: &Congress,
    id: i64,
    ends_on: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    if chrono::NaiveDate::parse_from_str(ends_on.trim(), "%Y-%m-%d").is_err() {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("ends_on"),
            "field.date_invalid",
        )]));
    }
    let mut tx = db.write().await?;
    if !store::end_membership(&mut tx, congress.id, id, ends_on.trim()).await? {
        return Err(AppError::NotFound);
    }
    audit::append(
        &mut tx,
        &Record::by(
            origin,
            Some(congress.id),
            "people.member_end",
            format!("membership:{id}"),
            &["ends_on"],
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
