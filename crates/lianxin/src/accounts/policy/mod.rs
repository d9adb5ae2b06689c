//! The one place that decides access. Deny by default: a permission is allowed only where a rule
//! below says so. Handlers ask `allows` (or `require`) before they read or change anything in a
//! congress; lists across congresses ask `visible_congresses`.

mod guard;
pub use guard::guard;

use super::roles::{Actor, Office, Role};
use crate::platform::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the deputies' roster, organisations and memberships of a congress.
    ViewRoster,
    /// Create and edit deputies, persons and memberships.
    EditRoster,
    /// Read the handling units of a congress.
    ViewUnits,
    /// Create and edit handling units.
    EditUnits,
    /// Create, reset and disable accounts (system administrator).
    ManageAccounts,
    /// Grant and revoke roles (security administrator).
    ManageGrants,
    /// Set the security policy, unlock accounts, reset second factors (security administrator).
    ManageSecurity,
    /// See personal data unmasked (ID-card numbers, phones, addresses) and answer data-subject
    /// requests: the deputies' affairs and personnel offices, whose work needs them (PIPL Art 34).
    RevealPersonal,
    /// Create town congresses, terms and sessions (system administrator).
    ManageCongresses,
    /// Load holiday arrangements and change congress settings (system administrator).
    ManageSettings,
    /// Read the audit trail (audit administrator).
    ViewAudit,
    /// Open the suggestions pages at all (what each sees is scoped by capacity).
    ViewSuggestions,
    /// Draft and submit suggestions (deputies of the congress).
    DraftSuggestions,
    /// Register, assign, verify and close suggestions (the deputies' affairs office).
    HandleSuggestions,
    /// Work on suggestions assigned to one's unit (unit operators and heads).
    UnitSuggestions,
    /// Schedule reception days at the congress's stations and record receptions (station staff
    /// and the deputies' affairs office).
    ManageStations,
    /// Open citizens' opinions at all: station staff and the deputies' affairs office (all of
    /// the congress's), deputies (those addressed to them), units (those routed to them).
    HandleOpinions,
    /// Call meetings, keep the roll and the agenda, open and close votes (the congress's staff).
    RunMeetings,
    /// Open the meetings pages as a member: check in, ask leave, vote — what a member may do is
    /// decided by the meeting's roll, not by the role.
    AttendMeetings,
    /// Enter a show of hands' or paper ballots' counts (计票人, and staff).
    CountVotes,
    /// Open the livelihood projects' pages (民生实事): staff, deputies, station staff, units.
    ViewLivelihood,
    /// Propose a livelihood project for a cycle (deputies, station staff, the office).
    ProposeLivelihood,
    /// Run the cycles: put the list to review and vote, form supervision groups, close problems
    /// (the congress's staff).
    ManageLivelihood,
    /// The government side: screen proposals into candidate projects, keep plans and report
    /// progress (unit operators and heads; reports only on their own unit's projects).
    DeliverLivelihood,
}

/// The congress an action targets (it belongs to the roster of congresses, below accounts).
pub use crate::congress::Target;

/// Settings the rules depend on.
#[derive(Debug, Clone, Copy)]
pub struct PolicySettings {
    /// District staff may read (never change) the towns of their district.
    pub district_staff_see_towns: bool,
}

pub fn allows(actor: &Actor, perm: Permission, target: Target, settings: PolicySettings) -> bool {
    let here = |role: Role| actor.has(target.congress, role);
    let staff_here = |offices: &[Office]| {
        actor.grants.iter().any(|g| {
            g.congress == target.congress
                && g.role == Role::Staff
                && g.office.is_some_and(|o| offices.contains(&o))
        })
    };
    let any_staff_here = staff_here(&[
        Office::DeputiesAffairs,
        Office::GeneralOffice,
        Office::Personnel,
    ]);
    let district_staff_reading = settings.district_staff_see_towns
        && target.parent.is_some_and(|p| actor.has(p, Role::Staff));
    // Administrators are granted on the district and administer its towns too.
    let admin = |role: Role| here(role) || target.parent.is_some_and(|p| actor.has(p, role));
    match perm {
        Permission::ViewRoster => {
            any_staff_here
                || district_staff_reading
                || here(Role::StandingCommitteeMember)
                || here(Role::PresidiumMember)
                || here(Role::StationStaff)
        }
        Permission::EditRoster | Permission::RevealPersonal => {
            staff_here(&[Office::DeputiesAffairs, Office::Personnel])
        }
        Permission::ViewUnits => {
            any_staff_here
                || district_staff_reading
                || here(Role::UnitOperator)
                || here(Role::UnitHead)
        }
        Permission::EditUnits => staff_here(&[Office::GeneralOffice, Office::DeputiesAffairs]),
        Permission::ManageAccounts | Permission::ManageCongresses | Permission::ManageSettings => {
            admin(Role::SystemAdmin)
        }
        Permission::ManageGrants | Permission::ManageSecurity => admin(Role::SecurityAdmin),
        Permission::ViewAudit => admin(Role::AuditAdmin),
        Permission::ViewSuggestions => {
            staff_here(&[Office::DeputiesAffairs])
                || here(Role::Deputy)
                || here(Role::UnitOperator)
                || here(Role::UnitHead)
        }
        Permission::DraftSuggestions => here(Role::Deputy),
        Permission::HandleSuggestions => staff_here(&[Office::DeputiesAffairs]),
        Permission::UnitSuggestions => here(Role::UnitOperator) || here(Role::UnitHead),
        Permission::ManageStations => {
            here(Role::StationStaff) || staff_here(&[Office::DeputiesAffairs])
        }
        Permission::RunMeetings => any_staff_here,
        Permission::AttendMeetings => {
            any_staff_here
                || here(Role::Deputy)
                || here(Role::StandingCommitteeMember)
                || here(Role::PresidiumMember)
                || here(Role::Teller)
        }
        Permission::CountVotes => any_staff_here || here(Role::Teller),
        Permission::ViewLivelihood => {
            any_staff_here
                || here(Role::Deputy)
                || here(Role::StandingCommitteeMember)
                || here(Role::PresidiumMember)
                || here(Role::StationStaff)
                || here(Role::UnitOperator)
                || here(Role::UnitHead)
        }
        Permission::ProposeLivelihood => {
            any_staff_here || here(Role::Deputy) || here(Role::StationStaff)
        }
        Permission::ManageLivelihood => any_staff_here,
        Permission::DeliverLivelihood => here(Role::UnitOperator) || here(Role::UnitHead),
        Permission::HandleOpinions => {
            here(Role::StationStaff)
                || staff_here(&[Office::DeputiesAffairs])
                || here(Role::Deputy)
                || here(Role::UnitOperator)
                || here(Role::UnitHead)
        }
    }
}

/// `allows` as a guard: Forbidden when denied.
pub fn require(
    actor: &Actor,
    perm: Permission,
    target: Target,
    settings: PolicySettings,
) -> Result<(), AppError> {
    if allows(actor, perm, target, settings) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::roles::Grant;
    use crate::platform::ids::CongressId;
    use crate::platform::ids::UserId;

    const DISTRICT: CongressId = CongressId(1);
    const TOWN_A: CongressId = CongressId(2);
    const TOWN_B: CongressId = CongressId(3);
    const ON: PolicySettings = PolicySettings {
        district_staff_see_towns: true,
    };
    const OFF: PolicySettings = PolicySettings {
        district_staff_see_towns: false,
    };

    fn actor(grants: &[(CongressId, Role, Option<Office>)]) -> Actor {
        Actor {
            user: UserId(1),
            username: "u".into(),
            display_name: "u".into(),
            must_change_password: false,
            pending: None,
            grants: grants
                .iter()
                .map(|(c, r, o)| Grant {
                    congress: *c,
                    role: *r,
                    office: *o,
                    organization: None,
                })
                .collect(),
        }
    }
    fn town(c: CongressId) -> Target {
        Target {
            congress: c,
            parent: Some(DISTRICT),
        }
    }
    fn district() -> Target {
        Target {
            congress: DISTRICT,
            parent: None,
        }
    }

    #[test]
    fn station_staff_manage_stations_of_their_congress_only() {
        let a = actor(&[(DISTRICT, Role::StationStaff, None)]);
        assert!(allows(&a, Permission::ManageStations, district(), ON));
        assert!(!allows(&a, Permission::ManageStations, town(TOWN_A), ON));
        assert!(!allows(&a, Permission::EditRoster, district(), ON));
        let general = actor(&[(DISTRICT, Role::Staff, Some(Office::GeneralOffice))]);
        assert!(!allows(
            &general,
            Permission::ManageStations,
            district(),
            ON
        ));
        let affairs = actor(&[(DISTRICT, Role::Staff, Some(Office::DeputiesAffairs))]);
        assert!(allows(&affairs, Permission::ManageStations, district(), ON));
    }

    #[test]
    fn town_staff_see_and_edit_only_their_town() {
        let a = actor(&[(TOWN_A, Role::Staff, Some(Office::DeputiesAffairs))]);
        assert!(allows(&a, Permission::ViewRoster, town(TOWN_A), ON));
        assert!(allows(&a, Permission::EditRoster, town(TOWN_A), ON));
        assert!(!allows(&a, Permission::ViewRoster, town(TOWN_B), ON));
        assert!(!allows(&a, Permission::EditRoster, town(TOWN_B), ON));
        assert!(!allows(&a, Permission::ViewRoster, district(), ON));
    }

    #[test]
    fn district_staff_read_towns_only_when_the_setting_allows_and_never_edit() {
        let a = actor(&[(DISTRICT, Role::Staff, Some(Office::Personnel))]);
        assert!(allows(&a, Permission::ViewRoster, town(TOWN_A), ON));
        assert!(!allows(&a, Permission::ViewRoster, town(TOWN_A), OFF));
        assert!(!allows(&a, Permission::EditRoster, town(TOWN_A), ON));
        assert!(allows(&a, Permission::EditRoster, district(), ON));
    }

    #[test]
    fn no_grant_means_no_access_and_administrators_see_no_business_data() {
        let nobody = actor(&[]);
        let sys = actor(&[(DISTRICT, Role::SystemAdmin, None)]);
        let audit = actor(&[(DISTRICT, Role::AuditAdmin, None)]);
        for perm in [
            Permission::ViewRoster,
            Permission::EditRoster,
            Permission::ViewUnits,
            Permission::EditUnits,
        ] {
            assert!(!allows(&nobody, perm, district(), ON));
            assert!(!allows(&sys, perm, district(), ON));
            assert!(!allows(&audit, perm, district(), ON));
        }
        assert!(allows(&sys, Permission::ManageAccounts, town(TOWN_A), ON));
        assert!(!allows(&sys, Permission::ViewAudit, district(), ON));
        assert!(allows(&audit, Permission::ViewAudit, district(), ON));
        assert!(!allows(&audit, Permission::ManageAccounts, district(), ON));
        // 三员分立: the system administrator manages accounts but grants no roles; the security
        // administrator grants roles but creates no accounts.
        let sec = actor(&[(DISTRICT, Role::SecurityAdmin, None)]);
        assert!(!allows(&sys, Permission::ManageGrants, district(), ON));
        assert!(allows(&sec, Permission::ManageGrants, town(TOWN_A), ON));
        assert!(!allows(&sec, Permission::ManageAccounts, district(), ON));
        assert!(!allows(&sec, Permission::ManageCongresses, district(), ON));
        assert!(allows(&sys, Permission::ManageCongresses, district(), ON));
    }

    #[test]
    fn a_general_office_clerk_cannot_edit_the_roster_but_can_edit_units() {
        let a = actor(&[(DISTRICT, Role::Staff, Some(Office::GeneralOffice))]);
        assert!(!allows(&a, Permission::EditRoster, district(), ON));
        assert!(allows(&a, Permission::EditUnits, district(), ON));
        let d = actor(&[(DISTRICT, Role::Deputy, None)]);
        assert!(!allows(&d, Permission::ViewRoster, district(), ON));
    }
}
