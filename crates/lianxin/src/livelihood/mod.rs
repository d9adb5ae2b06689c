//! 民生实事项目人大代表票决制 — livelihood projects decided by deputies' vote (issue 8, begun): the
//! chain 群众点单 → 代表定单 → 政府买单 → 人大验单. Begun with the rules every step stands on
//! (`domain`): the yearly cycle's phases, the contest of a selection, a candidate project's
//! required fields, and progress from weighted milestones. The selection and the rating are
//! votes of `meetings`.

pub mod domain;
