//! 会议和表决 — meetings and votes (issue 7). Begun with the ground every vote stands on: the
//! law's tally rules as pure functions with property tests (`tally`). Agendas, attendance,
//! ballots, secrecy and the live board follow on it; `recount` counts one vote from its
//! published ballots, for the server and for `lianxin tally`.

pub mod recount;
pub mod tally;
