//! Meetings and votes (issue 7).

mod flow;
mod recount;
mod rows;
mod secrecy;
