//! 会议和表决 — meetings and votes (issue 7). Begun with the ground every vote stands on: the
//! law's tally rules as pure functions with property tests (`tally`). Agendas, attendance,
//! ballots, secrecy, the live board and the recount tool follow on it.

pub mod tally;
