//! 计票 — one vote's definition and ballots in, its result out, as JSON. The server counts every
//! closed vote through `recount`, and `lianxin tally FILE.json` runs the very same function, so
//! that a teller, an auditor or a court can recount from the published ballot list. The format
//! is documented in `docs/tally.md`, with a JSON Schema in `docs/tally.schema.json`.

mod ballots;

use super::tally::{self, Body, DirectRound, ListError, Office, Outcome, VerdictRule};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The rule a vote follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// 表决 — a decision: 赞成 / 反对 / 弃权.
    Decision,
    /// 选举 — per candidate 赞成 / 反对 / 弃权, and write-ins (另选他人).
    Election,
    /// 票决 — choose up to N of M livelihood projects.
    Selection,
    /// 测评 — 满意 / 基本满意 / 不满意.
    Rating,
}

/// Who votes, for the quorum and the denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyKind {
    StandingCommittee,
    Congress,
    Presidium,
    /// 选区 — the voters of a constituency in a direct election.
    Constituency,
}

/// The post being filled, for the candidate-count rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    Head,
    DeputyHead,
    Member,
    Deputy,
}

impl Post {
    /// A form's choice (`head`, `deputy_head`, `member`, `deputy`), none when empty or unknown.
    pub fn parse_form(s: &str) -> Option<Post> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
    }
}

/// One vote's definition, as the recount reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Input {
    pub rule: Rule,
    pub body: BodyKind,
    /// Members in office when the vote opened (a constituency: registered voters).
    pub members: u32,
    /// Members present (a constituency: voters who took part).
    pub present: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballots_issued: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub round: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<Post>,
    /// 常委会委员: the excess the session's 选举办法 sets (组织法 Art 27).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excess: Option<u32>,
    /// A presidium's quorum: `majority` (the default) or `two_thirds`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presidium_quorum: Option<String>,
    /// A rating's verdict rule: `satisfied_over_half_of_members` (the default) or
    /// `satisfied_over_half_of_votes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict_rule: Option<String>,
    /// A selection's threshold by the session's 票决办法: `over_half_of_members` (the default:
    /// more than half of all deputies in office, 组织法 Art 25), `over_half_of_present`, or
    /// `most_votes` (the N with most approvals, at least one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selection_rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballots: Option<Vec<Value>>,
    /// A paper vote's counts, in the shape of the output's `counts`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Map<String, Value>>,
    /// With `counts`: the ballots found void by the tellers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void_ballots: Option<u32>,
    /// With `counts`: the ballots returned (default: as many as issued, or the counts' sum).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ballots_returned: Option<u32>,
    /// Anything else (a title, a reference) is carried but not counted.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// The quorum as counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Quorum {
    pub required: u32,
    pub present: u32,
    pub met: bool,
}

/// The result of one vote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output {
    pub rule: Rule,
    pub body: BodyKind,
    pub round: u32,
    pub valid: bool,
    pub invalid_reason: Option<String>,
    pub quorum: Quorum,
    /// Votes a motion, candidate or project needs (a rating: grades of 满意 and 基本满意).
    pub threshold: u32,
    pub counts: Map<String, Value>,
    /// Per candidate 赞成 / 反对 / 弃权 (elections and per-item selections).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub detail: Map<String, Value>,
    pub ballots_issued: u32,
    pub ballots_returned: u32,
    pub void_ballots: u32,
    pub passed: Option<bool>,
    /// A rating: `satisfied` or `unsatisfied`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<&'static str>,
    pub elected: Vec<String>,
    pub runoff: Vec<String>,
    pub unfilled: u32,
    pub basis: Vec<String>,
}

/// A vote's result as it is stored with the vote (an [`Output`], serialised and sealed) and read
/// back by those who act on it or show it: the vote and minutes pages, the portal, the livelihood
/// cycle. Every field they read is required, so a field renamed in [`Output`] fails to parse
/// (tested) instead of reading as "nobody elected".
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Stored {
    pub rule: Rule,
    pub valid: bool,
    pub threshold: u32,
    pub counts: Map<String, Value>,
    pub passed: Option<bool>,
    pub elected: Vec<String>,
    pub runoff: Vec<String>,
    pub unfilled: u32,
    pub basis: Vec<String>,
}

impl Stored {
    pub fn parse(text: &str) -> Result<Stored, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// What the vote decided, as every reader words it.
    pub fn verdict(&self) -> Verdict<'_> {
        match self.passed {
            Some(true) => Verdict::Passed,
            Some(false) => Verdict::NotPassed,
            None if self.elected.is_empty() => Verdict::NoneElected,
            None => Verdict::Elected(&self.elected),
        }
    }

    /// How many votes (or grades) a choice received.
    pub fn count(&self, choice: &str) -> i64 {
        self.counts.get(choice).and_then(Value::as_i64).unwrap_or(0)
    }
}

/// What a vote decided: a motion or rating passed or not, or who was elected (selected).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict<'a> {
    Passed,
    NotPassed,
    Elected(&'a [String]),
    NoneElected,
}

/// Why an input cannot be counted (exit code 2): the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Malformed(pub String);

pub(crate) fn malformed(s: impl Into<String>) -> Malformed {
    Malformed(s.into())
}

/// Parses and counts a JSON text.
pub fn recount_json(text: &str) -> Result<Output, Malformed> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| malformed(format!("not valid JSON / JSON 格式错误: {e}")))?;
    check_numbers(&value)?;
    let input: Input = serde_json::from_value(value)
        .map_err(|e| malformed(format!("malformed input / 输入格式错误: {e}")))?;
    recount(&input)
}

/// Negative or fractional numbers get their own message, not serde's.
fn check_numbers(v: &Value) -> Result<(), Malformed> {
    let Some(obj) = v.as_object() else {
        return Err(malformed(
            "the input must be a JSON object / 输入须为 JSON 对象",
        ));
    };
    for key in [
        "members",
        "present",
        "ballots_issued",
        "round",
        "seats",
        "excess",
        "void_ballots",
        "ballots_returned",
    ] {
        if let Some(n) = obj
            .get(key)
            .filter(|n| !n.is_null() && n.as_u64().is_none_or(|n| n > u64::from(u32::MAX)))
        {
            return Err(malformed(format!(
                "`{key}` must be a whole number ≥ 0 / `{key}` 须为非负整数, not {n}"
            )));
        }
    }
    Ok(())
}

/// The counted ballots of one vote, whatever its rule.
pub(crate) struct Counted {
    pub counts: Map<String, Value>,
    pub detail: Map<String, Value>,
    /// Ballots returned (a decision or rating: the grades pressed).
    pub returned: u32,
    pub void: u32,
    pub tally: Tallied,
}

pub(crate) enum Tallied {
    Decision(tally::Count),
    /// Votes per name, in the order the candidates are listed, write-ins after.
    Names(Vec<(String, u32)>),
    Rating(tally::RatingCount),
}

/// Counts one vote.
pub fn recount(input: &Input) -> Result<Output, Malformed> {
    let round = input.round.unwrap_or(1);
    if !(1..=2).contains(&round) {
        return Err(malformed("`round` must be 1 or 2 / `round` 只能为 1 或 2"));
    }
    if input.present > input.members {
        return Err(malformed(format!(
            "`present` ({}) is more than `members` ({}) / 出席人数多于应到人数",
            input.present, input.members
        )));
    }
    if input.rule == Rule::Decision && input.body == BodyKind::Constituency {
        return Err(malformed(
            "a constituency elects; it does not decide / 选区只进行选举，不表决决定",
        ));
    }
    let names = candidates(input)?;
    let counted = ballots::count(input, &names)?;
    let issued = input.ballots_issued.unwrap_or(input.present);
    let mut basis = vec!["民法典 第1259条（过半数不含本数，以上含本数）".to_string()];
    let quorum = quorum(input, &mut basis)?;

    let mut invalid: Option<String> = None;
    if !tally::round_valid(counted.returned, issued) {
        invalid = Some(format!(
            "more ballots returned ({}) than issued ({issued}): the round is void / 收回选票多于发出选票，本次投票无效",
            counted.returned
        ));
    }
    if input.body == BodyKind::Constituency && !quorum.met {
        invalid = Some(format!(
            "no more than half of the {} voters took part: the election is void / 参加投票的选民未过半数，选举无效",
            input.members
        ));
    }
    if input.rule == Rule::Election || input.body == BodyKind::Constituency {
        basis.push("选举法 第44条（选票多于投票人数的无效；所选人数多于应选名额的作废）".into());
    }
    if let Some(reason) = list_problem(input, names.len() as u32)? {
        invalid = Some(reason);
    }
    let counts_ok = invalid.is_none() && quorum.met;

    let valid_ballots = counted.returned.saturating_sub(counted.void);
    let mut out = Output {
        rule: input.rule,
        body: input.body,
        round,
        valid: invalid.is_none(),
        invalid_reason: invalid,
        quorum,
        threshold: 0,
        counts: counted.counts,
        detail: counted.detail,
        ballots_issued: issued,
        ballots_returned: counted.returned,
        void_ballots: counted.void,
        passed: None,
        verdict: None,
        elected: Vec::new(),
        runoff: Vec::new(),
        unfilled: 0,
        basis,
    };
    let seats = input.seats.unwrap_or(0);
    match counted.tally {
        Tallied::Decision(c) => {
            out.threshold = input.members / 2 + 1;
            out.passed = Some(counts_ok && tally::passes(c, input.members));
            out.basis.push(match input.body {
                BodyKind::StandingCommittee => {
                    "地方组织法 第51条（常委会全体组成人员过半数通过）".into()
                }
                BodyKind::Presidium => "主席团议事规则（以全体成员过半数通过）".into(),
                _ => "地方组织法 第25条（以全体代表的过半数通过）".into(),
            });
        }
        Tallied::Rating(c) => {
            let rule = match input.verdict_rule.as_deref() {
                None => VerdictRule::OverHalfOfMembers,
                Some(s) => VerdictRule::parse(s).ok_or_else(|| {
                    malformed(format!(
                        "unknown `verdict_rule` {s:?} / 未知的测评结果规则 (satisfied_over_half_of_members | satisfied_over_half_of_votes)"
                    ))
                })?,
            };
            let graded = c.satisfied + c.basically_satisfied + c.unsatisfied;
            out.threshold = match rule {
                VerdictRule::OverHalfOfMembers => input.members / 2 + 1,
                VerdictRule::OverHalfOfVotes => graded / 2 + 1,
            };
            let ok = counts_ok && tally::rated_satisfactory(c, rule, input.members);
            out.passed = Some(ok);
            out.verdict = Some(if ok { "satisfied" } else { "unsatisfied" });
            out.basis.push(match rule {
                VerdictRule::OverHalfOfMembers => {
                    "满意度测评办法：满意与基本满意合计超过全体组成人员半数（rating.verdict）"
                        .into()
                }
                VerdictRule::OverHalfOfVotes => {
                    "满意度测评办法：满意与基本满意合计超过有效票半数（rating.verdict）".into()
                }
            });
        }
        Tallied::Names(votes) => {
            let outcome = if input.body == BodyKind::Constituency {
                let r = if round == 2 {
                    out.threshold = valid_ballots.div_ceil(3);
                    DirectRound::Second { valid_ballots }
                } else {
                    out.threshold = input.present / 2 + 1;
                    DirectRound::First
                };
                out.basis.push(if round == 2 {
                    "选举法 第45条（另行选举以得票多的当选，但不得少于选票的三分之一）".into()
                } else {
                    "选举法 第45条（获得参加投票的选民过半数的选票始得当选）".into()
                });
                tally::direct_election(&votes, seats, input.present, input.members, r)
            } else {
                // The base whose majority a name needs: all members, or as the 票决办法 sets.
                let (base, basis) = if input.rule == Rule::Selection {
                    match input.selection_rule.as_deref() {
                        None | Some("over_half_of_members") => (
                            input.members,
                            "民生实事项目票决办法；地方组织法 第25条（全体代表过半数）",
                        ),
                        Some("over_half_of_present") => (
                            input.present,
                            "民生实事项目票决办法（到会代表过半数，selection_rule）",
                        ),
                        Some("most_votes") => (
                            0,
                            "民生实事项目票决办法（按赞成票多少为序，selection_rule）",
                        ),
                        Some(other) => {
                            return Err(malformed(format!(
                                "unknown `selection_rule` {other:?} / 未知的票决规则 (over_half_of_members | over_half_of_present | most_votes)"
                            )));
                        }
                    }
                } else {
                    (
                        input.members,
                        "地方组织法 第25条、第29条（全体代表过半数；得票多的当选；票数相等再次投票）",
                    )
                };
                out.threshold = base / 2 + 1;
                out.basis.push(basis.into());
                Some(if input.rule == Rule::Selection {
                    tally::select(&votes, seats, base)
                } else {
                    tally::elect(&votes, seats, base)
                })
            };
            match outcome.filter(|_| counts_ok) {
                Some(Outcome {
                    elected,
                    runoff,
                    unfilled,
                }) => {
                    out.elected = elected;
                    out.runoff = runoff;
                    out.unfilled = unfilled;
                }
                None => out.unfilled = seats,
            }
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    out.basis.retain(|b| seen.insert(b.clone()));
    Ok(out)
}

/// The candidate list, checked for an election or a selection.
fn candidates(input: &Input) -> Result<Vec<String>, Malformed> {
    if matches!(input.rule, Rule::Decision | Rule::Rating) {
        return Ok(Vec::new());
    }
    let seats = input.seats.ok_or_else(|| {
        malformed("an election or selection needs `seats` / 选举和票决须给出应选名额 `seats`")
    })?;
    if seats == 0 {
        return Err(malformed("`seats` must be at least 1 / 应选名额至少为 1"));
    }
    let list = input.candidates.clone().ok_or_else(|| {
        malformed("an election or selection needs `candidates` / 须给出候选人名单 `candidates`")
    })?;
    let mut seen = std::collections::BTreeSet::new();
    for c in &list {
        if c.trim().is_empty() {
            return Err(malformed("a candidate has no name / 候选人姓名为空"));
        }
        if !seen.insert(c.as_str()) {
            return Err(malformed(format!(
                "candidate {c:?} is listed twice / 候选人重复"
            )));
        }
    }
    Ok(list)
}

/// The quorum of the body, and the article it rests on.
fn quorum(input: &Input, basis: &mut Vec<String>) -> Result<Quorum, Malformed> {
    let (q, article) = quorum_of(
        input.body,
        input.presidium_quorum.as_deref(),
        input.members,
        input.present,
    )?;
    basis.push(article.into());
    Ok(q)
}

/// The quorum of a body with `members` in office and `present` of them present (a
/// constituency: registered voters and those who voted), with the article it rests on.
pub fn quorum_of(
    body: BodyKind,
    presidium_quorum: Option<&str>,
    m: u32,
    p: u32,
) -> Result<(Quorum, &'static str), Malformed> {
    let (body, required, article) = match body {
        BodyKind::Congress => (
            Body::Congress,
            (2 * u64::from(m)).div_ceil(3) as u32,
            "地方组织法 第14条（三分之二以上的代表出席，始得举行）",
        ),
        BodyKind::StandingCommittee => (
            Body::StandingCommittee,
            m / 2 + 1,
            "地方组织法 第51条（全体组成人员过半数出席，始得举行）",
        ),
        BodyKind::Presidium => {
            let two_thirds = match presidium_quorum {
                None | Some("majority") => false,
                Some("two_thirds") => true,
                Some(s) => {
                    return Err(malformed(format!(
                        "unknown `presidium_quorum` {s:?} / 未知的主席团法定人数规则 (majority | two_thirds)"
                    )));
                }
            };
            let required = if two_thirds {
                (2 * u64::from(m)).div_ceil(3) as u32
            } else {
                m / 2 + 1
            };
            (
                Body::Presidium { two_thirds },
                required,
                "主席团议事规则（presidium.quorum）",
            )
        }
        BodyKind::Constituency => {
            return Ok((
                Quorum {
                    required: m / 2 + 1,
                    present: p,
                    met: tally::majority_of(p, m),
                },
                "选举法 第45条（选区全体选民的过半数参加投票，选举有效）",
            ));
        }
    };
    Ok((
        Quorum {
            required,
            present: p,
            met: tally::quorum(body, p, m),
        },
        article,
    ))
}

/// A candidate list the law does not allow for the post, or a selection without 差额.
fn list_problem(input: &Input, candidates: u32) -> Result<Option<String>, Malformed> {
    let seats = input.seats.unwrap_or(0);
    if input.rule == Rule::Selection && !tally::contested(candidates, seats) {
        return Ok(Some(format!(
            "{candidates} candidates for {seats} projects: a selection needs more candidates than places / 票决须差额：候选项目数应多于应选数"
        )));
    }
    let Some(post) = input.post.filter(|_| input.rule == Rule::Election) else {
        return Ok(None);
    };
    let (office, article) = match post {
        Post::Head => (Office::Head, "地方组织法 第27条（正职候选人可多一人）"),
        Post::DeputyHead => (
            Office::Deputy,
            "地方组织法 第27条（副职候选人多一人至三人）",
        ),
        Post::Member => {
            let extra = candidates.saturating_sub(seats);
            let excess = match input.excess {
                Some(e) => e,
                None if tally::committee_excess_in_range(extra, seats) => extra,
                None => {
                    return Ok(Some(format!(
                        "{candidates} candidates for {seats} committee seats: the excess must be a tenth to a fifth of the seats / 常委会委员候选人数应多于应选人数十分之一至五分之一"
                    )));
                }
            };
            (
                Office::CommitteeMember { excess },
                "地方组织法 第27条（委员候选人多十分之一至五分之一）",
            )
        }
        Post::Deputy if input.body == BodyKind::Constituency => (
            Office::DirectDeputy,
            "选举法 第31条（直接选举：多三分之一至一倍）",
        ),
        Post::Deputy => (
            Office::UpperDeputy,
            "选举法 第31条（间接选举：多五分之一至二分之一）",
        ),
    };
    Ok(tally::candidate_list(office, candidates, seats)
        .err()
        .map(|e| {
            let why = match e {
                ListError::TooFew => "fewer candidates than seats / 候选人少于应选名额",
                ListError::TooMany => "more candidates than the rule allows / 候选人多于法定差额",
                ListError::NotContested => "not the contest the rule requires / 未达到法定差额",
            };
            format!("{candidates} candidates for {seats} seats: {why} — {article}")
        }))
}

#[cfg(test)]
mod tests;
