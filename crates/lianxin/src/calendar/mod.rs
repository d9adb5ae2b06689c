//! 法定工作日历 — the legal calendar: the holiday arrangement of each year (shipped for the years
//! known at release, loaded by an administrator for later ones), deadline arithmetic
//! ([`rules`], pure), and the registry of open deadlines that modules register so that loading a
//! year recomputes them and tells their holders.

pub mod deadlines;
pub mod pages;
pub mod rules;
mod store;

/// What other slices use of this slice's store: its facade of queries and commands.
pub use store::load;

pub use rules::{Basis, Calendar, Deadline};

/// The arrangements shipped with this release.
pub const SHIPPED: &str = include_str!("holidays.txt");
