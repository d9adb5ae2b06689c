//! Drafting: a deputy writes a suggestion and invites co-signers; its number's period is the
//! session if one is sitting (大会期间), else the year (闭会期间).

use super::*;

/// Input of a new draft.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DraftInput {
    pub title: String,
    pub content: String,
    /// One of the categories (`economy`, `health`, …).
    pub category: String,
    /// Co-signers' names, separated by 、 , ， or spaces (deputies of this congress in office).
    pub cosigners: String,
    /// The town it concerns (id of a town congress of this district), if any.
    pub town: String,
    /// 以代表团名义 — drafted at a session in the name of the drafting deputy's delegation.
    pub as_delegation: bool,
}

/// The numbering period of an item drafted today: the session if one is sitting (大会期间),
/// else the year (闭会期间).
pub async fn period_of(
    db: &Db,
    congress: CongressId,
    today: NaiveDate,
) -> Result<(String, String), AppError> {
    let t = today.to_string();
    let sitting = crate::congress::sessions(db, congress)
        .await?
        .into_iter()
        .find(|s| s.opens_on <= t && t <= s.closes_on);
    Ok(match sitting {
        Some(s) => ("session".into(), format!("s{}", s.id)),
        None => (
            "recess".into(),
            format!("y{}", chrono::Datelike::year(&today)),
        ),
    })
}

/// A deputy drafts a suggestion and invites co-signers (who must consent before submission).
pub async fn draft(
    db: &Db,
    congress: CongressId,
    deputy: i64,
    input: &DraftInput,
    o: &Origin,
) -> Result<i64, AppError> {
    let mut errors = Vec::new();
    let title = input.title.trim();
    let content = input.content.trim();
    if title.is_empty() {
        errors.push(FieldError::new(Field("title"), "field.required"));
    } else if title.chars().count() > 100 {
        errors.push(FieldError::new(Field("title"), "field.too_long"));
    }
    if content.is_empty() {
        errors.push(FieldError::new(Field("content"), "field.required"));
    } else if content.chars().count() > 20_000 {
        errors.push(FieldError::new(Field("content"), "field.too_long"));
    }
    if !CATEGORIES.contains(&input.category.as_str()) {
        errors.push(FieldError::new(Field("category"), "field.required"));
    }
    let mut cosigners = Vec::new();
    for name in crate::text::name_list(&input.cosigners) {
        let found = crate::people::deputies_named(db, congress, name).await?;
        match found.as_slice() {
            [one] if *one == deputy => {}
            [one] => cosigners.push(*one),
            [] => {
                errors.push(
                    FieldError::new(Field("cosigners"), "suggestion.cosigner_unknown")
                        .with_arg(name),
                );
                break;
            }
            _ => {
                errors.push(
                    FieldError::new(Field("cosigners"), "suggestion.cosigner_ambiguous")
                        .with_arg(name),
                );
                break;
            }
        }
    }
    let town = match input.town.trim() {
        "" => None,
        t => {
            let found = match t.parse::<i64>() {
                Ok(tid) => crate::congress::get(db, CongressId(tid))
                    .await?
                    .filter(|c| c.parent == Some(congress))
                    .map(|c| c.id.0),
                Err(_) => None,
            };
            if found.is_none() {
                errors.push(FieldError::new(Field("town"), "suggestion.town_not_here"));
            }
            found
        }
    };
    let (period_kind, period_key) = period_of(db, congress, o.today).await?;
    let delegation = if input.as_delegation {
        // Delegations are formed for the session (代表法 Art 14), so they propose only while it sits.
        let d = store::delegation_of(db, congress, deputy).await?;
        if period_kind != "session" {
            errors.push(FieldError::new(
                Field("as_delegation"),
                "suggestion.delegation_only_in_session",
            ));
        } else if d.is_none() {
            errors.push(FieldError::new(
                Field("as_delegation"),
                "suggestion.no_delegation",
            ));
        }
        d
    } else {
        None
    };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    let id = store::insert(
        &mut tx,
        &NewSuggestion {
            congress,
            lead_deputy: deputy,
            title,
            content,
            category: &input.category,
            town,
            delegation,
            period_kind: &period_kind,
            period_key: &period_key,
            now: o.now,
        },
    )
    .await?;
    for c in &cosigners {
        store::invite(&mut tx, congress, id, *c).await?;
    }
    if !cosigners.is_empty() {
        let users = store::deputy_users(db, congress, &cosigners).await?;
        let lead = store::deputy_of_user(db, congress, o.user.0)
            .await?
            .map(|(_, name)| name)
            .unwrap_or_default();
        let t = notices::Tell {
            kind: "suggestion_invited",
            reach: false,
            zh: format!("{lead}代表邀请您联名提出建议：{title}"),
            en: format!("{lead} invites you to co-sign a suggestion: {title}"),
        };
        notices::tell(db, &mut tx, congress, id, &users, &t, o).await?;
    }
    store::event(
        &mut tx,
        congress,
        id,
        &store::Step {
            user: Some(o.user.0),
            action: "draft",
            from: "",
            to: "draft",
            note: "",
            now: o.now,
        },
    )
    .await?;
    crate::search::index(
        &mut tx,
        &crate::search::Doc {
            congress,
            kind: "suggestion",
            item_id: id,
            title,
            body: content,
        },
        o.now,
    )
    .await?;
    record(
        &mut tx,
        congress,
        id,
        o,
        "draft",
        &["title", "content", "category", "cosigners"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
