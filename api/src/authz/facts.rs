//! The facts the policy decides on: the caller's standing towards one object, gathered
//! here and nowhere else, so every service asks the same question the same way and no
//! service asks another area who the caller is there.
//!
//! Every fact is read within the caller's organisation, through the connection the
//! service passes (its transaction, when the decision guards a write).

use entity::{
    alignment_participant, architecture_review, enums::MemberRole, kpi, review_reviewer,
    roadmap_alignment, squad, squad_membership, team, team_membership,
};
use sea_orm::{
    sea_query::Expr, ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect, Value,
};
use uuid::Uuid;

use crate::{
    auth::Actor,
    db::placeholders,
    domain::{scope::Scope, tenant::find_in_org},
    error::{ApiError, ApiResult},
};

/// The caller's standing in one team.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TeamFacts {
    /// The caller is a LEAD of the team.
    pub actor_is_lead: bool,
}

/// The caller's standing in one squad.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SquadFacts {
    /// The caller is a LEAD of the squad's home team.
    pub actor_leads_home_team: bool,
    /// The caller is a LEAD of the squad itself.
    pub actor_is_squad_lead: bool,
}

/// The caller's standing in one architecture review.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewFacts {
    /// The caller wrote the review.
    pub actor_is_author: bool,
    /// The caller is assigned to the review as a reviewer.
    pub actor_is_reviewer: bool,
}

/// The caller's standing across teams.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeadFacts {
    /// The caller is a LEAD of at least one team.
    pub actor_leads_a_team: bool,
}

/// The caller's standing in the team or squad that owns something (a KPI, an outcome,
/// an initiative).
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

/// The caller's role in a team or a squad, or `None` when they are not a member: the
/// one membership query every fact below is built from. An API token is a member of
/// nothing.
pub async fn role_in<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    group: Scope,
) -> ApiResult<Option<MemberRole>> {
    let Some(user) = actor.user_id() else {
        return Ok(None);
    };
    let role = match group {
        Scope::Team(id) => team_membership::Entity::find()
            .filter(team_membership::Column::OrganizationId.eq(actor.org_id()))
            .filter(team_membership::Column::TeamId.eq(id))
            .filter(team_membership::Column::UserId.eq(user))
            .one(db)
            .await?
            .map(|m| m.role),
        Scope::Squad(id) => squad_membership::Entity::find()
            .filter(squad_membership::Column::OrganizationId.eq(actor.org_id()))
            .filter(squad_membership::Column::SquadId.eq(id))
            .filter(squad_membership::Column::UserId.eq(user))
            .one(db)
            .await?
            .map(|m| m.role),
    };
    Ok(role)
}

/// The caller's standing in a team.
pub async fn team<C: ConnectionTrait>(db: &C, actor: &Actor, team: Uuid) -> ApiResult<TeamFacts> {
    let role = role_in(db, actor, Scope::Team(team)).await?;
    Ok(TeamFacts {
        actor_is_lead: role == Some(MemberRole::Lead),
    })
}

/// The caller's standing in a squad and in its home team.
pub async fn squad<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    squad: &squad::Model,
) -> ApiResult<SquadFacts> {
    let home = role_in(db, actor, Scope::Team(squad.team_id)).await?;
    let own = role_in(db, actor, Scope::Squad(squad.id)).await?;
    Ok(SquadFacts {
        actor_leads_home_team: home == Some(MemberRole::Lead),
        actor_is_squad_lead: own == Some(MemberRole::Lead),
    })
}

/// Whether the caller is a LEAD of at least one team: with the ENGINEERING discipline,
/// that makes an ENGINEERING LEAD (DESIGN §2).
pub async fn lead<C: ConnectionTrait>(db: &C, actor: &Actor) -> ApiResult<LeadFacts> {
    let Some(user) = actor.user_id() else {
        return Ok(LeadFacts::default());
    };
    let lead = team_membership::Entity::find()
        .filter(team_membership::Column::OrganizationId.eq(actor.org_id()))
        .filter(team_membership::Column::UserId.eq(user))
        .filter(team_membership::Column::Role.eq(MemberRole::Lead))
        .one(db)
        .await?
        .is_some();
    Ok(LeadFacts {
        actor_leads_a_team: lead,
    })
}

/// Checks that the team or squad exists in the caller's organisation (NOT_FOUND
/// otherwise) and gathers the caller's standing in it.
pub async fn scope<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    scope: Scope,
) -> ApiResult<ScopeFacts> {
    match scope {
        Scope::Team(id) => {
            find_in_org::<team::Entity, _>(db, actor.org_id(), id).await?;
            let role = role_in(db, actor, scope).await?;
            Ok(ScopeFacts {
                actor_leads: role == Some(MemberRole::Lead),
                actor_is_member: role.is_some(),
            })
        }
        Scope::Squad(id) => {
            let squad = find_in_org::<squad::Entity, _>(db, actor.org_id(), id).await?;
            let own = role_in(db, actor, scope).await?;
            let home = role_in(db, actor, Scope::Team(squad.team_id)).await?;
            Ok(ScopeFacts {
                actor_leads: own == Some(MemberRole::Lead) || home == Some(MemberRole::Lead),
                actor_is_member: own.is_some(),
            })
        }
    }
}

/// The caller's standing towards a KPI: in its team or squad, and as an owner.
pub async fn kpi<C: ConnectionTrait>(db: &C, actor: &Actor, k: &kpi::Model) -> ApiResult<KpiFacts> {
    let (_, facts) = kpi_by_id(db, actor, k.id).await?;
    Ok(facts)
}

/// A KPI of the caller's organisation (NOT_FOUND otherwise) with the caller's standing
/// towards it, in one statement: the KPI's row with three scalar subqueries (ownership,
/// the caller's role in its squad, in its team or the squad's home team), each an index
/// probe. The hot path of every measurement: it replaces five statements.
pub async fn kpi_by_id<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> ApiResult<(kpi::Model, KpiFacts)> {
    let org = actor.org_id();
    // An API token is a member of nothing: its user is NULL, which matches no row.
    let (o, u) = (Value::from(org), Value::from(actor.user_id()));
    // `$n` on PostgreSQL, `?` on SQLite (each in order).
    let sql = |s: &str| placeholders(db.get_database_backend(), s);
    let row = kpi::Entity::find()
        .filter(kpi::Column::OrganizationId.eq(org))
        .filter(kpi::Column::Id.eq(id))
        .expr_as(
                Expr::cust_with_values(
                    sql(r#"EXISTS (SELECT 1 FROM "kpi_owner" AS "o" WHERE "o"."organization_id" = $1 AND "o"."kpi_id" = "kpi"."id" AND "o"."user_id" = $2)"#),
                    [o.clone(), u.clone()],
                ),
                "ns_owner",
            )
            .expr_as(
                Expr::cust_with_values(
                    sql(r#"(SELECT "sm"."role" FROM "squad_membership" AS "sm" WHERE "sm"."organization_id" = $1 AND "sm"."squad_id" = "kpi"."squad_id" AND "sm"."user_id" = $2)"#),
                    [o.clone(), u.clone()],
                ),
                "ns_squad_role",
            )
            .expr_as(
                Expr::cust_with_values(
                    sql(r#"(SELECT "tm"."role" FROM "team_membership" AS "tm" WHERE "tm"."organization_id" = $1 AND "tm"."user_id" = $2 AND "tm"."team_id" = COALESCE("kpi"."team_id", (SELECT "s"."team_id" FROM "squad" AS "s" WHERE "s"."organization_id" = $3 AND "s"."id" = "kpi"."squad_id")))"#),
                    [o.clone(), u, o],
                ),
            "ns_team_role",
        )
        .into_model::<KpiWithStanding>()
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)?;
    let role = |r: &Option<String>| -> ApiResult<Option<MemberRole>> {
        r.as_ref()
            .map(|s| MemberRole::try_from_value(s).map_err(ApiError::from))
            .transpose()
    };
    let (squad_role, team_role) = (role(&row.ns_squad_role)?, role(&row.ns_team_role)?);
    let k = row.kpi;
    let owned_by = Scope::of_row(k.team_id, k.squad_id)?;
    let scope = match owned_by {
        Scope::Team(_) => ScopeFacts {
            actor_leads: team_role == Some(MemberRole::Lead),
            actor_is_member: team_role.is_some(),
        },
        Scope::Squad(_) => ScopeFacts {
            actor_leads: squad_role == Some(MemberRole::Lead)
                || team_role == Some(MemberRole::Lead),
            actor_is_member: squad_role.is_some(),
        },
    };
    let facts = KpiFacts {
        scope,
        squad_scoped: matches!(owned_by, Scope::Squad(_)),
        actor_is_owner: row.ns_owner.unwrap_or(false),
    };
    Ok((k, facts))
}

/// A KPI's row and the caller's standing, as [`kpi_by_id`] reads them.
#[derive(Debug, FromQueryResult)]
struct KpiWithStanding {
    #[sea_orm(nested)]
    kpi: kpi::Model,
    ns_owner: Option<bool>,
    ns_squad_role: Option<String>,
    ns_team_role: Option<String>,
}

/// The caller's standing in an architecture review: its author, an assigned reviewer.
pub async fn review<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    review: &architecture_review::Model,
) -> ApiResult<ReviewFacts> {
    let Some(user) = actor.user_id() else {
        return Ok(ReviewFacts::default());
    };
    let reviewer = review_reviewer::Entity::find()
        .filter(review_reviewer::Column::OrganizationId.eq(actor.org_id()))
        .filter(review_reviewer::Column::ReviewId.eq(review.id))
        .filter(review_reviewer::Column::ReviewerId.eq(user))
        .one(db)
        .await?
        .is_some();
    Ok(ReviewFacts {
        actor_is_author: review.author_id == user,
        actor_is_reviewer: reviewer,
    })
}

/// The caller's standing in a roadmap alignment session: its facilitator, a participant.
pub async fn alignment<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    a: &roadmap_alignment::Model,
) -> ApiResult<AlignmentFacts> {
    let Some(user) = actor.user_id() else {
        return Ok(AlignmentFacts::default());
    };
    let participant = alignment_participant::Entity::find()
        .filter(alignment_participant::Column::OrganizationId.eq(actor.org_id()))
        .filter(alignment_participant::Column::AlignmentId.eq(a.id))
        .filter(alignment_participant::Column::UserId.eq(user))
        .one(db)
        .await?
        .is_some();
    Ok(AlignmentFacts {
        actor_is_facilitator: a.facilitator_id == user,
        actor_is_participant: participant,
    })
}
