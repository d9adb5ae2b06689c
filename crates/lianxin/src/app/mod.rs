//! The application layer (应用层), the top of the layer order: it joins the slices — their routes
//! ([`router`]), their API documents ([`openapi`]), their home-page cards ([`home`]) and their
//! daily jobs ([`jobs`]) — and holds the programs around them: the server ([`server`]), the
//! command line ([`cli`]) and the demo district ([`demo`]). Nothing below imports it.

pub mod cli;
pub mod demo;
pub mod home;
pub mod jobs;
pub mod openapi;
pub mod router;
pub mod server;
