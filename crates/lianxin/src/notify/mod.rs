//! 通知 — notifications. A module that causes a notice calls [`notify`] inside its own
//! transaction: the in-app inbox entry and the outbox row for external delivery commit with the
//! change itself. A background [`worker`] delivers the outbox through the configured adapter, with
//! retries; a delivered row is marked and never sent again, also after a restart. The daily
//! [`scheduler`] runs each job once per day across all server processes.

pub mod adapters;
pub mod pages;
pub mod scheduler;
pub mod worker;

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

/// Puts a notice in the user's inbox (in the caller's transaction).
pub async fn notify(tx: &mut Tx<'_>, n: &Notice<'_>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO notifications (congress_id, user_id, kind, title_zh, title_en, link, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(n.congress.map(|c| c.0))
    .bind(n.user.0)
    .bind(n.kind)
    .bind(n.title_zh)
    .bind(n.title_en)
    .bind(n.link)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
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
    enqueue(
        tx, vault, n.congress, channel, recipient, n.title_zh, n.link, now,
    )
    .await?;
    Ok(())
}

/// A notice in the inbox and, where the user can be reached (`people::contact_of_user`), through the
/// installation's adapters too — for what must not wait until the next sign-in (deadlines).
/// `reached` holds the contacts already used in this round: one message per phone or address,
/// however many accounts lead to it.
pub async fn notify_reaching(
    db: &Db,
    tx: &mut Tx<'_>,
    n: &Notice<'_>,
    now: i64,
    reached: &mut std::collections::HashSet<(&'static str, String)>,
) -> Result<(), sqlx::Error> {
    let contact = crate::people::contact_of_user(db, n.user)
        .await?
        .filter(|c| reached.insert(c.clone()));
    match contact {
        Some((channel, recipient)) => {
            notify_external(tx, &db.vault, n, (channel, &recipient), now).await
        }
        None => notify(tx, n, now).await,
    }
}

/// Queues an external message. The recipient (a phone number or e-mail address) and the body
/// are sealed at rest; the worker opens them only to hand them to the adapter.
#[allow(clippy::too_many_arguments)]
pub async fn enqueue(
    tx: &mut Tx<'_>,
    vault: &Vault,
    congress: Option<CongressId>,
    channel: &str,
    recipient: &str,
    subject: &str,
    body: &str,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (congress_id, channel, recipient, subject, body, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
    )
    .bind(congress.map(|c| c.0))
    .bind(channel)
    .bind(vault.seal(RECIPIENT, recipient)?)
    .bind(subject)
    .bind(vault.seal(BODY, body)?)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
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

pub async fn inbox(db: &Db, user: UserId, limit: i64) -> Result<Vec<InboxItem>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, kind, title_zh, title_en, link, created_at, read_at FROM notifications WHERE user_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(user.0)
    .bind(limit)
    .fetch_all(&db.pool)
    .await
}

pub async fn unread_count(db: &Db, user: UserId) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
            .bind(user.0)
            .fetch_one(&db.pool)
            .await?;
    Ok(n)
}

/// Marks one of the user's notices read; another user's notice is left alone.
pub async fn mark_read(db: &Db, user: UserId, id: i64, now: i64) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
    )
    .bind(id)
    .bind(user.0)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(r.rows_affected() == 1)
}
