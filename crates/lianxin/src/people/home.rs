//! The roster's cards on the home page: deputies, units and stations with their numbers, or the
//! units alone for those who may see only them.

use super::store;
use crate::accounts::policy::{Permission, allows};
use crate::web::home::{Cards, HomeCard, HomeScope};

pub fn cards<'a>(s: &'a HomeScope<'a>) -> Cards<'a> {
    Box::pin(async move {
        let (t, c, p) = (s.t, s.congress, s.state.policy());
        let mut cards = Vec::new();
        if allows(s.actor, Permission::ViewRoster, c.target(), p) {
            let (deputies, units, stations) = store::counts(&s.state.db, c.id).await?;
            cards.push(HomeCard {
                title: t.t("home.card.deputies"),
                number: Some(deputies),
                text: t.t("home.card.deputies_text"),
                href: format!("/c/{}/deputies", c.id),
                link: t.t("home.card.open_roster"),
            });
            cards.push(HomeCard {
                title: t.t("home.card.units"),
                number: Some(units),
                text: t.t("home.card.units_text"),
                href: format!("/c/{}/units", c.id),
                link: t.t("home.card.open_units"),
            });
            cards.push(HomeCard {
                title: t.t("home.card.stations"),
                number: Some(stations),
                text: t.t("home.card.stations_text"),
                href: "/#stations".into(),
                link: t.t("home.card.open_stations"),
            });
        } else if allows(s.actor, Permission::ViewUnits, c.target(), p) {
            cards.push(HomeCard {
                title: t.t("home.card.units"),
                number: None,
                text: t.t("home.card.units_text"),
                href: format!("/c/{}/units", c.id),
                link: t.t("home.card.open_units"),
            });
        }
        Ok(cards)
    })
}
