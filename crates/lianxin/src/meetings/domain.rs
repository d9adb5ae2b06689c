//! The words of meetings and votes as enums, and the pure rules that are not arithmetic: which
//! body's quorum a meeting has, the rotating check-in code, a ballot's shape for its rule.

use super::recount::{BodyKind, Rule};
use crate::db::words;
use crate::platform::secret;

words!(
    /// 会议类型 — the kinds of meeting.
    MeetingKind {
        /// 大会全体会议
        CongressSitting = "congress_sitting",
        /// 预备会议 (组织法 Art 17)
        Preparatory = "preparatory",
        /// 常务委员会会议
        StandingCommittee = "standing_committee",
        /// 主任会议 (组织法 Art 54)
        Chairpersons = "chairpersons",
        /// 主席团会议 — a session's presidium, or a town's presidium in recess
        Presidium = "presidium",
    }
);

words!(
    /// 议程事项类型 — what an agenda item does.
    ItemKind {
        /// 听取报告
        Report = "report",
        /// 审议
        Deliberation = "deliberation",
        /// 表决决议/决定
        Decision = "decision",
        /// 选举
        Election = "election",
        /// 任免
        Appointment = "appointment",
        /// 票决 (民生实事项目)
        Selection = "selection",
        /// 满意度测评
        Rating = "rating",
    }
);

words!(
    /// 表决方式 — how a vote is taken.
    VoteMethod {
        /// 电子无记名表决 — the default, as Chinese voting devices are
        Secret = "secret",
        /// 电子记名表决
        Named = "named",
        /// 举手表决 — counts entered by the tellers
        Hands = "hands",
        /// 纸质选票 — counts entered by the tellers (计票人)
        Paper = "paper",
    }
);

words!(
    /// 出席情况 — a member's attendance.
    Attendance {
        Expected = "expected",
        /// 已签到
        Present = "present",
        /// 已请假，待批准
        LeaveRequested = "leave_requested",
        /// 请假已批准
        Excused = "excused",
    }
);

words!(
    /// 会议状态
    MeetingState {
        Planned = "planned",
        Open = "open",
        Closed = "closed",
    }
);

words!(
    /// 表决状态
    VoteState {
        Ready = "ready",
        Open = "open",
        Closed = "closed",
    }
);

impl MeetingKind {
    /// Whose quorum applies. A chairpersons' meeting has no statutory quorum; it is counted like
    /// the standing committee's.
    pub fn body(self) -> BodyKind {
        match self {
            MeetingKind::CongressSitting | MeetingKind::Preparatory => BodyKind::Congress,
            MeetingKind::StandingCommittee | MeetingKind::Chairpersons => {
                BodyKind::StandingCommittee
            }
            MeetingKind::Presidium => BodyKind::Presidium,
        }
    }

    /// The roster body whose members are called (`organizations.kind`), if not all deputies.
    pub fn organization_kind(self) -> Option<&'static str> {
        match self {
            MeetingKind::CongressSitting | MeetingKind::Preparatory => None,
            MeetingKind::StandingCommittee | MeetingKind::Chairpersons => {
                Some("standing_committee")
            }
            MeetingKind::Presidium => Some("presidium"),
        }
    }

    /// Days before the meeting its materials are due (组织法 Art 51 practice for the standing
    /// committee: 7 days; 乡镇人大工作条例: a town's materials one day before).
    pub fn notice_days(self) -> i64 {
        match self {
            MeetingKind::StandingCommittee => 7,
            MeetingKind::CongressSitting | MeetingKind::Preparatory => 7,
            MeetingKind::Chairpersons | MeetingKind::Presidium => 1,
        }
    }
}

impl ItemKind {
    /// The rule a vote on this item follows; a report or a deliberation is not voted on.
    pub fn rule(self) -> Option<Rule> {
        match self {
            ItemKind::Report | ItemKind::Deliberation => None,
            ItemKind::Decision | ItemKind::Appointment => Some(Rule::Decision),
            ItemKind::Election => Some(Rule::Election),
            ItemKind::Selection => Some(Rule::Selection),
            ItemKind::Rating => Some(Rule::Rating),
        }
    }
}

/// How long one check-in code is shown. The previous window is still accepted, so a photo of
/// the screen is useless after at most twice this.
pub const CHECK_IN_WINDOW_MS: i64 = 20_000;

/// The six-digit check-in code shown (as a QR code) at time `now`: a keyed SM3 of the meeting
/// and the current window, so that it cannot be predicted or replayed later.
pub fn check_in_code(key: &str, meeting: i64, now: i64) -> String {
    code_at(key, meeting, now.div_euclid(CHECK_IN_WINDOW_MS))
}

fn code_at(key: &str, meeting: i64, window: i64) -> String {
    let d = secret::keyed_digest(key, &format!("check-in:{meeting}:{window}"));
    let n = u32::from_str_radix(&d[..8], 16).unwrap_or(0) % 1_000_000;
    format!("{n:06}")
}

/// Wrong check-in codes a member may type for one meeting; then only staff check them in. Two
/// windows' codes are valid at a time, so five guesses find one with a chance of one in
/// 100,000 — where an unlimited member could try hundreds a second.
pub const MAX_CODE_FAILURES: i64 = 5;

/// Whether `code` is the current or the previous window's code.
pub fn check_in_code_valid(key: &str, meeting: i64, now: i64, code: &str) -> bool {
    let w = now.div_euclid(CHECK_IN_WINDOW_MS);
    [w, w - 1]
        .iter()
        .any(|w| secret::same(&code_at(key, meeting, *w), code.trim()))
}

/// A ballot as a member's device sends it, checked against the vote before it is stored: the
/// same shapes as `docs/tally.md`, except that not pressing is simply not sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BallotError {
    /// Not a ballot of this rule.
    Shape,
    /// A name not on the candidate list (write-ins aside).
    NotListed,
    /// More chosen than the seats (write-ins included) — refused rather than stored void.
    TooMany,
}

/// Checks a ballot's JSON for a vote's rule; returns it in canonical form.
pub fn check_ballot(
    rule: Rule,
    seats: u32,
    candidates: &[String],
    v: &serde_json::Value,
) -> Result<serde_json::Value, BallotError> {
    use serde_json::Value;
    let listed = |s: &str| candidates.iter().any(|c| c == s);
    match rule {
        Rule::Decision => match v.as_str() {
            Some("yes" | "no" | "abstain") => Ok(v.clone()),
            _ => Err(BallotError::Shape),
        },
        Rule::Rating => match v.as_str() {
            Some("satisfied" | "basically_satisfied" | "dissatisfied") => Ok(v.clone()),
            _ => Err(BallotError::Shape),
        },
        Rule::Selection if v.is_object() => {
            // 票决办法 per item: 赞成 / 反对 / 弃权 on the listed projects.
            let m = v.as_object().ok_or(BallotError::Shape)?;
            for (name, grade) in m {
                if !listed(name) {
                    return Err(BallotError::NotListed);
                }
                if !matches!(grade.as_str(), Some("yes" | "no" | "abstain")) {
                    return Err(BallotError::Shape);
                }
            }
            Ok(v.clone())
        }
        Rule::Selection => {
            let list = v.as_array().ok_or(BallotError::Shape)?;
            let mut chosen: Vec<&str> = Vec::new();
            for c in list {
                let c = c.as_str().ok_or(BallotError::Shape)?;
                if !listed(c) {
                    return Err(BallotError::NotListed);
                }
                if !chosen.contains(&c) {
                    chosen.push(c);
                }
            }
            if chosen.len() as u32 > seats {
                return Err(BallotError::TooMany);
            }
            Ok(Value::from(chosen))
        }
        Rule::Election => {
            let m = v.as_object().ok_or(BallotError::Shape)?;
            let mut out = serde_json::Map::new();
            let mut marked: Vec<String> = Vec::new();
            let mut chosen = 0u32;
            for key in ["for", "against", "abstain", "write_in"] {
                let names: Vec<String> = match m.get(key) {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(a)) => a
                        .iter()
                        .map(|n| {
                            n.as_str()
                                .map(|s| s.trim().to_string())
                                .filter(|s| !s.is_empty() && s.chars().count() <= 40)
                                .ok_or(BallotError::Shape)
                        })
                        .collect::<Result<_, _>>()?,
                    Some(_) => return Err(BallotError::Shape),
                };
                for n in &names {
                    if key != "write_in" && !listed(n) {
                        return Err(BallotError::NotListed);
                    }
                    if marked.contains(n) {
                        return Err(BallotError::Shape);
                    }
                    marked.push(n.clone());
                }
                if key == "for" || key == "write_in" {
                    chosen += names.len() as u32;
                }
                if !names.is_empty() {
                    out.insert(key.into(), Value::from(names));
                }
            }
            if m.keys()
                .any(|k| !["for", "against", "abstain", "write_in"].contains(&k.as_str()))
            {
                return Err(BallotError::Shape);
            }
            if chosen > seats {
                return Err(BallotError::TooMany);
            }
            Ok(Value::Object(out))
        }
    }
}

/// 代表法 Art 62: "未经批准两次不出席本级人民代表大会会议" ends a deputy's mandate. A deputy
/// missed a session when, of its sittings, they attended none and had leave for none. Sittings
/// are (session, person, name, attendance); returns (person, name, sessions missed) for those
/// who missed two or more — flagged for the credentials committee, never acted on by the system.
pub fn unexcused_absences(sittings: &[(i64, i64, String, String)]) -> Vec<(i64, String, usize)> {
    use std::collections::BTreeMap;
    // (person, session) → (attended or excused in any sitting)
    let mut seen: BTreeMap<(i64, i64), bool> = BTreeMap::new();
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    for (session, person, name, attendance) in sittings {
        let ok = matches!(attendance.as_str(), "present" | "excused");
        *seen.entry((*person, *session)).or_insert(false) |= ok;
        names.entry(*person).or_insert_with(|| name.clone());
    }
    let mut missed: BTreeMap<i64, usize> = BTreeMap::new();
    for ((person, _), ok) in seen {
        if !ok {
            *missed.entry(person).or_default() += 1;
        }
    }
    missed
        .into_iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(p, n)| (p, names.get(&p).cloned().unwrap_or_default(), n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_check_in_code_is_accepted_for_two_windows_only() {
        let key = "k";
        let code = check_in_code(key, 7, 1_000_000);
        assert_eq!(code.len(), 6);
        assert!(check_in_code_valid(key, 7, 1_000_000, &code));
        assert!(check_in_code_valid(
            key,
            7,
            1_000_000 + CHECK_IN_WINDOW_MS,
            &code
        ));
        assert!(
            !check_in_code_valid(key, 7, 1_000_000 + 2 * CHECK_IN_WINDOW_MS, &code),
            "a photo is stale"
        );
        assert!(
            !check_in_code_valid(key, 8, 1_000_000, &code),
            "another meeting's code"
        );
        assert!(
            !check_in_code_valid("other", 7, 1_000_000, &code),
            "another key"
        );
    }

    #[test]
    fn ballots_are_checked_against_their_rule() {
        let c = vec!["甲".to_string(), "乙".to_string()];
        assert!(check_ballot(Rule::Decision, 0, &[], &json!("yes")).is_ok());
        assert_eq!(
            check_ballot(Rule::Decision, 0, &[], &json!("maybe")),
            Err(BallotError::Shape)
        );
        assert_eq!(
            check_ballot(Rule::Rating, 0, &[], &json!("yes")),
            Err(BallotError::Shape)
        );
        assert_eq!(
            check_ballot(
                Rule::Election,
                1,
                &c,
                &json!({"for": ["甲"], "write_in": ["丙"]})
            ),
            Err(BallotError::TooMany),
            "a write-in counts against the seats"
        );
        assert_eq!(
            check_ballot(Rule::Election, 2, &c, &json!({"for": ["丁"]})),
            Err(BallotError::NotListed)
        );
        assert_eq!(
            check_ballot(
                Rule::Election,
                2,
                &c,
                &json!({"for": ["甲"], "against": ["甲"]})
            ),
            Err(BallotError::Shape)
        );
        assert_eq!(
            check_ballot(
                Rule::Election,
                1,
                &c,
                &json!({"for": ["甲"], "against": ["乙"]})
            ),
            Ok(json!({"for": ["甲"], "against": ["乙"]}))
        );
        assert_eq!(
            check_ballot(Rule::Selection, 1, &c, &json!(["甲", "乙"])),
            Err(BallotError::TooMany)
        );
        assert_eq!(
            check_ballot(Rule::Selection, 2, &c, &json!(["甲", "甲"])),
            Ok(json!(["甲"]))
        );
        assert!(
            check_ballot(Rule::Selection, 1, &c, &json!({"甲": "yes", "乙": "no"})).is_ok(),
            "per item"
        );
        assert_eq!(
            check_ballot(Rule::Selection, 1, &c, &json!({"丙": "yes"})),
            Err(BallotError::NotListed)
        );
        assert_eq!(
            check_ballot(Rule::Selection, 1, &c, &json!({"甲": "maybe"})),
            Err(BallotError::Shape)
        );
    }

    #[test]
    fn two_sessions_missed_without_leave_are_flagged_one_is_not() {
        let s = |session: i64, person: i64, a: &str| {
            (session, person, format!("代表{person}"), a.to_string())
        };
        let sittings = vec![
            // Person 1 misses both sittings of session 1 and the one of session 2.
            s(1, 1, "expected"),
            s(1, 1, "expected"),
            s(2, 1, "expected"),
            // Person 2 attends one sitting of session 1: session 1 is not missed.
            s(1, 2, "present"),
            s(1, 2, "expected"),
            s(2, 2, "expected"),
            // Person 3 had leave for session 2.
            s(1, 3, "expected"),
            s(2, 3, "excused"),
            // Person 4 asked for leave but it was never approved: absent without leave.
            s(1, 4, "leave_requested"),
            s(2, 4, "expected"),
        ];
        let flagged = unexcused_absences(&sittings);
        assert_eq!(
            flagged.iter().map(|f| (f.0, f.2)).collect::<Vec<_>>(),
            vec![(1, 2), (4, 2)]
        );
    }

    #[test]
    fn words_round_trip() {
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(ItemKind::Appointment.rule(), Some(Rule::Decision));
        assert_eq!(ItemKind::Report.rule(), None);
        assert_eq!(MeetingKind::Presidium.body(), BodyKind::Presidium);
    }
}
