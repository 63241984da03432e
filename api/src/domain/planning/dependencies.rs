//! Dependencies: one squad needs another's work by a date.

use chrono::NaiveDate;
use entity::{dependency, enums::DependencyStatus, initiative, squad};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, Select};
use tracing::instrument;
use uuid::Uuid;

use super::service::PlanningService;
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::now,
    domain::{journal::Write, kind::Kind, scope::Scope, tenant::find_in_org, text},
    error::{ApiError, ApiResult},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// A dependency to declare: squad `from` needs squad `to`'s work by a date.
#[derive(Debug, Clone)]
pub struct NewDependency {
    pub from_squad_id: Uuid,
    pub to_squad_id: Uuid,
    pub initiative_id: Option<Uuid>,
    pub description: String,
    pub needed_by: NaiveDate,
}

/// Changes to a dependency.
#[derive(Debug, Clone, Default)]
pub struct DependencyChanges {
    pub expected_version: Option<i32>,
    pub status: Option<DependencyStatus>,
    pub description: Option<String>,
    pub needed_by: Option<NaiveDate>,
}

/// Which dependencies to list.
#[derive(Debug, Clone, Default)]
pub struct DependencyFilter {
    /// Dependencies this squad needs or is needed for.
    pub squad_id: Option<Uuid>,
    pub status: Option<DependencyStatus>,
    /// Due on or before this date.
    pub due_by: Option<NaiveDate>,
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// How dependencies are ordered; the id breaks ties, so a page never skips a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DependencySort {
    #[default]
    NeededBy,
    CreatedAt,
    /// What a sync pages by with `updatedSince`.
    UpdatedAt,
}

/// The order of a dependency list.
pub fn dependency_order_by(sort: DependencySort, descending: bool) -> Order<dependency::Entity> {
    let (column, key): (dependency::Column, fn(&dependency::Model) -> SortValue) = match sort {
        DependencySort::NeededBy => (dependency::Column::NeededBy, |m| {
            SortValue::Date(m.needed_by)
        }),
        DependencySort::CreatedAt => (dependency::Column::CreatedAt, |m| {
            SortValue::Time(m.created_at)
        }),
        DependencySort::UpdatedAt => (dependency::Column::UpdatedAt, |m| {
            SortValue::Time(m.updated_at)
        }),
    };
    Order {
        column,
        id: dependency::Column::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

/// The default order of dependency lists: soonest due first.
pub fn dependency_order() -> Order<dependency::Entity> {
    dependency_order_by(DependencySort::NeededBy, false)
}

impl PlanningService {
    /// Declares that one squad needs another's work by a date (members or LEADs of the
    /// needing squad, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create_dependency(
        &self,
        actor: &Actor,
        input: NewDependency,
    ) -> ApiResult<dependency::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let from = facts::scope(&w, actor, Scope::Squad(input.from_squad_id)).await?;
        find_in_org::<squad::Entity, _>(&w, actor.org_id(), input.to_squad_id).await?;
        authz::check(actor, Action::CreateDependency { from: &from })?;
        if input.from_squad_id == input.to_squad_id {
            return Err(ApiError::bad_input(
                "toSquadId",
                "a squad cannot depend on itself",
            ));
        }
        if let Some(i) = input.initiative_id {
            find_in_org::<initiative::Entity, _>(&w, actor.org_id(), i).await?;
        }
        let description = text::required(&input.description, "description", text::TEXT_MAX)?;
        let now = now();
        let done = w
            .insert(dependency::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                from_squad_id: Set(input.from_squad_id),
                to_squad_id: Set(input.to_squad_id),
                initiative_id: Set(input.initiative_id),
                description: Set(description),
                needed_by: Set(input.needed_by),
                status: Set(DependencyStatus::Open),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await?;
        w.commit(Kind::Dependency, done.id).await?;
        Ok(done)
    }

    /// Changes a dependency (members or LEADs of either squad, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), dependency.id = %id))]
    pub async fn update_dependency(
        &self,
        actor: &Actor,
        id: Uuid,
        input: DependencyChanges,
    ) -> ApiResult<dependency::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let d = find_in_org::<dependency::Entity, _>(&w, actor.org_id(), id).await?;
        let from = facts::scope(&w, actor, Scope::Squad(d.from_squad_id)).await?;
        let to = facts::scope(&w, actor, Scope::Squad(d.to_squad_id)).await?;
        authz::check(
            actor,
            Action::UpdateDependency {
                from: &from,
                to: &to,
            },
        )?;
        let mut changes = <dependency::ActiveModel as Default>::default();
        if let Some(s) = input.status {
            changes.status = Set(s);
        }
        if let Some(desc) = &input.description {
            changes.description = Set(text::required(desc, "description", text::TEXT_MAX)?);
        }
        if let Some(n) = input.needed_by {
            changes.needed_by = Set(n);
        }
        let done = w
            .save::<dependency::Entity>(&d, input.expected_version, changes)
            .await?;
        w.commit(Kind::Dependency, done.id).await?;
        Ok(done)
    }

    fn dependencies_query(
        &self,
        actor: &Actor,
        filter: &DependencyFilter,
    ) -> Select<dependency::Entity> {
        let mut q = dependency::Entity::find()
            .filter(dependency::Column::OrganizationId.eq(actor.org_id()));
        if let Some(s) = filter.squad_id {
            q = q.filter(
                Condition::any()
                    .add(dependency::Column::FromSquadId.eq(s))
                    .add(dependency::Column::ToSquadId.eq(s)),
            );
        }
        if let Some(st) = filter.status {
            q = q.filter(dependency::Column::Status.eq(st));
        }
        if let Some(d) = filter.due_by {
            q = q.filter(dependency::Column::NeededBy.lte(d));
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(dependency::Column::UpdatedAt.gte(since));
        }
        q
    }

    /// One page of dependencies in `order`.
    pub async fn list_dependencies(
        &self,
        actor: &Actor,
        filter: &DependencyFilter,
        order: Order<dependency::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<dependency::Model>> {
        pagination::paginate(
            &self.db,
            self.dependencies_query(actor, filter),
            order,
            page,
        )
        .await
    }

    /// How many dependencies match.
    pub async fn count_dependencies(
        &self,
        actor: &Actor,
        filter: &DependencyFilter,
    ) -> ApiResult<u64> {
        pagination::count(&self.db, self.dependencies_query(actor, filter)).await
    }
}
