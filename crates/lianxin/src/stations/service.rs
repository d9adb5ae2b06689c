//! Station commands: schedule a reception day with the deputies on duty, cancel it with a reason,
//! record a reception. One transaction each, with its audit record; refusals change nothing.

use super::domain::{self, DayInput};
use super::store;
use crate::audit::{self, Record};
use crate::db::{Db, Tx};
use crate::platform::error::Field;
use crate::platform::error::{AppError, FieldError};
use crate::platform::ids::CongressId;
use crate::settings::registry::Period;
use chrono::{Duration, NaiveDate};

pub use crate::platform::origin::Origin;

async fn record(
    tx: &mut Tx<'_>,
    congress: CongressId,
    target: String,
    o: &Origin,
    action: &str,
    fields: &[&str],
) -> Result<(), sqlx::Error> {
    let r = Record::by(o, Some(congress), action, target, fields);
    audit::append(tx, &r).await.map(drop)
}

/// The first date a day may be scheduled for today: `station.publish_ahead` after today.
pub async fn earliest(
    db: &Db,
    congress: CongressId,
    today: NaiveDate,
) -> Result<NaiveDate, AppError> {
    let r = crate::settings::get(db, congress, "station.publish_ahead").await?;
    let period = r.and_then(|r| r.period()).unwrap_or(Period::Days(3));
    Ok(match period {
        Period::Days(n) => today + Duration::days(i64::from(n)),
        other => {
            let calendar = crate::calendar::load(db).await?;
            other
                .span()
                .compute(&calendar, today, crate::calendar::rules::Basis::default())
                .due
        }
    })
}

/// 安排接待日: a day at a station of this congress, with deputies of this congress on duty.
pub async fn schedule(
    db: &Db,
    congress: CongressId,
    station: i64,
    input: &DayInput,
    o: &Origin,
) -> Result<i64, AppError> {
    if store::station(db, congress, station).await?.is_none() {
        return Err(AppError::NotFound);
    }
    let first = earliest(db, congress, o.today).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    let day = match domain::check(input, first) {
        Ok(d) => Some(d),
        Err(es) => {
            for (field, key) in es {
                let e = FieldError::new(Field(field), key);
                errors.push(if key == "station.day_too_soon" {
                    e.with_arg(first)
                } else {
                    e
                });
            }
            None
        }
    };
    let mut on_duty = Vec::new();
    for name in crate::text::name_list(&input.deputies) {
        // A number (or #number) names a deputy by id, for namesakes.
        let found = match name.trim_start_matches('#').parse::<i64>() {
            Ok(id) => crate::people::deputy_name_in_office(db, congress, id)
                .await?
                .map(|_| id)
                .into_iter()
                .collect::<Vec<_>>(),
            Err(_) => crate::people::deputies_named(db, congress, name).await?,
        };
        match found.as_slice() {
            [one] => on_duty.push(*one),
            [] => {
                errors.push(
                    FieldError::new(Field("deputies"), "suggestion.cosigner_unknown")
                        .with_arg(name),
                );
                break;
            }
            _ => {
                errors.push(
                    FieldError::new(Field("deputies"), "suggestion.cosigner_ambiguous")
                        .with_arg(name),
                );
                break;
            }
        }
    }
    if on_duty.is_empty() && errors.iter().all(|e| e.field != "deputies") {
        errors.push(FieldError::new(
            Field("deputies"),
            "station.deputies_required",
        ));
    }
    let Some(day) = day.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let mut tx = db.write().await?;
    let id = store::insert_day(&mut tx, congress, station, &day, o.user.0, o.now).await?;
    for d in &on_duty {
        store::add_on_duty(&mut tx, congress, id, *d).await?;
    }
    record(
        &mut tx,
        congress,
        format!("reception_day:{id}"),
        o,
        "stations.schedule",
        &["on_date", "hours", "topic", "deputies"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Cancels a day that has not taken place, with the reason the portal shows.
pub async fn cancel(
    db: &Db,
    congress: CongressId,
    day: i64,
    reason: &str,
    o: &Origin,
) -> Result<(), AppError> {
    let d = store::day(db, congress, day)
        .await?
        .ok_or(AppError::NotFound)?;
    if reason.trim().is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("reason"),
            "suggestion.reason_required",
        )]));
    }
    let on = NaiveDate::parse_from_str(&d.on_date, "%Y-%m-%d").map_err(AppError::internal)?;
    if !domain::cancellable(on, o.today) {
        return Err(AppError::Invalid(vec![FieldError::new(
            Field("reason"),
            "station.day_passed",
        )]));
    }
    let mut tx = db.write().await?;
    if !store::cancel_day(&mut tx, congress, day, reason.trim(), o.now).await? {
        return Err(AppError::Conflict("station.cancelled_already"));
    }
    record(
        &mut tx,
        congress,
        format!("reception_day:{day}"),
        o,
        "stations.cancel",
        &["cancelled_at", "cancel_reason"],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a citizen raised at a reception day, entered by station staff.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ReceptionInput {
    /// The deputy who received them (id of a deputy on duty), if any.
    pub deputy: String,
    /// The visitor's name and contact, as they agreed to give them (sealed at rest).
    pub visitor: String,
    /// What was raised.
    pub matter: String,
}

/// 接待记录: on or after the day (not before), by a deputy on duty that day.
pub async fn record_reception(
    db: &Db,
    congress: CongressId,
    day: i64,
    input: &ReceptionInput,
    o: &Origin,
) -> Result<i64, AppError> {
    let d = store::day(db, congress, day)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    let on = NaiveDate::parse_from_str(&d.on_date, "%Y-%m-%d").map_err(AppError::internal)?;
    if on > o.today {
        errors.push(FieldError::new(Field("matter"), "station.day_not_yet"));
    }
    if d.cancelled_at.is_some() {
        errors.push(FieldError::new(
            Field("matter"),
            "station.cancelled_already",
        ));
    }
    let matter = input.matter.trim();
    if matter.is_empty() {
        errors.push(FieldError::new(Field("matter"), "field.required"));
    } else if matter.chars().count() > 5000 {
        errors.push(FieldError::new(Field("matter"), "field.too_long"));
    }
    let deputy = match input.deputy.trim() {
        "" => None,
        s => {
            let id = s.parse::<i64>().ok();
            let on_duty = store::on_duty(db, congress, day).await?;
            match id.filter(|i| on_duty.iter().any(|(d, _)| d == i)) {
                Some(i) => Some(i),
                None => {
                    errors.push(FieldError::new(Field("deputy"), "station.not_on_duty"));
                    None
                }
            }
        }
    };
    let visitor = input.visitor.trim();
    if visitor.chars().count() > 200 {
        errors.push(FieldError::new(Field("visitor"), "field.too_long"));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.write().await?;
    let reception = store::NewReception {
        day,
        deputy,
        visitor: (!visitor.is_empty()).then_some(visitor),
        matter,
    };
    let id = store::insert_reception(db, &mut tx, congress, &reception, o.user.0, o.now).await?;
    record(
        &mut tx,
        congress,
        format!("reception:{id}"),
        o,
        "stations.reception",
        &["deputy", "visitor", "matter"],
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
