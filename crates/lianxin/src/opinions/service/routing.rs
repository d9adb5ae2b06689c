//! Routing an opinion: route to a handling unit (the town's through the presidium, the
//! district's through the office), the unit's return of what is not its matter, referral to
//! the right channel with the reason (never a silent closure), transfer between a town and its
//! district, and conversion into a deputy's suggestion. Each is one transaction with its
//! history step (the citizen sees the public note), its notices and its audit record.

use super::super::domain;
use super::super::store::{self, Opinion};
use super::{Handler, due_date, tell_citizen};
use crate::audit::{self, Record};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::{CongressId, UserId};
use crate::platform::origin::Origin;

/// A reason that must be given (1–1000 characters), trimmed; `missing` names the message.
fn stated_reason<'a>(reason: &'a str, missing: &'static str) -> Result<&'a str, AppError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::field(Field("reason"), missing));
    }
    if reason.chars().count() > 1000 {
        return Err(AppError::field(Field("reason"), "field.too_long"));
    }
    Ok(reason)
}

/// The opinion as the handler may act on it: seen by them (else not found) and held by them
/// now (else refused: answered, routed or converted meanwhile).
async fn held(
    db: &Db,
    congress: CongressId,
    id: i64,
    handler: Handler,
) -> Result<Opinion, AppError> {
    let o = store::get(db, congress, id)
        .await?
        .filter(|o| handler.sees(o))
        .ok_or(AppError::NotFound)?;
    if !handler.holds(&o) {
        return Err(AppError::field(Field("state"), "opinion.not_held"));
    }
    Ok(o)
}

async fn record(
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    action: &str,
    fields: &'static [&'static str],
    o: &Origin,
) -> Result<(), AppError> {
    let r = Record::by(o, Some(congress), action, format!("opinion:{id}"), fields);
    audit::append(tx, &r).await?;
    Ok(())
}

async fn tell_users(
    tx: &mut Tx<'_>,
    congress: CongressId,
    users: &[i64],
    id: i64,
    (kind, zh, en): (&str, &str, &str),
    o: &Origin,
) -> Result<(), AppError> {
    let link = format!("/c/{}/opinions/{id}", congress.0);
    for u in users.iter().filter(|u| **u != o.user.0) {
        crate::notify::notify(
            tx,
            &crate::notify::Notice {
                congress: Some(congress),
                user: UserId(*u),
                kind,
                title_zh: zh,
                title_en: en,
                link: &link,
            },
            o.now,
        )
        .await?;
    }
    Ok(())
}

/// 转交 — the station, the deputy or the office hands the opinion to a handling unit of the
/// congress, which answers by `opinion.answer_window` from today. The unit hears of it in the
/// inbox it uses for suggestions.
pub async fn route(
    db: &Db,
    congress: CongressId,
    id: i64,
    handler: Handler,
    unit: i64,
    o: &Origin,
) -> Result<(), AppError> {
    if matches!(handler, Handler::Unit(_)) {
        return Err(AppError::Forbidden);
    }
    let op = held(db, congress, id, handler).await?;
    let Some(unit_name) = crate::people::unit_name(db, congress, unit).await? else {
        return Err(AppError::field(Field("unit"), "opinion.unit_required"));
    };
    let town = crate::congress::get(db, congress)
        .await?
        .is_some_and(|c| c.parent.is_some());
    // A town's opinions reach the town government through the presidium; the district's reach
    // its departments through the standing committee's office.
    let via = if town {
        "经镇人大主席团"
    } else {
        "经区人大常委会代表工作机构"
    };
    let due = due_date(db, congress, o.today).await?.to_string();
    let mut tx = db.write().await?;
    if !store::route(&mut tx, congress, id, unit, &due, o.now).await? {
        return Err(AppError::field(Field("state"), "opinion.not_held"));
    }
    let note = format!("{via}转交{unit_name}办理，应于{due}前答复");
    store::event(
        &mut tx,
        congress,
        id,
        Some(o.user.0),
        "routed",
        &note,
        o.now,
    )
    .await?;
    let users = crate::suggestions::unit_users(db, congress, &[unit]).await?;
    let code = domain::show_code(&op.tracking_code);
    tell_users(
        &mut tx,
        congress,
        &users,
        id,
        (
            "opinion_routed",
            &format!("群众意见{code}转交你单位办理，请于{due}前答复"),
            &format!("Citizen's opinion {code} is routed to your unit; answer by {due}"),
        ),
        o,
    )
    .await?;
    tell_citizen(db, &mut tx, &op, &format!("已转交{unit_name}办理"), o.now).await?;
    record(
        &mut tx,
        congress,
        id,
        "opinions.route",
        &["unit_id", "due_on"],
        o,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 退回 — the unit gives back what is not its matter, with the reason; the congress routes it
/// again. The office (and the deputy it was addressed to) hear of it.
pub async fn unit_return(
    db: &Db,
    congress: CongressId,
    id: i64,
    unit: i64,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let op = held(db, congress, id, Handler::Unit(unit)).await?;
    let reason = stated_reason(reason, "opinion.reason_required_return")?;
    let mut tx = db.write().await?;
    if !store::unit_return(&mut tx, congress, id, unit, o.now).await? {
        return Err(AppError::field(Field("state"), "opinion.not_held"));
    }
    store::event(
        &mut tx,
        congress,
        id,
        Some(o.user.0),
        "returned",
        "承办单位说明不属其职责，正在重新交办",
        o.now,
    )
    .await?;
    let mut users = crate::suggestions::office_users(db, congress).await?;
    if let Some(d) = op.deputy_id {
        users.extend(crate::suggestions::deputy_users(db, congress, &[d]).await?);
    }
    let code = domain::show_code(&op.tracking_code);
    tell_users(
        &mut tx,
        congress,
        &users,
        id,
        (
            "opinion_returned",
            &format!("群众意见{code}被承办单位退回：{reason}"),
            &format!("Citizen's opinion {code} was returned by the unit: {reason}"),
        ),
        o,
    )
    .await?;
    record(
        &mut tx,
        congress,
        id,
        "opinions.unit_return",
        &["unit_id", "reason"],
        o,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Where a citizen can be referred, with the law that opens that road.
pub const REFERRALS: &[&str] = &[
    "litigation",
    "petition",
    "arbitration",
    "administrative_review",
    "other_authority",
];

/// 告知其他渠道 — the matter belongs to another road (a court, the petition-letters office, …):
/// the opinion closes with the explanation as its answer, naming the reason and where to go.
/// The citizen may rate it; 不满意 reopens it like any answer.
pub async fn refer(
    db: &Db,
    congress: CongressId,
    id: i64,
    handler: Handler,
    referral: &str,
    explanation: &str,
    o: &Origin,
) -> Result<(), AppError> {
    if matches!(handler, Handler::Unit(_)) {
        return Err(AppError::Forbidden);
    }
    let op = held(db, congress, id, handler).await?;
    let mut errors = Vec::new();
    if !REFERRALS.contains(&referral) {
        errors.push(FieldError::new(
            Field("referral"),
            "opinion.referral_required",
        ));
    }
    let explanation = explanation.trim();
    // A closure names its reason: a few words will not do.
    if explanation.chars().count() < 10 {
        errors.push(FieldError::new(
            Field("explanation"),
            "opinion.explanation_required",
        ));
    } else if explanation.chars().count() > 5000 {
        errors.push(FieldError::new(Field("explanation"), "field.too_long"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    if !store::refer(
        &mut tx,
        congress,
        id,
        referral,
        explanation,
        &o.today.to_string(),
        o.now,
    )
    .await?
    {
        return Err(AppError::field(Field("state"), "opinion.not_held"));
    }
    store::event(&mut tx, congress, id, Some(o.user.0), "referred", "", o.now).await?;
    tell_citizen(db, &mut tx, &op, "已答复并告知办理渠道", o.now).await?;
    record(
        &mut tx,
        congress,
        id,
        "opinions.refer",
        &["referral", "answer"],
        o,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 移交 — a town hands an opinion to its district, or the district to one of its towns: the
/// opinion now belongs to the other congress, which answers by its own window. Audited in both.
pub async fn transfer(
    db: &Db,
    from: CongressId,
    id: i64,
    to: CongressId,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let op = held(db, from, id, Handler::Staff).await?;
    let here = crate::congress::get(db, from)
        .await?
        .ok_or(AppError::NotFound)?;
    let there = crate::congress::get(db, to).await?;
    let Some(there) = there.filter(|t| here.parent == Some(t.id) || t.parent == Some(here.id))
    else {
        return Err(AppError::field(Field("to"), "opinion.transfer_not_related"));
    };
    let reason = stated_reason(reason, "opinion.reason_required_transfer")?;
    let due = due_date(db, to, o.today).await?.to_string();
    let mut tx = db.write().await?;
    match store::transfer(&mut tx, from, id, to, &due, o.now).await {
        Ok(true) => {}
        Ok(false) => return Err(AppError::field(Field("state"), "opinion.not_held")),
        // A livelihood proposal of the old congress still refers to it (its key holds).
        Err(sqlx::Error::Database(d)) if d.is_foreign_key_violation() => {
            return Err(AppError::Conflict("opinion.transfer_in_use"));
        }
        Err(e) => return Err(e.into()),
    }
    let files = crate::attachments::Owner {
        congress: from,
        kind: "opinion",
        id,
    };
    crate::attachments::move_to(&mut tx, files, to).await?;
    crate::search::remove(&mut tx, from, "opinion", id).await?;
    let note = format!("移交{}办理，应于{due}前答复", there.name);
    store::event(&mut tx, to, id, Some(o.user.0), "transferred", &note, o.now).await?;
    crate::search::index(
        &mut tx,
        &crate::search::Doc {
            congress: to,
            kind: "opinion",
            item_id: id,
            title: "",
            body: &op.body,
        },
        o.now,
    )
    .await?;
    let threshold = super::grouping::threshold(db, to).await?;
    let text = super::grouping::Features::of(to, &op.body);
    super::grouping::link(&mut tx, to, id, &text, threshold, Some(o.user.0), o.now).await?;
    let users = crate::suggestions::office_users(db, to).await?;
    let code = domain::show_code(&op.tracking_code);
    tell_users(
        &mut tx,
        to,
        &users,
        id,
        (
            "opinion_transferred",
            &format!("{}移交群众意见{code}：{reason}", here.name),
            &format!(
                "{} transferred citizen's opinion {code}: {reason}",
                here.name
            ),
        ),
        o,
    )
    .await?;
    tell_citizen(
        db,
        &mut tx,
        &op,
        &format!("已移交{}办理", there.name),
        o.now,
    )
    .await?;
    record(
        &mut tx,
        from,
        id,
        "opinions.transfer_out",
        &["congress_id", "reason"],
        o,
    )
    .await?;
    record(
        &mut tx,
        to,
        id,
        "opinions.transfer_in",
        &["congress_id", "reason"],
        o,
    )
    .await?;
    // SQLite checks the opinion's references at commit (PostgreSQL at the move, above).
    tx.commit().await.map_err(|e| match e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
            AppError::Conflict("opinion.transfer_in_use")
        }
        e => e.into(),
    })?;
    Ok(())
}

/// The suggestion category nearest an opinion's.
fn suggestion_category(opinion_category: &str) -> &'static str {
    match opinion_category {
        "roads_transport" | "housing" => "urban_construction",
        "schools" => "education_culture",
        "elderly_care" | "medical_insurance" => "social_security",
        "environment" => "environment",
        "business" => "economy",
        "public_safety" => "public_safety",
        _ => "other",
    }
}

/// 转为代表建议 — the deputy the opinions were addressed to drafts a suggestion from them: a
/// pre-filled draft they revise and submit as any other. Each opinion is then followed through
/// the suggestion; its reply answers them. Returns the draft's id.
pub async fn convert(
    db: &Db,
    congress: CongressId,
    deputy: i64,
    ids: &[i64],
    o: &Origin,
) -> Result<i64, AppError> {
    if ids.is_empty() {
        return Err(AppError::field(Field("ids"), "opinion.choose_some"));
    }
    let mut ops = Vec::new();
    for id in ids {
        ops.push(held(db, congress, *id, Handler::Deputy(deputy)).await?);
    }
    let first = &ops[0];
    let gist: String = first.body.chars().take(24).collect();
    let mut content = String::from("群众通过代表联络渠道反映：\n");
    for (i, op) in ops.iter().enumerate() {
        content.push_str(&format!(
            "{}. {}（{}，查询码{}）\n",
            i + 1,
            op.body,
            if op.place.is_empty() {
                "—"
            } else {
                &op.place
            },
            domain::show_code(&op.tracking_code)
        ));
    }
    content.push_str("\n建议：");
    let input = crate::suggestions::service::DraftInput {
        title: format!("关于“{gist}”的建议"),
        content,
        category: suggestion_category(&first.category).to_string(),
        ..Default::default()
    };
    let sid = crate::suggestions::service::draft(db, congress, deputy, &input, o).await?;
    let mut tx = db.write().await?;
    for op in &ops {
        if !store::converted(&mut tx, congress, op.id, sid, o.now).await? {
            return Err(AppError::field(Field("state"), "opinion.not_held"));
        }
        store::event(
            &mut tx,
            congress,
            op.id,
            Some(o.user.0),
            "converted",
            "代表已据此起草代表建议，建议的办理进展和答复将在这里显示",
            o.now,
        )
        .await?;
        tell_citizen(db, &mut tx, op, "已由代表转为代表建议", o.now).await?;
        record(
            &mut tx,
            congress,
            op.id,
            "opinions.convert",
            &["suggestion_id"],
            o,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(sid)
}

/// The suggestion's reply answers the opinions it was converted from (called in the reply's
/// transaction, so the citizen's page and the deputy's see it at the same moment).
/// The suggestions' [`Replied`](crate::suggestions::service::Replied) hook: [`suggestion_replied`].
pub const REPLIED: crate::suggestions::service::Replied =
    crate::suggestions::service::Replied(|db, tx, r| {
        Box::pin(suggestion_replied(
            db,
            tx,
            r.congress,
            r.suggestion,
            r.text,
            r.origin,
        ))
    });

pub async fn suggestion_replied(
    db: &Db,
    tx: &mut Tx<'_>,
    congress: CongressId,
    suggestion: i64,
    reply: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let ids =
        store::answer_from_suggestion(tx, congress, suggestion, reply, &o.today.to_string(), o.now)
            .await?;
    for id in ids {
        store::event(tx, congress, id, None, "answered_by_suggestion", "", o.now).await?;
        if let Some(op) = store::get(db, congress, id).await? {
            tell_citizen(db, tx, &op, "所转代表建议已答复", o.now).await?;
        }
    }
    Ok(())
}
