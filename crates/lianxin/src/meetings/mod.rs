//! 会议和表决 — meetings and votes (issue 7): meetings with their roll, agenda and attendance,
//! the quorum counted live, votes per agenda item with ballots that nothing links to a member,
//! sealed results, the live board and the minutes. The law's arithmetic is in `tally`; `recount`
//! counts one vote from its published ballots, for the server and for `lianxin tally`.

pub mod api;
pub mod ballot_box;
pub mod ballot_seal;
pub mod ballot_store;
pub mod documents;
pub mod domain;
pub mod minutes;
pub mod pages;
pub mod public;
pub mod recount;
pub mod service;
pub mod store;
pub mod tally;
