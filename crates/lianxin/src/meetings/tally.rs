//! 计票规则 — the law's arithmetic of quorums, passing and elections, as pure functions over
//! whole numbers (no division, no floating point: `2*yes > n`, never `yes > n/2`). Counting
//! follows 民法典 Art 1259: 以上/以下 include the number, 超过/不满 exclude it, 过半数 is strictly
//! more than half. The denominator is the members in office, snapshotted when a vote opens
//! (`legal-rules.md` §0.2). Not pressing a key is not voting: it is in no category.

/// A count of one decision: 赞成 / 反对 / 弃权. Those who did not vote are not counted anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Count {
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
}

/// 过半数 — strictly more than half of `n` (组织法 Art 25: "以全体代表的过半数通过").
pub fn majority_of(count: u32, n: u32) -> bool {
    2 * u64::from(count) > u64::from(n)
}

/// 三分之二以上 — at least two thirds of `n` (组织法 Art 14, the congress's quorum).
pub fn two_thirds_of(count: u32, n: u32) -> bool {
    3 * u64::from(count) >= 2 * u64::from(n)
}

/// 半数以上 — at least half of `n` (代表法 Art 20: not the same as 过半数).
pub fn half_of(count: u32, n: u32) -> bool {
    2 * u64::from(count) >= u64::from(n)
}

/// 三分之一 — not less than a third of `n` (选举法 Art 45, a second round of a direct election).
pub fn third_of(count: u32, n: u32) -> bool {
    3 * u64::from(count) >= u64::from(n)
}

/// Which body meets, for its quorum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// 人民代表大会 — 组织法 Art 14: "有三分之二以上的代表出席，始得举行".
    Congress,
    /// 常务委员会 — 组织法 Art 51: "全体组成人员过半数出席，始得举行".
    StandingCommittee,
    /// 主席团 — the congress's setting `presidium.quorum` (`majority` or `two_thirds`).
    Presidium { two_thirds: bool },
}

/// Whether the meeting may proceed: attendees who do not vote (列席) are not passed in.
pub fn quorum(body: Body, present: u32, members: u32) -> bool {
    match body {
        Body::Congress | Body::Presidium { two_thirds: true } => two_thirds_of(present, members),
        Body::StandingCommittee | Body::Presidium { two_thirds: false } => {
            majority_of(present, members)
        }
    }
}

/// A decision passes with more than half of all members in office voting yes (组织法 Art 25
/// for the congress; Art 52 for the standing committee) — whatever the others did.
pub fn passes(count: Count, members: u32) -> bool {
    majority_of(count.yes, members)
}

/// 选举法 Art 44 ¶1: a round with more ballots returned than issued is void.
pub fn round_valid(returned: u32, issued: u32) -> bool {
    returned <= issued
}

/// 选举法 Art 44 ¶2: a ballot choosing more people than the seats (write-ins included) is void.
pub fn ballot_valid(chosen: u32, seats: u32) -> bool {
    chosen <= seats
}

/// The outcome of one round of an election.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome<C> {
    /// Elected, most votes first.
    pub elected: Vec<C>,
    /// Tied at the cut-off for the last seats: a run-off among them only (组织法 Art 29).
    pub runoff: Vec<C>,
    /// Seats neither filled nor in a run-off: another round (另行选举).
    pub unfilled: u32,
}

/// One round of an election held by a congress (组织法 Art 29): a candidate qualifies with
/// more than half of all `members`' votes; more qualifiers than seats → the most votes win; a tie
/// at the cut-off → a run-off among the tied; too few → the rest are unfilled.
pub fn elect<C: Clone>(votes: &[(C, u32)], seats: u32, members: u32) -> Outcome<C> {
    let qualified: Vec<(C, u32)> = votes
        .iter()
        .filter(|(_, v)| majority_of(*v, members))
        .cloned()
        .collect();
    top(qualified, seats)
}

/// Among those who reached the threshold: the `seats` with the most votes, a run-off for a tie
/// at the cut-off, and the seats left over.
fn top<C: Clone>(mut qualified: Vec<(C, u32)>, seats: u32) -> Outcome<C> {
    qualified.sort_by_key(|q| std::cmp::Reverse(q.1));
    let seats_us = seats as usize;
    if qualified.len() <= seats_us {
        let unfilled = seats - qualified.len() as u32;
        return Outcome {
            elected: qualified.into_iter().map(|(c, _)| c).collect(),
            runoff: Vec::new(),
            unfilled,
        };
    }
    if seats_us == 0 {
        return Outcome {
            elected: Vec::new(),
            runoff: Vec::new(),
            unfilled: 0,
        };
    }
    let cut = qualified[seats_us - 1].1;
    let above: Vec<C> = qualified
        .iter()
        .filter(|(_, v)| *v > cut)
        .map(|(c, _)| c.clone())
        .collect();
    let tied: Vec<C> = qualified
        .iter()
        .filter(|(_, v)| *v == cut)
        .map(|(c, _)| c.clone())
        .collect();
    let left = seats - above.len() as u32;
    if tied.len() as u32 == left {
        let mut elected = above;
        elected.extend(tied);
        Outcome {
            elected,
            runoff: Vec::new(),
            unfilled: 0,
        }
    } else {
        Outcome {
            elected: above,
            runoff: tied,
            unfilled: 0,
        }
    }
}

/// Which round of a direct election is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectRound {
    /// A winner needs more than half of the voters who took part.
    First,
    /// 另行选举: the most votes win with at least a third of the valid ballots cast (our reading
    /// of "选票", `legal-rules.md` §2.5).
    Second { valid_ballots: u32 },
}

/// A direct election in a constituency (选举法 Art 45): valid only if more than half of the
/// registered voters voted; in the first round a winner needs more than half of the votes cast;
/// in a second round (另行选举) the most votes win if they are at least a third of the ballots.
/// `None` when the election is void.
pub fn direct_election<C: Clone>(
    votes: &[(C, u32)],
    seats: u32,
    voted: u32,
    registered: u32,
    round: DirectRound,
) -> Option<Outcome<C>> {
    if !majority_of(voted, registered) {
        return None;
    }
    let qualified: Vec<(C, u32)> = votes
        .iter()
        .filter(|(_, v)| match round {
            DirectRound::Second { valid_ballots } => third_of(*v, valid_ballots),
            DirectRound::First => majority_of(*v, voted),
        })
        .cloned()
        .collect();
    Some(top(qualified, seats))
}

/// 票决 — a selection vote on livelihood projects (民生实事项目): by default a project needs more
/// than half of all deputies in office approving (the standard of 组织法 Art 25 for what the
/// congress decides; the session's 票决办法 may set another); the `n` with most approvals are
/// selected, a tie at the cut-off goes to a run-off, a shortfall is left to the presidium.
pub fn select<C: Clone>(approvals: &[(C, u32)], n: u32, members: u32) -> Outcome<C> {
    elect(approvals, n, members)
}

/// 差额 — a selection offers more candidates than places (`m > n`).
pub fn contested(candidates: u32, places: u32) -> bool {
    candidates > places
}

/// A count of one 满意度测评: 满意 / 基本满意 / 不满意 (a blank grade is no grade).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RatingCount {
    pub satisfied: u32,
    pub basically_satisfied: u32,
    pub unsatisfied: u32,
}

/// How a rating's verdict is reached: the congress's setting `rating.verdict`. No national text
/// fixes it (`legal-rules.md` §4.2); both rules count 满意 and 基本满意 together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerdictRule {
    /// More than half of the grades given.
    OverHalfOfVotes,
    /// More than half of all members in office (the product's default).
    OverHalfOfMembers,
}

impl VerdictRule {
    pub fn parse(setting: &str) -> Option<VerdictRule> {
        match setting {
            "satisfied_over_half_of_votes" => Some(VerdictRule::OverHalfOfVotes),
            "satisfied_over_half_of_members" => Some(VerdictRule::OverHalfOfMembers),
            _ => None,
        }
    }
}

/// Whether a rating's result is 满意 (otherwise the subject rectifies and reports again).
pub fn rated_satisfactory(c: RatingCount, rule: VerdictRule, members: u32) -> bool {
    let content = c.satisfied + c.basically_satisfied;
    match rule {
        VerdictRule::OverHalfOfVotes => majority_of(content, content + c.unsatisfied),
        VerdictRule::OverHalfOfMembers => majority_of(content, members),
    }
}

/// Why a candidate list may not be put to the vote (组织法 Art 27; 选举法 Art 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListError {
    /// Fewer candidates than seats.
    TooFew,
    /// More candidates than the rule allows.
    TooMany,
    /// Not the contest (差额) the rule requires.
    NotContested,
}

/// The office being filled, for the candidate-count rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Office {
    /// 正职 (常委会主任、秘书长, 镇主席, 政府正职, 监委主任, 法院院长, 检察长): one more
    /// candidate than seats, or as many when only one is nominated (组织法 Art 27 ¶1).
    Head,
    /// 副职 (副主任, 副主席, 政府副职): one to three more than seats (Art 27 ¶1).
    Deputy,
    /// 常委会委员: a tenth to a fifth more, the exact excess set by the session's election
    /// rules (Art 27 ¶1) — passed in as `excess`.
    CommitteeMember { excess: u32 },
    /// Deputies elected directly: a third to double more (选举法 Art 31).
    DirectDeputy,
    /// Deputies to the next level elected by a county congress: a fifth to a half more.
    UpperDeputy,
}

/// Checks a candidate list against the rule for the office.
pub fn candidate_list(office: Office, candidates: u32, seats: u32) -> Result<(), ListError> {
    if candidates < seats {
        return Err(ListError::TooFew);
    }
    let extra = candidates - seats;
    let (low, high): (bool, bool) = match office {
        Office::Head => (true, extra <= 1 && seats == 1),
        Office::Deputy => (extra >= 1, extra <= 3),
        Office::CommitteeMember { excess } => (extra >= excess, extra <= excess),
        Office::DirectDeputy => (3 * extra >= seats, extra <= seats),
        Office::UpperDeputy => (5 * extra >= seats, 2 * extra <= seats),
    };
    match (low, high) {
        (_, false) => Err(ListError::TooMany),
        (false, _) => Err(ListError::NotContested),
        _ => Ok(()),
    }
}

/// Whether the excess the session's election rules set for committee members lies within a
/// tenth to a fifth of the seats (组织法 Art 27). For a few seats no whole number does; then
/// the session's rules decide, and this says so (false).
pub fn committee_excess_in_range(excess: u32, seats: u32) -> bool {
    10 * u64::from(excess) >= u64::from(seats) && 5 * u64::from(excess) <= u64::from(seats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn thresholds_at_and_around_their_edges() {
        // 过半数 of 25 is 13; of 24 it is 13 too (12 is exactly half: not more).
        assert!(!majority_of(12, 25) && majority_of(13, 25));
        assert!(!majority_of(12, 24) && majority_of(13, 24));
        // The congress sits with two thirds: 200 of 300, not 199.
        assert!(quorum(Body::Congress, 200, 300) && !quorum(Body::Congress, 199, 300));
        // The standing committee with more than half: 13 of 25, not 12.
        assert!(quorum(Body::StandingCommittee, 13, 25));
        assert!(!quorum(Body::StandingCommittee, 12, 25));
        assert!(quorum(Body::Presidium { two_thirds: false }, 8, 15));
        assert!(!quorum(Body::Presidium { two_thirds: true }, 9, 15));
        // 半数以上 includes half; 过半数 does not.
        assert!(half_of(5, 10) && !majority_of(5, 10));
        // A third: 34 of 100 yes, 33 no; 33 of 99 yes.
        assert!(third_of(34, 100) && !third_of(33, 100) && third_of(33, 99));
    }

    #[test]
    fn a_decision_counts_against_all_members_not_those_present() {
        // 300 deputies in office, 210 present: 150 yes is not enough, whatever the others did.
        let c = Count {
            yes: 150,
            no: 10,
            abstain: 50,
        };
        assert!(!passes(c, 300));
        assert!(passes(Count { yes: 151, ..c }, 300));
    }

    #[test]
    fn ballots_and_rounds_void_by_article_44() {
        assert!(round_valid(280, 280) && !round_valid(281, 280));
        assert!(ballot_valid(3, 3) && !ballot_valid(4, 3));
    }

    #[test]
    fn an_election_with_a_tie_at_the_cut_off_goes_to_a_runoff_among_the_tied() {
        let votes = [("甲", 200), ("乙", 180), ("丙", 180), ("丁", 100)];
        let o = elect(&votes, 2, 300);
        assert_eq!(o.elected, vec!["甲"]);
        assert_eq!(o.runoff, vec!["乙", "丙"]);
        assert_eq!(o.unfilled, 0);
        // Too few qualify: the rest is unfilled (另行选举); 丁's 100 of 300 is not a majority.
        let o = elect(&votes, 4, 300);
        assert_eq!(o.elected, vec!["甲", "乙", "丙"]);
        assert_eq!(o.unfilled, 1);
    }

    #[test]
    fn a_direct_election_needs_a_turnout_and_a_second_round_a_third() {
        let votes = [("甲", 400), ("乙", 350), ("丙", 250)];
        assert_eq!(
            direct_election(&votes, 1, 500, 1000, DirectRound::First),
            None,
            "half is not more than half"
        );
        let o = direct_election(&votes, 2, 700, 1000, DirectRound::First).unwrap();
        assert_eq!(o.elected, vec!["甲"], "350 of 700 is not more than half");
        assert_eq!(o.unfilled, 1);
        let o = direct_election(
            &votes[1..],
            1,
            700,
            1000,
            DirectRound::Second { valid_ballots: 700 },
        )
        .unwrap();
        assert_eq!(o.elected, vec!["乙"], "the most votes, at least a third");
        let o = direct_election(
            &[("丙", 233)],
            1,
            700,
            1000,
            DirectRound::Second { valid_ballots: 700 },
        )
        .unwrap();
        assert!(o.elected.is_empty(), "233 of 700 is less than a third");
    }

    #[test]
    fn candidate_lists_follow_article_27_and_election_law_31() {
        assert_eq!(candidate_list(Office::Head, 2, 1), Ok(()));
        assert_eq!(
            candidate_list(Office::Head, 1, 1),
            Ok(()),
            "one nominee: uncontested"
        );
        assert_eq!(candidate_list(Office::Head, 3, 1), Err(ListError::TooMany));
        assert_eq!(
            candidate_list(Office::Deputy, 4, 4),
            Err(ListError::NotContested)
        );
        assert_eq!(candidate_list(Office::Deputy, 7, 4), Ok(()));
        assert_eq!(
            candidate_list(Office::Deputy, 8, 4),
            Err(ListError::TooMany)
        );
        assert_eq!(
            candidate_list(Office::CommitteeMember { excess: 3 }, 23, 20),
            Ok(())
        );
        assert!(committee_excess_in_range(3, 20) && !committee_excess_in_range(5, 20));
        assert!(
            !committee_excess_in_range(1, 4),
            "a tenth to a fifth of 4 holds no whole number"
        );
        // Direct elections: a third to double more; 9 seats → 12 to 18 candidates.
        assert_eq!(
            candidate_list(Office::DirectDeputy, 11, 9),
            Err(ListError::NotContested)
        );
        assert_eq!(candidate_list(Office::DirectDeputy, 12, 9), Ok(()));
        assert_eq!(candidate_list(Office::DirectDeputy, 18, 9), Ok(()));
        assert_eq!(
            candidate_list(Office::DirectDeputy, 19, 9),
            Err(ListError::TooMany)
        );
        assert_eq!(candidate_list(Office::UpperDeputy, 12, 10), Ok(()));
        assert_eq!(
            candidate_list(Office::UpperDeputy, 16, 10),
            Err(ListError::TooMany)
        );
        assert_eq!(candidate_list(Office::Deputy, 2, 3), Err(ListError::TooFew));
    }

    #[test]
    fn a_selection_needs_more_candidates_and_a_majority_of_all_deputies() {
        assert!(contested(12, 10) && !contested(10, 10));
        // 300 deputies; 10 places. Project 11 has 150 approvals: not more than half.
        let mut approvals: Vec<(u32, u32)> = (1..=10).map(|p| (p, 280 - p)).collect();
        approvals.push((11, 150));
        approvals.push((12, 151));
        let o = select(&approvals, 10, 300);
        assert_eq!(o.elected.len(), 10);
        assert!(!o.elected.contains(&11));
        // Too few qualify: the places left are a shortfall for the presidium.
        let o = select(&[(1, 200), (2, 120)], 2, 300);
        assert_eq!((o.elected, o.unfilled), (vec![1], 1));
    }

    #[test]
    fn a_rating_verdict_follows_the_congress_setting() {
        let c = RatingCount {
            satisfied: 10,
            basically_satisfied: 3,
            unsatisfied: 5,
        };
        // 13 of 18 grades given, but 13 of 30 members is not more than half.
        assert!(rated_satisfactory(c, VerdictRule::OverHalfOfVotes, 30));
        assert!(!rated_satisfactory(c, VerdictRule::OverHalfOfMembers, 30));
        assert!(rated_satisfactory(c, VerdictRule::OverHalfOfMembers, 25));
        assert!(!rated_satisfactory(c, VerdictRule::OverHalfOfMembers, 26));
        assert_eq!(
            VerdictRule::parse("satisfied_over_half_of_members"),
            Some(VerdictRule::OverHalfOfMembers)
        );
        assert_eq!(VerdictRule::parse("anything"), None);
    }

    proptest! {
        /// 过半数 is exactly `count > n/2` in integer division (`n/2 + 1` or more), and
        /// monotone in the count.
        #[test]
        fn majority_is_half_plus_one(n in 0u32..100_000, count in 0u32..100_000) {
            prop_assert_eq!(majority_of(count, n), count > n / 2);
            if majority_of(count, n) {
                prop_assert!(majority_of(count + 1, n));
            }
        }

        /// An election never fills more seats than it has, elects only the qualified, and puts
        /// in a run-off only candidates tied at one count, more than the seats left.
        #[test]
        fn elections_respect_seats_and_thresholds(
            raw in proptest::collection::vec(0u32..400, 0..12),
            seats in 0u32..6,
            members in 1u32..400,
        ) {
            let votes: Vec<(usize, u32)> = raw.iter().copied().enumerate().collect();
            let o = elect(&votes, seats, members);
            prop_assert!(o.elected.len() as u32 + o.unfilled <= seats);
            for c in &o.elected {
                prop_assert!(majority_of(votes[*c].1, members));
            }
            if !o.runoff.is_empty() {
                let v = votes[o.runoff[0]].1;
                prop_assert!(o.runoff.iter().all(|c| votes[*c].1 == v));
                prop_assert!(o.runoff.len() as u32 > seats - o.elected.len() as u32);
                prop_assert!(o.elected.iter().all(|c| votes[*c].1 > v));
            } else {
                prop_assert_eq!(o.elected.len() as u32 + o.unfilled, seats);
            }
        }
    }
}
