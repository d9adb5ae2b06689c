//! 民生实事项目人大代表票决制 — the rules of the yearly cycle as pure functions: the phases and
//! their dates, the contest (差额) of a selection, a candidate project's required fields, and
//! progress computed from weighted milestones (`legal-rules.md` §5). The vote itself is a
//! selection vote of `meetings` (its tally: `meetings::tally::select`).

use crate::db::words;
use chrono::NaiveDate;

words!(
    /// 候选项目的状态 — a candidate project's state: withdrawn by the government side before the
    /// vote, or selected or not by it.
    ProjectState {
        Candidate = "candidate",
        Withdrawn = "withdrawn",
        Selected = "selected",
        NotSelected = "not_selected",
    }
);

words!(
    /// 征集建议的状态 — a proposal's state: adopted into a project or rejected with a reason.
    ProposalState {
        Received = "received",
        Adopted = "adopted",
        Rejected = "rejected",
    }
);

/// 年度周期的阶段 — the phases of a year's cycle, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// 征集 — the public call and proposals by deputies and stations.
    Collection,
    /// 初定 — the government side turns proposals into candidate projects.
    Screening,
    /// 审议 — the standing committee (or a town's presidium) reviews the candidate list.
    Review,
    /// 票决 — the deputies' selection vote at the congress's plenary.
    Vote,
    /// 实施 — the government delivers (政府买单), with progress reports.
    Implementation,
    /// 测评 — the deputies rate each project at the next session (人大验单).
    Evaluation,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Collection,
        Phase::Screening,
        Phase::Review,
        Phase::Vote,
        Phase::Implementation,
        Phase::Evaluation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Collection => "collection",
            Phase::Screening => "screening",
            Phase::Review => "review",
            Phase::Vote => "vote",
            Phase::Implementation => "implementation",
            Phase::Evaluation => "evaluation",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// A phase's dates, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub phase: Phase,
    pub starts: NaiveDate,
    pub ends: NaiveDate,
}

/// Why a cycle's dates cannot stand: (field, message key).
pub type Problems = Vec<(&'static str, &'static str)>;

/// Checks a cycle's plan: every phase once, in order, each ending no earlier than it starts and
/// starting no earlier than the previous one ends (a phase may start the day the last ends).
pub fn check_plan(spans: &[Span]) -> Result<(), Problems> {
    let mut problems = Vec::new();
    let phases: Vec<Phase> = spans.iter().map(|s| s.phase).collect();
    if phases != Phase::ALL {
        problems.push(("phases", "livelihood.phases_incomplete"));
    }
    for s in spans {
        if s.ends < s.starts {
            problems.push(("dates", "livelihood.phase_ends_before_start"));
            break;
        }
    }
    if spans.windows(2).any(|w| w[1].starts < w[0].ends) {
        problems.push(("dates", "livelihood.phases_overlap"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// The phase a day falls in (the later one on a day two phases share).
pub fn phase_on(spans: &[Span], day: NaiveDate) -> Option<Phase> {
    spans
        .iter()
        .rev()
        .find(|s| s.starts <= day && day <= s.ends)
        .map(|s| s.phase)
}

/// 差额 — a selection offers more candidates than places (`m > n`), and at least the ratio the
/// congress's voting rules set, in percent over the places (`100*m >= (100 + ratio)*n`; 0 means
/// only `m > n`). Whole numbers only.
pub fn contest_ok(candidates: u32, places: u32, ratio_percent: u32) -> bool {
    places > 0
        && candidates > places
        && 100 * u64::from(candidates) >= (100 + u64::from(ratio_percent)) * u64::from(places)
}

/// A candidate project as the government side submits it.
#[derive(Debug, Clone, Default)]
pub struct CandidateInput {
    pub title: String,
    pub content: String,
    pub lead_unit: Option<i64>,
    /// 预算估算, in yuan.
    pub budget_yuan: Option<i64>,
}

/// Checks a candidate project: a title, what it does, a lead unit and a budget above zero.
pub fn check_candidate(c: &CandidateInput) -> Result<(), Problems> {
    let mut problems = Vec::new();
    let title = c.title.trim().chars().count();
    if title == 0 || title > 100 {
        problems.push(("title", "livelihood.title_required"));
    }
    if c.content.trim().chars().count() < 10 {
        problems.push(("content", "livelihood.content_required"));
    }
    if c.lead_unit.is_none() {
        problems.push(("lead_unit", "livelihood.lead_unit_required"));
    }
    if c.budget_yuan.is_none_or(|b| b <= 0) {
        problems.push(("budget", "livelihood.budget_required"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// A milestone of an implementation plan: its weight, the day it is due, how far it is (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Milestone {
    pub weight: u32,
    pub due: NaiveDate,
    pub done_percent: u32,
}

/// Checks a milestone against its plan: dated within the plan's span, a positive weight, and
/// progress no more than 100 %.
pub fn check_milestone(
    m: &Milestone,
    plan_starts: NaiveDate,
    plan_ends: NaiveDate,
) -> Result<(), Problems> {
    let mut problems = Vec::new();
    if m.due < plan_starts {
        problems.push(("due", "livelihood.milestone_before_plan"));
    }
    if m.due > plan_ends {
        problems.push(("due", "livelihood.milestone_after_plan"));
    }
    if m.weight == 0 {
        problems.push(("weight", "livelihood.weight_required"));
    }
    if m.done_percent > 100 {
        problems.push(("done_percent", "livelihood.progress_over_100"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// 进度 — the project's progress in whole percent: the milestones' progress weighted by their
/// weights, rounded down (a project is 100 % only when every milestone is).
pub fn progress_percent(milestones: &[Milestone]) -> u32 {
    let total: u64 = milestones.iter().map(|m| u64::from(m.weight)).sum();
    if total == 0 {
        return 0;
    }
    let done: u64 = milestones
        .iter()
        .map(|m| u64::from(m.weight) * u64::from(m.done_percent.min(100)))
        .sum();
    (done / total) as u32
}

/// A milestone not finished by its due day is overdue from the day after.
pub fn overdue(m: &Milestone, today: NaiveDate) -> bool {
    m.done_percent < 100 && today > m.due
}

/// The message key of a 票决办法's ballot form: choose up to N, or 赞成/反对/弃权 on each.
pub fn ballot_form_key(form: &str) -> &'static str {
    if form == "per_item" {
        "livelihood.ballot_form.per_item"
    } else {
        "livelihood.ballot_form.choose"
    }
}

/// A budget as people read it: 160万元 in Chinese (万 is the unit of budgets), ¥1,600,000 in
/// English.
pub fn yuan_text(yuan: &i64, zh: bool) -> String {
    let yuan = *yuan;
    if zh {
        let wan = yuan / 10_000;
        let rest = (yuan % 10_000).abs();
        if rest == 0 {
            format!("{wan}万元")
        } else {
            let frac = format!("{rest:04}");
            format!("{wan}.{}万元", frac.trim_end_matches('0'))
        }
    } else {
        let digits = yuan.abs().to_string();
        let mut out = String::new();
        for (k, c) in digits.chars().enumerate() {
            if k > 0 && (digits.len() - k).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        format!("{}¥{out}", if yuan < 0 { "-" } else { "" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn plan() -> Vec<Span> {
        let dates = [
            ("2026-01-05", "2026-02-15"),
            ("2026-02-16", "2026-03-10"),
            ("2026-03-10", "2026-03-20"),
            ("2026-03-25", "2026-03-25"),
            ("2026-03-26", "2026-12-20"),
            ("2027-01-10", "2027-01-12"),
        ];
        Phase::ALL
            .into_iter()
            .zip(dates)
            .map(|(phase, (a, b))| Span {
                phase,
                starts: d(a),
                ends: d(b),
            })
            .collect()
    }

    #[test]
    fn a_cycle_runs_its_six_phases_in_order() {
        assert_eq!(check_plan(&plan()), Ok(()));
        let mut missing = plan();
        missing.remove(2);
        assert!(
            check_plan(&missing)
                .unwrap_err()
                .contains(&("phases", "livelihood.phases_incomplete"))
        );
        let mut overlap = plan();
        overlap[3].starts = d("2026-03-15");
        assert!(
            check_plan(&overlap)
                .unwrap_err()
                .contains(&("dates", "livelihood.phases_overlap"))
        );
        let mut backwards = plan();
        backwards[0].ends = d("2026-01-01");
        assert!(
            check_plan(&backwards)
                .unwrap_err()
                .contains(&("dates", "livelihood.phase_ends_before_start"))
        );
        assert_eq!(
            phase_on(&plan(), d("2026-03-10")),
            Some(Phase::Review),
            "the shared day belongs to the later phase"
        );
        assert_eq!(
            phase_on(&plan(), d("2026-03-22")),
            None,
            "between review and vote"
        );
        assert_eq!(
            phase_on(&plan(), d("2026-06-01")),
            Some(Phase::Implementation)
        );
    }

    #[test]
    fn a_selection_needs_more_candidates_than_places_and_the_ratio() {
        assert!(!contest_ok(10, 10, 0), "M = N is no contest");
        assert!(contest_ok(11, 10, 0));
        assert!(!contest_ok(11, 10, 20), "a fifth more: 12 for 10");
        assert!(contest_ok(12, 10, 20));
        assert!(!contest_ok(1, 0, 0));
    }

    #[test]
    fn a_candidate_needs_its_lead_unit_and_budget() {
        let ok = CandidateInput {
            title: "老旧小区加装电梯".into(),
            content: "为全区60个老旧小区加装电梯，方便老人出行。".into(),
            lead_unit: Some(3),
            budget_yuan: Some(12_000_000),
        };
        assert_eq!(check_candidate(&ok), Ok(()));
        let bad = CandidateInput {
            lead_unit: None,
            budget_yuan: Some(0),
            ..ok
        };
        let e = check_candidate(&bad).unwrap_err();
        assert!(e.contains(&("lead_unit", "livelihood.lead_unit_required")));
        assert!(e.contains(&("budget", "livelihood.budget_required")));
    }

    #[test]
    fn milestones_stay_in_their_plan_and_under_100_percent() {
        let (a, b) = (d("2026-04-01"), d("2026-12-31"));
        let m = Milestone {
            weight: 30,
            due: d("2026-06-30"),
            done_percent: 100,
        };
        assert_eq!(check_milestone(&m, a, b), Ok(()));
        let early = Milestone {
            due: d("2026-03-31"),
            ..m
        };
        assert!(
            check_milestone(&early, a, b)
                .unwrap_err()
                .contains(&("due", "livelihood.milestone_before_plan"))
        );
        let over = Milestone {
            done_percent: 101,
            ..m
        };
        assert!(
            check_milestone(&over, a, b)
                .unwrap_err()
                .contains(&("done_percent", "livelihood.progress_over_100"))
        );
        assert!(
            !overdue(
                &Milestone {
                    done_percent: 80,
                    ..m
                },
                d("2026-06-30")
            ),
            "due today is not overdue"
        );
        assert!(overdue(
            &Milestone {
                done_percent: 80,
                ..m
            },
            d("2026-07-01")
        ));
        assert!(!overdue(&m, d("2026-07-01")), "finished is never overdue");
    }

    #[test]
    fn progress_is_the_weighted_share_rounded_down() {
        let m = |weight, done_percent| Milestone {
            weight,
            due: d("2026-06-30"),
            done_percent,
        };
        assert_eq!(progress_percent(&[m(30, 100), m(70, 50)]), 65);
        assert_eq!(
            progress_percent(&[m(1, 100), m(2, 99)]),
            99,
            "99.33 rounds down"
        );
        assert_eq!(progress_percent(&[]), 0);
    }

    proptest! {
        /// Progress lies between the least and the most advanced milestone, is 100 only when
        /// every milestone is, and never decreases when a milestone advances.
        #[test]
        fn progress_is_bounded_and_monotone(
            raw in proptest::collection::vec((1u32..100, 0u32..=100), 1..12),
            which in 0usize..12,
            step in 0u32..=100,
        ) {
            let ms: Vec<Milestone> = raw.iter().map(|(w, p)| Milestone { weight: *w, due: d("2026-06-30"), done_percent: *p }).collect();
            let p = progress_percent(&ms);
            let lo = ms.iter().map(|m| m.done_percent).min().unwrap_or(0);
            let hi = ms.iter().map(|m| m.done_percent).max().unwrap_or(0);
            prop_assert!(lo <= p && p <= hi);
            prop_assert_eq!(p == 100, ms.iter().all(|m| m.done_percent == 100));
            let mut more = ms.clone();
            let i = which % more.len();
            more[i].done_percent = (more[i].done_percent + step).min(100);
            prop_assert!(progress_percent(&more) >= p);
        }
    }

    #[test]
    fn budgets_read_in_wan_in_chinese_and_with_separators_in_english() {
        assert_eq!(yuan_text(&1_600_000, true), "160万元");
        assert_eq!(yuan_text(&1_650_500, true), "165.05万元");
        assert_eq!(yuan_text(&8_000, true), "0.8万元");
        assert_eq!(yuan_text(&1_600_000, false), "¥1,600,000");
        assert_eq!(yuan_text(&999, false), "¥999");
    }
}
