//! 审计 — the audit append API. Every state-changing command calls [`append`] inside its own
//! transaction, so the change and its record commit together or not at all. Records name the
//! fields changed, never their values: the trail must not become a second copy of personal data.
//! Records are hash-chained with SM3, one chain per congress, and checkpointed with HMAC-SM3
//! under a key kept outside the database ([`chain`]); `lianxin audit verify` finds the first
//! edited or deleted record.

pub mod chain;
mod store;

pub use store::{append, append_alone, append_many, search};

use crate::db::Db;
use crate::platform::ids::{CongressId, UserId};
use crate::platform::origin::Origin;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Record<'a> {
    pub at: i64,
    pub user: Option<UserId>,
    pub congress: Option<CongressId>,
    /// `module.verb`, e.g. `people.deputy_create`.
    pub action: &'a str,
    /// `kind:id`, e.g. `deputy:42`.
    pub target: String,
    pub outcome: Outcome,
    /// Names of the fields changed (never values).
    pub fields: &'a [&'a str],
    /// Recorded for staff and administrators (等保 requires it); `None` for citizens.
    pub client_addr: Option<String>,
}

impl<'a> Record<'a> {
    /// The record of a command's step by `o`: a success that changed `fields` of `target` in
    /// `congress` (`None` for what spans congresses, such as accounts).
    pub fn by(
        o: &Origin,
        congress: Option<CongressId>,
        action: &'a str,
        target: String,
        fields: &'a [&'a str],
    ) -> Self {
        Record {
            at: o.now,
            user: Some(o.user),
            congress,
            action,
            target,
            outcome: Outcome::Success,
            fields,
            client_addr: o.client_addr.clone(),
        }
    }

    /// The same record with another outcome (a refusal or a failure: nothing changed).
    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }
}

/// Puts a refused attempt on record in a transaction of its own (the attempt changed nothing,
/// so there is no command transaction to join). The refusal stands even if this write fails;
/// the failure is logged.
pub async fn refusal(db: &Db, r: &Record<'_>) {
    if let Err(e) = append_alone(db, r).await {
        tracing::warn!(action = r.action, error = %e, "refusal not audited");
    }
}

#[derive(Debug, sqlx::FromRow, serde::Serialize)]
pub struct Entry {
    pub id: i64,
    pub at: i64,
    pub user_id: Option<i64>,
    pub congress_id: Option<i64>,
    pub action: String,
    pub target: String,
    pub outcome: String,
    pub fields: String,
}

/// What the audit administrator searches by; empty fields do not filter.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct Filter {
    /// User name (exact).
    #[serde(default)]
    pub user: String,
    /// Action prefix, e.g. `people.` or `accounts.login`.
    #[serde(default)]
    pub action: String,
    /// Target, e.g. `deputy:42` (exact).
    #[serde(default)]
    pub target: String,
    /// From this date (YYYY-MM-DD, Shanghai), inclusive.
    #[serde(default)]
    pub from: String,
    /// Up to this date, inclusive.
    #[serde(default)]
    pub to: String,
}

impl Filter {
    /// The time bounds in milliseconds; an unparsable date is `Err` with the field's name.
    pub fn bounds(&self) -> Result<(Option<i64>, Option<i64>), &'static str> {
        let day = |s: &str, field: &'static str, end: bool| -> Result<Option<i64>, &'static str> {
            if s.trim().is_empty() {
                return Ok(None);
            }
            let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| field)?;
            let d = if end { d.succ_opt().ok_or(field)? } else { d };
            let t = d
                .and_hms_opt(0, 0, 0)
                .ok_or(field)?
                .and_local_timezone(crate::platform::clock::shanghai())
                .single()
                .ok_or(field)?;
            Ok(Some(t.timestamp_millis()))
        };
        Ok((day(&self.from, "from", false)?, day(&self.to, "to", true)?))
    }
}

/// The matching records as an XLSX workbook (at most `EXPORT_MAX` rows, newest first).
pub async fn export(db: &Db, f: &Filter) -> Result<Vec<u8>, String> {
    let rows = search(db, f, None, EXPORT_MAX)
        .await
        .map_err(|e| e.to_string())?;
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let e = |x: rust_xlsxwriter::XlsxError| x.to_string();
    sheet.set_name("审计记录").map_err(e)?;
    for (i, h) in [
        "编号",
        "时间",
        "用户",
        "人大",
        "操作",
        "对象",
        "结果",
        "变更字段",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, i as u16, *h).map_err(e)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_number(r, 0, row.id as f64).map_err(e)?;
        sheet
            .write_string(r, 1, crate::platform::clock::format_ms(row.at))
            .map_err(e)?;
        sheet
            .write_string(r, 2, row.user_id.map(|u| u.to_string()).unwrap_or_default())
            .map_err(e)?;
        sheet
            .write_string(
                r,
                3,
                row.congress_id.map(|c| c.to_string()).unwrap_or_default(),
            )
            .map_err(e)?;
        sheet.write_string(r, 4, &row.action).map_err(e)?;
        sheet.write_string(r, 5, &row.target).map_err(e)?;
        sheet.write_string(r, 6, &row.outcome).map_err(e)?;
        sheet.write_string(r, 7, &row.fields).map_err(e)?;
    }
    wb.save_to_buffer().map_err(e)
}

pub const EXPORT_MAX: i64 = 50_000;
