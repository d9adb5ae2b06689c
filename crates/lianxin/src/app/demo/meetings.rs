//! The demo district's meetings: accounts for every member of the standing committee (so that a
//! whole meeting can be run from phones), last month's meeting with its votes counted and sealed,
//! and today's meeting called with its agenda, ready to open.

use super::suggestions::{at, user};
use crate::accounts;
use crate::accounts::roles::{Grant, Role};
use crate::db::Db;
use crate::meetings;
use crate::meetings::domain::{ItemKind, MeetingKind, MeetingState};
use crate::meetings::service::{self, CheckIn, NewMeeting, NewVote};
use crate::platform::ids::{CongressId, UserId};
use crate::platform::origin::Origin;
use serde_json::json;

fn origin(user: i64, now: i64, days_ago: i64) -> Origin {
    let (ms, today) = at(now, days_ago);
    Origin {
        user: UserId(user),
        client_addr: None,
        now: ms,
        today,
    }
}

pub async fn seed(db: &Db, district: CongressId, hash: &str, now: i64) -> anyhow::Result<()> {
    let staff = user(db, "bangong").await?;
    let o = origin(staff, now, 30);
    let past = service::create_meeting(
        db,
        district,
        &NewMeeting {
            kind: MeetingKind::StandingCommittee,
            title: "示范区第十八届人大常委会第三十次会议".into(),
            place: "区人大常委会会议室".into(),
            starts_at: o.now,
        },
        &o,
    )
    .await?;
    // Accounts for the members who have none: changwei02, changwei03, … (the demo password).
    let roll = meetings::roll(db, past).await?;
    let mut tx = db.write().await?;
    for (n, r) in roll.iter().filter(|r| r.user_id.is_none()).enumerate() {
        let u = accounts::create_user(
            &mut tx,
            &format!("changwei{:02}", n + 2),
            &format!("演示·常委会组成人员{}", r.name),
            Some(r.person_id),
            hash,
            false,
            now,
        )
        .await?;
        accounts::grant(
            &mut tx,
            u,
            &Grant {
                congress: district,
                role: Role::StandingCommitteeMember,
                office: None,
                organization: None,
            },
            now,
        )
        .await?;
    }
    tx.commit().await?;

    // Last month: 22 of 25 present, a decision passed and an appointment made.
    service::set_state(db, district, past, MeetingState::Open, &o).await?;
    let roll = meetings::roll(db, past).await?;
    for r in roll.iter().skip(3) {
        service::check_in(
            db,
            district,
            past,
            CheckIn::Staff {
                person: r.person_id,
            },
            &o,
        )
        .await?;
    }
    service::leave(db, district, past, Some(roll[0].person_id), "出差", &o).await?;
    service::add_item(
        db,
        district,
        past,
        ItemKind::Report,
        "听取区人民政府关于老旧小区改造情况的报告",
        &o,
    )
    .await?;
    let decision = service::add_item(
        db,
        district,
        past,
        ItemKind::Decision,
        "关于批准2026年区级预算调整方案的决议（草案）",
        &o,
    )
    .await?;
    let appointment = service::add_item(
        db,
        district,
        past,
        ItemKind::Appointment,
        "任命陈立新为示范区教育局局长",
        &o,
    )
    .await?;
    for (item, subject, yes) in [
        (decision, "关于批准2026年区级预算调整方案的决议", 19usize),
        (appointment, "任命陈立新为示范区教育局局长", 20),
    ] {
        let vote = NewVote {
            method: None,
            subject: subject.into(),
            seats: None,
            candidates: None,
            post: None,
            write_ins_deputies_only: None,
            keep_order: None,
            appointees: None,
            merged_by: None,
            ballot_form: None,
            selection_rule: None,
        };
        let v = service::create_vote(db, district, past, item, &vote, &o).await?;
        service::open_vote(db, district, v, &o).await?;
        for (k, r) in roll.iter().skip(3).enumerate() {
            let Some(u) = r
                .user_id
                .or(meetings::roll_of_person(db, past, r.person_id).await?)
            else {
                continue;
            };
            let ballot = if k < yes {
                json!("yes")
            } else if k % 2 == 0 {
                json!("abstain")
            } else {
                json!("no")
            };
            service::cast(db, district, v, &ballot, &origin(u, now, 30)).await?;
        }
        service::close_vote(db, district, v, None, &o).await?;
    }
    service::set_state(db, district, past, MeetingState::Closed, &o).await?;

    // Today: called, with its agenda, to be opened in the room.
    let o = origin(staff, now, 0);
    let today = service::create_meeting(
        db,
        district,
        &NewMeeting {
            kind: MeetingKind::StandingCommittee,
            title: "示范区第十八届人大常委会第三十一次会议".into(),
            place: "区人大常委会会议室".into(),
            starts_at: o.now,
        },
        &o,
    )
    .await?;
    service::add_item(
        db,
        district,
        today,
        ItemKind::Report,
        "听取区人民政府关于民生实事项目实施情况的报告",
        &o,
    )
    .await?;
    service::add_item(
        db,
        district,
        today,
        ItemKind::Decision,
        "关于示范区民生实事项目实施情况报告的决议（草案）",
        &o,
    )
    .await?;
    service::add_item(
        db,
        district,
        today,
        ItemKind::Appointment,
        "任命林晓燕为示范区民政局局长",
        &o,
    )
    .await?;
    Ok(())
}
