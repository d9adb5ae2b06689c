//! 在场 — whether a member is seated at an open meeting (checked in): such a session does not end
//! for idling, so a vote never finds a member signed out at their seat (issue 7). The meetings
//! slice knows who is seated; it offers the check as a service ([`Presence`], registered by the
//! application layer), so that accounts, below the slices, need not know meetings.

use crate::db::Db;
use crate::platform::ids::UserId;
use std::future::Future;
use std::pin::Pin;

/// The answer of a [`Presence`] check.
pub type Seated<'a> = Pin<Box<dyn Future<Output = Result<bool, sqlx::Error>> + Send + 'a>>;

/// Is this user checked in to a meeting that is open now?
#[derive(Clone, Copy)]
pub struct Presence(pub for<'a> fn(&'a Db, UserId) -> Seated<'a>);
