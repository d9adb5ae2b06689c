//! The livelihood projects' card on the home page: projects being delivered and the overdue.

use super::store;
use crate::accounts::policy::{Permission, allows};
use crate::web::home::{Cards, HomeCard, HomeScope};

pub fn cards<'a>(s: &'a HomeScope<'a>) -> Cards<'a> {
    Box::pin(async move {
        let (t, c, p, actor) = (s.t, s.congress, s.state.policy(), s.actor);
        if !allows(actor, Permission::ViewLivelihood, c.target(), p) {
            return Ok(Vec::new());
        }
        // A unit sees the projects it leads; everyone else the congress's.
        let unit = if allows(actor, Permission::DeliverLivelihood, c.target(), p) {
            actor
                .grants
                .iter()
                .find(|g| g.congress == c.id && g.organization.is_some())
                .and_then(|g| g.organization)
        } else {
            None
        };
        let today = s.state.clock.today().to_string();
        let (projects, overdue) = store::delivery_counts(&s.state.db, c.id, unit, &today).await?;
        Ok(vec![HomeCard {
            title: t.t("home.card.livelihood"),
            number: Some(projects),
            text: t.f("home.card.livelihood_text", "n", overdue.to_string()),
            href: format!("/c/{}/livelihood", c.id),
            link: t.t("home.card.open_livelihood"),
        }])
    })
}
