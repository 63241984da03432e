//! The domain: one folder per area, each with its service (rules, policy, sea-orm)
//! and its GraphQL types. Shared helpers for the services live here.

pub mod calendar;
pub mod decisions;
pub mod identity;
pub mod kpis;
pub mod planning;
pub mod reviews;
pub mod roadmap;
pub mod scope;
pub mod squads;
pub mod teams;
pub mod text;

use std::sync::Arc;

use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::{
    auth::jwt::JwtKeys,
    db::now,
    error::{ApiError, ApiResult},
    events::EventBus,
};

/// Every service, built once at start and shared by all requests.
#[derive(Clone)]
pub struct Services {
    pub identity: identity::IdentityService,
    pub teams: teams::TeamService,
    pub squads: squads::SquadService,
    pub reviews: reviews::ReviewService,
    pub decisions: decisions::DecisionService,
    pub kpis: kpis::KpiService,
    pub planning: planning::PlanningService,
    pub roadmap: roadmap::RoadmapService,
    pub events: EventBus,
    pub db: DatabaseConnection,
}

impl Services {
    /// The services over one database, signing tokens with `jwt`.
    pub fn new(db: DatabaseConnection, jwt: JwtKeys, events: EventBus) -> Self {
        let jwt = Arc::new(jwt);
        Self {
            identity: identity::IdentityService::new(db.clone(), jwt, events.clone()),
            teams: teams::TeamService::new(db.clone()),
            squads: squads::SquadService::new(db.clone()),
            reviews: reviews::ReviewService::new(db.clone()),
            decisions: decisions::DecisionService::new(db.clone()),
            kpis: kpis::KpiService::new(db.clone()),
            planning: planning::PlanningService::new(db.clone()),
            roadmap: roadmap::RoadmapService::new(db.clone(), events.clone()),
            events,
            db,
        }
    }
}

/// A table whose rows belong to one organisation.
pub trait TenantTable: EntityTrait {
    /// The primary key column.
    const ID: Self::Column;
    /// The `organization_id` column.
    const ORG: Self::Column;
    /// The primary key of a row.
    fn id_of(m: &Self::Model) -> Uuid;
}

/// A tenant table whose rows carry `version` and `updated_at`.
pub trait VersionedTable: TenantTable {
    const VERSION: Self::Column;
    const UPDATED_AT: Self::Column;
    /// The version of a row.
    fn version_of(m: &Self::Model) -> i32;
}

macro_rules! tenant_table {
    ($m:ident) => {
        impl $crate::domain::TenantTable for entity::$m::Entity {
            const ID: entity::$m::Column = entity::$m::Column::Id;
            const ORG: entity::$m::Column = entity::$m::Column::OrganizationId;
            fn id_of(m: &entity::$m::Model) -> uuid::Uuid {
                m.id
            }
        }
    };
    ($m:ident, versioned) => {
        tenant_table!($m);
        impl $crate::domain::VersionedTable for entity::$m::Entity {
            const VERSION: entity::$m::Column = entity::$m::Column::Version;
            const UPDATED_AT: entity::$m::Column = entity::$m::Column::UpdatedAt;
            fn version_of(m: &entity::$m::Model) -> i32 {
                m.version
            }
        }
    };
}

tenant_table!(user, versioned);
tenant_table!(team, versioned);
tenant_table!(team_membership, versioned);
tenant_table!(squad, versioned);
tenant_table!(squad_membership, versioned);
tenant_table!(architecture_review, versioned);
tenant_table!(review_reviewer, versioned);
tenant_table!(review_comment);
tenant_table!(decision_record, versioned);
tenant_table!(kpi, versioned);
tenant_table!(kpi_owner);
tenant_table!(kpi_measurement, versioned);
tenant_table!(outcome, versioned);
tenant_table!(initiative, versioned);
tenant_table!(outcome_initiative);
tenant_table!(dependency, versioned);
tenant_table!(roadmap_alignment, versioned);
tenant_table!(alignment_participant);
tenant_table!(roadmap_item, versioned);
tenant_table!(alignment_signoff);

/// The row `id` of the caller's organisation; another organisation's row is NOT_FOUND.
pub async fn find_in_org<E, C>(db: &C, org: Uuid, id: Uuid) -> ApiResult<E::Model>
where
    E: TenantTable,
    C: ConnectionTrait,
{
    E::find()
        .filter(E::ORG.eq(org))
        .filter(E::ID.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Writes the changes in `changes` to `current` when nobody changed the row since it
/// was read (and, when the client sent one, its `expectedVersion` still holds):
/// bumps `version` and `updated_at`, and returns the row as stored.
pub async fn save_versioned<E, C>(
    db: &C,
    current: &E::Model,
    expected_version: Option<i32>,
    changes: E::ActiveModel,
) -> ApiResult<E::Model>
where
    E: VersionedTable,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    C: ConnectionTrait,
{
    let version = E::version_of(current);
    let stale = || {
        ApiError::Conflict(format!(
            "the object was changed by someone else since version {}; read it again",
            expected_version.unwrap_or(version)
        ))
    };
    if expected_version.is_some_and(|v| v != version) {
        return Err(stale());
    }
    let id = E::id_of(current);
    let done = E::update_many()
        .set(changes)
        .col_expr(E::VERSION, Expr::value(version + 1))
        .col_expr(E::UPDATED_AT, Expr::value(now()))
        .filter(E::ID.eq(id))
        .filter(E::VERSION.eq(version))
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Err(stale());
    }
    E::find()
        .filter(E::ID.eq(id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}
