//! Meetings and votes (issue 7).

mod recount;
