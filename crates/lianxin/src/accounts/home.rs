//! The accounts' cards on the home page: the audit trail for its readers, user administration
//! for the administrators, and the public pages for a deputy.

use super::policy::{Permission, allows};
use super::roles::Role;
use crate::web::home::{Cards, HomeCard, HomeScope};

pub fn cards<'a>(s: &'a HomeScope<'a>) -> Cards<'a> {
    Box::pin(async move {
        let (t, c, actor) = (s.t, s.congress, s.actor);
        let mut cards = Vec::new();
        if allows(actor, Permission::ViewAudit, c.target(), s.state.policy()) {
            cards.push(HomeCard {
                title: t.t("nav.audit"),
                number: None,
                text: t.t("home.card.audit_text"),
                href: "/audit".into(),
                link: t.t("home.card.open_audit"),
            });
        }
        if actor.has(c.id, Role::SystemAdmin) || actor.has(c.id, Role::SecurityAdmin) {
            cards.push(HomeCard {
                title: t.t("home.card.admin"),
                number: None,
                text: t.t("home.card.admin_text"),
                href: "/admin/users".into(),
                link: t.t("nav.accounts"),
            });
        }
        if actor.has(c.id, Role::Deputy) {
            cards.push(HomeCard {
                title: t.t("home.card.deputy"),
                number: None,
                text: t.t("home.card.deputy_text"),
                href: "/".into(),
                link: t.t("home.card.open_public"),
            });
        }
        Ok(cards)
    })
}
