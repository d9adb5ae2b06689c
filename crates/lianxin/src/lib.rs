//! 连心 Lianxin — the work platform of a district people's congress and its towns.
//!
//! Layout: `platform`, `db` and `web` are thin shared layers; every other top-level module is a
//! vertical slice owning its rules, SQL (`store`), handlers and templates. See ARCHITECTURE.md.

pub mod accounts;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod cli;
pub mod congress;
pub mod db;
pub mod demo;
pub mod livelihood;
pub mod meetings;
pub mod notify;
pub mod opinions;
pub mod people;
pub mod platform;
pub mod portal;
pub mod privacy;
pub mod search;
pub mod server;
pub mod settings;
pub mod stations;
pub mod suggestions;
pub mod text;
pub mod web;
