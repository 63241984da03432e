//! The policy: DESIGN §2 as one `match` for people and one for API tokens. Services
//! gather the facts the rule needs through [`super::facts`], then call [`check`] before
//! they write. `check` is pure, so its test is a matrix (`super::matrix`).

use entity::enums::{Discipline, OrgRole};

use super::facts::{
    AlignmentFacts, KpiFacts, LeadFacts, ReviewFacts, ScopeFacts, SquadFacts, TeamFacts,
};
use crate::{
    auth::{Actor, Principal, TokenScope, TokenScopes},
    error::{ApiError, ApiResult},
};

/// Everything a caller may try to do.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Read what the organisation shares (every query starts here): every person;
    /// a token with the `read` scope.
    Read,
    /// Invite users, change roles, deactivate users.
    ManageUsers,
    /// Create, list and revoke API tokens.
    ManageApiTokens,
    /// Read the audit log.
    ReadAuditLog,
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
    /// Delete a measurement (`own`: the caller recorded it; for a token, that token).
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
    let allowed = match actor.principal() {
        Principal::User {
            org_role,
            discipline,
            ..
        } => person_may(*org_role, *discipline, action),
        Principal::Token { scopes, .. } => token_may(*scopes, action),
    };
    if allowed {
        Ok(())
    } else {
        Err(ApiError::Forbidden)
    }
}

/// DESIGN §2 for people.
fn person_may(role: OrgRole, discipline: Discipline, action: Action<'_>) -> bool {
    let admin = role == OrgRole::Admin;
    // DESIGN §2: a VIEWER reads and does nothing else, whatever its team roles.
    let writer = role != OrgRole::Viewer;
    let engineer = writer && discipline == Discipline::Engineering;
    match action {
        Action::Read => true,
        Action::ManageUsers
        | Action::ManageApiTokens
        | Action::ReadAuditLog
        | Action::CreateTeam
        | Action::ArchiveTeam => admin,
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
        Action::CreateAlignment => admin || (writer && discipline == Discipline::Product),
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
    }
}

/// Issue 13: an API token acts within its scopes, and never as a person: inviting,
/// signing off, giving a verdict, changing roles and every other action of a person is
/// FORBIDDEN to it whatever its scopes.
fn token_may(scopes: TokenScopes, action: Action<'_>) -> bool {
    match action {
        Action::Read => scopes.has(TokenScope::Read),
        Action::RecordMeasurement { .. } => scopes.has(TokenScope::KpisWrite),
        // A token deletes only what it recorded itself.
        Action::DeleteMeasurement { own, .. } => own && scopes.has(TokenScope::KpisWrite),
        Action::WriteInitiative { .. } | Action::PlanOutcome { .. } => {
            scopes.has(TokenScope::InitiativesWrite)
        }
        Action::ManageUsers
        | Action::ManageApiTokens
        | Action::ReadAuditLog
        | Action::CreateTeam
        | Action::UpdateTeam { .. }
        | Action::ArchiveTeam
        | Action::ManageTeamMembers { .. }
        | Action::CreateSquad { .. }
        | Action::UpdateSquad { .. }
        | Action::ManageSquadMembers { .. }
        | Action::OpenArchitectureReview
        | Action::EditArchitectureReview { .. }
        | Action::AssignReviewers { .. }
        | Action::GiveReviewVerdict { .. }
        | Action::CommentOnReview
        | Action::WriteDecisionRecord
        | Action::AcceptDecisionRecord { .. }
        | Action::DeprecateDecisionRecord { .. }
        | Action::SupersedeDecisionRecord { .. }
        | Action::DefineKpi { .. }
        | Action::CreateDependency { .. }
        | Action::UpdateDependency { .. }
        | Action::CreateAlignment
        | Action::FacilitateAlignment { .. }
        | Action::EditRoadmap { .. }
        | Action::SignOffAlignment { .. }
        | Action::WithdrawSignOff { .. } => false,
    }
}
