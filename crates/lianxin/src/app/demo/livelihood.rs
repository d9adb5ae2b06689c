//! The demo district's livelihood projects: last year's cycle run to its end (proposals, the
//! government's candidates, the standing committee's review, the plenary's selection vote,
//! delivery with its reports, and this January's rating, one project rated unsatisfactory with
//! its rectification task), and this year's cycle selected at the same sitting and now being
//! delivered, with a supervision group, a visit and an open problem. Everything goes through the
//! modules' commands, dated as it would have happened.

use super::suggestions::user;
use crate::db::Db;
use crate::livelihood;
use crate::livelihood::delivery::{self, Capacity, MilestoneInput, ReportInput, VisitInput};
use crate::livelihood::domain::ProjectState;
use crate::livelihood::service::{
    self, CandidateForm, NewCycle, PhaseInput, ProposalInput, Source,
};
use crate::livelihood::steps;
use crate::meetings as meeting_store;
use crate::meetings::domain::{MeetingKind, MeetingState, VoteMethod};
use crate::meetings::service::{self as meetings, NewMeeting};
use crate::platform::ids::{CongressId, UserId};
use crate::platform::origin::Origin;
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::json;

mod projects;
use projects::{LAST_YEAR, Project, THIS_YEAR};

/// An origin at 10:00 China time on `day`.
fn on(user: i64, day: NaiveDate) -> Origin {
    let ms = day
        .and_hms_opt(2, 0, 0)
        .map(|t| t.and_utc().timestamp_millis())
        .unwrap_or_default();
    Origin {
        user: UserId(user),
        client_addr: None,
        now: ms,
        today: day,
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// A cycle for `year`: collected from September the year before, voted at January's session,
/// delivered through the year, rated at the next January's session.
fn phases(year: i32) -> Vec<PhaseInput> {
    let p = year - 1;
    [
        ("collection", ymd(p, 9, 1), ymd(p, 10, 15)),
        ("screening", ymd(p, 10, 16), ymd(p, 11, 30)),
        ("review", ymd(p, 12, 1), ymd(p, 12, 20)),
        ("vote", ymd(year, 1, 8), ymd(year, 1, 12)),
        ("implementation", ymd(year, 1, 13), ymd(year, 12, 31)),
        ("evaluation", ymd(year + 1, 1, 5), ymd(year + 1, 1, 20)),
    ]
    .iter()
    .map(|(phase, s, e)| PhaseInput {
        phase: (*phase).into(),
        starts_on: s.to_string(),
        ends_on: e.to_string(),
    })
    .collect()
}

pub async fn seed(db: &Db, district: CongressId, now: i64) -> anyhow::Result<()> {
    let staff = user(db, "bangong").await?;
    let unit_user = user(db, "chengban").await?;
    let (_, today) = super::suggestions::at(now, 0);
    // The year whose session has been held: after mid-January, this year's.
    let year = (today - Duration::days(15)).year();
    // The demo's unit account (chengban) leads the first project of each year, so that its
    // plan and reports can be tried; the others go to other units.
    let own = crate::accounts::grants_of(db, UserId(unit_user))
        .await?
        .iter()
        .find_map(|g| g.organization);
    let units: Vec<i64> = livelihood::units(db, district)
        .await?
        .into_iter()
        .map(|u| u.0)
        .filter(|u| Some(*u) != own)
        .collect();
    let unit_of = |i: usize| match (i, own) {
        (0, Some(u)) => Some(u),
        _ => units.get(i % units.len().max(1)).copied(),
    };

    let last = cycle(db, district, staff, year - 1).await?;
    let this = cycle(db, district, staff, year).await?;
    for (c, y, list) in [(last, year - 1, LAST_YEAR), (this, year, THIS_YEAR)] {
        collect_and_screen(db, district, c, y, list, unit_user, &unit_of).await?;
        review(db, district, c, y, staff).await?;
    }

    // Last January's sitting voted last year's list; this January's rates it and votes this
    // year's.
    let sitting_last = sitting(db, district, staff, ymd(year - 1, 1, 10)).await?;
    let o = on(staff, ymd(year - 1, 1, 10));
    steps::put_to_vote(db, district, last, sitting_last, None, &o).await?;
    count_selection(db, district, last, &o, &[161, 158, 150, 147, 139, 72]).await?;
    meetings::set_state(db, district, sitting_last, MeetingState::Closed, &o).await?;
    deliver(db, district, last, unit_user, staff, year - 1, true).await?;

    let sitting_this = sitting(db, district, staff, ymd(year, 1, 10)).await?;
    let o = on(staff, ymd(year, 1, 10));
    let ratings = steps::put_to_rating(db, district, last, sitting_this, &o).await?;
    for (k, vote) in ratings.iter().enumerate() {
        // One project is rated unsatisfactory: 满意 and 基本满意 together not above half of all.
        let counts = if k == 3 {
            json!({"satisfied": 40, "basically_satisfied": 41, "dissatisfied": 86})
        } else {
            json!({"satisfied": 120 + k as i64, "basically_satisfied": 35, "dissatisfied": 12 - k as i64})
        };
        paper_count(db, district, *vote, counts, 3, &o).await?;
    }
    steps::apply_ratings(db, district, last, &o).await?;
    steps::put_to_vote(db, district, this, sitting_this, None, &o).await?;
    count_selection(db, district, this, &o, &[166, 160, 149, 141, 138, 64]).await?;
    meetings::set_state(db, district, sitting_this, MeetingState::Closed, &o).await?;
    deliver(db, district, this, unit_user, staff, year, false).await?;
    Ok(())
}

async fn cycle(db: &Db, district: CongressId, staff: i64, year: i32) -> anyhow::Result<i64> {
    let o = on(staff, ymd(year - 1, 8, 20));
    Ok(service::create_cycle(
        db,
        district,
        &NewCycle {
            year: i64::from(year),
            title: format!("示范区{year}年民生实事项目"),
            places: 5,
            ratio_percent: 20,
            ballot_form: Some("choose".into()),
            selection_rule: None,
            phases: phases(year),
        },
        &o,
    )
    .await?)
}

/// Citizens' and deputies' proposals in September, the government's candidates in November.
async fn collect_and_screen(
    db: &Db,
    district: CongressId,
    cycle: i64,
    year: i32,
    list: &[Project],
    unit_user: i64,
    unit_of: &dyn Fn(usize) -> Option<i64>,
) -> anyhow::Result<()> {
    let deputy = user(db, "deputy").await?;
    let mut proposal_ids = Vec::new();
    for (k, (_, _, _, _, proposals)) in list.iter().enumerate() {
        let mut ids = Vec::new();
        for (j, (title, place)) in proposals.iter().enumerate() {
            let day = ymd(year - 1, 9, 3 + (k * 3 + j) as u32);
            let o = on(deputy, day);
            let mut input = ProposalInput {
                title: (*title).into(),
                body: format!("{title}，地点在{place}。"),
                place: (*place).into(),
                category: category(k).into(),
                ..Default::default()
            };
            let id = if j == 0 {
                input.issued = crate::opinions::service::form_token(db, o.now - 60_000)?;
                service::propose(
                    db,
                    district,
                    cycle,
                    &input,
                    Source::Public,
                    None,
                    (o.now, day),
                )
                .await?
            } else {
                service::propose(
                    db,
                    district,
                    cycle,
                    &input,
                    Source::Deputy,
                    Some(&o),
                    (o.now, day),
                )
                .await?
            };
            ids.push(id);
        }
        proposal_ids.push(ids);
    }
    // One proposal the government declines, with its published reason.
    let o = on(deputy, ymd(year - 1, 10, 10));
    let declined = service::propose(
        db,
        district,
        cycle,
        &ProposalInput {
            title: "建设区级大型体育中心".into(),
            body: "希望在城东新建一座可容纳两万人的体育中心，举办大型比赛。".into(),
            place: "柳河镇".into(),
            category: "other".into(),
            ..Default::default()
        },
        Source::Deputy,
        Some(&o),
        (o.now, o.today),
    )
    .await?;
    let o = on(unit_user, ymd(year - 1, 11, 10));
    service::reject_proposal(
        db,
        district,
        declined,
        "投资规模超出年度民生实事项目范围，已转区发改局纳入重大项目库研究。",
        &o,
    )
    .await?;
    for (k, (title, content, targets, budget, _)) in list.iter().enumerate() {
        let o = on(unit_user, ymd(year - 1, 11, 12 + k as u32));
        service::add_candidate(
            db,
            district,
            cycle,
            &CandidateForm {
                title: (*title).into(),
                content: (*content).into(),
                targets: (*targets).into(),
                budget_yuan: Some(*budget),
                lead_unit: unit_of(k),
                timetable: format!("{year}年1月启动，12月底前完成"),
                proposals: proposal_ids[k].clone(),
            },
            &o,
        )
        .await?;
    }
    Ok(())
}

fn category(k: usize) -> &'static str {
    [
        "elderly_care",
        "housing",
        "schools",
        "business",
        "environment",
        "roads_transport",
    ][k % 6]
}

/// The standing committee's December meeting reviews the list.
async fn review(
    db: &Db,
    district: CongressId,
    cycle: i64,
    year: i32,
    staff: i64,
) -> anyhow::Result<()> {
    let o = on(staff, ymd(year - 1, 12, 10));
    let m = meetings::create_meeting(
        db,
        district,
        &NewMeeting {
            kind: MeetingKind::StandingCommittee,
            title: format!("示范区人大常委会会议（审议{year}年民生实事候选项目）"),
            place: "区人大常委会会议室".into(),
            starts_at: o.now,
        },
        &o,
    )
    .await?;
    steps::put_on_review(db, district, cycle, m, &o).await?;
    let members: Vec<i64> = meeting_store::roll(db, m)
        .await?
        .iter()
        .map(|r| r.person_id)
        .collect();
    meetings::check_in_sheet(db, district, m, &members, &o).await?;
    meetings::set_state(db, district, m, MeetingState::Open, &o).await?;
    steps::record_review(
        db,
        district,
        cycle,
        "会议审议认为，候选项目贴近群众需求，建议进一步细化目标任务和资金安排，提请区人民代表大会票决。",
        &o,
    )
    .await?;
    meetings::set_state(db, district, m, MeetingState::Closed, &o).await?;
    Ok(())
}

/// January's plenary, opened with 170 of the deputies signed in on the sheet.
async fn sitting(db: &Db, district: CongressId, staff: i64, day: NaiveDate) -> anyhow::Result<i64> {
    let o = on(staff, day);
    let m = meetings::create_meeting(
        db,
        district,
        &NewMeeting {
            kind: MeetingKind::CongressSitting,
            title: format!("示范区第十八届人民代表大会第{}次会议", day.year() - 2021),
            place: "区人民大会堂".into(),
            starts_at: o.now,
        },
        &o,
    )
    .await?;
    let roll: Vec<i64> = meeting_store::roll(db, m)
        .await?
        .iter()
        .map(|r| r.person_id)
        .collect();
    // A few are away with the presidium's leave (never counted against them, 代表法 Art 62).
    let present = roll.len().saturating_sub(roll.len() / 18);
    meetings::check_in_sheet(db, district, m, &roll[..present], &o).await?;
    for person in &roll[present..] {
        meetings::leave(db, district, m, Some(*person), "", &o).await?;
    }
    meetings::set_state(db, district, m, MeetingState::Open, &o).await?;
    Ok(m)
}

/// The selection vote by paper ballots, counted by the tellers, and its result recorded.
async fn count_selection(
    db: &Db,
    district: CongressId,
    cycle: i64,
    o: &Origin,
    approvals: &[i64],
) -> anyhow::Result<()> {
    let c = service::cycle(db, district, cycle).await?;
    let vote = c.vote_id.ok_or_else(|| anyhow::anyhow!("no vote"))?;
    let (_, v) = meetings::vote(db, district, vote).await?;
    let names = meetings::candidates_of(&v);
    let counts: serde_json::Map<String, serde_json::Value> = names
        .iter()
        .zip(approvals)
        .map(|(n, a)| (n.clone(), json!(a)))
        .collect();
    paper_count(db, district, vote, serde_json::Value::Object(counts), 2, o).await?;
    steps::apply_vote(db, district, cycle, o).await?;
    Ok(())
}

async fn paper_count(
    db: &Db,
    district: CongressId,
    vote: i64,
    counts: serde_json::Value,
    void: u32,
    o: &Origin,
) -> anyhow::Result<()> {
    meetings::open_vote(db, district, vote, o).await?;
    meetings::switch_method(
        db,
        district,
        vote,
        VoteMethod::Paper,
        "大会采用纸质票，由计票人计票",
        o,
    )
    .await?;
    let serde_json::Value::Object(map) = counts else {
        anyhow::bail!("counts");
    };
    meetings::close_vote(db, district, vote, Some((map, void)), o).await?;
    Ok(())
}

/// The plan, the reports and the supervision of a cycle's selected projects. Last year's are
/// delivered and their problems closed; this year's are under way, reported on yesterday.
async fn deliver(
    db: &Db,
    district: CongressId,
    cycle: i64,
    unit_user: i64,
    staff: i64,
    year: i32,
    done: bool,
) -> anyhow::Result<()> {
    let office = Capacity {
        office: true,
        lead_unit: false,
        supervisor: false,
    };
    let unit = Capacity {
        office: false,
        lead_unit: true,
        supervisor: false,
    };
    let deputies = livelihood::deputies_in_office(db, district).await?;
    let selected: Vec<_> = livelihood::projects(db, cycle)
        .await?
        .into_iter()
        .filter(|p| p.state == ProjectState::Selected)
        .collect();
    for (k, p) in selected.iter().enumerate() {
        let o = on(unit_user, ymd(year, 1, 20));
        for (title, weight, due) in [
            ("完成方案设计和招标", 20, ymd(year, 3, 31)),
            ("完成主体建设", 50, ymd(year, 9, 30)),
            ("完成验收并投入使用", 30, ymd(year, 12, 20)),
        ] {
            delivery::add_milestone(
                db,
                district,
                p,
                unit,
                &MilestoneInput {
                    title: title.into(),
                    weight,
                    due_on: due.to_string(),
                },
                &o,
            )
            .await?;
        }
        let ms = livelihood::milestones(db, p.id).await?;
        let o = on(staff, ymd(year, 1, 25));
        // The demo's deputy account sits on the first project's group.
        let mut group: Vec<i64> = deputies
            .iter()
            .skip(k * 3 + 1)
            .take(3)
            .map(|d| d.0)
            .collect();
        if k == 0
            && let Some(me) = livelihood::person_of_user(db, user(db, "deputy").await?).await?
            && deputies.iter().any(|d| d.0 == me)
        {
            group[0] = me;
        }
        delivery::add_supervisors(db, district, p, office, &group, &o).await?;
        let (report_day, percents, body): (NaiveDate, [u32; 3], &str) = if done {
            (
                ymd(year, 12, 22),
                [100, 100, 100],
                "项目已全部完成并通过验收，投入使用。",
            )
        } else {
            (
                ymd(year, 2, 27),
                [100, 30, 0],
                "方案设计和招标已完成，主体工程开工建设。",
            )
        };
        let o = on(unit_user, report_day);
        delivery::report(
            db,
            district,
            p,
            unit,
            &ReportInput {
                kind: "progress".into(),
                body: body.into(),
                milestones: ms
                    .iter()
                    .zip(percents)
                    .map(|(m, pct)| (m.id, pct))
                    .collect(),
                responsible: Some(format!("{}分管负责人", p.lead_unit)),
            },
            None,
            &o,
        )
        .await?;
        if k == 0 {
            let o = on(staff, report_day + Duration::days(1));
            delivery::visit(
                db,
                district,
                p,
                office,
                &VisitInput {
                    findings: "监督组实地察看了项目现场，听取了牵头单位汇报，总体进展顺利。".into(),
                    problem: "部分点位选址未充分征求周边居民意见。".into(),
                },
                None,
                &o,
            )
            .await?;
            if done {
                let problem = livelihood::problems(db, p.id).await?;
                if let Some(pr) = problem.iter().find(|x| x.origin == "visit") {
                    let o = on(unit_user, report_day + Duration::days(3));
                    delivery::settle_problem(
                        db,
                        district,
                        p,
                        unit,
                        pr.id,
                        Some("已召开居民座谈会，调整两处点位。"),
                        &o,
                    )
                    .await?;
                    let o = on(staff, report_day + Duration::days(5));
                    delivery::settle_problem(db, district, p, office, pr.id, None, &o).await?;
                }
            }
        }
    }
    Ok(())
}
