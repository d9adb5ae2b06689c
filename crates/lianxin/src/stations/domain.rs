//! The rules of reception days (接待日), pure: a day is published ahead (the congress's
//! `station.publish_ahead`, 3 days unless it decides otherwise) so that citizens can plan to come;
//! its hours are a real interval within the day; its topic is short. Cancelling one that already
//! passed is refused: its record is history.

use chrono::{NaiveDate, NaiveTime};

/// A reception day as entered.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DayInput {
    /// `YYYY-MM-DD`.
    pub on_date: String,
    /// `HH:MM`.
    pub starts_at: String,
    /// `HH:MM`, after `starts_at`.
    pub ends_at: String,
    /// What the day is about (optional), e.g. 老旧小区改造专题接待.
    pub topic: String,
    /// Deputies on duty: names separated by 、 , ， or spaces (deputies of this congress).
    pub deputies: String,
}

/// A checked reception day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    pub on_date: NaiveDate,
    pub starts_at: String,
    pub ends_at: String,
    pub topic: String,
}

/// The problems of an input, as (field, message key); empty when it may be scheduled.
pub fn check(
    input: &DayInput,
    earliest: NaiveDate,
) -> Result<Day, Vec<(&'static str, &'static str)>> {
    let mut errors = Vec::new();
    let date = NaiveDate::parse_from_str(input.on_date.trim(), "%Y-%m-%d").ok();
    match date {
        None => errors.push(("on_date", "field.date_invalid")),
        Some(d) if d < earliest => errors.push(("on_date", "station.day_too_soon")),
        Some(_) => {}
    }
    let time = |s: &str| NaiveTime::parse_from_str(s.trim(), "%H:%M").ok();
    let (start, end) = (time(&input.starts_at), time(&input.ends_at));
    if start.is_none() {
        errors.push(("starts_at", "station.time_invalid"));
    }
    if end.is_none() {
        errors.push(("ends_at", "station.time_invalid"));
    }
    if let (Some(s), Some(e)) = (start, end)
        && e <= s
    {
        errors.push(("ends_at", "station.ends_before_start"));
    }
    let topic = input.topic.trim();
    if topic.chars().count() > 100 {
        errors.push(("topic", "field.too_long"));
    }
    match (date, start, end) {
        (Some(d), Some(s), Some(e)) if errors.is_empty() => Ok(Day {
            on_date: d,
            starts_at: s.format("%H:%M").to_string(),
            ends_at: e.format("%H:%M").to_string(),
            topic: topic.to_string(),
        }),
        _ => Err(errors),
    }
}

/// Whether a day may still be cancelled (only before it has taken place).
pub fn cancellable(on_date: NaiveDate, today: NaiveDate) -> bool {
    on_date >= today
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(d: &str, s: &str, e: &str) -> DayInput {
        DayInput {
            on_date: d.into(),
            starts_at: s.into(),
            ends_at: e.into(),
            ..DayInput::default()
        }
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_day_is_published_ahead_with_real_hours() {
        let earliest = day("2026-03-05");
        assert!(check(&input("2026-03-05", "9:00", "11:30"), earliest).is_ok());
        assert_eq!(
            check(&input("2026-03-04", "09:00", "11:30"), earliest).unwrap_err(),
            vec![("on_date", "station.day_too_soon")]
        );
        assert_eq!(
            check(&input("2026-03-06", "11:30", "11:30"), earliest).unwrap_err(),
            vec![("ends_at", "station.ends_before_start")]
        );
        assert_eq!(
            check(&input("三月六日", "25:00", "x"), earliest)
                .unwrap_err()
                .len(),
            3
        );
        assert!(cancellable(day("2026-03-05"), day("2026-03-05")));
        assert!(!cancellable(day("2026-03-04"), day("2026-03-05")));
    }

    proptest! {
        /// Any day before the earliest publishable one is refused, any from it on accepted.
        #[test]
        fn the_publication_lead_time_is_exact(offset in -30i64..30) {
            let earliest = day("2026-03-05");
            let d = earliest + chrono::Duration::days(offset);
            let r = check(&input(&d.to_string(), "09:00", "10:00"), earliest);
            prop_assert_eq!(r.is_ok(), offset >= 0);
        }
    }
}
