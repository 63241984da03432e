//! Dependencies in GraphQL: the `Dependency` type, the `dependencies` list and the
//! dependency mutations.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{dependency, initiative, squad};

use super::Initiative;
use crate::{
    domain::{
        planning::{
            dependency_order, dependency_order_by, DependencyChanges,
            DependencyFilter as DependencyFilterArgs, DependencySort, NewDependency,
        },
        squads::graphql::Squad,
    },
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{graphql_enum, DependencyStatus, OrderDirection},
        ids::{self, Kind},
        loaders::load_one,
        scalars::Date,
    },
};

/// One squad needs another's work by a date.
pub struct Dependency(pub dependency::Model);

#[Object]
impl Dependency {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Dependency, self.0.id)
    }
    /// The squad that needs the work.
    async fn from_squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.from_squad_id)
            .await
            .map(Squad)
    }
    /// The squad that does it.
    async fn to_squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.to_squad_id)
            .await
            .map(Squad)
    }
    async fn initiative(&self, ctx: &Context<'_>) -> ApiResult<Option<Initiative>> {
        match self.0.initiative_id {
            Some(i) => Ok(Some(Initiative(
                load_one::<initiative::Entity>(ctx, self.0.organization_id, i).await?,
            ))),
            None => Ok(None),
        }
    }
    /// What is needed.
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn needed_by(&self) -> Date {
        Date(self.0.needed_by)
    }
    async fn status(&self) -> DependencyStatus {
        self.0.status.into()
    }
    /// Still open or at risk after its date.
    async fn is_overdue(&self) -> bool {
        use entity::enums::DependencyStatus as S;
        matches!(self.0.status, S::Open | S::AtRisk) && self.0.needed_by < Utc::now().date_naive()
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Which dependencies to list.
#[derive(InputObject, Default)]
pub struct DependencyFilter {
    /// Dependencies this squad needs, or is needed for.
    pub squad_id: Option<ID>,
    pub status: Option<DependencyStatus>,
    /// Due on or before this date.
    pub due_by: Option<Date>,
    /// Only dependencies changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TryFrom<DependencyFilter> for DependencyFilterArgs {
    type Error = ApiError;

    fn try_from(f: DependencyFilter) -> ApiResult<Self> {
        Ok(Self {
            squad_id: ids::decode_opt(&f.squad_id, Kind::Squad, "squadId")?,
            status: f.status.map(Into::into),
            due_by: f.due_by.map(|d| d.0),
            updated_since: f.updated_since,
        })
    }
}

graphql_enum! {
    /// Fields dependencies can be ordered by; the id breaks ties, so pages never skip a row.
    #[derive(Default)]
    DependencyOrderField => DependencySort {
        #[default]
        NeededBy,
        CreatedAt,
        UpdatedAt,
    }
}

/// The order of a list of dependencies. Without it, soonest due first.
#[derive(InputObject, Default)]
pub struct DependencyOrder {
    #[graphql(default)]
    pub field: DependencyOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Queries of cross-squad dependencies.
#[derive(Default)]
pub struct DependencyQuery;

#[Object]
impl DependencyQuery {
    /// Cross-squad dependencies, soonest due first unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn dependencies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<DependencyFilter>,
        order_by: Option<DependencyOrder>,
    ) -> ApiResult<Conn<Dependency>> {
        let filter: DependencyFilterArgs = filter.unwrap_or_default().try_into()?;
        let order = match order_by {
            Some(o) => dependency_order_by(o.field.into(), o.direction.descending()),
            None => dependency_order(),
        };
        let page = ctx
            .services()
            .planning
            .list_dependencies(
                &ctx.actor().await?,
                &filter,
                order,
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Dependency,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.planning.count_dependencies(actor, f))
            }),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateDependencyInput {
    /// The squad that needs the work.
    pub from_squad_id: ID,
    /// The squad that does it.
    pub to_squad_id: ID,
    pub initiative_id: Option<ID>,
    /// What is needed.
    pub description: String,
    pub needed_by: Date,
}

#[derive(SimpleObject)]
pub struct DependencyPayload {
    pub dependency: Dependency,
}

#[derive(InputObject)]
pub struct UpdateDependencyInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub status: Option<DependencyStatus>,
    pub description: Option<String>,
    pub needed_by: Option<Date>,
}

/// Mutations of cross-squad dependencies.
#[derive(Default)]
pub struct DependencyMutation;

#[Object]
impl DependencyMutation {
    /// Declares that a squad needs another's work by a date (the needing squad's members
    /// and LEADs, ADMIN).
    async fn create_dependency(
        &self,
        ctx: &Context<'_>,
        input: CreateDependencyInput,
    ) -> ApiResult<DependencyPayload> {
        let d = ctx
            .services()
            .planning
            .create_dependency(
                &ctx.actor().await?,
                NewDependency {
                    from_squad_id: ids::decode(&input.from_squad_id, Kind::Squad, "fromSquadId")?,
                    to_squad_id: ids::decode(&input.to_squad_id, Kind::Squad, "toSquadId")?,
                    initiative_id: ids::decode_opt(
                        &input.initiative_id,
                        Kind::Initiative,
                        "initiativeId",
                    )?,
                    description: input.description,
                    needed_by: input.needed_by.0,
                },
            )
            .await?;
        Ok(DependencyPayload {
            dependency: Dependency(d),
        })
    }

    /// Changes a dependency: status OPEN | AT_RISK | DONE | CANCELLED, date, description
    /// (members and LEADs of either squad, ADMIN).
    async fn update_dependency(
        &self,
        ctx: &Context<'_>,
        input: UpdateDependencyInput,
    ) -> ApiResult<DependencyPayload> {
        let id = ids::decode(&input.id, Kind::Dependency, "id")?;
        let d = ctx
            .services()
            .planning
            .update_dependency(
                &ctx.actor().await?,
                id,
                DependencyChanges {
                    expected_version: input.expected_version,
                    status: input.status.map(Into::into),
                    description: input.description,
                    needed_by: input.needed_by.map(|d| d.0),
                },
            )
            .await?;
        Ok(DependencyPayload {
            dependency: Dependency(d),
        })
    }
}
