//! GraphQL types, queries and mutations of the squads area.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{squad, squad_membership, team, user};

pub use super::loaders::{SquadMembers, TeamSquads, UserSquads};
use super::{
    loaders::SquadDisciplines, NewSquad, NewSquadMember, SquadChanges,
    SquadFilter as SquadFilterArgs, SquadSort,
};
use crate::{
    domain::{
        identity::graphql::User,
        kpis::graphql::{Kpi, SquadKpis},
        planning::graphql::{
            Dependency, Initiative, Outcome, SquadInitiatives, SquadNeededBy, SquadNeeds,
            SquadOutcomes,
        },
        teams::graphql::Team,
    },
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{graphql_enum, Discipline, MemberRole, OrderDirection, SquadStatus},
        ids::{self, Kind},
        loaders::{children, load_one, InOrg},
    },
};

/// A cross-functional unit (engineering, product, design) around a customer journey.
pub struct Squad(pub squad::Model);

impl Squad {
    async fn load_disciplines(&self, ctx: &Context<'_>) -> ApiResult<Vec<Discipline>> {
        let found = ctx
            .loader::<SquadDisciplines, InOrg>()
            .load_one(InOrg {
                org: self.0.organization_id,
                id: self.0.id,
            })
            .await?
            .unwrap_or_default();
        Ok(found.into_iter().map(Into::into).collect())
    }
}

#[Object]
impl Squad {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Squad, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn mission(&self) -> &str {
        &self.0.mission
    }
    /// The customer journey the squad is organised around.
    async fn customer_journey(&self) -> &str {
        &self.0.customer_journey
    }
    async fn status(&self) -> SquadStatus {
        self.0.status.into()
    }
    /// The home team.
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Team> {
        load_one::<team::Entity>(ctx, self.0.organization_id, self.0.team_id)
            .await
            .map(Team)
    }
    /// Members with role and allocation, in the order they joined.
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<SquadMembership>> {
        children::<SquadMembers, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            SquadMembership,
        )
        .await
    }
    /// The disciplines of the squad's members (ENGINEERING, PRODUCT, DESIGN order).
    async fn disciplines(&self, ctx: &Context<'_>) -> ApiResult<Vec<Discipline>> {
        self.load_disciplines(ctx).await
    }
    /// True when engineering, product and design are all present.
    async fn is_cross_functional(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self.load_disciplines(ctx).await?.len() == 3)
    }
    /// The squad's KPIs, by name.
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Kpi>> {
        children::<SquadKpis, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            Kpi,
        )
        .await
    }
    /// The squad's outcomes, newest quarter first.
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Outcome>> {
        children::<SquadOutcomes, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            Outcome,
        )
        .await
    }
    /// The squad's initiatives, oldest first.
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Initiative>> {
        children::<SquadInitiatives, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            Initiative,
        )
        .await
    }
    /// What the squad needs from other squads, soonest due first.
    async fn dependencies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Dependency>> {
        children::<SquadNeeds, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            Dependency,
        )
        .await
    }
    /// What other squads need from this one, soonest due first.
    async fn dependents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Dependency>> {
        children::<SquadNeededBy, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            Dependency,
        )
        .await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A user's membership of a squad.
pub struct SquadMembership(pub squad_membership::Model);

#[Object]
impl SquadMembership {
    async fn role(&self) -> MemberRole {
        self.0.role.into()
    }
    /// Share of the user's time the squad gets (1–100).
    async fn allocation_percent(&self) -> i32 {
        self.0.allocation_percent
    }
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.user_id)
            .await
            .map(User)
    }
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.squad_id)
            .await
            .map(Squad)
    }
    /// When the user joined the squad.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Which squads to list.
#[derive(InputObject, Default)]
pub struct SquadFilter {
    /// Only squads of this home team.
    pub team_id: Option<ID>,
    pub status: Option<SquadStatus>,
    /// Case-insensitive part of the name.
    pub name_contains: Option<String>,
    /// Only squads changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TryFrom<SquadFilter> for SquadFilterArgs {
    type Error = ApiError;

    fn try_from(f: SquadFilter) -> ApiResult<Self> {
        Ok(Self {
            team_id: ids::decode_opt(&f.team_id, Kind::Team, "teamId")?,
            status: f.status.map(Into::into),
            name_contains: f.name_contains,
            updated_since: f.updated_since,
        })
    }
}

graphql_enum! {
    /// Fields squads can be ordered by.
    #[derive(Default)]
    SquadOrderField => SquadSort {
        #[default]
        Name,
        CreatedAt,
        UpdatedAt,
    }
}

/// The order of a squad list.
#[derive(InputObject, Default)]
pub struct SquadOrder {
    #[graphql(default)]
    pub field: SquadOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Queries of the squads area.
#[derive(Default)]
pub struct SquadQuery;

#[Object]
impl SquadQuery {
    /// The organisation's squads.
    #[allow(clippy::too_many_arguments)]
    async fn squads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<SquadFilter>,
        order_by: Option<SquadOrder>,
    ) -> ApiResult<Conn<Squad>> {
        let actor = &ctx.actor().await?;
        let filter: SquadFilterArgs = filter.unwrap_or_default().try_into()?;
        let order = order_by.unwrap_or_default();
        let page = ctx
            .services()
            .squads
            .list(
                actor,
                &filter,
                super::squad_order(order.field.into(), order.direction.descending()),
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Squad,
            TotalCount::of_list(filter, |s, actor, f| Box::pin(s.squads.count(actor, f))),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateSquadInput {
    /// The home team.
    pub team_id: ID,
    pub name: String,
    pub mission: Option<String>,
    pub customer_journey: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateSquadPayload {
    pub squad: Squad,
}

#[derive(InputObject)]
pub struct UpdateSquadInput {
    pub id: ID,
    /// The version the change is based on; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub mission: Option<String>,
    pub customer_journey: Option<String>,
    /// Forward only: PILOT → ACTIVE → ARCHIVED.
    pub status: Option<SquadStatus>,
}

#[derive(SimpleObject)]
pub struct UpdateSquadPayload {
    pub squad: Squad,
}

#[derive(InputObject)]
pub struct AddSquadMemberInput {
    pub squad_id: ID,
    pub user_id: ID,
    /// Default MEMBER.
    pub role: Option<MemberRole>,
    /// Share of the user's time, 1–100. Default: an existing member keeps theirs, a new
    /// one gets whatever the user has left. A user's allocations across squads add up
    /// to at most 100.
    pub allocation_percent: Option<i32>,
}

#[derive(SimpleObject)]
pub struct AddSquadMemberPayload {
    pub squad: Squad,
    pub membership: SquadMembership,
}

#[derive(InputObject)]
pub struct RemoveSquadMemberInput {
    pub squad_id: ID,
    pub user_id: ID,
}

#[derive(SimpleObject)]
pub struct RemoveSquadMemberPayload {
    pub squad: Squad,
}

/// Mutations of the squads area.
#[derive(Default)]
pub struct SquadMutation;

#[Object]
impl SquadMutation {
    /// Creates a squad in a home team (ADMIN, or a LEAD of that team). It starts as PILOT.
    async fn create_squad(
        &self,
        ctx: &Context<'_>,
        input: CreateSquadInput,
    ) -> ApiResult<CreateSquadPayload> {
        let team_id = ids::decode(&input.team_id, Kind::Team, "teamId")?;
        let squad = ctx
            .services()
            .squads
            .create(
                &ctx.actor().await?,
                NewSquad {
                    team_id,
                    name: input.name,
                    mission: input.mission,
                    customer_journey: input.customer_journey,
                },
            )
            .await?;
        Ok(CreateSquadPayload {
            squad: Squad(squad),
        })
    }

    /// Changes a squad (ADMIN, a LEAD of its home team, or its own LEAD).
    async fn update_squad(
        &self,
        ctx: &Context<'_>,
        input: UpdateSquadInput,
    ) -> ApiResult<UpdateSquadPayload> {
        let id = ids::decode(&input.id, Kind::Squad, "id")?;
        let squad = ctx
            .services()
            .squads
            .update(
                &ctx.actor().await?,
                id,
                SquadChanges {
                    expected_version: input.expected_version,
                    name: input.name,
                    mission: input.mission,
                    customer_journey: input.customer_journey,
                    status: input.status.map(Into::into),
                },
            )
            .await?;
        Ok(UpdateSquadPayload {
            squad: Squad(squad),
        })
    }

    /// Adds a member to a squad, or changes their role and allocation (ADMIN, or a
    /// LEAD of the home team).
    async fn add_squad_member(
        &self,
        ctx: &Context<'_>,
        input: AddSquadMemberInput,
    ) -> ApiResult<AddSquadMemberPayload> {
        let squad_id = ids::decode(&input.squad_id, Kind::Squad, "squadId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let (squad, membership) = ctx
            .services()
            .squads
            .add_member(
                &ctx.actor().await?,
                NewSquadMember {
                    squad_id,
                    user_id,
                    role: input.role.unwrap_or(MemberRole::Member).into(),
                    allocation_percent: input.allocation_percent,
                },
            )
            .await?;
        Ok(AddSquadMemberPayload {
            squad: Squad(squad),
            membership: SquadMembership(membership),
        })
    }

    /// Removes a member from a squad (ADMIN, or a LEAD of the home team).
    async fn remove_squad_member(
        &self,
        ctx: &Context<'_>,
        input: RemoveSquadMemberInput,
    ) -> ApiResult<RemoveSquadMemberPayload> {
        let squad_id = ids::decode(&input.squad_id, Kind::Squad, "squadId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let squad = ctx
            .services()
            .squads
            .remove_member(&ctx.actor().await?, squad_id, user_id)
            .await?;
        Ok(RemoveSquadMemberPayload {
            squad: Squad(squad),
        })
    }
}
