//! The policy: DESIGN §2 as one `match`. Services gather the facts (the caller's role
//! in the team, …), then call [`check`] before they write. `check` is pure, so its
//! test is a plain table.

use entity::enums::OrgRole;

use crate::{
    auth::Actor,
    error::{ApiError, ApiResult},
};

/// The caller's standing in one team, gathered by the service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TeamFacts {
    /// The caller is a LEAD of the team.
    pub actor_is_lead: bool,
}

/// The caller's standing in one squad, gathered by the service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SquadFacts {
    /// The caller is a LEAD of the squad's home team.
    pub actor_leads_home_team: bool,
    /// The caller is a LEAD of the squad itself.
    pub actor_is_squad_lead: bool,
}

/// Everything a caller may try to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read the organisation's shared data (teams, squads, users).
    ReadOrganization,
    /// Invite users, change roles, deactivate users.
    ManageUsers,
    /// Create a team.
    CreateTeam,
    /// Rename a team, change its description or debt allocation.
    UpdateTeam { team: &'a TeamFacts },
    /// Archive a team.
    ArchiveTeam,
    /// Add, remove or change members of a team.
    ManageTeamMembers { team: &'a TeamFacts },
    /// Create a squad in a home team.
    CreateSquad { team: &'a TeamFacts },
    /// Edit a squad or move it along PILOT → ACTIVE → ARCHIVED.
    UpdateSquad { squad: &'a SquadFacts },
    /// Add, remove or change members of a squad.
    ManageSquadMembers { squad: &'a SquadFacts },
}

/// Allows or denies `action` for `actor`. A denial is FORBIDDEN and names nothing.
pub fn check(actor: &Actor, action: Action<'_>) -> ApiResult<()> {
    let role = actor.org_role();
    let admin = role == OrgRole::Admin;
    // DESIGN §2: a VIEWER reads and does nothing else, whatever its team roles.
    let writer = role != OrgRole::Viewer;
    let allowed = match action {
        Action::ReadOrganization => true,
        Action::ManageUsers | Action::CreateTeam | Action::ArchiveTeam => admin,
        Action::UpdateTeam { team } | Action::ManageTeamMembers { team } => {
            admin || (writer && team.actor_is_lead)
        }
        Action::CreateSquad { team } => admin || (writer && team.actor_is_lead),
        Action::UpdateSquad { squad } => {
            admin || (writer && (squad.actor_leads_home_team || squad.actor_is_squad_lead))
        }
        Action::ManageSquadMembers { squad } => admin || (writer && squad.actor_leads_home_team),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use entity::enums::Discipline;
    use uuid::Uuid;

    use super::*;

    fn actor(role: OrgRole) -> Actor {
        Actor::user(Uuid::nil(), Uuid::nil(), role, Discipline::Engineering)
    }

    const LEAD: TeamFacts = TeamFacts {
        actor_is_lead: true,
    };
    const NOT_LEAD: TeamFacts = TeamFacts {
        actor_is_lead: false,
    };
    const HOME_LEAD: SquadFacts = SquadFacts {
        actor_leads_home_team: true,
        actor_is_squad_lead: false,
    };
    const SQUAD_LEAD: SquadFacts = SquadFacts {
        actor_leads_home_team: false,
        actor_is_squad_lead: true,
    };
    const OUTSIDER: SquadFacts = SquadFacts {
        actor_leads_home_team: false,
        actor_is_squad_lead: false,
    };

    use OrgRole::{Admin, Member, Viewer};

    /// DESIGN §2, the rows this code knows: (action, role, allowed).
    #[test]
    fn the_policy_table() {
        let table: &[(&str, Action<'_>, OrgRole, bool)] = &[
            ("read", Action::ReadOrganization, Admin, true),
            ("read", Action::ReadOrganization, Member, true),
            ("read", Action::ReadOrganization, Viewer, true),
            ("manage users", Action::ManageUsers, Admin, true),
            ("manage users", Action::ManageUsers, Member, false),
            ("manage users", Action::ManageUsers, Viewer, false),
            ("create team", Action::CreateTeam, Admin, true),
            ("create team", Action::CreateTeam, Member, false),
            ("create team", Action::CreateTeam, Viewer, false),
            ("archive team", Action::ArchiveTeam, Admin, true),
            ("archive team", Action::ArchiveTeam, Member, false),
            (
                "update team",
                Action::UpdateTeam { team: &NOT_LEAD },
                Admin,
                true,
            ),
            (
                "update team",
                Action::UpdateTeam { team: &LEAD },
                Member,
                true,
            ),
            (
                "update team",
                Action::UpdateTeam { team: &NOT_LEAD },
                Member,
                false,
            ),
            (
                "update team",
                Action::UpdateTeam { team: &LEAD },
                Viewer,
                false,
            ),
            (
                "team members",
                Action::ManageTeamMembers { team: &NOT_LEAD },
                Admin,
                true,
            ),
            (
                "team members",
                Action::ManageTeamMembers { team: &LEAD },
                Member,
                true,
            ),
            (
                "team members",
                Action::ManageTeamMembers { team: &NOT_LEAD },
                Member,
                false,
            ),
            (
                "team members",
                Action::ManageTeamMembers { team: &LEAD },
                Viewer,
                false,
            ),
            (
                "create squad",
                Action::CreateSquad { team: &NOT_LEAD },
                Admin,
                true,
            ),
            (
                "create squad",
                Action::CreateSquad { team: &LEAD },
                Member,
                true,
            ),
            (
                "create squad",
                Action::CreateSquad { team: &NOT_LEAD },
                Member,
                false,
            ),
            (
                "create squad",
                Action::CreateSquad { team: &LEAD },
                Viewer,
                false,
            ),
            (
                "update squad",
                Action::UpdateSquad { squad: &OUTSIDER },
                Admin,
                true,
            ),
            (
                "update squad",
                Action::UpdateSquad { squad: &HOME_LEAD },
                Member,
                true,
            ),
            (
                "update squad",
                Action::UpdateSquad { squad: &SQUAD_LEAD },
                Member,
                true,
            ),
            (
                "update squad",
                Action::UpdateSquad { squad: &OUTSIDER },
                Member,
                false,
            ),
            (
                "update squad",
                Action::UpdateSquad { squad: &HOME_LEAD },
                Viewer,
                false,
            ),
            (
                "squad members",
                Action::ManageSquadMembers { squad: &OUTSIDER },
                Admin,
                true,
            ),
            (
                "squad members",
                Action::ManageSquadMembers { squad: &HOME_LEAD },
                Member,
                true,
            ),
            (
                "squad members",
                Action::ManageSquadMembers { squad: &SQUAD_LEAD },
                Member,
                false,
            ),
            (
                "squad members",
                Action::ManageSquadMembers { squad: &OUTSIDER },
                Member,
                false,
            ),
            (
                "squad members",
                Action::ManageSquadMembers { squad: &HOME_LEAD },
                Viewer,
                false,
            ),
        ];
        for (name, action, role, allowed) in table {
            let got = check(&actor(*role), *action);
            assert_eq!(got.is_ok(), *allowed, "{name} as {role:?}");
            if let Err(e) = got {
                assert_eq!(e.code(), "FORBIDDEN", "{name} as {role:?}");
            }
        }
    }
}
