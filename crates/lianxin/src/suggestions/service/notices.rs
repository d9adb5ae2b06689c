//! 通知 — who is told of each step, in their inbox (and through the notification adapters the
//! installation configured): invited co-signers, the office of a new submission or a unit's
//! return, the deputy of the review and of the assignment, the units of their new item, the
//! deputy and every co-signer of the reply (抄送), the unit of the evaluation. The actor is not
//! told of their own act. Written in the command's transaction: no notice without its step.

use super::*;
use crate::notify::{Notice, notify, notify_reaching};

/// A notice's kind and its titles in both languages.
pub(super) struct Tell {
    pub kind: &'static str,
    /// Also through the adapters (SMS, e-mail) where the person can be reached: outcomes a
    /// deputy waits for (the review, the reply).
    pub reach: bool,
    pub zh: String,
    pub en: String,
}

/// `第12号` / `No. 12 ` for titles (empty before registration).
pub(super) fn numbers(s: &Suggestion) -> (String, String) {
    match s.number {
        Some(n) => (format!("第{n}号"), format!("No. {n} ")),
        None => (String::new(), String::new()),
    }
}

/// Puts the notice in each user's inbox, except the actor's.
pub(super) async fn tell(
    db: &Db,
    tx: &mut Tx<'_>,
    congress: CongressId,
    id: i64,
    users: &[i64],
    t: &Tell,
    o: &Origin,
) -> Result<(), sqlx::Error> {
    let link = format!("/c/{}/suggestions/{id}", congress.0);
    let mut reached = std::collections::HashSet::new();
    for u in users {
        if *u == o.user.0 {
            continue;
        }
        let n = Notice {
            congress: Some(congress),
            user: UserId(*u),
            kind: t.kind,
            title_zh: &t.zh,
            title_en: &t.en,
            link: &link,
        };
        if t.reach {
            let contact = crate::people::contact_of_user(db, n.user).await?;
            notify_reaching(db, tx, &n, contact, o.now, &mut reached).await?;
        } else {
            notify(tx, &n, o.now).await?;
        }
    }
    Ok(())
}

/// The accounts of the lead deputy and, with `cosigners`, of every signer who consented.
pub(super) async fn deputies_of(
    db: &Db,
    congress: CongressId,
    s: &Suggestion,
    cosigners: bool,
) -> Result<Vec<i64>, sqlx::Error> {
    let mut ids = vec![s.lead_deputy_id];
    if cosigners {
        ids.extend(
            store::signers(db, congress, s.id)
                .await?
                .into_iter()
                .filter(|g| g.consent == "accepted")
                .map(|g| g.deputy_id),
        );
    }
    store::deputy_users(db, congress, &ids).await
}
