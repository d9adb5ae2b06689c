//! 评价 — the evaluation of a reply. By default the lead deputy rates and that rating decides;
//! when the congress's `suggestion.rating_by` setting is `every_signer`, every signer who
//! consented rates once, and the item's rating is [`domain::combine`]d when the last of them has
//! rated — or, if the feedback window passes first, from those who did (silence alone is never
//! satisfaction: with no rating at all the item closes as not rated).

use super::*;
use crate::platform::error::Field;

/// Who rates an item's reply, by the congress's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingBy {
    LeadDeputy,
    EverySigner,
}

pub async fn rating_by(db: &Db, congress: CongressId) -> Result<RatingBy, AppError> {
    let v = crate::settings::get(db, congress, "suggestion.rating_by").await?;
    Ok(match v.as_ref().map(|r| r.value.as_str()) {
        Some("every_signer") => RatingBy::EverySigner,
        _ => RatingBy::LeadDeputy,
    })
}

/// The deputies entitled to rate: the lead, and under `every_signer` each co-signer who consented.
pub async fn raters(
    db: &Db,
    congress: CongressId,
    s: &Suggestion,
    by: RatingBy,
) -> Result<Vec<i64>, AppError> {
    let mut out = vec![s.lead_deputy_id];
    if by == RatingBy::EverySigner {
        out.extend(
            store::signers(db, congress, s.id)
                .await?
                .into_iter()
                .filter(|g| g.consent == "accepted")
                .map(|g| g.deputy_id),
        );
    }
    Ok(out)
}

/// Whether `deputy` may rate the item now (its reply is waiting and they have not rated it).
pub async fn may_rate(
    db: &Db,
    congress: CongressId,
    s: &Suggestion,
    deputy: i64,
) -> Result<bool, AppError> {
    if state_of(s)? != State::Replied {
        return Ok(false);
    }
    let by = rating_by(db, congress).await?;
    if !raters(db, congress, s, by).await?.contains(&deputy) {
        return Ok(false);
    }
    Ok(!store::ratings(db, congress, s.id)
        .await?
        .iter()
        .any(|r| r.deputy_id == deputy && r.round == s.unsatisfied_count))
}

/// A deputy rates the reply, with an optional comment. Returns the item's state afterwards
/// (still `replied` while other signers have yet to rate).
pub async fn rate(
    db: &Db,
    congress: CongressId,
    id: i64,
    deputy: i64,
    rating: &str,
    comment: &str,
    o: &Origin,
) -> Result<State, AppError> {
    let s = load(db, congress, id, Capacity::Deputy(deputy)).await?;
    let by = rating_by(db, congress).await?;
    let entitled = raters(db, congress, &s, by).await?;
    if !entitled.contains(&deputy) {
        return Err(not_entitled(db, congress, id, o, "rate").await);
    }
    let Some(rating) = Rating::parse(rating) else {
        return Err(AppError::field(
            Field("rating"),
            "suggestion.rating_required",
        ));
    };
    let comment = comment.trim();
    if comment.chars().count() > 2000 {
        return Err(AppError::field(Field("comment"), "field.too_long"));
    }
    if state_of(&s)? != State::Replied {
        refused(db, congress, id, o, "rate").await;
        return Err(AppError::field(
            Field("state"),
            "suggestion.refused.not_replied",
        ));
    }
    let round = s.unsatisfied_count;
    let mut tx = db.write().await?;
    let evaluation = store::NewRating {
        deputy,
        round,
        rating,
        comment,
    };
    if !store::insert_rating(&mut tx, congress, id, &evaluation, o.now).await? {
        drop(tx);
        refused(db, congress, id, o, "rate").await;
        return Err(AppError::field(
            Field("rating"),
            "suggestion.refused.rated_already",
        ));
    }
    // Who has rated this round, this one included.
    let mut given: Vec<(i64, Rating)> = store::ratings(db, congress, id)
        .await?
        .into_iter()
        .filter(|r| r.round == round && r.deputy_id != deputy)
        .filter_map(|r| Rating::parse(&r.rating).map(|x| (r.deputy_id, x)))
        .collect();
    given.push((deputy, rating));
    let everyone = entitled.iter().all(|d| given.iter().any(|(g, _)| g == d));
    if !everyone {
        store::event(
            &mut tx,
            congress,
            id,
            &store::Step {
                user: Some(o.user.0),
                action: "rate_signer",
                from: &s.state,
                to: &s.state,
                note: rating.as_str(),
                now: o.now,
            },
        )
        .await?;
        record(
            &mut tx,
            congress,
            id,
            o,
            "rate_signer",
            &["rating", "comment"],
        )
        .await?;
        tx.commit().await?;
        return Ok(State::Replied);
    }
    let ratings: Vec<Rating> = given.iter().map(|(_, r)| *r).collect();
    let combined = domain::combine(&ratings).unwrap_or(rating);
    let to = settle(db, &mut tx, congress, &s, combined, Settler::Deputy(o)).await?;
    tx.commit().await?;
    Ok(to)
}

/// Who settles a rating: a deputy rating now, or the daily job ending a feedback window.
#[derive(Clone, Copy)]
enum Settler<'a> {
    Deputy(&'a Origin),
    Job { now: i64, today: NaiveDate },
}

/// Applies the item's rating (the lead's, or the signers' combined): closes it, reopens it for
/// re-handling, or escalates it, with the rehandling deadline.
async fn settle(
    db: &Db,
    tx: &mut Tx<'_>,
    congress: CongressId,
    s: &Suggestion,
    rating: Rating,
    by: Settler<'_>,
) -> Result<State, AppError> {
    let (actor, now, today) = match by {
        Settler::Deputy(o) => (Some(o), o.now, o.today),
        Settler::Job { now, today } => (None, now, today),
    };
    let cmd = Command::Rate {
        rating,
        earlier_unsatisfied: u32::try_from(s.unsatisfied_count).unwrap_or(u32::MAX),
    };
    let from = state_of(s)?;
    let to = domain::next(from, cmd).map_err(|key| AppError::field(Field("state"), key))?;
    if let Some(o) = actor {
        transition(
            tx,
            congress,
            s,
            Move { from, to, cmd },
            rating.as_str(),
            o,
            &["rating"],
        )
        .await?;
    } else {
        if !store::set_state(tx, congress, s.id, from.as_str(), to.as_str(), now).await? {
            return Err(AppError::Conflict("suggestion.changed_meanwhile"));
        }
        store::event(
            tx,
            congress,
            s.id,
            &store::Step {
                user: None,
                action: cmd.name(),
                from: from.as_str(),
                to: to.as_str(),
                note: rating.as_str(),
                now,
            },
        )
        .await?;
        audit::append(
            tx,
            &Record {
                at: now,
                user: None,
                congress: Some(congress),
                action: "suggestions.rate_combined",
                target: format!("suggestion:{}", s.id),
                outcome: Outcome::Success,
                fields: &["rating"],
                client_addr: None,
            },
        )
        .await?;
    }
    store::set_rating(
        tx,
        congress,
        s.id,
        rating.as_str(),
        rating == Rating::Unsatisfied,
    )
    .await?;
    deadlines::close(tx, "suggestions", s.id, "feedback", now).await?;
    if to == State::Closed {
        store::set_closed(tx, congress, s.id, &today.to_string()).await?;
    }
    let (no, no_en) = notices::numbers(s);
    let t = notices::Tell {
        kind: "suggestion_rated",
        reach: false,
        zh: format!(
            "代表对建议{no}的答复评价为“{}”：{}",
            crate::platform::i18n::tr(
                crate::platform::i18n::Lang::Zh,
                &format!("suggestion.rating.{}", rating.as_str())
            ),
            s.title
        ),
        en: format!(
            "The deputies rated the reply to suggestion {no_en}\"{}\": {}",
            crate::platform::i18n::tr(
                crate::platform::i18n::Lang::En,
                &format!("suggestion.rating.{}", rating.as_str())
            ),
            s.title
        ),
    };
    let units = store::lead_unit_users(db, congress, s.id).await?;
    let quiet = Origin {
        user: actor.map_or(UserId(0), |o| o.user),
        client_addr: None,
        now,
        today,
    };
    notices::tell(db, tx, congress, s.id, &units, &t, &quiet).await?;
    if to == State::Rehandling {
        let (span, basis) = setting_span(db, congress, "suggestion.rehandle_window").await?;
        let calendar = crate::calendar::load(db).await?;
        register_deadline(
            tx,
            &calendar,
            congress,
            s.id,
            Due {
                kind: "reply",
                span,
                start: today,
                basis,
            },
            now,
        )
        .await?;
    }
    Ok(to)
}

/// The feedback window passed: if some signers rated this round, their combined rating decides
/// (returns the new state); if nobody did, None — the caller closes it as not rated.
pub async fn settle_lapsed(
    db: &Db,
    congress: CongressId,
    id: i64,
    now: i64,
    today: NaiveDate,
) -> Result<Option<State>, AppError> {
    let s = store::get(db, congress, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let given: Vec<Rating> = store::ratings(db, congress, id)
        .await?
        .into_iter()
        .filter(|r| r.round == s.unsatisfied_count)
        .filter_map(|r| Rating::parse(&r.rating))
        .collect();
    let Some(combined) = domain::combine(&given) else {
        return Ok(None);
    };
    let mut tx = db.write().await?;
    let to = settle(
        db,
        &mut tx,
        congress,
        &s,
        combined,
        Settler::Job { now, today },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(to))
}
