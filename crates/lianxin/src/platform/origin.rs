//! Who acts, from where and when: what every command records in the audit trail and uses for
//! its dates (the clock is read once per request, so a command's steps agree on "now").

use crate::platform::ids::UserId;
use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct Origin {
    pub user: UserId,
    pub client_addr: Option<String>,
    /// Milliseconds since the epoch, from the injected clock.
    pub now: i64,
    /// Today in China time, from the same clock.
    pub today: NaiveDate,
}
