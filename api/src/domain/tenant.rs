//! Rows that belong to one organisation: the tenant tables, and the reads and writes
//! every service shares (a row of the caller's organisation, or NOT_FOUND; a versioned
//! update that fails with CONFLICT when someone else changed the row first).

use std::collections::HashMap;

use sea_orm::{
    sea_query::{Expr, LockType},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

use crate::{
    db::now,
    domain::kind::{Kind, Subject},
    error::{ApiError, ApiResult},
};

/// A table whose rows belong to one organisation.
pub trait TenantTable: EntityTrait {
    /// The primary key column.
    const ID: Self::Column;
    /// The `organization_id` column.
    const ORG: Self::Column;
    /// The primary key of a row.
    fn id_of(m: &Self::Model) -> Uuid;
    /// What a row is to the change log: an object with a global id, or a relation
    /// between two (a KPI's owner, an initiative's outcome).
    fn subject(m: &Self::Model) -> Subject;
}

/// A tenant table whose rows carry `version` and `updated_at`.
pub trait VersionedTable: TenantTable {
    const VERSION: Self::Column;
    const UPDATED_AT: Self::Column;
    /// The version of a row.
    fn version_of(m: &Self::Model) -> i32;
}

macro_rules! tenant_table {
    ($m:ident, $subject:expr) => {
        impl $crate::domain::tenant::TenantTable for entity::$m::Entity {
            const ID: entity::$m::Column = entity::$m::Column::Id;
            const ORG: entity::$m::Column = entity::$m::Column::OrganizationId;
            fn id_of(m: &entity::$m::Model) -> uuid::Uuid {
                m.id
            }
            fn subject(m: &entity::$m::Model) -> Subject {
                let subject: fn(&entity::$m::Model) -> Subject = $subject;
                subject(m)
            }
        }
    };
    ($m:ident, $subject:expr, versioned) => {
        tenant_table!($m, $subject);
        impl $crate::domain::tenant::VersionedTable for entity::$m::Entity {
            const VERSION: entity::$m::Column = entity::$m::Column::Version;
            const UPDATED_AT: entity::$m::Column = entity::$m::Column::UpdatedAt;
            fn version_of(m: &entity::$m::Model) -> i32 {
                m.version
            }
        }
    };
}

tenant_table!(user, |m| Subject::object(Kind::User, m.id), versioned);
tenant_table!(team, |m| Subject::object(Kind::Team, m.id), versioned);
tenant_table!(
    team_membership,
    |m| Subject::relation(
        "TeamMembership",
        (Kind::Team, m.team_id),
        (Kind::User, m.user_id)
    ),
    versioned
);
tenant_table!(squad, |m| Subject::object(Kind::Squad, m.id), versioned);
tenant_table!(
    squad_membership,
    |m| Subject::relation(
        "SquadMembership",
        (Kind::Squad, m.squad_id),
        (Kind::User, m.user_id)
    ),
    versioned
);
tenant_table!(
    architecture_review,
    |m| Subject::object(Kind::ArchitectureReview, m.id),
    versioned
);
tenant_table!(
    review_reviewer,
    |m| Subject::relation(
        "ReviewReviewer",
        (Kind::ArchitectureReview, m.review_id),
        (Kind::User, m.reviewer_id)
    ),
    versioned
);
tenant_table!(review_comment, |m| Subject::object(
    Kind::ReviewComment,
    m.id
));
tenant_table!(
    decision_record,
    |m| Subject::object(Kind::DecisionRecord, m.id),
    versioned
);
tenant_table!(kpi, |m| Subject::object(Kind::Kpi, m.id), versioned);
tenant_table!(kpi_view, |m| Subject::object(Kind::Kpi, m.id));
tenant_table!(kpi_owner, |m| Subject::relation(
    "KpiOwner",
    (Kind::Kpi, m.kpi_id),
    (Kind::User, m.user_id)
));
tenant_table!(
    kpi_measurement,
    |m| Subject::object(Kind::KpiMeasurement, m.id),
    versioned
);
tenant_table!(outcome, |m| Subject::object(Kind::Outcome, m.id), versioned);
tenant_table!(
    initiative,
    |m| Subject::object(Kind::Initiative, m.id),
    versioned
);
tenant_table!(outcome_initiative, |m| Subject::relation(
    "InitiativeOutcome",
    (Kind::Initiative, m.initiative_id),
    (Kind::Outcome, m.outcome_id)
));
tenant_table!(
    dependency,
    |m| Subject::object(Kind::Dependency, m.id),
    versioned
);
tenant_table!(
    roadmap_alignment,
    |m| Subject::object(Kind::RoadmapAlignment, m.id),
    versioned
);
tenant_table!(alignment_participant, |m| Subject::relation(
    "AlignmentParticipant",
    (Kind::RoadmapAlignment, m.alignment_id),
    (Kind::User, m.user_id)
));
tenant_table!(
    roadmap_item,
    |m| Subject::object(Kind::RoadmapItem, m.id),
    versioned
);
tenant_table!(alignment_signoff, |m| Subject::relation(
    "AlignmentSignOff",
    (Kind::RoadmapAlignment, m.alignment_id),
    (Kind::User, m.user_id)
));
tenant_table!(api_token, |m| Subject::object(Kind::ApiToken, m.id));

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

/// The row `id` of the caller's organisation (NOT_FOUND otherwise), locked until the
/// write transaction `txn` ends, so that what a write checks on it (not archived, not
/// withdrawn, room left) still holds when the write commits: `SELECT … FOR NO KEY
/// UPDATE` on PostgreSQL (other writers of the row wait; rows that merely point at it
/// may still be inserted); on SQLite the transaction from [`crate::db::begin_write`]
/// already holds the database's one write lock.
pub async fn lock_in_org<E, C>(txn: &C, org: Uuid, id: Uuid) -> ApiResult<E::Model>
where
    E: TenantTable,
    C: ConnectionTrait,
{
    E::find()
        .filter(E::ORG.eq(org))
        .filter(E::ID.eq(id))
        .lock(LockType::NoKeyUpdate)
        .one(txn)
        .await?
        .ok_or(ApiError::NotFound)
}

/// The rows of `ids` in the caller's organisation, by id: one statement. An id of
/// another organisation's row, or of no row, is missing from the map.
pub async fn find_many_in_org<E, C>(
    db: &C,
    org: Uuid,
    ids: impl IntoIterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, E::Model>>
where
    E: TenantTable,
    C: ConnectionTrait,
{
    Ok(E::find()
        .filter(E::ORG.eq(org))
        .filter(E::ID.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (E::id_of(&m), m))
        .collect())
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
