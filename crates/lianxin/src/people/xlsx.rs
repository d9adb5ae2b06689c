//! XLSX import and export of the deputies' roster and the handling units, in the column layout
//! congress offices keep today. An import is validated as a whole: a preview lists every bad row
//! with its reasons in both languages, and nothing is written unless every row is valid.

use super::domain::{DeputyInput, valid_id_card};
use super::service::{self, Origin, UnitInput};
use super::store;
use crate::audit;
use crate::db::Db;
use crate::platform::error::FieldError;
use crate::platform::i18n::{Lang, tr};
use crate::platform::ids::CongressId;
use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};
use std::collections::HashMap;
use std::io::Cursor;

pub const MAX_ROWS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListKind {
    Deputies,
    Units,
}

impl ListKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "deputies" => Some(ListKind::Deputies),
            "units" => Some(ListKind::Units),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            ListKind::Deputies => "deputies",
            ListKind::Units => "units",
        }
    }
}

/// Column headers: (field, Chinese header, English header, required).
pub const DEPUTY_COLUMNS: &[(&str, &str, &str, bool)] = &[
    ("name", "姓名", "Name", true),
    ("gender", "性别", "Gender", true),
    ("ethnicity", "民族", "Ethnicity", true),
    ("id_card", "身份证号", "ID number", false),
    ("party", "党派", "Party", true),
    ("composition", "代表构成", "Composition", true),
    ("occupation", "职业", "Occupation", true),
    ("education", "学历", "Education", true),
    ("constituency", "选区", "Constituency", true),
    ("delegation", "代表团", "Delegation", false),
    ("station", "联络站", "Liaison station", false),
    ("phone", "联系电话", "Phone", false),
    ("email", "电子邮箱", "E-mail", false),
    ("address", "通信地址", "Address", false),
];

pub const UNIT_COLUMNS: &[(&str, &str, &str, bool)] = &[
    ("name", "单位名称", "Unit name", true),
    ("organ_kind", "所属机关", "Organ", true),
    ("head_name", "负责人", "Head", false),
    ("head_gender", "负责人性别", "Head's gender", false),
];

fn columns(kind: ListKind) -> &'static [(&'static str, &'static str, &'static str, bool)] {
    match kind {
        ListKind::Deputies => DEPUTY_COLUMNS,
        ListKind::Units => UNIT_COLUMNS,
    }
}

/// One problem in one row (row numbers as the spreadsheet shows them, header = 1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: usize,
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    pub kind: String,
    pub rows: usize,
    pub errors: Vec<RowError>,
    /// First rows as read, for the preview table.
    pub sample: Vec<Vec<String>>,
    pub headers: Vec<String>,
    /// True when the file was written (only when `errors` is empty and the import was confirmed).
    pub written: bool,
}

impl ImportReport {
    pub fn valid(&self) -> bool {
        self.errors.is_empty() && self.rows > 0
    }
}

fn err(row: usize, field: &str, key: &str) -> RowError {
    RowError {
        row,
        field: field.to_string(),
        message_zh: tr(Lang::Zh, key).to_string(),
        message_en: tr(Lang::En, key).to_string(),
    }
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        // ID numbers typed as numbers lose nothing up to 15 digits; longer ones must be text.
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Int(i) => i.to_string(),
        other => other.to_string().trim().to_string(),
    }
}

/// A data row: its spreadsheet row number and its values by field.
type Row = (usize, HashMap<&'static str, String>);

/// Reads the first sheet into header-mapped rows, or a file-level error.
fn read_rows(bytes: &[u8], kind: ListKind) -> Result<Vec<Row>, RowError> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|_| err(0, "file", "import.not_xlsx"))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| err(0, "file", "import.empty"))?
        .map_err(|_| err(0, "file", "import.not_xlsx"))?;
    let mut rows = range.rows();
    let header: Vec<String> = rows
        .next()
        .ok_or_else(|| err(0, "file", "import.empty"))?
        .iter()
        .map(cell_text)
        .collect();
    let cols = columns(kind);
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (field, zh, en, _) in cols {
        if let Some(i) = header
            .iter()
            .position(|h| h == zh || h.eq_ignore_ascii_case(en))
        {
            index.insert(field, i);
        }
    }
    if let Some((field, ..)) = cols
        .iter()
        .find(|(f, .., req)| *req && !index.contains_key(f))
    {
        return Err(err(1, field, "import.missing_column"));
    }
    let mut out = Vec::new();
    for (n, row) in rows.enumerate() {
        let values: HashMap<&'static str, String> = index
            .iter()
            .map(|(f, i)| (*f, row.get(*i).map(cell_text).unwrap_or_default()))
            .collect();
        if values.values().all(String::is_empty) {
            continue;
        }
        if out.len() >= MAX_ROWS {
            return Err(err(n + 2, "file", "import.too_many_rows"));
        }
        out.push((n + 2, values));
    }
    Ok(out)
}

fn deputy_input(v: &HashMap<&'static str, String>) -> DeputyInput {
    let g = |k: &str| v.get(k).cloned().unwrap_or_default();
    DeputyInput {
        name: g("name"),
        gender: g("gender"),
        ethnicity: g("ethnicity"),
        id_card: g("id_card"),
        party: g("party"),
        composition: g("composition"),
        occupation: g("occupation"),
        education: g("education"),
        constituency: g("constituency"),
        delegation: g("delegation"),
        station: g("station"),
        phone: g("phone"),
        email: g("email"),
        address: g("address"),
    }
}

/// Validates the whole file and, when `commit` is set and every row is valid, writes it in one
/// transaction. Errors of the database (not of the file) are returned as `Err`.
pub async fn import(
    db: &Db,
    congress: CongressId,
    term: i64,
    kind: ListKind,
    bytes: &[u8],
    commit: bool,
    origin: &Origin,
) -> Result<ImportReport, sqlx::Error> {
    let cols = columns(kind);
    let mut report = ImportReport {
        kind: kind.as_str().into(),
        rows: 0,
        errors: Vec::new(),
        sample: Vec::new(),
        headers: cols.iter().map(|(_, zh, ..)| zh.to_string()).collect(),
        written: false,
    };
    let rows = match read_rows(bytes, kind) {
        Ok(r) => r,
        Err(e) => {
            report.errors.push(e);
            return Ok(report);
        }
    };
    report.rows = rows.len();
    if rows.is_empty() {
        report.errors.push(err(0, "file", "import.empty"));
        return Ok(report);
    }
    report.sample = rows
        .iter()
        .take(20)
        .map(|(_, v)| {
            cols.iter()
                .map(|(f, ..)| v.get(f).cloned().unwrap_or_default())
                .collect()
        })
        .collect();
    // Everything happens in one transaction that is rolled back unless the whole file is valid;
    // rows are checked against the database and against earlier rows of the same file.
    let mut tx = db.write().await?;
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for (row, values) in &rows {
        let row = *row;
        let push = |errs: Vec<FieldError>, report: &mut ImportReport| {
            for e in errs {
                report.errors.push(err(row, e.field, e.key));
            }
        };
        match kind {
            ListKind::Deputies => {
                let input = deputy_input(values);
                let v = match input.validate() {
                    Ok(v) => v,
                    Err(errs) => {
                        push(errs, &mut report);
                        continue;
                    }
                };
                if let Some(id) = &v.id_card {
                    debug_assert!(valid_id_card(id));
                    if let Some(first) = seen_ids.insert(id.clone(), row) {
                        let mut e = err(row, "id_card", "import.duplicate_in_file");
                        e.message_zh = format!("{}（第{first}行）", e.message_zh);
                        e.message_en = format!("{} (row {first})", e.message_en);
                        report.errors.push(e);
                        continue;
                    }
                }
                if let Err(errs) =
                    service::create_deputy(&mut tx, &db.vault, congress, term, &v, origin).await?
                {
                    push(errs, &mut report);
                }
            }
            ListKind::Units => {
                let input = UnitInput {
                    name: values.get("name").cloned().unwrap_or_default(),
                    organ_kind: values.get("organ_kind").cloned().unwrap_or_default(),
                    head_name: values.get("head_name").cloned().unwrap_or_default(),
                    head_gender: values.get("head_gender").cloned().unwrap_or_default(),
                };
                match service::validate_unit(&input) {
                    Err(errs) => push(errs, &mut report),
                    Ok((name, organ, head)) => {
                        if let Err(errs) = service::create_unit(
                            &mut tx,
                            congress,
                            &name,
                            organ,
                            head.as_ref(),
                            origin,
                        )
                        .await?
                        {
                            push(errs, &mut report);
                        }
                    }
                }
            }
        }
    }
    if report.errors.is_empty() && commit {
        let rec = audit::Record::by(
            origin,
            Some(congress),
            "people.import",
            format!("{}:{}", kind.as_str(), report.rows),
            &["file"],
        );
        audit::append(&mut tx, &rec).await?;
        tx.commit().await?;
        report.written = true;
    } else {
        tx.rollback().await?;
    }
    Ok(report)
}

/// Writes a congress's deputies (ID numbers masked) or units to an XLSX workbook.
pub async fn export(
    db: &Db,
    congress: CongressId,
    kind: ListKind,
    lang: Lang,
) -> Result<Vec<u8>, ExportError> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let bold = Format::new().set_bold();
    let cols = columns(kind);
    sheet.set_name(match (kind, lang) {
        (ListKind::Deputies, Lang::Zh) => "代表名册",
        (ListKind::Deputies, Lang::En) => "Deputies",
        (ListKind::Units, Lang::Zh) => "承办单位",
        (ListKind::Units, Lang::En) => "Handling units",
    })?;
    for (i, (_, zh, en, _)) in cols.iter().enumerate() {
        sheet.write_string_with_format(
            0,
            i as u16,
            if lang == Lang::Zh { *zh } else { *en },
            &bold,
        )?;
    }
    let mut r = 1u32;
    match kind {
        ListKind::Deputies => {
            for full in store::deputy_details(db, congress).await? {
                let gender = if full.gender == "male" {
                    tr(lang, "gender.male")
                } else {
                    tr(lang, "gender.female")
                };
                let values = [
                    full.name.as_str(),
                    gender,
                    &full.ethnicity,
                    full.id_card_masked.as_deref().unwrap_or(""),
                    &full.party,
                    &full.composition,
                    &full.occupation,
                    &full.education,
                    full.constituency.as_deref().unwrap_or(""),
                    full.delegation.as_deref().unwrap_or(""),
                    full.station.as_deref().unwrap_or(""),
                    // Exports carry the masks only (PIPL Art 51: least exposure).
                    full.phone_masked.as_deref().unwrap_or(""),
                    full.email_masked.as_deref().unwrap_or(""),
                    full.address_masked.as_deref().unwrap_or(""),
                ];
                for (c, v) in values.iter().enumerate() {
                    sheet.write_string(r, c as u16, *v)?;
                }
                r += 1;
            }
        }
        ListKind::Units => {
            let mut after = None;
            loop {
                let rows = store::units(db, congress, after.as_ref(), 500).await?;
                let more = rows.len() > 500;
                for u in rows.iter().take(500) {
                    let organ = u
                        .organ_kind
                        .as_deref()
                        .map(|k| tr(lang, &format!("organ.{k}")).to_string())
                        .unwrap_or_default();
                    sheet.write_string(r, 0, &u.name)?;
                    sheet.write_string(r, 1, &organ)?;
                    sheet.write_string(r, 2, u.head.as_deref().unwrap_or(""))?;
                    let gender = match u.head_gender.as_deref() {
                        Some("male") => tr(lang, "gender.male"),
                        Some("female") => tr(lang, "gender.female"),
                        _ => "",
                    };
                    sheet.write_string(r, 3, gender)?;
                    r += 1;
                }
                if !more {
                    break;
                }
                after = rows.get(499).map(|u| crate::platform::page::Cursor {
                    key: u.name.clone(),
                    id: u.id,
                });
            }
        }
    }
    sheet.autofit();
    Ok(wb.save_to_buffer()?)
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// Builds an XLSX file from header and rows (used by tests and the template download).
pub fn workbook(
    headers: &[&str],
    rows: &[Vec<&str>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    for (i, h) in headers.iter().enumerate() {
        sheet.write_string(0, i as u16, *h)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, *v)?;
        }
    }
    wb.save_to_buffer()
}

/// An empty template with the right headers, for offices to fill in.
pub fn template(kind: ListKind) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let headers: Vec<&str> = columns(kind).iter().map(|(_, zh, ..)| *zh).collect();
    workbook(&headers, &[])
}
