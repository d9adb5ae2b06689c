//! 通知 — notifications. A module that causes a notice calls [`notify`] inside its own
//! transaction: the in-app inbox entry and the outbox row for external delivery commit with the
//! change itself. A background [`worker`] delivers the outbox through the configured adapter, with
//! retries; a delivered row is marked and never sent again, also after a restart. The daily
//! [`scheduler`] runs each job once per day across all server processes.

pub mod adapters;
pub mod pages;
pub mod scheduler;
mod store;
pub mod worker;

pub use store::{enqueue, inbox, mark_read, notify, unread_count};

use crate::db::{Db, Tx};
use crate::platform::ids::{CongressId, UserId};
use crate::platform::vault::Vault;

/// Contexts the outbox's sealed columns are bound to.
pub const RECIPIENT: &str = "outbox.recipient";
pub const BODY: &str = "outbox.body";

/// A notice to one user.
pub struct Notice<'a> {
    pub congress: Option<CongressId>,
    pub user: UserId,
    pub kind: &'a str,
    pub title_zh: &'a str,
    pub title_en: &'a str,
    pub link: &'a str,
}

/// A message for the outbox: `channel` is `email` or `sms`, `recipient` the address or phone
/// number (sealed at rest, as is the body).
pub struct Message<'a> {
    pub congress: Option<CongressId>,
    pub channel: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
}

/// A notice in the inbox plus an external copy (`channel` is `email` or `sms`, `recipient` the
/// address or phone number), both in the caller's transaction.
pub async fn notify_external(
    tx: &mut Tx<'_>,
    vault: &Vault,
    n: &Notice<'_>,
    (channel, recipient): (&str, &str),
    now: i64,
) -> Result<(), sqlx::Error> {
    notify(tx, n, now).await?;
    let copy = Message {
        congress: n.congress,
        channel,
        recipient,
        subject: n.title_zh,
        body: n.link,
    };
    enqueue(tx, vault, &copy, now).await?;
    Ok(())
}

/// A notice in the inbox and, where the user can be reached (`contact`, found by the caller in the
/// roster: a phone number or e-mail address), through the installation's adapters too — for what must not wait until the next sign-in (deadlines).
/// `reached` holds the contacts already used in this round: one message per phone or address,
/// however many accounts lead to it.
pub async fn notify_reaching(
    db: &Db,
    tx: &mut Tx<'_>,
    n: &Notice<'_>,
    contact: Option<(&'static str, String)>,
    now: i64,
    reached: &mut std::collections::HashSet<(&'static str, String)>,
) -> Result<(), sqlx::Error> {
    let contact = contact.filter(|c| reached.insert(c.clone()));
    match contact {
        Some((channel, recipient)) => {
            notify_external(tx, &db.vault, n, (channel, &recipient), now).await
        }
        None => notify(tx, n, now).await,
    }
}

#[derive(Debug, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct InboxItem {
    pub id: i64,
    pub kind: String,
    pub title_zh: String,
    pub title_en: String,
    pub link: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}
