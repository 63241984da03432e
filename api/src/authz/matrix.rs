//! DESIGN §2 as a matrix: one row per action, one column per kind of caller, each cell
//! what [`check`] must answer (`Y` allowed, `.` FORBIDDEN).
//!
//! A kind of caller is an organisation role, a discipline and a standing towards the
//! object of the action. The standing is abstract (lead, owner, assigned, member) and
//! each row says what it means for its action: "owner" is the author of a review, the
//! facilitator of an alignment, an owner of a KPI, the LEAD of a squad; "assigned" is a
//! reviewer assigned to a review; "lead" is a LEAD of the team (or of the team or squad
//! that owns the object); "member" is a member of that team or squad, or a participant
//! of an alignment. The viewer holds every standing at once and may still do nothing.
//!
//! The last four columns are API tokens (issue 13), which stand in no team and are
//! nobody: one with `read`, one with `kpis:write`, one with `initiatives:write`, and one
//! with every scope. A token does only what its scopes name, and nothing a person does.

use entity::enums::{Discipline, OrgRole};
use uuid::Uuid;

use super::{
    facts::{AlignmentFacts, KpiFacts, LeadFacts, ReviewFacts, ScopeFacts, SquadFacts, TeamFacts},
    policy::{check, Action},
};
use crate::auth::{Actor, TokenScope};

/// The caller's standing towards the object of an action.
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    lead: bool,
    owner: bool,
    assigned: bool,
    member: bool,
}

const NONE: Standing = Standing {
    lead: false,
    owner: false,
    assigned: false,
    member: false,
};
const LEAD: Standing = Standing {
    lead: true,
    member: true,
    ..NONE
};
const OWNER: Standing = Standing {
    owner: true,
    ..NONE
};
const ASSIGNED: Standing = Standing {
    assigned: true,
    ..NONE
};
const MEMBER: Standing = Standing {
    member: true,
    ..NONE
};
const EVERY: Standing = Standing {
    lead: true,
    owner: true,
    assigned: true,
    member: true,
};

/// Who a column is: a person, or an API token with scopes.
#[derive(Debug, Clone, Copy)]
enum Caller {
    Person(OrgRole, Discipline, Standing),
    Token(&'static [TokenScope]),
}

use Caller::{Person, Token};

const ALL_SCOPES: &[TokenScope] = &TokenScope::ALL;

/// The columns, in the order of every row's cells.
const CALLERS: [(&str, Caller); 16] = [
    (
        "ADMIN",
        Person(OrgRole::Admin, Discipline::Engineering, NONE),
    ),
    (
        "product ADMIN",
        Person(OrgRole::Admin, Discipline::Product, NONE),
    ),
    (
        "lead",
        Person(OrgRole::Member, Discipline::Engineering, LEAD),
    ),
    (
        "owner",
        Person(OrgRole::Member, Discipline::Engineering, OWNER),
    ),
    (
        "assigned",
        Person(OrgRole::Member, Discipline::Engineering, ASSIGNED),
    ),
    (
        "member",
        Person(OrgRole::Member, Discipline::Engineering, MEMBER),
    ),
    (
        "outsider",
        Person(OrgRole::Member, Discipline::Engineering, NONE),
    ),
    (
        "product lead",
        Person(OrgRole::Member, Discipline::Product, LEAD),
    ),
    (
        "product member",
        Person(OrgRole::Member, Discipline::Product, MEMBER),
    ),
    (
        "design member",
        Person(OrgRole::Member, Discipline::Design, MEMBER),
    ),
    (
        "product assigned",
        Person(OrgRole::Member, Discipline::Product, ASSIGNED),
    ),
    (
        "VIEWER",
        Person(OrgRole::Viewer, Discipline::Engineering, EVERY),
    ),
    ("token read", Token(&[TokenScope::Read])),
    ("token kpis:write", Token(&[TokenScope::KpisWrite])),
    (
        "token initiatives:write",
        Token(&[TokenScope::InitiativesWrite]),
    ),
    ("token every scope", Token(ALL_SCOPES)),
];

/// Every kind of fact, as one caller's standing makes it.
struct Facts {
    team: TeamFacts,
    squad: SquadFacts,
    scope: ScopeFacts,
    none: ScopeFacts,
    squad_kpi: KpiFacts,
    team_kpi: KpiFacts,
    review: ReviewFacts,
    lead: LeadFacts,
    alignment: AlignmentFacts,
}

impl Facts {
    fn of(s: Standing) -> Self {
        let scope = ScopeFacts {
            actor_leads: s.lead,
            actor_is_member: s.member,
        };
        let kpi = |squad_scoped| KpiFacts {
            scope,
            squad_scoped,
            actor_is_owner: s.owner,
        };
        Facts {
            team: TeamFacts {
                actor_is_lead: s.lead,
            },
            squad: SquadFacts {
                actor_leads_home_team: s.lead,
                actor_is_squad_lead: s.owner,
            },
            scope,
            none: ScopeFacts::default(),
            squad_kpi: kpi(true),
            team_kpi: kpi(false),
            review: ReviewFacts {
                actor_is_author: s.owner,
                actor_is_reviewer: s.assigned,
            },
            lead: LeadFacts {
                actor_leads_a_team: s.lead,
            },
            alignment: AlignmentFacts {
                actor_is_facilitator: s.owner,
                actor_is_participant: s.owner || s.member,
            },
        }
    }
}

type Build = for<'a> fn(&'a Facts) -> Action<'a>;

#[rustfmt::skip]
const MATRIX: &[(&str, Build, &str)] = &[
    //                                                                      ADM ADMp lead own asgn mem out pLead pMem dMem pAsgn VIEWER  tRd tKpi tIni tAll
    ("read the organisation",            |_| Action::Read,                    "Y  Y    Y    Y   Y    Y   Y   Y     Y    Y    Y     Y       Y   .    .    Y"),
    ("manage users",                     |_| Action::ManageUsers,             "Y  Y    .    .   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("manage API tokens",                |_| Action::ManageApiTokens,         "Y  Y    .    .   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("read the audit log",               |_| Action::ReadAuditLog,            "Y  Y    .    .   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("create a team",                    |_| Action::CreateTeam,              "Y  Y    .    .   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("archive a team",                   |_| Action::ArchiveTeam,             "Y  Y    .    .   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("update a team",                    |f| Action::UpdateTeam { team: &f.team },
                                                                              "Y  Y    Y    .   .    .   .   Y     .    .    .     .       .   .    .    ."),
    ("manage a team's members",          |f| Action::ManageTeamMembers { team: &f.team },
                                                                              "Y  Y    Y    .   .    .   .   Y     .    .    .     .       .   .    .    ."),
    ("create a squad in a team",         |f| Action::CreateSquad { team: &f.team },
                                                                              "Y  Y    Y    .   .    .   .   Y     .    .    .     .       .   .    .    ."),
    // lead: of the home team; owner: the squad's own LEAD.
    ("update a squad",                   |f| Action::UpdateSquad { squad: &f.squad },
                                                                              "Y  Y    Y    Y   .    .   .   Y     .    .    .     .       .   .    .    ."),
    ("manage a squad's members",         |f| Action::ManageSquadMembers { squad: &f.squad },
                                                                              "Y  Y    Y    .   .    .   .   Y     .    .    .     .       .   .    .    ."),
    ("open an architecture review",      |_| Action::OpenArchitectureReview,  "Y  .    Y    Y   Y    Y   Y   .     .    .    .     .       .   .    .    ."),
    // owner: the author; not even ADMIN edits another's proposal.
    ("edit a review",                    |f| Action::EditArchitectureReview { review: &f.review },
                                                                              ".  .    .    Y   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("assign reviewers",                 |f| Action::AssignReviewers { review: &f.review, lead: &f.lead },
                                                                              "Y  Y    Y    Y   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("give a verdict",                   |f| Action::GiveReviewVerdict { review: &f.review },
                                                                              ".  .    .    .   Y    .   .   .     .    .    .     .       .   .    .    ."),
    ("comment on a review",              |_| Action::CommentOnReview,         "Y  Y    Y    Y   Y    Y   Y   Y     Y    Y    Y     .       .   .    .    ."),
    ("write a decision record",          |_| Action::WriteDecisionRecord,     "Y  Y    Y    Y   Y    Y   Y   .     .    .    .     .       .   .    .    ."),
    ("accept a decision record",         |f| Action::AcceptDecisionRecord { lead: &f.lead },
                                                                              "Y  Y    Y    .   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("deprecate a decision record",      |f| Action::DeprecateDecisionRecord { lead: &f.lead },
                                                                              "Y  Y    Y    .   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("supersede a decision record",      |f| Action::SupersedeDecisionRecord { lead: &f.lead },
                                                                              "Y  Y    Y    .   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("define a KPI",                     |f| Action::DefineKpi { scope: &f.scope },
                                                                              "Y  Y    Y    .   .    .   .   Y     .    .    .     .       .   .    .    ."),
    // owner: an owner of the KPI; member: of the squad it belongs to.
    ("record a squad KPI",               |f| Action::RecordMeasurement { kpi: &f.squad_kpi },
                                                                              ".  .    Y    Y   .    Y   .   Y     Y    Y    .     .       .   Y    .    Y"),
    ("record a team KPI",                |f| Action::RecordMeasurement { kpi: &f.team_kpi },
                                                                              ".  .    .    Y   .    .   .   .     .    .    .     .       .   Y    .    Y"),
    ("delete one's own measurement",     |f| Action::DeleteMeasurement { kpi: &f.squad_kpi, own: true },
                                                                              "Y  Y    Y    Y   .    .   .   Y     .    .    .     .       .   Y    .    Y"),
    ("delete another's measurement",     |f| Action::DeleteMeasurement { kpi: &f.squad_kpi, own: false },
                                                                              "Y  Y    Y    .   .    .   .   Y     .    .    .     .       .   .    .    ."),
    ("plan an outcome",                  |f| Action::PlanOutcome { scope: &f.scope },
                                                                              "Y  Y    Y    .   .    .   .   Y     .    .    .     .       .   .    Y    Y"),
    ("write a squad's initiative",       |f| Action::WriteInitiative { squad: &f.scope },
                                                                              "Y  Y    Y    .   .    Y   .   Y     Y    Y    .     .       .   .    Y    Y"),
    ("declare a squad's dependency",     |f| Action::CreateDependency { from: &f.scope },
                                                                              "Y  Y    Y    .   .    Y   .   Y     Y    Y    .     .       .   .    .    ."),
    ("update a dependency, needing side",|f| Action::UpdateDependency { from: &f.scope, to: &f.none },
                                                                              "Y  Y    Y    .   .    Y   .   Y     Y    Y    .     .       .   .    .    ."),
    ("update a dependency, needed side", |f| Action::UpdateDependency { from: &f.none, to: &f.scope },
                                                                              "Y  Y    Y    .   .    Y   .   Y     Y    Y    .     .       .   .    .    ."),
    ("create an alignment",              |_| Action::CreateAlignment,         "Y  Y    .    .   .    .   .   Y     Y    .    Y     .       .   .    .    ."),
    // owner: the facilitator; member: a participant.
    ("facilitate an alignment",          |f| Action::FacilitateAlignment { alignment: &f.alignment },
                                                                              "Y  Y    .    Y   .    .   .   .     .    .    .     .       .   .    .    ."),
    ("edit a roadmap",                   |f| Action::EditRoadmap { alignment: &f.alignment },
                                                                              ".  .    Y    Y   .    Y   .   Y     Y    Y    .     .       .   .    .    ."),
    ("sign off an alignment",            |f| Action::SignOffAlignment { alignment: &f.alignment },
                                                                              ".  .    Y    Y   .    Y   .   Y     Y    Y    .     .       .   .    .    ."),
    ("withdraw one's own sign-off",      |f| Action::WithdrawSignOff { alignment: &f.alignment, own: true },
                                                                              ".  .    Y    Y   .    Y   .   Y     Y    Y    .     .       .   .    .    ."),
    ("withdraw another's sign-off",      |f| Action::WithdrawSignOff { alignment: &f.alignment, own: false },
                                                                              ".  .    .    Y   .    .   .   .     .    .    .     .       .   .    .    ."),
];

/// The name of an action's variant. The `match` has no wildcard, so a new action does
/// not compile until it is named here, and [`every_action_has_a_row`] then asks for its
/// row.
fn variant(action: &Action<'_>) -> &'static str {
    match action {
        Action::Read => "Read",
        Action::ManageUsers => "ManageUsers",
        Action::ManageApiTokens => "ManageApiTokens",
        Action::ReadAuditLog => "ReadAuditLog",
        Action::CreateTeam => "CreateTeam",
        Action::UpdateTeam { .. } => "UpdateTeam",
        Action::ArchiveTeam => "ArchiveTeam",
        Action::ManageTeamMembers { .. } => "ManageTeamMembers",
        Action::CreateSquad { .. } => "CreateSquad",
        Action::UpdateSquad { .. } => "UpdateSquad",
        Action::ManageSquadMembers { .. } => "ManageSquadMembers",
        Action::OpenArchitectureReview => "OpenArchitectureReview",
        Action::EditArchitectureReview { .. } => "EditArchitectureReview",
        Action::AssignReviewers { .. } => "AssignReviewers",
        Action::GiveReviewVerdict { .. } => "GiveReviewVerdict",
        Action::CommentOnReview => "CommentOnReview",
        Action::WriteDecisionRecord => "WriteDecisionRecord",
        Action::AcceptDecisionRecord { .. } => "AcceptDecisionRecord",
        Action::DeprecateDecisionRecord { .. } => "DeprecateDecisionRecord",
        Action::SupersedeDecisionRecord { .. } => "SupersedeDecisionRecord",
        Action::DefineKpi { .. } => "DefineKpi",
        Action::RecordMeasurement { .. } => "RecordMeasurement",
        Action::DeleteMeasurement { .. } => "DeleteMeasurement",
        Action::PlanOutcome { .. } => "PlanOutcome",
        Action::WriteInitiative { .. } => "WriteInitiative",
        Action::CreateDependency { .. } => "CreateDependency",
        Action::UpdateDependency { .. } => "UpdateDependency",
        Action::CreateAlignment => "CreateAlignment",
        Action::FacilitateAlignment { .. } => "FacilitateAlignment",
        Action::EditRoadmap { .. } => "EditRoadmap",
        Action::SignOffAlignment { .. } => "SignOffAlignment",
        Action::WithdrawSignOff { .. } => "WithdrawSignOff",
    }
}

/// Every variant named in [`variant`], in its order.
const VARIANTS: [&str; 32] = [
    "Read",
    "ManageUsers",
    "ManageApiTokens",
    "ReadAuditLog",
    "CreateTeam",
    "UpdateTeam",
    "ArchiveTeam",
    "ManageTeamMembers",
    "CreateSquad",
    "UpdateSquad",
    "ManageSquadMembers",
    "OpenArchitectureReview",
    "EditArchitectureReview",
    "AssignReviewers",
    "GiveReviewVerdict",
    "CommentOnReview",
    "WriteDecisionRecord",
    "AcceptDecisionRecord",
    "DeprecateDecisionRecord",
    "SupersedeDecisionRecord",
    "DefineKpi",
    "RecordMeasurement",
    "DeleteMeasurement",
    "PlanOutcome",
    "WriteInitiative",
    "CreateDependency",
    "UpdateDependency",
    "CreateAlignment",
    "FacilitateAlignment",
    "EditRoadmap",
    "SignOffAlignment",
    "WithdrawSignOff",
];

fn cells(row: &str) -> Vec<bool> {
    row.split_whitespace()
        .map(|c| match c {
            "Y" => true,
            "." => false,
            other => panic!("a cell is Y or ., not {other:?}"),
        })
        .collect()
}

#[test]
fn the_policy_matrix() {
    let mut wrong = Vec::new();
    for (name, build, row) in MATRIX {
        let want = cells(row);
        assert_eq!(want.len(), CALLERS.len(), "{name}: one cell per caller");
        for ((caller, who), allowed) in CALLERS.iter().zip(want) {
            let (actor, facts) = match who {
                Person(role, discipline, standing) => (
                    Actor::user(Uuid::nil(), Uuid::nil(), *role, *discipline),
                    Facts::of(*standing),
                ),
                Token(scopes) => (
                    Actor::token(
                        Uuid::nil(),
                        Uuid::nil(),
                        scopes.iter().copied().collect(),
                        "sync",
                    ),
                    // A token stands in no team and is nobody's author or owner.
                    Facts::of(NONE),
                ),
            };
            let got = check(&actor, build(&facts));
            if let Err(e) = &got {
                assert_eq!(e.code(), "FORBIDDEN", "{name} as {caller}");
            }
            if got.is_ok() != allowed {
                wrong.push(format!("{name} as {caller}: want allowed={allowed}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "cells that disagree:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_action_has_a_row() {
    let facts = Facts::of(NONE);
    let covered: std::collections::HashSet<&str> = MATRIX
        .iter()
        .map(|(_, build, _)| variant(&build(&facts)))
        .collect();
    let missing: Vec<&str> = VARIANTS
        .iter()
        .copied()
        .filter(|v| !covered.contains(v))
        .collect();
    assert!(missing.is_empty(), "actions without a row: {missing:?}");
}
