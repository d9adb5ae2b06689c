//! The registry of open deadlines. A module that sets a deadline registers it here (inside its own
//! transaction) with the rule that produced it; when an administrator loads a year's holiday
//! arrangement, every open deadline computed with weekends only for that year is recomputed, and
//! the holder of each one that moved is told.

use super::rules::{Basis, Calendar, Deadline};
use crate::db::Tx;
use crate::platform::ids::{CongressId, UserId};
use chrono::NaiveDate;

/// How a deadline is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Months(u32),
    WorkingDays(u32),
}

impl Span {
    pub fn unit(self) -> &'static str {
        match self {
            Span::Months(_) => "months",
            Span::WorkingDays(_) => "working_days",
        }
    }
    pub fn amount(self) -> u32 {
        match self {
            Span::Months(n) | Span::WorkingDays(n) => n,
        }
    }
    pub fn parse(unit: &str, amount: i64) -> Option<Span> {
        let n = u32::try_from(amount).ok()?;
        match unit {
            "months" => Some(Span::Months(n)),
            "working_days" => Some(Span::WorkingDays(n)),
            _ => None,
        }
    }
    pub fn compute(self, calendar: &Calendar, start: NaiveDate, basis: Basis) -> Deadline {
        match self {
            Span::Months(n) => calendar.deadline_months(start, n, basis),
            Span::WorkingDays(n) => calendar.deadline_working_days(start, n, basis),
        }
    }
}

/// A deadline to register.
pub struct Registration<'a> {
    pub congress: CongressId,
    /// The module and the item, e.g. (`suggestions`, 42).
    pub module: &'a str,
    pub item_id: i64,
    /// Which of the item's deadlines (`reply`, `feedback`, …).
    pub kind: &'a str,
    pub span: Span,
    pub holder: Option<UserId>,
    /// Where the holder sees the item.
    pub link: &'a str,
}

/// Computes and registers a deadline (replacing an earlier one of the same item and kind).
pub async fn register(
    tx: &mut Tx<'_>,
    calendar: &Calendar,
    r: &Registration<'_>,
    start: NaiveDate,
    basis: Basis,
    now: i64,
) -> Result<Deadline, sqlx::Error> {
    let d = r.span.compute(calendar, start, basis);
    super::store::replace_deadline(tx, r, &d, &years_text(&d.unloaded_years), now).await?;
    Ok(d)
}

/// Closes a deadline (the step was done); it is no longer recomputed.
pub async fn close(
    tx: &mut Tx<'_>,
    module: &str,
    item_id: i64,
    kind: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    super::store::close_deadline(tx, module, item_id, kind, now).await
}

fn years_text(years: &[i32]) -> String {
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// A deadline that moved when a year was loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub id: i64,
    pub old_due: String,
    pub new_due: String,
}

pub(super) type OpenRow = (
    i64,
    Option<i64>,
    i64,
    String,
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// Recomputes the open deadlines computed without the data of `year`, with `calendar` (which now
/// has it), and notifies the holders of those whose date changed. Returns what moved.
pub async fn recompute_for_year(
    tx: &mut Tx<'_>,
    calendar: &Calendar,
    year: i32,
    now: i64,
) -> Result<Vec<Moved>, sqlx::Error> {
    let rows = super::store::open_unloaded(tx).await?;
    let mut moved = Vec::new();
    for (id, holder, congress, start, amount, unit, due, rule, source, unloaded, link) in rows {
        if !unloaded.split(',').any(|y| y == year.to_string()) {
            continue;
        }
        let (Ok(start_date), Some(span)) = (
            NaiveDate::parse_from_str(&start, "%Y-%m-%d"),
            Span::parse(&unit, amount),
        ) else {
            continue;
        };
        let d = span.compute(calendar, start_date, Basis { rule, source });
        super::store::set_due(tx, id, &d.due.to_string(), &years_text(&d.unloaded_years)).await?;
        let new_due = d.due.to_string();
        if new_due != due {
            if let Some(user) = holder {
                let zh = format!("节假日安排已载入：期限由{due}调整为{new_due}");
                let en =
                    format!("Holiday arrangement loaded: a deadline moved from {due} to {new_due}");
                crate::notify::notify(
                    tx,
                    &crate::notify::Notice {
                        congress: Some(CongressId(congress)),
                        user: UserId(user),
                        kind: "deadline_moved",
                        title_zh: &zh,
                        title_en: &en,
                        link: &link,
                    },
                    now,
                )
                .await?;
            }
            moved.push(Moved {
                id,
                old_due: due,
                new_due,
            });
        }
    }
    Ok(moved)
}

/// An open deadline as its holder sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Open {
    pub id: i64,
    pub module: String,
    pub kind: String,
    pub due_on: String,
    pub basis_rule: String,
    pub basis_source: String,
    pub unloaded_years: String,
    pub link: String,
}

/// The user's open deadlines, soonest first.
pub async fn open_for(
    db: &crate::db::Db,
    user: UserId,
    limit: i64,
) -> Result<Vec<Open>, sqlx::Error> {
    super::store::open_for(db, user.0, limit).await
}
