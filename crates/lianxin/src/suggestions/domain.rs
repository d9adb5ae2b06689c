//! 代表建议 — the suggestion's lifecycle as a pure state machine. Every command of the service is
//! first asked of [`next`]; an illegal step is refused with the reason's message key, and the
//! property test below drives random command sequences to show no forbidden state is reachable.
//!
//! Sources: 代表法 Art 51 (reply within 3 months of assignment, 6 for complex items); the windows
//! for assignment, return, feedback and re-handling are congress settings (`settings::registry`).

use serde::{Deserialize, Serialize};

crate::db::words!(
    /// 跟踪办理 — a class-B reply's delivery: none needed, pending (the unit has still to deliver),
    /// reported by the unit, verified by the office (only then counted as delivered).
    Delivery {
        None = "none",
        Pending = "pending",
        Reported = "reported",
        Verified = "verified",
    }
);

crate::db::words!(
    /// 主办/协办 — a unit's part in handling an item: the lead unit (主办) answers, co-units (协办)
    /// give their opinions.
    UnitRole {
        Lead = "lead",
        Co = "co",
    }
);

/// Where a suggestion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// 草稿 — the lead deputy writes it and invites co-signers.
    Draft,
    /// 已提交 — waiting for the office's registration review (审查立案).
    Submitted,
    /// 退回修改 — the office returned it to the deputy with a reason.
    ReturnedForRevision,
    /// 已撤回 — withdrawn by the lead deputy before registration (final).
    Withdrawn,
    /// 不予立案 — not registered, with a reason; kept as reference material (final).
    NotRegistered,
    /// 已立案 — registered and numbered, waiting for assignment (交办).
    Registered,
    /// 办理中 — assigned to a lead unit (主办) and co-units; the reply deadline runs.
    Assigned,
    /// 退办待重新交办 — the lead unit returned it within the return window.
    UnitReturned,
    /// 已答复 — replied; waiting for the deputy's evaluation.
    Replied,
    /// 重新办理 — rated unsatisfied once; the unit handles it again.
    Rehandling,
    /// 交代表工委 — rated unsatisfied a second time; the office decides.
    Escalated,
    /// 办结
    Closed,
}

impl State {
    pub const ALL: [State; 12] = [
        State::Draft,
        State::Submitted,
        State::ReturnedForRevision,
        State::Withdrawn,
        State::NotRegistered,
        State::Registered,
        State::Assigned,
        State::UnitReturned,
        State::Replied,
        State::Rehandling,
        State::Escalated,
        State::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::ReturnedForRevision => "returned_for_revision",
            State::Withdrawn => "withdrawn",
            State::NotRegistered => "not_registered",
            State::Registered => "registered",
            State::Assigned => "assigned",
            State::UnitReturned => "unit_returned",
            State::Replied => "replied",
            State::Rehandling => "rehandling",
            State::Escalated => "escalated",
            State::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<State> {
        State::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// No command leaves these.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            State::Withdrawn | State::NotRegistered | State::Closed
        )
    }

    /// A reply deadline runs (the item counts as overdue once it passes).
    pub fn reply_pending(self) -> bool {
        matches!(self, State::Assigned | State::Rehandling)
    }
}

/// 答复分类 — the result class of a reply (the congress setting `suggestion.reply_classes`
/// names them; the letters are the storage form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub enum ReplyClass {
    /// 已解决或采纳
    A,
    /// 正在解决或列入计划 — stays open for delivery (跟踪办理).
    B,
    /// 因条件限制暂时不能解决（说明理由）
    C,
    /// 留作参考
    D,
}

impl ReplyClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyClass::A => "A",
            ReplyClass::B => "B",
            ReplyClass::C => "C",
            ReplyClass::D => "D",
        }
    }
    pub fn parse(s: &str) -> Option<ReplyClass> {
        match s.trim() {
            "A" | "a" => Some(ReplyClass::A),
            "B" | "b" => Some(ReplyClass::B),
            "C" | "c" => Some(ReplyClass::C),
            "D" | "d" => Some(ReplyClass::D),
            _ => None,
        }
    }
}

/// 满意度 — the deputy's evaluation of a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Satisfied,
    BasicallySatisfied,
    Unsatisfied,
}

impl Rating {
    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::BasicallySatisfied => "basically_satisfied",
            Rating::Unsatisfied => "unsatisfied",
        }
    }
    pub fn parse(s: &str) -> Option<Rating> {
        [
            Rating::Satisfied,
            Rating::BasicallySatisfied,
            Rating::Unsatisfied,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

impl Rating {
    /// How satisfied: higher is more (for combining signers' ratings).
    fn rank(self) -> u8 {
        match self {
            Rating::Satisfied => 2,
            Rating::BasicallySatisfied => 1,
            Rating::Unsatisfied => 0,
        }
    }
}

/// The item's rating when every signer rates (the `suggestion.rating_by = every_signer`
/// setting): the rating most signers gave, a tie going to the **less** satisfied one, so that a
/// split never reads as satisfaction. None when nobody rated.
pub fn combine(ratings: &[Rating]) -> Option<Rating> {
    let all = [
        Rating::Unsatisfied,
        Rating::BasicallySatisfied,
        Rating::Satisfied,
    ];
    all.into_iter()
        .map(|r| (ratings.iter().filter(|x| **x == r).count(), r))
        .filter(|(n, _)| *n > 0)
        // Most votes first; among equals, the lowest rank (least satisfied).
        .max_by_key(|(n, r)| (*n, std::cmp::Reverse(r.rank())))
        .map(|(_, r)| r)
}

/// A step of the lifecycle, with the facts the rules depend on (gathered by the service).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// The lead deputy submits; every invited co-signer must have answered and none may still
    /// be pending.
    Submit {
        pending_consents: usize,
    },
    Withdraw,
    Register,
    ReturnForRevision,
    Reject,
    /// Assign to units (a lead unit is required).
    Assign {
        has_lead_unit: bool,
    },
    /// The lead unit returns it (退办); allowed only within the return window.
    UnitReturn {
        within_window: bool,
    },
    Reply,
    /// The entitled rater evaluates; `earlier_unsatisfied` counts earlier 不满意 ratings.
    Rate {
        rating: Rating,
        earlier_unsatisfied: u32,
    },
    /// The feedback window passed without an evaluation: closes as "not rated".
    FeedbackLapsed,
    /// The office closes an escalated item with its decision.
    Close,
}

impl Command {
    pub fn name(self) -> &'static str {
        match self {
            Command::Submit { .. } => "submit",
            Command::Withdraw => "withdraw",
            Command::Register => "register",
            Command::ReturnForRevision => "return_for_revision",
            Command::Reject => "reject",
            Command::Assign { .. } => "assign",
            Command::UnitReturn { .. } => "unit_return",
            Command::Reply => "reply",
            Command::Rate { .. } => "rate",
            Command::FeedbackLapsed => "feedback_lapsed",
            Command::Close => "close",
        }
    }
}

/// Why a step is refused: a message key (both catalogues carry it).
pub type Refusal = &'static str;

/// The state after `cmd`, or why it is not allowed now.
pub fn next(state: State, cmd: Command) -> Result<State, Refusal> {
    use Command as C;
    use State as S;
    if state.is_final() {
        return Err("suggestion.refused.final");
    }
    match (state, cmd) {
        (S::Draft | S::ReturnedForRevision, C::Submit { pending_consents }) => {
            if pending_consents > 0 {
                Err("suggestion.refused.consent_pending")
            } else {
                Ok(S::Submitted)
            }
        }
        (S::Draft | S::Submitted | S::ReturnedForRevision, C::Withdraw) => Ok(S::Withdrawn),
        (S::Submitted, C::Register) => Ok(S::Registered),
        (S::Submitted, C::ReturnForRevision) => Ok(S::ReturnedForRevision),
        (S::Submitted, C::Reject) => Ok(S::NotRegistered),
        (S::Registered | S::UnitReturned, C::Assign { has_lead_unit }) => {
            if has_lead_unit {
                Ok(S::Assigned)
            } else {
                Err("suggestion.refused.no_lead_unit")
            }
        }
        (S::Assigned, C::UnitReturn { within_window }) => {
            if within_window {
                Ok(S::UnitReturned)
            } else {
                Err("suggestion.refused.return_window")
            }
        }
        (S::Assigned | S::Rehandling, C::Reply) => Ok(S::Replied),
        (
            S::Replied,
            C::Rate {
                rating,
                earlier_unsatisfied,
            },
        ) => Ok(match rating {
            Rating::Satisfied | Rating::BasicallySatisfied => S::Closed,
            // 不满意 reopens it once; a second 不满意 goes to the office.
            Rating::Unsatisfied if earlier_unsatisfied == 0 => S::Rehandling,
            Rating::Unsatisfied => S::Escalated,
        }),
        (S::Replied, C::FeedbackLapsed) => Ok(S::Closed),
        (S::Escalated, C::Close) => Ok(S::Closed),
        (S::Withdrawn | S::NotRegistered | S::Closed, _) => Err("suggestion.refused.final"),
        (_, C::Rate { .. }) => Err("suggestion.refused.not_replied"),
        (_, C::Reply) => Err("suggestion.refused.not_assigned"),
        (_, C::Submit { .. }) => Err("suggestion.refused.not_draft"),
        (_, C::Withdraw) => Err("suggestion.refused.registered_already"),
        (_, C::Register | C::ReturnForRevision | C::Reject) => {
            Err("suggestion.refused.not_submitted")
        }
        (_, C::Assign { .. }) => Err("suggestion.refused.not_registered"),
        (_, C::UnitReturn { .. }) => Err("suggestion.refused.not_assigned"),
        (_, C::FeedbackLapsed) => Err("suggestion.refused.not_replied"),
        (_, C::Close) => Err("suggestion.refused.not_escalated"),
    }
}

/// How far past assignment a reply deadline may be: 代表法 Art 51 — 3 months, 6 when the office
/// approves "complex"; an extension never goes beyond 6 months from assignment.
pub const MAX_REPLY_MONTHS: u32 = 6;

/// Whether an extension to `requested_months` after assignment is within the law.
pub fn extension_allowed(requested_months: u32) -> bool {
    (1..=MAX_REPLY_MONTHS).contains(&requested_months)
}

/// Motions (议案) need at least this many deputies jointly (组织法 Art 22: ten at county level,
/// five in a town), the lead deputy counted among them.
pub fn motion_min_signers(town: bool) -> usize {
    if town { 5 } else { 10 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_main_path_from_draft_to_closure() {
        let mut s = State::Draft;
        for cmd in [
            Command::Submit {
                pending_consents: 0,
            },
            Command::Register,
            Command::Assign {
                has_lead_unit: true,
            },
            Command::Reply,
            Command::Rate {
                rating: Rating::Satisfied,
                earlier_unsatisfied: 0,
            },
        ] {
            s = next(s, cmd).unwrap();
        }
        assert_eq!(s, State::Closed);
    }

    #[test]
    fn refusals_name_their_reason() {
        assert_eq!(
            next(
                State::Draft,
                Command::Submit {
                    pending_consents: 1
                }
            ),
            Err("suggestion.refused.consent_pending")
        );
        assert_eq!(
            next(
                State::Assigned,
                Command::UnitReturn {
                    within_window: false
                }
            ),
            Err("suggestion.refused.return_window")
        );
        assert_eq!(
            next(State::Registered, Command::Withdraw),
            Err("suggestion.refused.registered_already")
        );
        assert_eq!(
            next(State::Closed, Command::Reply),
            Err("suggestion.refused.final")
        );
        assert_eq!(
            next(
                State::Replied,
                Command::Rate {
                    rating: Rating::Unsatisfied,
                    earlier_unsatisfied: 0
                }
            ),
            Ok(State::Rehandling)
        );
        assert_eq!(
            next(
                State::Replied,
                Command::Rate {
                    rating: Rating::Unsatisfied,
                    earlier_unsatisfied: 1
                }
            ),
            Ok(State::Escalated),
            "the second 不满意 escalates"
        );
    }

    #[test]
    fn extensions_stop_at_six_months_and_motions_need_their_signers() {
        assert!(extension_allowed(6));
        assert!(!extension_allowed(7));
        assert!(!extension_allowed(0));
        assert_eq!(motion_min_signers(false), 10);
        assert_eq!(motion_min_signers(true), 5);
    }

    fn any_command() -> impl Strategy<Value = Command> {
        prop_oneof![
            (0usize..2).prop_map(|p| Command::Submit {
                pending_consents: p
            }),
            Just(Command::Withdraw),
            Just(Command::Register),
            Just(Command::ReturnForRevision),
            Just(Command::Reject),
            any::<bool>().prop_map(|b| Command::Assign { has_lead_unit: b }),
            any::<bool>().prop_map(|b| Command::UnitReturn { within_window: b }),
            Just(Command::Reply),
            (0u8..3, 0u32..3).prop_map(|(r, e)| Command::Rate {
                rating: [
                    Rating::Satisfied,
                    Rating::BasicallySatisfied,
                    Rating::Unsatisfied
                ][r as usize],
                earlier_unsatisfied: e
            }),
            Just(Command::FeedbackLapsed),
            Just(Command::Close),
        ]
    }

    #[test]
    fn signers_ratings_combine_by_majority_and_ties_go_to_the_less_satisfied() {
        use Rating::*;
        assert_eq!(combine(&[]), None);
        assert_eq!(combine(&[Satisfied]), Some(Satisfied));
        assert_eq!(
            combine(&[Satisfied, Satisfied, Unsatisfied]),
            Some(Satisfied)
        );
        assert_eq!(combine(&[Satisfied, Unsatisfied]), Some(Unsatisfied));
        assert_eq!(
            combine(&[Satisfied, BasicallySatisfied]),
            Some(BasicallySatisfied)
        );
        assert_eq!(
            combine(&[
                Satisfied,
                Satisfied,
                Unsatisfied,
                Unsatisfied,
                BasicallySatisfied
            ]),
            Some(Unsatisfied)
        );
    }

    fn rating_of(n: u8) -> Rating {
        [
            Rating::Satisfied,
            Rating::BasicallySatisfied,
            Rating::Unsatisfied,
        ][usize::from(n % 3)]
    }

    proptest! {
        /// The combined rating is one that was given, does not depend on the order, and is
        /// unsatisfied whenever more than half of the signers are unsatisfied.
        #[test]
        fn combining_is_a_given_rating_order_free_and_respects_a_majority(
            raw in proptest::collection::vec(0u8..3, 1..12)
        ) {
            let ratings: Vec<Rating> = raw.iter().map(|n| rating_of(*n)).collect();
            let c = combine(&ratings).unwrap();
            prop_assert!(ratings.contains(&c));
            let mut reversed = ratings.clone();
            reversed.reverse();
            prop_assert_eq!(combine(&reversed), Some(c));
            let unsatisfied = ratings.iter().filter(|r| **r == Rating::Unsatisfied).count();
            if unsatisfied * 2 > ratings.len() {
                prop_assert_eq!(c, Rating::Unsatisfied);
            }
            if unsatisfied * 2 >= ratings.len() {
                prop_assert_eq!(c, Rating::Unsatisfied, "a half-unsatisfied split is never satisfaction");
            }
        }
    }

    proptest! {
        /// Whatever the sequence: a final state is never left; nothing is registered without
        /// having been submitted, replied without having been assigned, or closed without a
        /// reply (or an office decision after escalation).
        #[test]
        fn no_sequence_reaches_a_forbidden_state(cmds in proptest::collection::vec(any_command(), 0..40)) {
            let mut s = State::Draft;
            let mut submitted = false;
            let mut assigned = false;
            let mut replied = false;
            for cmd in cmds {
                let before = s;
                match next(s, cmd) {
                    Ok(after) => {
                        prop_assert!(!before.is_final(), "left a final state {before:?}");
                        if after == State::Submitted { submitted = true; }
                        if after == State::Registered { prop_assert!(submitted); }
                        if after == State::Assigned { assigned = true; }
                        if after == State::Replied { prop_assert!(assigned); replied = true; }
                        if after == State::Closed { prop_assert!(replied); }
                        if matches!(after, State::Withdrawn) {
                            prop_assert!(matches!(before, State::Draft | State::Submitted | State::ReturnedForRevision));
                        }
                        s = after;
                    }
                    Err(reason) => {
                        prop_assert!(reason.starts_with("suggestion.refused."));
                    }
                }
            }
        }
    }
}
