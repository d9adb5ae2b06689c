//! The daily reminders (issue 5 item 12): a reply due in 15 days and in 3 days is announced to
//! the lead unit's accounts; on the first day overdue, to the unit and the deputies' affairs
//! office. Replied items whose feedback window has passed close as "not rated" — silence is
//! never counted as satisfaction.

use super::domain::{Command, State};
use super::store;
use crate::db::Db;
use crate::notify::scheduler::DailyJob;
use crate::notify::{Notice, notify_reaching};
use crate::platform::ids::{CongressId, UserId};
use chrono::{Duration, NaiveDate};

/// The daily job.
pub const DAILY: DailyJob = DailyJob {
    name: "suggestion_reminders",
    run: |cx| {
        Box::pin(async move {
            let ran = run(cx.db, cx.clock.today(), cx.clock.now_ms()).await?;
            tracing::info!(
                notices = ran.notices,
                lapsed = ran.lapsed,
                "suggestion reminders"
            );
            Ok(())
        })
    },
};

/// What the run did, for the log and the tests.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ran {
    pub notices: usize,
    pub lapsed: usize,
}

pub async fn run(db: &Db, today: NaiveDate, now: i64) -> Result<Ran, sqlx::Error> {
    let mut ran = Ran::default();
    let iso = |d: NaiveDate| d.to_string();
    let dates = vec![
        iso(today + Duration::days(15)),
        iso(today + Duration::days(3)),
        iso(today - Duration::days(1)),
    ];
    for item in store::due_on(db, "reply", &dates, None).await? {
        let congress = CongressId(item.congress_id);
        let overdue = item.due_on == dates[2];
        let days = if item.due_on == dates[0] { 15 } else { 3 };
        let no = item.number.map(|n| format!("第{n}号")).unwrap_or_default();
        let no_en = item.number.map(|n| format!("No. {n} ")).unwrap_or_default();
        let (zh, en) = if overdue {
            (
                format!("{no}建议已超过答复期限（{}）：{}", item.due_on, item.title),
                format!(
                    "Suggestion {no_en}is overdue (due {}): {}",
                    item.due_on, item.title
                ),
            )
        } else {
            (
                format!(
                    "{no}建议距答复期限还有{days}天（{}）：{}",
                    item.due_on, item.title
                ),
                format!(
                    "Suggestion {no_en}is due in {days} days ({}): {}",
                    item.due_on, item.title
                ),
            )
        };
        let mut users = store::lead_unit_users(db, congress, item.id).await?;
        // Key-supervision items (重点督办) are the office's to chase: it hears of every step.
        if overdue || item.key_supervision == 1 {
            users.extend(store::office_users(db, congress).await?);
        }
        let link = format!("/c/{}/suggestions/{}", item.congress_id, item.id);
        let mut tx = db.write().await?;
        let mut reached = std::collections::HashSet::new();
        for u in users {
            // Deadlines reach people outside the system too (SMS or e-mail where known).
            let contact = crate::people::contact_of_user(db, UserId(u)).await?;
            notify_reaching(
                db,
                &mut tx,
                &Notice {
                    congress: Some(congress),
                    user: UserId(u),
                    kind: if overdue {
                        "suggestion_overdue"
                    } else {
                        "suggestion_due"
                    },
                    title_zh: &zh,
                    title_en: &en,
                    link: &link,
                },
                contact,
                now,
                &mut reached,
            )
            .await?;
            ran.notices += 1;
        }
        tx.commit().await?;
    }
    // The feedback window passed without an evaluation: closed as not rated.
    for item in store::due_on(db, "feedback", &[], Some(&today.to_string())).await? {
        let congress = CongressId(item.congress_id);
        if State::parse(&item.state) != Some(State::Replied) {
            continue;
        }
        // Some signers rated (every-signer setting): their combined rating decides, not silence.
        match super::service::settle_lapsed(db, congress, item.id, now, today).await {
            Ok(Some(_)) => {
                ran.lapsed += 1;
                continue;
            }
            Ok(None) => {}
            Err(crate::platform::error::AppError::Db(e)) => return Err(e),
            Err(e) => {
                tracing::warn!(item = item.id, error = %e, "suggestion rating could not be settled");
                continue;
            }
        }
        let mut tx = db.write().await?;
        if store::set_state(&mut tx, congress, item.id, "replied", "closed", now).await? {
            store::event(
                &mut tx,
                congress,
                item.id,
                &store::Step {
                    user: None,
                    action: Command::FeedbackLapsed.name(),
                    from: "replied",
                    to: "closed",
                    note: "",
                    now,
                },
            )
            .await?;
            store::set_closed(&mut tx, congress, item.id, &today.to_string()).await?;
            crate::calendar::deadlines::close(&mut tx, "suggestions", item.id, "feedback", now)
                .await?;
            crate::audit::append(
                &mut tx,
                &crate::audit::Record {
                    at: now,
                    user: None,
                    congress: Some(congress),
                    action: "suggestions.feedback_lapsed",
                    target: format!("suggestion:{}", item.id),
                    outcome: crate::audit::Outcome::Success,
                    fields: &["state"],
                    client_addr: None,
                },
            )
            .await?;
            ran.lapsed += 1;
        }
        tx.commit().await?;
    }
    Ok(ran)
}
