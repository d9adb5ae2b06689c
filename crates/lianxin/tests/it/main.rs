//! The one integration test binary. Every test runs against a real database: SQLite by default,
//! PostgreSQL when `LIANXIN_TEST_DATABASE_URL` is set (CI runs both). Browser tests are ignored
//! by default and run by `.ci/run` with Debian's Chromium.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// Tests wait with timeouts and time the load they put on a server: timing code, not rules.
#![allow(clippy::disallowed_methods)]

mod admin;
mod api;
mod architecture;
mod audit;
mod browser;
mod import;
mod livelihood;
mod matrix;
mod meetings;
mod notify;
mod opinions;
mod ops;
mod people;
mod personal;
mod privacy;
mod schema;
mod security;
mod shared;
mod sign_in;
mod stations;
mod suggestions;
mod support;
mod tenancy;
mod web;
mod wire;
mod writes;
