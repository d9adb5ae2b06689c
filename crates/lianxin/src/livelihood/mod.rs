//! 民生实事项目人大代表票决制 — livelihood projects decided by deputies' vote (issue 8): the
//! chain 群众点单 → 代表定单 → 政府买单 → 人大验单. A congress runs one cycle a year (`domain`:
//! phases, the contest, a candidate's fields, progress from weighted milestones). Proposals come
//! from the public call, deputies, stations, opinions and suggestions (`service`); the government
//! side screens them into candidate projects; the review, the selection vote and the rating are
//! agenda items and votes of `meetings`, whose tally decides; delivery, supervision and
//! rectification are in `delivery`. `public` shows every project to everyone, with open data.

pub mod api;
pub mod delivery;
pub mod domain;
pub mod home;
pub mod pages;
pub mod public;
pub mod service;
pub mod steps;
mod store;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::{deputies_in_office, milestones, person_of_user, problems, projects, units};
