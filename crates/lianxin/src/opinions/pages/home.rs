//! The opinions' cards on the home page: the open opinions of the handler's scope with the
//! overdue among them, and the insight page for the office.

use crate::accounts::policy::{Permission, allows};
use crate::opinions::service::Handler;
use crate::opinions::store;
use crate::web::home::{Cards, HomeCard, HomeScope};

pub fn cards<'a>(s: &'a HomeScope<'a>) -> Cards<'a> {
    Box::pin(async move {
        let (t, c) = (s.t, s.congress);
        let mut cards = Vec::new();
        // A deputy's account without a deputy in office here handles no opinions: no card.
        if !allows(
            s.actor,
            Permission::HandleOpinions,
            c.target(),
            s.state.policy(),
        ) {
            return Ok(cards);
        }
        let Ok(handler) = super::handler(s.state, s.ctx, c).await else {
            return Ok(cards);
        };
        let today = s.state.clock.today().to_string();
        let (open, overdue) =
            store::open_counts(&s.state.db, c.id, handler.scope(), &today).await?;
        cards.push(HomeCard {
            title: t.t("home.card.opinions"),
            number: Some(open),
            text: t.f("home.card.opinions_text", "n", overdue.to_string()),
            href: format!("/c/{}/opinions", c.id),
            link: t.t("home.card.open_opinions"),
        });
        if handler == Handler::Staff {
            cards.push(HomeCard {
                title: t.t("opinions.insight"),
                number: None,
                text: t.t("home.card.insight_text"),
                href: format!("/c/{}/opinions/insight", c.id),
                link: t.t("home.card.open_insight"),
            });
        }
        Ok(cards)
    })
}
