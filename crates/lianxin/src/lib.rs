//! 连心 Lianxin — the work platform of a district people's congress and its towns.
//!
//! Layout, in layer order: `platform` and `db`; the shared layers (`text`, `search`, `audit`,
//! `attachments`, `calendar`, `settings`, `notify`, `congress`, `accounts`, `web`); the domain
//! slices, each owning its rules, SQL (`store`), handlers and templates; and [`app`] on top.
//! `tests/it/architecture.rs` holds the order. ARCHITECTURE.md follows, included here so that
//! `cargo doc` (with `-D warnings` in CI) checks every name its walkthroughs link to: a renamed
//! function breaks the build instead of the document.
#![cfg_attr(all(doc, not(doctest)), doc = include_str!("../../../ARCHITECTURE.md"))]

pub mod accounts;
pub mod app;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod congress;
pub mod db;
pub mod livelihood;
pub mod meetings;
pub mod notify;
pub mod opinions;
pub mod people;
pub mod platform;
pub mod portal;
pub mod privacy;
pub mod search;
pub mod settings;
pub mod stations;
pub mod suggestions;
pub mod text;
pub mod web;
