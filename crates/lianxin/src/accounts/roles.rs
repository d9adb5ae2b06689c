//! Roles, granted to an account per congress. The three administrators (三员分立) are roles too,
//! and no account may combine one of them with another role (enforced when granting).

use crate::platform::ids::{CongressId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 群众 — a citizen with an account.
    Citizen,
    /// 人大代表
    Deputy,
    /// 人大机关工作人员 — congress staff, by office.
    Staff,
    /// 联络站工作人员
    StationStaff,
    /// 主席团成员
    PresidiumMember,
    /// 常委会组成人员
    StandingCommitteeMember,
    /// 专门委员会委员
    SpecialCommitteeMember,
    /// 计票人
    Teller,
    /// 承办单位经办人
    UnitOperator,
    /// 承办单位负责人 — signs replies.
    UnitHead,
    /// 拟任命人员
    Appointee,
    /// 系统管理员 — users, congresses, settings.
    SystemAdmin,
    /// 安全管理员 — roles, grants, security policy.
    SecurityAdmin,
    /// 审计管理员 — reads the audit trail, nothing else.
    AuditAdmin,
}

pub const ALL_ROLES: &[Role] = &[
    Role::Citizen,
    Role::Deputy,
    Role::Staff,
    Role::StationStaff,
    Role::PresidiumMember,
    Role::StandingCommitteeMember,
    Role::SpecialCommitteeMember,
    Role::Teller,
    Role::UnitOperator,
    Role::UnitHead,
    Role::Appointee,
    Role::SystemAdmin,
    Role::SecurityAdmin,
    Role::AuditAdmin,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Deputy => "deputy",
            Role::Staff => "staff",
            Role::StationStaff => "station_staff",
            Role::PresidiumMember => "presidium_member",
            Role::StandingCommitteeMember => "standing_committee_member",
            Role::SpecialCommitteeMember => "special_committee_member",
            Role::Teller => "teller",
            Role::UnitOperator => "unit_operator",
            Role::UnitHead => "unit_head",
            Role::Appointee => "appointee",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES.iter().copied().find(|r| r.as_str() == s)
    }

    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    /// Message key of the role's name.
    pub fn key(self) -> String {
        format!("role.{}", self.as_str())
    }
}

/// 人大机关的部门 — the office a staff grant belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Office {
    /// 代表工作委员会 / 代表联络室
    DeputiesAffairs,
    /// 办公室
    GeneralOffice,
    /// 选举任免联络工作委员会 / 人事
    Personnel,
}

impl Office {
    pub fn as_str(self) -> &'static str {
        match self {
            Office::DeputiesAffairs => "deputies_affairs",
            Office::GeneralOffice => "general_office",
            Office::Personnel => "personnel",
        }
    }

    pub fn parse(s: &str) -> Option<Office> {
        [
            Office::DeputiesAffairs,
            Office::GeneralOffice,
            Office::Personnel,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Grant {
    #[schema(value_type = i64)]
    pub congress: CongressId,
    pub role: Role,
    pub office: Option<Office>,
    /// The handling unit or station a unit/station role acts for.
    pub organization: Option<i64>,
}

/// The signed-in user as the policy layer sees them.
#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user: UserId,
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
    /// A one-time password is in use: nothing but the password change is allowed.
    #[serde(skip)]
    pub must_change_password: bool,
    /// The sign-in is not complete: the step still owed. Such an actor has no grants.
    #[serde(skip)]
    pub pending: Option<SessionStage>,
}

/// How far a session has come through the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Both factors given (or the second not required).
    Full,
    /// Password given; the one-time code is owed.
    SecondFactor,
    /// Password given; the second factor is required but not yet set up.
    Enrol,
}

impl Role {
    /// Roles that must sign in with a second factor under `lianxin serve` (they handle other
    /// people's personal data or administer the system).
    pub fn needs_second_factor(self) -> bool {
        matches!(
            self,
            Role::Staff
                | Role::StationStaff
                | Role::UnitOperator
                | Role::UnitHead
                | Role::SystemAdmin
                | Role::SecurityAdmin
                | Role::AuditAdmin
        )
    }
}

impl SessionStage {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStage::Full => "full",
            SessionStage::SecondFactor => "second_factor",
            SessionStage::Enrol => "enrol",
        }
    }
    pub fn parse(s: &str) -> Option<SessionStage> {
        match s {
            "full" => Some(SessionStage::Full),
            "second_factor" => Some(SessionStage::SecondFactor),
            "enrol" => Some(SessionStage::Enrol),
            _ => None,
        }
    }
}

impl Actor {
    pub fn has(&self, congress: CongressId, role: Role) -> bool {
        self.grants
            .iter()
            .any(|g| g.congress == congress && g.role == role)
    }

    pub fn congresses(&self) -> Vec<CongressId> {
        let mut v: Vec<_> = self.grants.iter().map(|g| g.congress).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// Why a set of grants may not be held by one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantConflict {
    /// 三员分立: an administrator role may not be combined with any other role.
    AdminWithOtherRole,
    /// A staff grant must name its office.
    StaffWithoutOffice,
    /// A unit role must name its handling unit.
    UnitRoleWithoutUnit,
}

/// Checks a proposed set of grants for one account.
pub fn check_grants(grants: &[Grant]) -> Result<(), GrantConflict> {
    let admin_roles = grants
        .iter()
        .filter(|g| g.role.is_admin())
        .map(|g| g.role)
        .collect::<std::collections::HashSet<_>>();
    let other = grants.iter().any(|g| !g.role.is_admin());
    if admin_roles.len() > 1 || (!admin_roles.is_empty() && other) {
        return Err(GrantConflict::AdminWithOtherRole);
    }
    for g in grants {
        if g.role == Role::Staff && g.office.is_none() {
            return Err(GrantConflict::StaffWithoutOffice);
        }
        if matches!(g.role, Role::UnitOperator | Role::UnitHead) && g.organization.is_none() {
            return Err(GrantConflict::UnitRoleWithoutUnit);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(role: Role) -> Grant {
        Grant {
            congress: CongressId(1),
            role,
            office: Some(Office::GeneralOffice),
            organization: Some(9),
        }
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for r in ALL_ROLES {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn administrators_are_separated() {
        assert_eq!(check_grants(&[g(Role::SystemAdmin)]), Ok(()));
        assert_eq!(
            check_grants(&[g(Role::SystemAdmin), g(Role::AuditAdmin)]),
            Err(GrantConflict::AdminWithOtherRole)
        );
        assert_eq!(
            check_grants(&[g(Role::SecurityAdmin), g(Role::Deputy)]),
            Err(GrantConflict::AdminWithOtherRole)
        );
        assert_eq!(check_grants(&[g(Role::Deputy), g(Role::Staff)]), Ok(()));
        let staff = Grant {
            office: None,
            ..g(Role::Staff)
        };
        assert_eq!(
            check_grants(&[staff]),
            Err(GrantConflict::StaffWithoutOffice)
        );
        let op = Grant {
            organization: None,
            ..g(Role::UnitOperator)
        };
        assert_eq!(check_grants(&[op]), Err(GrantConflict::UnitRoleWithoutUnit));
    }
}
