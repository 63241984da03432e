//! The policy: DESIGN §2 as one `match`. Services gather the facts (the caller's role
//! in the team, …), then call [`check`] before they write. `check` is pure, so its
//! test is a plain table.

use entity::enums::{Discipline, OrgRole};

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

/// The caller's standing in one architecture review, gathered by the service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewFacts {
    /// The caller wrote the review.
    pub actor_is_author: bool,
    /// The caller is assigned to the review as a reviewer.
    pub actor_is_reviewer: bool,
}

/// The caller's standing across teams, gathered by the service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeadFacts {
    /// The caller is a LEAD of at least one team.
    pub actor_leads_a_team: bool,
}

/// The caller's standing in the team or squad that owns something (a KPI, an outcome,
/// an initiative), gathered by the service.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScopeFacts {
    /// A LEAD of the team; for a squad, a LEAD of the squad or of its home team.
    pub actor_leads: bool,
    /// A member of the team or squad (any role).
    pub actor_is_member: bool,
}

/// The caller's standing towards one KPI.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KpiFacts {
    pub scope: ScopeFacts,
    /// The KPI belongs to a squad (its members may record measurements).
    pub squad_scoped: bool,
    /// The caller is one of the KPI's owners.
    pub actor_is_owner: bool,
}

/// The caller's standing in a roadmap alignment session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AlignmentFacts {
    pub actor_is_facilitator: bool,
    /// Participants include the facilitator.
    pub actor_is_participant: bool,
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
    /// Open an architecture review (its author).
    OpenArchitectureReview,
    /// Edit, submit or withdraw an architecture review.
    EditArchitectureReview { review: &'a ReviewFacts },
    /// Assign reviewers to an architecture review.
    AssignReviewers {
        review: &'a ReviewFacts,
        lead: &'a LeadFacts,
    },
    /// Give a verdict on an architecture review.
    GiveReviewVerdict { review: &'a ReviewFacts },
    /// Comment on an architecture review.
    CommentOnReview,
    /// Write a decision record, or change it while PROPOSED.
    WriteDecisionRecord,
    /// Accept a PROPOSED decision record.
    AcceptDecisionRecord { lead: &'a LeadFacts },
    /// Deprecate an ACCEPTED decision record.
    DeprecateDecisionRecord { lead: &'a LeadFacts },
    /// Mark an ACCEPTED decision record as superseded by another.
    SupersedeDecisionRecord { lead: &'a LeadFacts },
    /// Define a KPI, or edit, archive or change the owners of one.
    DefineKpi { scope: &'a ScopeFacts },
    /// Record a measurement of a KPI.
    RecordMeasurement { kpi: &'a KpiFacts },
    /// Delete a measurement (`own`: the caller recorded it).
    DeleteMeasurement { kpi: &'a KpiFacts, own: bool },
    /// Create or change a quarterly outcome, or set its status.
    PlanOutcome { scope: &'a ScopeFacts },
    /// Create or change an initiative of a squad, or map it to outcomes.
    WriteInitiative { squad: &'a ScopeFacts },
    /// Declare that squad `from` needs another squad's work.
    CreateDependency { from: &'a ScopeFacts },
    /// Change a dependency between two squads.
    UpdateDependency {
        from: &'a ScopeFacts,
        to: &'a ScopeFacts,
    },
    /// Create a roadmap alignment session (the caller facilitates it).
    CreateAlignment,
    /// Change a session's details and participants, start or close it.
    FacilitateAlignment { alignment: &'a AlignmentFacts },
    /// Add, change, remove or rank a session's roadmap items.
    EditRoadmap { alignment: &'a AlignmentFacts },
    /// Sign a session off for the caller's own discipline.
    SignOffAlignment { alignment: &'a AlignmentFacts },
    /// Withdraw a sign-off (`own`: the caller gave it).
    WithdrawSignOff {
        alignment: &'a AlignmentFacts,
        own: bool,
    },
}

/// Allows or denies `action` for `actor`. A denial is FORBIDDEN and names nothing.
pub fn check(actor: &Actor, action: Action<'_>) -> ApiResult<()> {
    let role = actor.org_role();
    let admin = role == OrgRole::Admin;
    // DESIGN §2: a VIEWER reads and does nothing else, whatever its team roles.
    let writer = role != OrgRole::Viewer;
    let engineer = writer && actor.discipline() == Discipline::Engineering;
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
        // DESIGN §2: opening a review is ENGINEERING's, ADMIN or not.
        Action::OpenArchitectureReview => engineer,
        // Issue 5: the author alone edits, submits and withdraws their proposal.
        Action::EditArchitectureReview { review } => writer && review.actor_is_author,
        Action::AssignReviewers { review, lead } => {
            admin || (writer && review.actor_is_author) || (engineer && lead.actor_leads_a_team)
        }
        // DESIGN §2: only an assigned ENGINEERING reviewer, not even ADMIN.
        Action::GiveReviewVerdict { review } => engineer && review.actor_is_reviewer,
        Action::CommentOnReview => writer,
        Action::WriteDecisionRecord => admin || engineer,
        // DESIGN §2: ENGINEERING LEADs (LEAD of a team, discipline ENGINEERING) or ADMIN.
        Action::AcceptDecisionRecord { lead }
        | Action::DeprecateDecisionRecord { lead }
        | Action::SupersedeDecisionRecord { lead } => {
            admin || (engineer && lead.actor_leads_a_team)
        }
        Action::DefineKpi { scope } | Action::PlanOutcome { scope } => {
            admin || (writer && scope.actor_leads)
        }
        // DESIGN §2: the KPI's owners and the members of its squad; not ADMIN as such
        // (an admin who measures a KPI becomes one of its owners).
        Action::RecordMeasurement { kpi } => {
            writer && (kpi.actor_is_owner || (kpi.squad_scoped && kpi.scope.actor_is_member))
        }
        Action::DeleteMeasurement { kpi, own } => {
            admin || (writer && ((own && kpi.actor_is_owner) || kpi.scope.actor_leads))
        }
        Action::WriteInitiative { squad } | Action::CreateDependency { from: squad } => {
            admin || (writer && (squad.actor_leads || squad.actor_is_member))
        }
        // DESIGN §2: PRODUCT members create and facilitate alignments; ADMIN too.
        Action::CreateAlignment => admin || (writer && actor.discipline() == Discipline::Product),
        Action::FacilitateAlignment { alignment } => {
            admin || (writer && alignment.actor_is_facilitator)
        }
        // DESIGN §2: the facilitator and participants edit items (not ADMIN as such).
        Action::EditRoadmap { alignment } | Action::SignOffAlignment { alignment } => {
            writer && (alignment.actor_is_facilitator || alignment.actor_is_participant)
        }
        Action::WithdrawSignOff { alignment, own } => {
            writer && ((own && alignment.actor_is_participant) || alignment.actor_is_facilitator)
        }
        Action::UpdateDependency { from, to } => {
            admin
                || (writer
                    && (from.actor_leads
                        || from.actor_is_member
                        || to.actor_leads
                        || to.actor_is_member))
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    /// A caller of the table. The bare roles are ENGINEERING users; the others name
    /// their discipline.
    #[derive(Debug, Clone, Copy)]
    enum Caller {
        Admin,
        Member,
        Viewer,
        ProductAdmin,
        ProductMember,
        DesignMember,
    }

    impl Caller {
        fn actor(self) -> Actor {
            let (role, discipline) = match self {
                Admin => (OrgRole::Admin, Discipline::Engineering),
                Member => (OrgRole::Member, Discipline::Engineering),
                Viewer => (OrgRole::Viewer, Discipline::Engineering),
                ProductAdmin => (OrgRole::Admin, Discipline::Product),
                ProductMember => (OrgRole::Member, Discipline::Product),
                DesignMember => (OrgRole::Member, Discipline::Design),
            };
            Actor::user(Uuid::nil(), Uuid::nil(), role, discipline)
        }
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

    const AUTHOR: ReviewFacts = ReviewFacts {
        actor_is_author: true,
        actor_is_reviewer: false,
    };
    const REVIEWER: ReviewFacts = ReviewFacts {
        actor_is_author: false,
        actor_is_reviewer: true,
    };
    const BYSTANDER: ReviewFacts = ReviewFacts {
        actor_is_author: false,
        actor_is_reviewer: false,
    };
    const TEAM_LEAD: LeadFacts = LeadFacts {
        actor_leads_a_team: true,
    };
    const NO_LEAD: LeadFacts = LeadFacts {
        actor_leads_a_team: false,
    };

    const FACILITATOR: AlignmentFacts = AlignmentFacts {
        actor_is_facilitator: true,
        actor_is_participant: true,
    };
    const PARTICIPANT: AlignmentFacts = AlignmentFacts {
        actor_is_facilitator: false,
        actor_is_participant: true,
    };
    const OUTSIDE: AlignmentFacts = AlignmentFacts {
        actor_is_facilitator: false,
        actor_is_participant: false,
    };
    const SCOPE_LEAD: ScopeFacts = ScopeFacts {
        actor_leads: true,
        actor_is_member: true,
    };
    const SCOPE_MEMBER: ScopeFacts = ScopeFacts {
        actor_leads: false,
        actor_is_member: true,
    };
    const SCOPE_NONE: ScopeFacts = ScopeFacts {
        actor_leads: false,
        actor_is_member: false,
    };
    const KPI_OWNER: KpiFacts = KpiFacts {
        scope: SCOPE_NONE,
        squad_scoped: false,
        actor_is_owner: true,
    };
    const SQUAD_KPI_MEMBER: KpiFacts = KpiFacts {
        scope: SCOPE_MEMBER,
        squad_scoped: true,
        actor_is_owner: false,
    };
    const TEAM_KPI_MEMBER: KpiFacts = KpiFacts {
        scope: SCOPE_MEMBER,
        squad_scoped: false,
        actor_is_owner: false,
    };
    const KPI_STRANGER: KpiFacts = KpiFacts {
        scope: SCOPE_NONE,
        squad_scoped: true,
        actor_is_owner: false,
    };
    const KPI_LEAD: KpiFacts = KpiFacts {
        scope: SCOPE_LEAD,
        squad_scoped: true,
        actor_is_owner: false,
    };

    #[test]
    fn product_members_create_alignments_and_other_disciplines_do_not() {
        for (discipline, role, allowed) in [
            (Discipline::Product, OrgRole::Member, true),
            (Discipline::Engineering, OrgRole::Member, false),
            (Discipline::Design, OrgRole::Member, false),
            (Discipline::Product, OrgRole::Viewer, false),
            (Discipline::Design, OrgRole::Admin, true),
        ] {
            let actor = Actor::user(Uuid::nil(), Uuid::nil(), role, discipline);
            assert_eq!(
                check(&actor, Action::CreateAlignment).is_ok(),
                allowed,
                "{discipline:?} {role:?}"
            );
        }
    }

    use Caller::{Admin, DesignMember, Member, ProductAdmin, ProductMember, Viewer};

    /// DESIGN §2, the rows this code knows: (action, caller, allowed).
    #[test]
    fn the_policy_table() {
        let table: &[(&str, Action<'_>, Caller, bool)] = &[
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
            ("open review", Action::OpenArchitectureReview, Admin, true),
            ("open review", Action::OpenArchitectureReview, Member, true),
            ("open review", Action::OpenArchitectureReview, Viewer, false),
            (
                "open review",
                Action::OpenArchitectureReview,
                ProductAdmin,
                false,
            ),
            (
                "open review",
                Action::OpenArchitectureReview,
                ProductMember,
                false,
            ),
            (
                "open review",
                Action::OpenArchitectureReview,
                DesignMember,
                false,
            ),
            (
                "edit review",
                Action::EditArchitectureReview { review: &AUTHOR },
                Member,
                true,
            ),
            (
                "edit review",
                Action::EditArchitectureReview { review: &BYSTANDER },
                Admin,
                false,
            ),
            (
                "edit review",
                Action::EditArchitectureReview { review: &BYSTANDER },
                Member,
                false,
            ),
            (
                "edit review",
                Action::EditArchitectureReview { review: &REVIEWER },
                Member,
                false,
            ),
            (
                "edit review",
                Action::EditArchitectureReview { review: &AUTHOR },
                Viewer,
                false,
            ),
            (
                "assign reviewers",
                Action::AssignReviewers {
                    review: &BYSTANDER,
                    lead: &NO_LEAD,
                },
                Admin,
                true,
            ),
            (
                "assign reviewers",
                Action::AssignReviewers {
                    review: &AUTHOR,
                    lead: &NO_LEAD,
                },
                Member,
                true,
            ),
            (
                "assign reviewers",
                Action::AssignReviewers {
                    review: &BYSTANDER,
                    lead: &TEAM_LEAD,
                },
                Member,
                true,
            ),
            (
                "assign reviewers",
                Action::AssignReviewers {
                    review: &BYSTANDER,
                    lead: &NO_LEAD,
                },
                Member,
                false,
            ),
            (
                "assign reviewers",
                Action::AssignReviewers {
                    review: &BYSTANDER,
                    lead: &TEAM_LEAD,
                },
                ProductMember,
                false,
            ),
            (
                "assign reviewers",
                Action::AssignReviewers {
                    review: &AUTHOR,
                    lead: &TEAM_LEAD,
                },
                Viewer,
                false,
            ),
            (
                "give verdict",
                Action::GiveReviewVerdict { review: &REVIEWER },
                Member,
                true,
            ),
            (
                "give verdict",
                Action::GiveReviewVerdict { review: &REVIEWER },
                Admin,
                true,
            ),
            (
                "give verdict",
                Action::GiveReviewVerdict { review: &REVIEWER },
                ProductMember,
                false,
            ),
            (
                "give verdict",
                Action::GiveReviewVerdict { review: &REVIEWER },
                Viewer,
                false,
            ),
            (
                "give verdict",
                Action::GiveReviewVerdict { review: &BYSTANDER },
                Admin,
                false,
            ),
            (
                "give verdict",
                Action::GiveReviewVerdict { review: &AUTHOR },
                Member,
                false,
            ),
            ("comment", Action::CommentOnReview, Admin, true),
            ("comment", Action::CommentOnReview, Member, true),
            ("comment", Action::CommentOnReview, ProductMember, true),
            ("comment", Action::CommentOnReview, DesignMember, true),
            ("comment", Action::CommentOnReview, Viewer, false),
            ("write ADR", Action::WriteDecisionRecord, Admin, true),
            ("write ADR", Action::WriteDecisionRecord, ProductAdmin, true),
            ("write ADR", Action::WriteDecisionRecord, Member, true),
            (
                "write ADR",
                Action::WriteDecisionRecord,
                ProductMember,
                false,
            ),
            ("write ADR", Action::WriteDecisionRecord, Viewer, false),
            (
                "accept ADR",
                Action::AcceptDecisionRecord { lead: &NO_LEAD },
                Admin,
                true,
            ),
            (
                "accept ADR",
                Action::AcceptDecisionRecord { lead: &NO_LEAD },
                ProductAdmin,
                true,
            ),
            (
                "accept ADR",
                Action::AcceptDecisionRecord { lead: &TEAM_LEAD },
                Member,
                true,
            ),
            (
                "accept ADR",
                Action::AcceptDecisionRecord { lead: &NO_LEAD },
                Member,
                false,
            ),
            (
                "accept ADR",
                Action::AcceptDecisionRecord { lead: &TEAM_LEAD },
                ProductMember,
                false,
            ),
            (
                "accept ADR",
                Action::AcceptDecisionRecord { lead: &TEAM_LEAD },
                DesignMember,
                false,
            ),
            (
                "accept ADR",
                Action::AcceptDecisionRecord { lead: &TEAM_LEAD },
                Viewer,
                false,
            ),
            (
                "deprecate ADR",
                Action::DeprecateDecisionRecord { lead: &NO_LEAD },
                Admin,
                true,
            ),
            (
                "deprecate ADR",
                Action::DeprecateDecisionRecord { lead: &NO_LEAD },
                ProductAdmin,
                true,
            ),
            (
                "deprecate ADR",
                Action::DeprecateDecisionRecord { lead: &TEAM_LEAD },
                Member,
                true,
            ),
            (
                "deprecate ADR",
                Action::DeprecateDecisionRecord { lead: &NO_LEAD },
                Member,
                false,
            ),
            (
                "deprecate ADR",
                Action::DeprecateDecisionRecord { lead: &TEAM_LEAD },
                ProductMember,
                false,
            ),
            (
                "deprecate ADR",
                Action::DeprecateDecisionRecord { lead: &TEAM_LEAD },
                DesignMember,
                false,
            ),
            (
                "deprecate ADR",
                Action::DeprecateDecisionRecord { lead: &TEAM_LEAD },
                Viewer,
                false,
            ),
            (
                "supersede ADR",
                Action::SupersedeDecisionRecord { lead: &NO_LEAD },
                Admin,
                true,
            ),
            (
                "supersede ADR",
                Action::SupersedeDecisionRecord { lead: &NO_LEAD },
                ProductAdmin,
                true,
            ),
            (
                "supersede ADR",
                Action::SupersedeDecisionRecord { lead: &TEAM_LEAD },
                Member,
                true,
            ),
            (
                "supersede ADR",
                Action::SupersedeDecisionRecord { lead: &NO_LEAD },
                Member,
                false,
            ),
            (
                "supersede ADR",
                Action::SupersedeDecisionRecord { lead: &TEAM_LEAD },
                ProductMember,
                false,
            ),
            (
                "supersede ADR",
                Action::SupersedeDecisionRecord { lead: &TEAM_LEAD },
                DesignMember,
                false,
            ),
            (
                "supersede ADR",
                Action::SupersedeDecisionRecord { lead: &TEAM_LEAD },
                Viewer,
                false,
            ),
        ];
        for (name, action, who, allowed) in table {
            let got = check(&who.actor(), *action);
            assert_eq!(got.is_ok(), *allowed, "{name} as {who:?}");
            if let Err(e) = got {
                assert_eq!(e.code(), "FORBIDDEN", "{name} as {who:?}");
            }
        }
    }

    /// DESIGN §2 for KPIs, outcomes, initiatives, dependencies and roadmap alignment.
    #[test]
    fn the_policy_table_for_planning_and_roadmaps() {
        let table: &[(&str, Action<'_>, Caller, bool)] = &[
            (
                "define kpi",
                Action::DefineKpi { scope: &SCOPE_NONE },
                Admin,
                true,
            ),
            (
                "define kpi",
                Action::DefineKpi { scope: &SCOPE_LEAD },
                Member,
                true,
            ),
            (
                "define kpi",
                Action::DefineKpi {
                    scope: &SCOPE_MEMBER,
                },
                Member,
                false,
            ),
            (
                "define kpi",
                Action::DefineKpi { scope: &SCOPE_LEAD },
                Viewer,
                false,
            ),
            (
                "record",
                Action::RecordMeasurement { kpi: &KPI_OWNER },
                Member,
                true,
            ),
            (
                "record",
                Action::RecordMeasurement {
                    kpi: &SQUAD_KPI_MEMBER,
                },
                Member,
                true,
            ),
            (
                "record",
                Action::RecordMeasurement {
                    kpi: &TEAM_KPI_MEMBER,
                },
                Member,
                false,
            ),
            (
                "record",
                Action::RecordMeasurement { kpi: &KPI_STRANGER },
                Member,
                false,
            ),
            (
                "record",
                Action::RecordMeasurement { kpi: &KPI_STRANGER },
                Admin,
                false,
            ),
            (
                "record",
                Action::RecordMeasurement { kpi: &KPI_OWNER },
                Viewer,
                false,
            ),
            (
                "delete measurement",
                Action::DeleteMeasurement {
                    kpi: &KPI_OWNER,
                    own: true,
                },
                Member,
                true,
            ),
            (
                "delete measurement",
                Action::DeleteMeasurement {
                    kpi: &KPI_OWNER,
                    own: false,
                },
                Member,
                false,
            ),
            (
                "delete measurement",
                Action::DeleteMeasurement {
                    kpi: &KPI_LEAD,
                    own: false,
                },
                Member,
                true,
            ),
            (
                "delete measurement",
                Action::DeleteMeasurement {
                    kpi: &KPI_STRANGER,
                    own: false,
                },
                Admin,
                true,
            ),
            (
                "delete measurement",
                Action::DeleteMeasurement {
                    kpi: &KPI_OWNER,
                    own: true,
                },
                Viewer,
                false,
            ),
            (
                "plan outcome",
                Action::PlanOutcome { scope: &SCOPE_NONE },
                Admin,
                true,
            ),
            (
                "plan outcome",
                Action::PlanOutcome { scope: &SCOPE_LEAD },
                Member,
                true,
            ),
            (
                "plan outcome",
                Action::PlanOutcome {
                    scope: &SCOPE_MEMBER,
                },
                Member,
                false,
            ),
            (
                "plan outcome",
                Action::PlanOutcome { scope: &SCOPE_LEAD },
                Viewer,
                false,
            ),
            (
                "initiative",
                Action::WriteInitiative {
                    squad: &SCOPE_MEMBER,
                },
                Member,
                true,
            ),
            (
                "initiative",
                Action::WriteInitiative { squad: &SCOPE_NONE },
                Member,
                false,
            ),
            (
                "initiative",
                Action::WriteInitiative { squad: &SCOPE_NONE },
                Admin,
                true,
            ),
            (
                "initiative",
                Action::WriteInitiative { squad: &SCOPE_LEAD },
                Viewer,
                false,
            ),
            (
                "create dependency",
                Action::CreateDependency {
                    from: &SCOPE_MEMBER,
                },
                Member,
                true,
            ),
            (
                "create dependency",
                Action::CreateDependency { from: &SCOPE_NONE },
                Member,
                false,
            ),
            (
                "create dependency",
                Action::CreateDependency {
                    from: &SCOPE_MEMBER,
                },
                Viewer,
                false,
            ),
            (
                "update dependency",
                Action::UpdateDependency {
                    from: &SCOPE_NONE,
                    to: &SCOPE_MEMBER,
                },
                Member,
                true,
            ),
            (
                "update dependency",
                Action::UpdateDependency {
                    from: &SCOPE_NONE,
                    to: &SCOPE_NONE,
                },
                Member,
                false,
            ),
            (
                "update dependency",
                Action::UpdateDependency {
                    from: &SCOPE_NONE,
                    to: &SCOPE_NONE,
                },
                Admin,
                true,
            ),
            ("create alignment", Action::CreateAlignment, Admin, true),
            ("create alignment", Action::CreateAlignment, Member, false),
            ("create alignment", Action::CreateAlignment, Viewer, false),
            (
                "facilitate",
                Action::FacilitateAlignment {
                    alignment: &FACILITATOR,
                },
                Member,
                true,
            ),
            (
                "facilitate",
                Action::FacilitateAlignment {
                    alignment: &PARTICIPANT,
                },
                Member,
                false,
            ),
            (
                "facilitate",
                Action::FacilitateAlignment {
                    alignment: &OUTSIDE,
                },
                Admin,
                true,
            ),
            (
                "facilitate",
                Action::FacilitateAlignment {
                    alignment: &FACILITATOR,
                },
                Viewer,
                false,
            ),
            (
                "edit roadmap",
                Action::EditRoadmap {
                    alignment: &PARTICIPANT,
                },
                Member,
                true,
            ),
            (
                "edit roadmap",
                Action::EditRoadmap {
                    alignment: &FACILITATOR,
                },
                Member,
                true,
            ),
            (
                "edit roadmap",
                Action::EditRoadmap {
                    alignment: &OUTSIDE,
                },
                Member,
                false,
            ),
            (
                "edit roadmap",
                Action::EditRoadmap {
                    alignment: &OUTSIDE,
                },
                Admin,
                false,
            ),
            (
                "edit roadmap",
                Action::EditRoadmap {
                    alignment: &PARTICIPANT,
                },
                Viewer,
                false,
            ),
            (
                "sign off",
                Action::SignOffAlignment {
                    alignment: &PARTICIPANT,
                },
                Member,
                true,
            ),
            (
                "sign off",
                Action::SignOffAlignment {
                    alignment: &OUTSIDE,
                },
                Admin,
                false,
            ),
            (
                "sign off",
                Action::SignOffAlignment {
                    alignment: &PARTICIPANT,
                },
                Viewer,
                false,
            ),
            (
                "withdraw",
                Action::WithdrawSignOff {
                    alignment: &PARTICIPANT,
                    own: true,
                },
                Member,
                true,
            ),
            (
                "withdraw",
                Action::WithdrawSignOff {
                    alignment: &PARTICIPANT,
                    own: false,
                },
                Member,
                false,
            ),
            (
                "withdraw",
                Action::WithdrawSignOff {
                    alignment: &FACILITATOR,
                    own: false,
                },
                Member,
                true,
            ),
        ];
        for (name, action, caller, allowed) in table {
            let got = check(&caller.actor(), *action);
            assert_eq!(got.is_ok(), *allowed, "{name} as {caller:?}");
            if let Err(e) = got {
                assert_eq!(e.code(), "FORBIDDEN", "{name} as {caller:?}");
            }
        }
    }
}
