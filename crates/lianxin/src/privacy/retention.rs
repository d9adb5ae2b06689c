//! 保存期限 — retention: citizens' contact details are erased a configurable number of months
//! after their matter is closed (PIPL Art 19: kept no longer than the purpose needs; Art 47(1):
//! deleted once the purpose is achieved). The matter itself stays, without the contact details.

use crate::db::Db;
use crate::notify::scheduler::DailyJob;

/// The daily job.
pub const DAILY: DailyJob = DailyJob {
    name: "retention",
    run: |cx| Box::pin(async move { run(cx.db, cx.clock.now_ms()).await.map(drop) }),
};

/// A kind of closed matter whose contact columns are erased after the retention period:
/// `(table, closed-at column, columns set to the erased marker)`. Modules that take citizens'
/// contact details (opinions, proposals) add their tables here.
pub const RULES: &[(&str, &str, &[&str])] =
    &[("privacy_requests", "closed_at", &["requester_sealed"])];

/// What an erased contact column holds (the column stays NOT NULL-safe and readable).
pub const ERASED: &str = "";

/// Erases the contact details of matters closed before `now - retention`. Returns how many rows.
pub async fn run(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let policy = crate::accounts::policy(db).await?;
    let cutoff = now - policy.contact_retention_months * 31 * 86_400_000;
    super::store::erase_closed_contacts(db, cutoff).await
}
