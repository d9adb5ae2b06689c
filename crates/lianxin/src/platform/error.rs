//! One error type for request handling. Module errors convert into it; the web layer renders it
//! as an HTML page in the user's language or as RFC 9457 problem details for the API.
//!
//! Policy (as in crates.io): handlers and stores return `AppError`; `anyhow` is used only in the
//! CLI and background tasks, where an error is logged rather than shown to a user.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use thiserror::Error;

/// A field that failed validation, with the message key to show next to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub key: &'static str,
    /// A value for the message's `{n}` placeholder (e.g. minutes until an account unlocks).
    pub arg: Option<String>,
}

/// The name of the form field or JSON member an error is about. A type of its own, so that a
/// field and a message key — both text — cannot be passed in each other's place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field(pub &'static str);

impl FieldError {
    pub fn new(field: Field, key: &'static str) -> Self {
        Self {
            field: field.0,
            key,
            arg: None,
        }
    }

    pub fn with_arg(mut self, arg: impl ToString) -> Self {
        self.arg = Some(arg.to_string());
        self
    }
}

#[derive(Debug, Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Forbidden, with the reason's message key.
    #[error("denied: {0}")]
    Denied(&'static str),
    #[error("sign-in required")]
    Unauthenticated,
    /// A malformed request; the key names the message shown to the user.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("too many requests")]
    TooManyRequests,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("csrf token missing or wrong")]
    Csrf,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Denied(_) => StatusCode::FORBIDDEN,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Db(e) if is_busy(e) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message key for the error's title.
    pub fn key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error.not_found",
            AppError::Forbidden => "error.forbidden",
            AppError::Unauthenticated => "error.unauthenticated",
            AppError::BadRequest(k) | AppError::Conflict(k) | AppError::Denied(k) => k,
            AppError::Invalid(_) => "error.invalid",
            AppError::TooManyRequests => "error.too_many",
            AppError::UnsupportedMediaType => "error.content_type",
            AppError::PayloadTooLarge => "error.too_large",
            AppError::Csrf => "error.csrf",
            AppError::Db(e) if is_busy(e) => "error.busy",
            AppError::Db(_) | AppError::Internal(_) => "error.internal",
        }
    }

    /// One field's error (422): the field, then the message key.
    pub fn field(field: Field, key: &'static str) -> Self {
        AppError::Invalid(vec![FieldError::new(field, key)])
    }

    pub fn internal(e: impl std::fmt::Display) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// The error travels to the rendering middleware in the response's extensions; the body here is
/// only a fallback for a response that escapes that middleware.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub key: &'static str,
    pub fields: Vec<FieldError>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retryable = matches!(&self, AppError::Db(e) if is_retryable(e));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // Busy: the command did not run; `db::tx` logged who held the lock.
            tracing::warn!(error = %self, "request refused: database busy");
        } else if status.is_server_error() {
            // The detail goes to the log only; the user sees a generic message.
            tracing::error!(error = %self, "request failed");
        }
        let fields = match &self {
            AppError::Invalid(f) => f.clone(),
            _ => Vec::new(),
        };
        let info = ErrorInfo {
            status,
            key: self.key(),
            fields,
        };
        let mut resp = (status, info.key).into_response();
        resp.extensions_mut().insert(info);
        if status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        if retryable {
            resp.extensions_mut().insert(Retryable);
        }
        resp
    }
}

pub type AppResult<T> = Result<T, AppError>;

/// What a busy answer asks the client to wait before trying again, in seconds.
pub const RETRY_AFTER_SECS: &str = "2";

/// Marks a response whose command PostgreSQL aborted to break a deadlock: nothing was written,
/// and the web layer runs the request once more (`web::retry`).
#[derive(Debug, Clone, Copy)]
pub struct Retryable;

/// The database could not give the command its lock or connection in time: the command did not
/// run and may be tried again (503). SQLite: `SQLITE_BUSY` (5) and its extended codes, and
/// `SQLITE_LOCKED` (6); PostgreSQL: `lock_not_available` (55P03, the lock timeout).
pub fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            let sqlite_busy = code
                .parse::<i64>()
                .is_ok_and(|c| c & 0xff == 5 || c & 0xff == 6);
            sqlite_busy || code == "55P03" || code == "40001" || code == "40P01"
        }
        _ => false,
    }
}

/// PostgreSQL aborted the transaction to resolve a deadlock (40P01) or a serialization failure
/// (40001): the whole command may be run again from the start.
pub fn is_retryable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => matches!(d.code().as_deref(), Some("40001" | "40P01")),
        _ => false,
    }
}
