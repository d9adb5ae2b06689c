//! Time comes from an injected clock so that rules and tests never read the wall clock.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

/// The whole system reckons calendar dates in Asia/Shanghai (UTC+8, no daylight saving).
pub fn shanghai() -> FixedOffset {
    SHANGHAI
}

const SHANGHAI: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(o) => o,
    None => panic!("UTC+8 is a valid offset"),
};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// Today's date in Asia/Shanghai.
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&shanghai()).date_naive()
    }
}

/// The real clock, used by the server.
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one reading of the wall clock
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told to move; for tests and reproducible demos.
pub struct FixedClock {
    millis: AtomicI64,
    // Serialises advance() with now() so that a test sees a consistent instant.
    lock: Mutex<()>,
}

impl FixedClock {
    pub fn at(t: DateTime<Utc>) -> Self {
        Self {
            millis: AtomicI64::new(t.timestamp_millis()),
            lock: Mutex::new(()),
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        let _g = self.lock.lock();
        self.millis
            .fetch_add(by.num_milliseconds(), Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        let ms = self.millis.load(Ordering::SeqCst);
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }
}

/// The date in China of a stored millisecond time.
pub fn china_date(ms: i64) -> NaiveDate {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&shanghai())
        .date_naive()
}

/// Midnight in China of a date, as stored milliseconds (for date filters).
pub fn china_midnight_ms(date: NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(shanghai()).single())
        .map_or(0, |t| t.timestamp_millis())
}

/// Formats a stored millisecond time as Shanghai local time for display.
pub fn format_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&shanghai())
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn today_is_reckoned_in_shanghai() {
        // 2026-01-31 17:30 UTC is already 1 February in Shanghai.
        let c = FixedClock::at(Utc.with_ymd_and_hms(2026, 1, 31, 17, 30, 0).unwrap());
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2026, 2, 1).unwrap());
        c.advance(chrono::Duration::hours(-2));
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
    }
}
