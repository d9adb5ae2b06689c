//! 审计 — the audit append API. Every state-changing command calls [`append`] inside its own
//! transaction, so the change and its record commit together or not at all. Records name the
//! fields changed, never their values: the trail must not become a second copy of personal data.
//! Records are hash-chained with SM3, one chain per congress, and checkpointed with HMAC-SM3
//! under a key kept outside the database ([`chain`]); `lianxin audit verify` finds the first
//! edited or deleted record.

pub mod chain;

use crate::db::{Db, Tx};
use crate::platform::ids::{CongressId, UserId};

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

/// Appends records of one chain in four statements whatever their number (a chamber's ballots:
/// "member X voted" five hundred times in one commit), linked exactly as `append` links them.
/// Records of several chains are appended chain by chain, each keeping its order.
pub async fn append_many(tx: &mut Tx<'_>, records: &[Record<'_>]) -> Result<(), sqlx::Error> {
    let mut chains: Vec<i64> = records
        .iter()
        .map(|r| r.congress.map_or(0, |c| c.0))
        .collect();
    chains.dedup();
    if chains.len() > 1 {
        for r in records {
            append(tx, r).await?;
        }
        return Ok(());
    }
    let Some(&chain_id) = chains.first() else {
        return Ok(());
    };
    sqlx::query("INSERT INTO audit_chains (chain, last_seq, last_digest) VALUES ($1, 0, '') ON CONFLICT (chain) DO NOTHING")
        .bind(chain_id)
        .execute(&mut **tx)
        .await?;
    let (last, mut prev): (i64, String) = sqlx::query_as(
        "UPDATE audit_chains SET last_seq = last_seq + $2 WHERE chain = $1 RETURNING last_seq, last_digest",
    )
    .bind(chain_id)
    .bind(records.len() as i64)
    .fetch_one(&mut **tx)
    .await?;
    let first = last - records.len() as i64 + 1;
    // 12 values a row; SQLite allows 32,766 bound values in a statement.
    for (part, rows) in records.chunks(2_000).enumerate() {
        let mut sql = String::from(
            "INSERT INTO audit_log (at, user_id, congress_id, action, target, outcome, fields, client_addr, chain, seq, prev_digest, digest) VALUES ",
        );
        let mut values = Vec::with_capacity(rows.len());
        for (k, r) in rows.iter().enumerate() {
            let seq = first + (part * 2_000 + k) as i64;
            let fields = r.fields.join(",");
            let entry = chain::Entry {
                chain: chain_id,
                seq,
                at: r.at,
                user: r.user.map(|u| u.0),
                congress: r.congress.map(|c| c.0),
                action: r.action.to_string(),
                target: r.target.clone(),
                outcome: r.outcome.as_str().to_string(),
                fields: fields.clone(),
                client_addr: r.client_addr.clone(),
            };
            let digest = chain::digest(&prev, &entry);
            let b = k * 12;
            if k > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9,
                b + 10,
                b + 11,
                b + 12
            ));
            values.push((entry, prev.clone(), digest.clone()));
            prev = digest;
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (e, p, d) in values {
            q = q
                .bind(e.at)
                .bind(e.user)
                .bind(e.congress)
                .bind(e.action)
                .bind(e.target)
                .bind(e.outcome)
                .bind(e.fields)
                .bind(e.client_addr)
                .bind(e.chain)
                .bind(e.seq)
                .bind(p)
                .bind(d);
        }
        q.execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE audit_chains SET last_digest = $2 WHERE chain = $1")
        .bind(chain_id)
        .bind(&prev)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends the record to its congress's chain (chain 0 for records of no congress): the chain's
/// head row is updated first, which on PostgreSQL locks it until commit, so two commands of one
/// congress never take the same place in the chain while other congresses are not held up; on
/// SQLite the database's write lock does the same.
pub async fn append(tx: &mut Tx<'_>, r: &Record<'_>) -> Result<i64, sqlx::Error> {
    let chain_id = r.congress.map_or(0, |c| c.0);
    sqlx::query("INSERT INTO audit_chains (chain, last_seq, last_digest) VALUES ($1, 0, '') ON CONFLICT (chain) DO NOTHING")
        .bind(chain_id)
        .execute(&mut **tx)
        .await?;
    let (seq, prev): (i64, String) =
        sqlx::query_as("UPDATE audit_chains SET last_seq = last_seq + 1 WHERE chain = $1 RETURNING last_seq, last_digest")
            .bind(chain_id)
            .fetch_one(&mut **tx)
            .await?;
    let fields = r.fields.join(",");
    let entry = chain::Entry {
        chain: chain_id,
        seq,
        at: r.at,
        user: r.user.map(|u| u.0),
        congress: r.congress.map(|c| c.0),
        action: r.action.to_string(),
        target: r.target.clone(),
        outcome: r.outcome.as_str().to_string(),
        fields: fields.clone(),
        client_addr: r.client_addr.clone(),
    };
    let digest = chain::digest(&prev, &entry);
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO audit_log (at, user_id, congress_id, action, target, outcome, fields, client_addr, chain, seq, prev_digest, digest) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(r.at)
    .bind(r.user.map(|u| u.0))
    .bind(r.congress.map(|c| c.0))
    .bind(r.action)
    .bind(&r.target)
    .bind(r.outcome.as_str())
    .bind(fields)
    .bind(r.client_addr.as_deref())
    .bind(chain_id)
    .bind(seq)
    .bind(&prev)
    .bind(&digest)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE audit_chains SET last_digest = $2 WHERE chain = $1")
        .bind(chain_id)
        .bind(&digest)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// Appends a record in a transaction of its own (logins and denials, which change nothing else).
pub async fn append_alone(db: &Db, r: &Record<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.write().await?;
    append(&mut tx, r).await?;
    tx.commit().await
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

/// The newest matching records first, keyset-paged by id.
pub async fn search(
    db: &Db,
    f: &Filter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let (from, to) = f.bounds().unwrap_or((None, None));
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    sqlx::query_as(
        "SELECT a.id, a.at, a.user_id, a.congress_id, a.action, a.target, a.outcome, a.fields FROM audit_log a \
         WHERE ($1 IS NULL OR a.id < $1) \
         AND ($2 IS NULL OR a.user_id = (SELECT u.id FROM users u WHERE u.username = $2)) \
         AND ($3 IS NULL OR a.action LIKE $3 ESCAPE '\\') \
         AND ($4 IS NULL OR a.target = $4) \
         AND ($5 IS NULL OR a.at >= $5) AND ($6 IS NULL OR a.at < $6) \
         ORDER BY a.id DESC LIMIT $7",
    )
    .bind(before)
    .bind(opt(&f.user))
    .bind(opt(&f.action).map(|a| format!("{}%", crate::db::like_escape(&a))))
    .bind(opt(&f.target))
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
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
