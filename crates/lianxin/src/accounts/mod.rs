//! 账户 — accounts (global, linked to persons), roles granted per congress, server-side
//! sessions, API tokens, and the one policy layer that decides every access.

pub mod admin;
pub mod api;
pub mod bootstrap;
pub mod pages;
pub mod password;
pub mod policy;
pub mod roles;
pub mod store;

/// Failed sign-ins before the account is locked, and for how long (等保 level 3; the security
/// issue turns both into settings).
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_MS: i64 = 15 * 60 * 1000;
