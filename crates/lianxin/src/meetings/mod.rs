//! 会议和表决 — meetings and votes (issue 7): meetings with their roll, agenda and attendance,
//! the quorum counted live, votes per agenda item with ballots that nothing links to a member,
//! sealed results, the live board and the minutes. The law's arithmetic is in `tally`; `recount`
//! counts one vote from its published ballots, for the server and for `lianxin tally`.

pub mod api;
pub mod ballot_box;
pub mod ballot_seal;
pub mod board;
pub mod documents;
pub mod domain;
pub mod minutes;
pub mod pages;
pub mod public;
pub mod recount;
pub mod service;
mod store;
pub mod tally;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{
    MeetingRecord, MeetingRow, item, meeting, meetings, record_of, roll, roll_of_person, vote,
};

/// The sessions' question "is this member seated at an open meeting?" (see
/// [`crate::accounts::presence`]), answered from the roll.
pub const PRESENCE: crate::accounts::presence::Presence =
    crate::accounts::presence::Presence(|db, user| Box::pin(store::checked_in_open(db, user.0)));
