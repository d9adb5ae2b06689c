//! Shared kernel every module uses: configuration, the injected clock, typed errors, ids,
//! messages in both languages, and keyset pagination. Nothing here knows about a module.

pub mod clock;
pub mod config;
pub mod error;
pub mod i18n;
pub mod ids;
pub mod origin;
pub mod page;
pub mod seal;
pub mod secret;
pub mod vault;
