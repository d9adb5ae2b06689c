//! The legal calendar (pure): working days under the State Council's holiday arrangements, and
//! deadline arithmetic as the law counts it. No I/O; the data comes from [`parse`] of the shipped
//! file plus the years an administrator loaded.
//!
//! Counting (民法典 Art 201–203, which deadline rules of the congress laws follow): the day an
//! act happens is not counted; a period of months ends on the same day of the final month, or on
//! its last day if it has none; when the last day is a public holiday or a weekend that is not a
//! make-up working day, the period ends on the next working day.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::{BTreeMap, BTreeSet};

/// One year's arrangement.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct YearData {
    pub source: String,
    pub holidays: BTreeMap<NaiveDate, String>,
    pub workdays: BTreeMap<NaiveDate, String>,
}

/// The calendar: the years whose arrangement is known.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    pub years: BTreeMap<i32, YearData>,
}

/// A problem in a holiday file, with its line number (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub key: &'static str,
}

/// Parses the holiday file format. Refuses malformed lines, entries outside their year, a date
/// listed twice (also as both holiday and workday), a make-up working day that is not on a
/// weekend, and ranges longer than 15 days.
pub fn parse(text: &str) -> Result<BTreeMap<i32, YearData>, Vec<LineError>> {
    let mut years: BTreeMap<i32, YearData> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut current: Option<i32> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.chars().any(|c| c.is_control()) {
            errors.push(LineError {
                line: line_no,
                key: "calendar.control_chars",
            });
            continue;
        }
        let mut parts = line.splitn(3, char::is_whitespace);
        let first = parts.next().unwrap_or("");
        if first == "year" {
            let rest: Vec<&str> = parts.collect();
            let year = rest
                .first()
                .and_then(|y| y.parse::<i32>().ok())
                .filter(|y| (2000..=2100).contains(y));
            match year {
                Some(y) if !years.contains_key(&y) => {
                    let source = rest
                        .get(1)
                        .map(|s| s.trim().to_string())
                        .unwrap_or_default();
                    if source.is_empty() {
                        errors.push(LineError {
                            line: line_no,
                            key: "calendar.source_missing",
                        });
                    }
                    years.insert(
                        y,
                        YearData {
                            source,
                            ..YearData::default()
                        },
                    );
                    current = Some(y);
                }
                Some(_) => errors.push(LineError {
                    line: line_no,
                    key: "calendar.year_twice",
                }),
                None => errors.push(LineError {
                    line: line_no,
                    key: "calendar.bad_year",
                }),
            }
            continue;
        }
        let Some(year) = current else {
            errors.push(LineError {
                line: line_no,
                key: "calendar.no_year",
            });
            continue;
        };
        let kind = parts.next().unwrap_or("");
        let name = parts.next().unwrap_or("").trim().to_string();
        let range = match first.split_once("..") {
            Some((a, b)) => (date(a), date(b)),
            None => (date(first), date(first)),
        };
        let (Some(from), Some(to)) = range else {
            errors.push(LineError {
                line: line_no,
                key: "calendar.bad_date",
            });
            continue;
        };
        if to < from || (to - from).num_days() > 14 {
            errors.push(LineError {
                line: line_no,
                key: "calendar.bad_range",
            });
            continue;
        }
        if from.year() != year || to.year() != year {
            errors.push(LineError {
                line: line_no,
                key: "calendar.wrong_year",
            });
            continue;
        }
        if name.is_empty() {
            errors.push(LineError {
                line: line_no,
                key: "calendar.name_missing",
            });
            continue;
        }
        let Some(data) = years.get_mut(&year) else {
            continue;
        };
        let mut d = from;
        while d <= to {
            if data.holidays.contains_key(&d) || data.workdays.contains_key(&d) {
                errors.push(LineError {
                    line: line_no,
                    key: "calendar.overlap",
                });
                break;
            }
            match kind {
                "holiday" => {
                    data.holidays.insert(d, name.clone());
                }
                "workday" if is_weekend(d) => {
                    data.workdays.insert(d, name.clone());
                }
                "workday" => {
                    errors.push(LineError {
                        line: line_no,
                        key: "calendar.workday_not_weekend",
                    });
                    break;
                }
                _ => {
                    errors.push(LineError {
                        line: line_no,
                        key: "calendar.bad_kind",
                    });
                    break;
                }
            }
            d += Duration::days(1);
        }
    }
    if errors.is_empty() {
        Ok(years)
    } else {
        Err(errors)
    }
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A period of months from `start` (the start day not counted): the same day of the final month,
/// or that month's last day if it has none (1-31 + 1 month → 2-28/29).
pub fn add_months(start: NaiveDate, months: u32) -> NaiveDate {
    let total = start.year() * 12 + start.month0() as i32 + months as i32;
    let (y, m0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    let last = last_day_of_month(y, m0 + 1);
    NaiveDate::from_ymd_opt(y, m0 + 1, start.day().min(last)).unwrap_or(start)
}

fn last_day_of_month(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

impl Calendar {
    pub fn from_years(years: BTreeMap<i32, YearData>) -> Self {
        Calendar { years }
    }

    pub fn is_loaded(&self, year: i32) -> bool {
        self.years.contains_key(&year)
    }

    /// A working day: not a public holiday, and not a weekend unless a make-up working day.
    /// For a year without data, weekends only.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.years.get(&d.year()) {
            Some(y) if y.holidays.contains_key(&d) => false,
            Some(y) if y.workdays.contains_key(&d) => true,
            _ => !is_weekend(d),
        }
    }

    /// The name of the holiday or make-up day on `d`, if any.
    pub fn name_of(&self, d: NaiveDate) -> Option<&str> {
        let y = self.years.get(&d.year())?;
        y.holidays
            .get(&d)
            .or_else(|| y.workdays.get(&d))
            .map(String::as_str)
    }

    /// `d` itself if it is a working day, else the next working day.
    pub fn roll_forward(&self, d: NaiveDate, touched: &mut BTreeSet<i32>) -> NaiveDate {
        let mut d = d;
        touched.insert(d.year());
        while !self.is_working_day(d) {
            d += Duration::days(1);
            touched.insert(d.year());
        }
        d
    }

    /// The date `n` working days after `start` (the start day not counted).
    pub fn add_working_days(
        &self,
        start: NaiveDate,
        n: u32,
        touched: &mut BTreeSet<i32>,
    ) -> NaiveDate {
        let mut d = start;
        let mut left = n;
        touched.insert(d.year());
        while left > 0 {
            d += Duration::days(1);
            touched.insert(d.year());
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days from `today` (not counted) to `due` (counted); negative when overdue.
    pub fn working_days_left(&self, today: NaiveDate, due: NaiveDate) -> i64 {
        let (from, to, sign) = if due >= today {
            (today, due, 1)
        } else {
            (due, today, -1)
        };
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        sign * n
    }

    /// A deadline `n` months after `start`, rolled forward to a working day.
    pub fn deadline_months(&self, start: NaiveDate, months: u32, basis: Basis) -> Deadline {
        let mut touched = BTreeSet::new();
        let due = self.roll_forward(add_months(start, months), &mut touched);
        Deadline {
            start,
            due,
            basis,
            unloaded_years: self.unloaded(&touched),
        }
    }

    /// A deadline `n` working days after `start`.
    pub fn deadline_working_days(&self, start: NaiveDate, days: u32, basis: Basis) -> Deadline {
        let mut touched = BTreeSet::new();
        let due = self.add_working_days(start, days, &mut touched);
        Deadline {
            start,
            due,
            basis,
            unloaded_years: self.unloaded(&touched),
        }
    }

    fn unloaded(&self, touched: &BTreeSet<i32>) -> Vec<i32> {
        touched
            .iter()
            .copied()
            .filter(|y| !self.is_loaded(*y))
            .collect()
    }
}

/// Why a deadline is what it is: the rule and where it comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Basis {
    /// Message key of the rule, e.g. `rule.suggestion_reply`.
    pub rule: String,
    /// The source as cited, e.g. `代表法第五十一条`.
    pub source: String,
}

/// A computed deadline. `unloaded_years` lists the years computed with weekends only; every
/// screen showing the deadline shows the warning "holiday arrangement for YEAR not loaded".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub start: NaiveDate,
    pub due: NaiveDate,
    pub basis: Basis,
    pub unloaded_years: Vec<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn shipped() -> Calendar {
        Calendar::from_years(parse(include_str!("holidays.txt")).unwrap())
    }

    fn basis() -> Basis {
        Basis {
            rule: "rule.suggestion_reply".into(),
            source: "代表法第五十一条".into(),
        }
    }

    #[test]
    fn the_issue_s_worked_examples() {
        let c = shipped();
        // Assigned 2026-01-20, three months → 2026-04-20 (a Monday).
        assert_eq!(
            c.deadline_months(d("2026-01-20"), 3, basis()).due,
            d("2026-04-20")
        );
        // Assigned 2025-11-15, three months → 2026-02-15, in the Spring Festival break → 2026-02-24.
        let dl = c.deadline_months(d("2025-11-15"), 3, basis());
        assert_eq!(dl.due, d("2026-02-24"));
        assert!(dl.unloaded_years.is_empty());
    }

    #[test]
    fn month_ends_and_29_february() {
        assert_eq!(add_months(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(add_months(d("2028-01-31"), 1), d("2028-02-29"), "leap year");
        assert_eq!(add_months(d("2028-02-29"), 12), d("2029-02-28"));
        assert_eq!(add_months(d("2026-08-31"), 3), d("2026-11-30"));
        assert_eq!(add_months(d("2026-11-30"), 3), d("2027-02-28"));
        assert_eq!(
            add_months(d("2026-10-15"), 6),
            d("2027-04-15"),
            "across the year"
        );
        assert_eq!(add_months(d("2026-03-31"), 0), d("2026-03-31"));
    }

    #[test]
    fn every_2025_and_2026_holiday_and_make_up_day() {
        let c = shipped();
        let years = parse(include_str!("holidays.txt")).unwrap();
        let mut holidays = 0;
        let mut workdays = 0;
        for y in years.values() {
            for day in y.holidays.keys() {
                assert!(!c.is_working_day(*day), "{day} is a holiday");
                holidays += 1;
            }
            for day in y.workdays.keys() {
                assert!(c.is_working_day(*day), "{day} is a make-up working day");
                assert!(is_weekend(*day));
                workdays += 1;
            }
        }
        // 2025: 1+8+3+5+3+8 = 28 days off, 5 make-up days; 2026: 3+9+3+5+3+3+7 = 33, 6.
        assert_eq!((holidays, workdays), (61, 11));
        // Spot checks from the notices.
        assert!(
            c.is_working_day(d("2026-01-04")),
            "Sunday made up for New Year"
        );
        assert!(
            !c.is_working_day(d("2026-02-23")),
            "last day of the Spring Festival break"
        );
        assert!(c.is_working_day(d("2026-02-24")));
        assert!(
            c.is_working_day(d("2025-10-11")),
            "Saturday made up for National Day"
        );
        assert!(!c.is_working_day(d("2025-10-08")));
        assert_eq!(c.name_of(d("2026-10-01")), Some("国庆节"));
    }

    #[test]
    fn working_days_skip_holidays_and_count_make_up_days() {
        let c = shipped();
        let mut t = BTreeSet::new();
        // 2026-02-13 (Fri) + 1 working day → 2026-02-14, a make-up Saturday.
        assert_eq!(
            c.add_working_days(d("2026-02-13"), 1, &mut t),
            d("2026-02-14")
        );
        // + 2 → after the 9-day break, 2026-02-24.
        assert_eq!(
            c.add_working_days(d("2026-02-13"), 2, &mut t),
            d("2026-02-24")
        );
        assert_eq!(c.working_days_left(d("2026-02-13"), d("2026-02-24")), 2);
        assert_eq!(
            c.working_days_left(d("2026-02-24"), d("2026-02-13")),
            -2,
            "overdue"
        );
        assert_eq!(c.working_days_left(d("2026-03-02"), d("2026-03-02")), 0);
    }

    #[test]
    fn a_year_without_data_uses_weekends_and_says_so() {
        let c = shipped();
        // 2026-10-20 + 3 months = 2027-01-20 (Wednesday), no 2027 data.
        let dl = c.deadline_months(d("2026-10-20"), 3, basis());
        assert_eq!(dl.due, d("2027-01-20"));
        assert_eq!(dl.unloaded_years, vec![2027]);
        // 2027-01-01 is a Friday; without data it is a working day — hence the warning.
        assert!(c.is_working_day(d("2027-01-01")));
        let dl = c.deadline_working_days(d("2026-12-30"), 5, basis());
        assert_eq!(dl.unloaded_years, vec![2027]);
    }

    #[test]
    fn bad_files_are_refused_line_by_line() {
        let errs = parse("2026-01-01 holiday 元旦").unwrap_err();
        assert_eq!(
            errs[0],
            LineError {
                line: 1,
                key: "calendar.no_year"
            }
        );
        let errs =
            parse("year 2027 通知\n2027-01-01 holiday 元旦\n2027-01-01 workday 调休").unwrap_err();
        assert_eq!(
            errs[0],
            LineError {
                line: 3,
                key: "calendar.overlap"
            }
        );
        let errs = parse("year 2027 通知\n2027-01-05 workday 调休").unwrap_err();
        assert_eq!(
            errs[0].key, "calendar.workday_not_weekend",
            "2027-01-05 is a Tuesday"
        );
        let errs = parse("year 2027 通知\n2026-12-31 holiday 元旦").unwrap_err();
        assert_eq!(errs[0].key, "calendar.wrong_year");
        let errs = parse("year 2027 通知\n2027-02-30 holiday 春节").unwrap_err();
        assert_eq!(errs[0].key, "calendar.bad_date");
        let errs = parse("year 2027 通知\n2027-02-01..2027-01-30 holiday 春节").unwrap_err();
        assert_eq!(errs[0].key, "calendar.bad_range");
        let errs = parse("year 2027\n").unwrap_err();
        assert_eq!(errs[0].key, "calendar.source_missing");
        let errs = parse("year 2027 通知\n2027-01-01 holiday 元\u{7}旦").unwrap_err();
        assert_eq!(errs[0].key, "calendar.control_chars");
    }

    proptest! {
        #[test]
        fn a_deadline_is_never_a_non_working_day(days in 0i64..1200, months in 0u32..13) {
            let c = shipped();
            let start = d("2024-06-01") + Duration::days(days);
            let dl = c.deadline_months(start, months, basis());
            prop_assert!(c.is_working_day(dl.due));
            prop_assert!(dl.due >= add_months(start, months));
        }

        #[test]
        fn n_working_days_are_exactly_n(days in 0i64..900, n in 0u32..40) {
            let c = shipped();
            let start = d("2024-12-01") + Duration::days(days);
            let mut t = BTreeSet::new();
            let end = c.add_working_days(start, n, &mut t);
            prop_assert_eq!(c.working_days_left(start, end), i64::from(n));
            if n > 0 {
                prop_assert!(c.is_working_day(end));
            }
        }
    }
}
