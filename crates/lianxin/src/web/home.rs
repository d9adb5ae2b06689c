//! The home page's card interface (首页卡片): each slice offers a [`CardSource`] — what waits for
//! the user in one congress, or a way in — and the application layer's home page
//! ([`crate::app::home`]) asks every source in turn. The home page knows no slice's insides.

use crate::accounts::roles::Actor;
use crate::congress::Congress;
use crate::platform::error::AppResult;
use crate::platform::i18n::T;
use crate::web::AppState;
use crate::web::ctx::Ctx;
use std::future::Future;
use std::pin::Pin;

/// A card on the home page: something that waits for the user, or a way in.
pub struct HomeCard {
    pub title: String,
    pub number: Option<i64>,
    pub text: String,
    pub href: String,
    pub link: String,
}

/// What a card source may look at: the request, its signed-in actor and the congress chosen.
pub struct HomeScope<'a> {
    pub state: &'a AppState,
    pub ctx: &'a Ctx,
    pub actor: &'a Actor,
    pub congress: &'a Congress,
    pub t: T,
}

/// The cards of one source, in the order they are shown.
pub type Cards<'a> = Pin<Box<dyn Future<Output = AppResult<Vec<HomeCard>>> + Send + 'a>>;

/// A slice's contribution to the home page.
pub type CardSource = for<'a> fn(&'a HomeScope<'a>) -> Cards<'a>;
