//! 账户 — accounts (global, linked to persons), roles granted per congress, server-side
//! sessions, API tokens, and the one policy layer that decides every access.

pub mod admin;
pub mod api;
pub mod bootstrap;
pub mod pages;
pub mod password;
pub mod policy;
pub mod roles;
pub mod second_factor;
pub mod second_factor_pages;
pub mod security_policy;
pub mod store;
pub mod tokens;
