//! 议案 — a motion's own flow (组织法 Art 22 for the county congress; the same shape in towns):
//! filed only while the congress sits, by at least ten deputies jointly (five in a town, the
//! lead deputy counted) or by an institutional proposer without signatures; the session
//! presidium puts it on the agenda, refers it to a special committee for review and a report,
//! or does not put it on the agenda — then, with the lead deputy's agreement, it is handled as a
//! suggestion, keeping its history. Pure, like the suggestion machine.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MotionState {
    /// 草稿 — signatures being collected.
    Draft,
    /// 已提出 — filed with the session presidium.
    Filed,
    /// 列入大会议程
    OnAgenda,
    /// 交专门委员会审议
    Referred,
    /// 专门委员会已提出审议报告 — back to the presidium.
    Reported,
    /// 不列入大会议程
    NotOnAgenda,
    /// 作为建议办理 (the lead deputy agreed; a suggestion carries on)
    Converted,
    /// 终结 (not on the agenda, and not handled as a suggestion)
    Closed,
}

crate::db::text_column!(MotionState);

impl MotionState {
    pub const ALL: [MotionState; 8] = [
        MotionState::Draft,
        MotionState::Filed,
        MotionState::OnAgenda,
        MotionState::Referred,
        MotionState::Reported,
        MotionState::NotOnAgenda,
        MotionState::Converted,
        MotionState::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            MotionState::Draft => "draft",
            MotionState::Filed => "filed",
            MotionState::OnAgenda => "on_agenda",
            MotionState::Referred => "referred",
            MotionState::Reported => "reported",
            MotionState::NotOnAgenda => "not_on_agenda",
            MotionState::Converted => "converted",
            MotionState::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<MotionState> {
        MotionState::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn is_final(self) -> bool {
        matches!(
            self,
            MotionState::OnAgenda | MotionState::Converted | MotionState::Closed
        )
    }
}

/// 议案提出者 — who proposes.
pub const PROPOSERS: &[&str] = &[
    "deputies",
    "presidium",
    "standing_committee",
    "special_committee",
    "government",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MotionCommand {
    /// File it: while the congress sits and before the deadline its presidium set (组织法
    /// Art 22: 在代表大会举行会议的时候); deputies' motions with enough signers (the lead
    /// counted), institutional ones without.
    File {
        in_session: bool,
        /// False once the presidium's deadline for motions has passed (true when none is set).
        before_deadline: bool,
        institutional: bool,
        signers: usize,
        min_signers: usize,
    },
    PutOnAgenda,
    Refer,
    Report,
    NotOnAgenda,
    /// The lead deputy's answer to handling it as a suggestion.
    Convert {
        institutional: bool,
        agrees: bool,
    },
}

impl MotionCommand {
    pub fn name(self) -> &'static str {
        match self {
            MotionCommand::File { .. } => "file",
            MotionCommand::PutOnAgenda => "put_on_agenda",
            MotionCommand::Refer => "refer",
            MotionCommand::Report => "report",
            MotionCommand::NotOnAgenda => "not_on_agenda",
            MotionCommand::Convert { .. } => "convert",
        }
    }
}

pub fn next(state: MotionState, cmd: MotionCommand) -> Result<MotionState, &'static str> {
    use MotionCommand as C;
    use MotionState as S;
    if state.is_final() {
        return Err("motion.refused.final");
    }
    match (state, cmd) {
        (
            S::Draft,
            C::File {
                in_session,
                before_deadline,
                institutional,
                signers,
                min_signers,
            },
        ) => {
            if !in_session {
                Err("motion.refused.not_in_session")
            } else if !before_deadline {
                Err("motion.refused.after_deadline")
            } else if !institutional && signers < min_signers {
                Err("motion.refused.too_few_signers")
            } else {
                Ok(S::Filed)
            }
        }
        (S::Filed | S::Reported, C::PutOnAgenda) => Ok(S::OnAgenda),
        (S::Filed, C::Refer) => Ok(S::Referred),
        (S::Referred, C::Report) => Ok(S::Reported),
        (S::Filed | S::Reported, C::NotOnAgenda) => Ok(S::NotOnAgenda),
        (
            S::NotOnAgenda,
            C::Convert {
                institutional,
                agrees,
            },
        ) => {
            if institutional {
                Err("motion.refused.institutional")
            } else if agrees {
                Ok(S::Converted)
            } else {
                Ok(S::Closed)
            }
        }
        (_, C::File { .. }) => Err("motion.refused.filed_already"),
        (_, C::Convert { .. }) => Err("motion.refused.not_rejected"),
        (_, C::Report) => Err("motion.refused.not_referred"),
        _ => Err("motion.refused.not_before_presidium"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn file(in_session: bool, institutional: bool, signers: usize) -> MotionCommand {
        MotionCommand::File {
            in_session,
            before_deadline: true,
            institutional,
            signers,
            min_signers: 10,
        }
    }

    #[test]
    fn the_presidiums_deadline_closes_filing_even_for_institutions() {
        for institutional in [false, true] {
            let late = MotionCommand::File {
                in_session: true,
                before_deadline: false,
                institutional,
                signers: 30,
                min_signers: 10,
            };
            assert_eq!(
                next(MotionState::Draft, late),
                Err("motion.refused.after_deadline")
            );
        }
    }

    #[test]
    fn filing_needs_the_session_and_ten_signers_at_county_level() {
        use MotionState::*;
        assert_eq!(
            next(Draft, file(true, false, 10)),
            Ok(Filed),
            "ten, lead counted"
        );
        assert_eq!(
            next(Draft, file(true, false, 9)),
            Err("motion.refused.too_few_signers")
        );
        assert_eq!(
            next(Draft, file(false, false, 30)),
            Err("motion.refused.not_in_session")
        );
        assert_eq!(next(Draft, file(true, true, 0)), Ok(Filed), "institutional");
        assert_eq!(
            next(Draft, file(false, true, 0)),
            Err("motion.refused.not_in_session")
        );
    }

    #[test]
    fn the_presidium_decides_and_a_rejected_motion_may_become_a_suggestion() {
        use MotionState::*;
        assert_eq!(next(Filed, MotionCommand::Refer), Ok(Referred));
        assert_eq!(
            next(Referred, MotionCommand::PutOnAgenda),
            Err("motion.refused.not_before_presidium"),
            "the committee reports first"
        );
        assert_eq!(next(Referred, MotionCommand::Report), Ok(Reported));
        assert_eq!(next(Reported, MotionCommand::NotOnAgenda), Ok(NotOnAgenda));
        let agree = MotionCommand::Convert {
            institutional: false,
            agrees: true,
        };
        assert_eq!(next(NotOnAgenda, agree), Ok(Converted));
        assert_eq!(
            next(
                NotOnAgenda,
                MotionCommand::Convert {
                    institutional: true,
                    agrees: true
                }
            ),
            Err("motion.refused.institutional")
        );
        assert_eq!(next(Converted, agree), Err("motion.refused.final"));
        assert_eq!(
            next(OnAgenda, MotionCommand::Refer),
            Err("motion.refused.final")
        );
    }

    proptest! {
        #[test]
        fn no_motion_is_decided_unfiled_or_converted_without_rejection(
            cmds in proptest::collection::vec(0u8..8, 0..30)
        ) {
            let mut s = MotionState::Draft;
            let mut filed = false;
            let mut rejected = false;
            for c in cmds {
                let cmd = match c {
                    0 => file(true, false, 12),
                    1 => file(true, false, 3),
                    2 => MotionCommand::PutOnAgenda,
                    3 => MotionCommand::Refer,
                    4 => MotionCommand::Report,
                    5 => MotionCommand::NotOnAgenda,
                    6 => MotionCommand::Convert { institutional: false, agrees: true },
                    _ => MotionCommand::Convert { institutional: false, agrees: false },
                };
                if let Ok(after) = next(s, cmd) {
                    prop_assert!(!s.is_final());
                    if after == MotionState::Filed { filed = true; }
                    if matches!(after, MotionState::OnAgenda | MotionState::Referred | MotionState::NotOnAgenda) {
                        prop_assert!(filed);
                    }
                    if after == MotionState::NotOnAgenda { rejected = true; }
                    if matches!(after, MotionState::Converted | MotionState::Closed) {
                        prop_assert!(rejected);
                    }
                    s = after;
                }
            }
        }
    }
}
