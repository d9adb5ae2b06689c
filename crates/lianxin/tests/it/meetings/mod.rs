//! Meetings and votes (issue 7).

mod flow;
mod recount;
mod secrecy;
