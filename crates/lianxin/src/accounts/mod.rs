//! 账户 — accounts (global, linked to persons), roles granted per congress, server-side
//! sessions, API tokens, and the one policy layer that decides every access.

pub mod admin;
pub mod api;
pub mod bootstrap;
pub mod home;
pub mod jobs;
pub mod pages;
pub mod password;
pub mod policy;
pub mod presence;
pub mod roles;
pub mod second_factor;
pub mod second_factor_pages;
pub mod security_pages;
pub mod security_policy;
mod store;
pub mod tokens;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{
    create_api_token, create_user, grant, grants_of, policy, session_actor, set_policy_value,
    token_actor,
};
