//! 议案 — deputies' and institutions' motions at a session: drafting with signers, filing with
//! the presidium, its decision, a special committee's report, and handling as a suggestion when
//! not put on the agenda. A part of the suggestions slice: it shares the suggestions' history,
//! signers and state queries ([`crate::suggestions`]'s store, `history::Item::Motion`), its
//! office capacity and its [`crate::suggestions::service::Origin`].
//!
//! - [`domain`]: the motion machine, pure.
//! - [`service`]: the commands, one transaction each.
//! - [`api`] and [`pages`]: the JSON API and the pages.

pub mod api;
pub mod domain;
pub mod pages;
pub mod service;
mod store;
