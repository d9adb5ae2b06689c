//! 群众意见 — citizens' opinions (问政、问需、问计): the public form (no account; from the portal,
//! a deputy's or a station's QR code), the tracking code and page the citizen follows, and the
//! staff's list and answer. Issue 6 grows routing, conversion to suggestions, feedback,
//! search and grouping on this ground.

pub mod api;
pub mod domain;
pub mod intake;
pub mod pages;
pub mod public;
pub mod service;
mod store;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{Filter, Scope, get, list, members};
