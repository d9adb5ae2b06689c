//! 个人信息保护 — personal-information protection: retention of citizens' contact details and the
//! handling of data-subject requests (PIPL Art 44–50).

pub mod pages;
pub mod retention;
mod store;
