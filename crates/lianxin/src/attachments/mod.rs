//! 附件 — files attached to records (a suggestion's material, a unit's reply material, evidence
//! of delivery; later opinions and supervision reports). A file is accepted only when its bytes
//! are what its name says (PDF, image, Word, Excel, OFD), within the size and count limits; it is
//! sealed at rest like other personal data and served only as a download, never inline, so a
//! crafted file cannot run in our origin. Who may attach to or read a record is the owning
//! module's decision; this module keeps the files.

mod store;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{Attachment, Owner, body, count, delete, get, insert, list, move_to};

use crate::platform::error::{AppError, FieldError};

/// The largest file accepted (the request limit, `web::UPLOAD_LIMIT`, leaves room for the form).
pub const MAX_BYTES: usize = 8 * 1024 * 1024;
/// The most files one record may hold for one purpose.
pub const MAX_PER_OWNER: i64 = 10;

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Magic {
    Pdf,
    Png,
    Jpeg,
    /// A ZIP container: DOCX, XLSX and OFD are ZIP files.
    Zip,
    /// The compound file of old Word and Excel (DOC, XLS).
    Ole,
}

fn magic(bytes: &[u8]) -> Option<Magic> {
    if bytes.starts_with(b"%PDF-") {
        Some(Magic::Pdf)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Magic::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Magic::Jpeg)
    } else if bytes.starts_with(b"PK\x03\x04") {
        Some(Magic::Zip)
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Some(Magic::Ole)
    } else {
        None
    }
}

/// The accepted extensions: (extension, what its bytes must be, media type).
const TYPES: &[(&str, Magic, &str)] = &[
    ("pdf", Magic::Pdf, "application/pdf"),
    ("png", Magic::Png, "image/png"),
    ("jpg", Magic::Jpeg, "image/jpeg"),
    ("jpeg", Magic::Jpeg, "image/jpeg"),
    (
        "docx",
        Magic::Zip,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "xlsx",
        Magic::Zip,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("ofd", Magic::Zip, "application/ofd"),
    ("doc", Magic::Ole, "application/msword"),
    ("xls", Magic::Ole, "application/vnd.ms-excel"),
];

/// A file as it arrived with its form: the purpose chosen, the name the browser sent, the bytes.
#[derive(Clone, Copy)]
pub struct Upload<'a> {
    pub purpose: &'a str,
    pub file_name: &'a str,
    pub bytes: &'a [u8],
}

/// A checked file, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub file_name: String,
    pub media_type: &'static str,
}

/// Checks a file: a usable name, an accepted extension whose bytes match it, not empty, not too
/// large. The refusal names what is wrong, for the `file` field.
pub fn check(file_name: &str, bytes: &[u8]) -> Result<Checked, AppError> {
    let refuse = |key: &'static str| {
        AppError::Invalid(vec![FieldError::new(
            crate::platform::error::Field("file"),
            key,
        )])
    };
    // Only the last path component, without control characters: browsers on Windows send paths.
    let name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect::<String>()
        .trim()
        .chars()
        .take(120)
        .collect();
    if bytes.is_empty() {
        return Err(refuse("attachment.empty"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(refuse("attachment.too_large"));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, want, media_type)) = TYPES.iter().find(|(e, _, _)| *e == ext) else {
        return Err(refuse("attachment.type_not_accepted"));
    };
    if magic(bytes) != Some(*want) {
        return Err(refuse("attachment.content_mismatch"));
    }
    Ok(Checked {
        file_name: name,
        media_type,
    })
}

/// `Content-Disposition` for a download: always `attachment`, with an ASCII fallback name and the
/// real name in RFC 5987 form, so that Chinese names survive every browser.
pub fn disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b".-_~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// A size as people read it: 532 KB, 1.2 MB.
pub fn human_size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} KB", (bytes + 1023) / 1024)
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    }
}

/// A stored file as a download response: never shown inline, never cached by the browser.
pub fn download_response(a: &store::Attachment, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, a.media_type.clone()),
            (header::CONTENT_DISPOSITION, disposition(&a.file_name)),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A multipart error as the person should hear it: too large (413), or a broken form (400).
fn upload_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest("error.bad_form")
    }
}

/// Reads the `purpose` and `file` fields of an upload form.
pub async fn read_upload(
    mut form: axum::extract::Multipart,
) -> Result<(String, Option<(String, Vec<u8>)>), AppError> {
    let mut purpose = String::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(upload_error)? {
        match field.name() {
            Some("purpose") => purpose = field.text().await.map_err(upload_error)?,
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(upload_error)?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    Ok((purpose, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(e: AppError) -> &'static str {
        match e {
            AppError::Invalid(v) => v[0].key,
            _ => "other",
        }
    }

    #[test]
    fn a_file_is_accepted_only_when_its_bytes_match_its_name() {
        let pdf = b"%PDF-1.7\n...";
        assert_eq!(
            check("报告.pdf", pdf).unwrap().media_type,
            "application/pdf"
        );
        assert_eq!(
            check("C:\\Users\\王\\现场照片.JPG", &[0xFF, 0xD8, 0xFF, 0xE0])
                .unwrap()
                .file_name,
            "现场照片.JPG"
        );
        assert_eq!(
            key(check("报告.docx", pdf).unwrap_err()),
            "attachment.content_mismatch"
        );
        assert_eq!(
            key(check("page.html", b"<html>").unwrap_err()),
            "attachment.type_not_accepted"
        );
        assert_eq!(
            key(check("无扩展名", pdf).unwrap_err()),
            "attachment.type_not_accepted"
        );
        assert_eq!(key(check("空.pdf", b"").unwrap_err()), "attachment.empty");
        let big = vec![b'%'; MAX_BYTES + 1];
        assert_eq!(
            key(check("大.pdf", &big).unwrap_err()),
            "attachment.too_large"
        );
        let at_limit = [b"%PDF-".as_slice(), &vec![0u8; MAX_BYTES - 5]].concat();
        assert!(
            check("刚好.pdf", &at_limit).is_ok(),
            "the limit itself is accepted"
        );
    }

    #[test]
    fn downloads_are_attachments_with_the_chinese_name_encoded() {
        let d = disposition("答复函 1.pdf");
        assert_eq!(
            d,
            "attachment; filename=\"____1.pdf\"; filename*=UTF-8''%E7%AD%94%E5%A4%8D%E5%87%BD%201.pdf"
        );
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(1), "1 KB");
        assert_eq!(human_size(1536 * 1024), "1.5 MB");
    }
}
