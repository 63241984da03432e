//! GraphQL types, queries and mutations of the teams area.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{team, team_membership, user};

pub use super::loaders::{TeamMembers, UserTeams};
use super::{NewTeam, TeamChanges, TeamFilter as TeamFilterArgs, TeamSort};
use crate::{
    domain::{
        identity::graphql::User,
        kpis::graphql::{Kpi, TeamKpis},
        planning::graphql::{
            self as planning_graphql, Outcome, QuarterPlan, TeamOutcomes, WeeklySync,
        },
        squads::graphql::{Squad, TeamSquads},
    },
    error::ApiResult,
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{graphql_enum, MemberRole, OrderDirection},
        ids::{self, Kind},
        loaders::{children, load_one},
        scalars::{Date, Quarter},
    },
};

/// A long-lived team of people, home of squads.
pub struct Team(pub team::Model);

#[Object]
impl Team {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Team, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// Share of each sprint reserved for technical debt (0–50).
    async fn tech_debt_allocation_percent(&self) -> i32 {
        self.0.tech_debt_allocation_percent
    }
    async fn is_archived(&self) -> bool {
        self.0.archived_at.is_some()
    }
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
    /// The squads whose home is this team, by name.
    async fn squads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Squad>> {
        children::<TeamSquads, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            Squad,
        )
        .await
    }
    /// The team's members with their roles, in the order they joined.
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<TeamMembership>> {
        children::<TeamMembers, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            TeamMembership,
        )
        .await
    }
    /// The team's own KPIs (not its squads'), by name.
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Kpi>> {
        children::<TeamKpis, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            Kpi,
        )
        .await
    }
    /// The team's own outcomes (not its squads'), newest quarter first.
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Outcome>> {
        children::<TeamOutcomes, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            Outcome,
        )
        .await
    }
    /// The quarter's outcomes of the team and its squads, the work mapped to none of
    /// them, and whether the plan meets the outcome checklist.
    async fn quarter_plan(&self, ctx: &Context<'_>, quarter: Quarter) -> ApiResult<QuarterPlan> {
        planning_graphql::quarter_plan(ctx, &self.0, quarter).await
    }
    /// Dependencies due soon or at risk, outcomes at risk and worsening KPIs for the
    /// week containing `week` (default: this week; weeks start on Monday).
    async fn weekly_sync(&self, ctx: &Context<'_>, week: Option<Date>) -> ApiResult<WeeklySync> {
        planning_graphql::weekly_sync(ctx, &self.0, week).await
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

/// A user's membership of a team.
pub struct TeamMembership(pub team_membership::Model);

#[Object]
impl TeamMembership {
    async fn role(&self) -> MemberRole {
        self.0.role.into()
    }
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.user_id)
            .await
            .map(User)
    }
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Team> {
        load_one::<team::Entity>(ctx, self.0.organization_id, self.0.team_id)
            .await
            .map(Team)
    }
    /// When the user joined the team.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Which teams to list.
#[derive(InputObject, Default)]
pub struct TeamFilter {
    /// Case-insensitive part of the name.
    pub name_contains: Option<String>,
    /// Include archived teams (default false).
    #[graphql(default)]
    pub include_archived: bool,
    /// Only teams changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

graphql_enum! {
    /// Fields teams can be ordered by.
    #[derive(Default)]
    TeamOrderField => TeamSort {
        #[default]
        Name,
        CreatedAt,
        UpdatedAt,
    }
}

/// The order of a team list.
#[derive(InputObject, Default)]
pub struct TeamOrder {
    #[graphql(default)]
    pub field: TeamOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<TeamFilter> for TeamFilterArgs {
    fn from(f: TeamFilter) -> Self {
        Self {
            name_contains: f.name_contains,
            include_archived: f.include_archived,
            updated_since: f.updated_since,
        }
    }
}

/// Queries of the teams area.
#[derive(Default)]
pub struct TeamQuery;

#[Object]
impl TeamQuery {
    /// The organisation's teams (not archived ones unless the filter says so).
    #[allow(clippy::too_many_arguments)]
    async fn teams(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<TeamFilter>,
        order_by: Option<TeamOrder>,
    ) -> ApiResult<Conn<Team>> {
        let actor = &ctx.actor().await?;
        let filter: TeamFilterArgs = filter.unwrap_or_default().into();
        let order = order_by.unwrap_or_default();
        let page = ctx
            .services()
            .teams
            .list(
                actor,
                &filter,
                super::team_order(order.field.into(), order.direction.descending()),
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Team,
            TotalCount::of_list(filter, |s, actor, f| Box::pin(s.teams.count(actor, f))),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateTeamInput {
    pub name: String,
    pub description: Option<String>,
    /// Share of each sprint reserved for technical debt, 0–50 (default 0).
    pub tech_debt_allocation_percent: Option<i32>,
}

#[derive(SimpleObject)]
pub struct CreateTeamPayload {
    pub team: Team,
}

#[derive(InputObject)]
pub struct UpdateTeamInput {
    pub id: ID,
    /// The version the change is based on; a different current version is CONFLICT.
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub tech_debt_allocation_percent: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateTeamPayload {
    pub team: Team,
}

#[derive(InputObject)]
pub struct ArchiveTeamInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ArchiveTeamPayload {
    pub team: Team,
}

#[derive(InputObject)]
pub struct AddTeamMemberInput {
    pub team_id: ID,
    pub user_id: ID,
    /// Default MEMBER. Adding an existing member changes their role.
    pub role: Option<MemberRole>,
}

#[derive(SimpleObject)]
pub struct AddTeamMemberPayload {
    pub team: Team,
    pub membership: TeamMembership,
}

#[derive(InputObject)]
pub struct RemoveTeamMemberInput {
    pub team_id: ID,
    pub user_id: ID,
}

#[derive(SimpleObject)]
pub struct RemoveTeamMemberPayload {
    pub team: Team,
}

/// Mutations of the teams area.
#[derive(Default)]
pub struct TeamMutation;

#[Object]
impl TeamMutation {
    /// Creates a team (ADMIN).
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        input: CreateTeamInput,
    ) -> ApiResult<CreateTeamPayload> {
        let team = ctx
            .services()
            .teams
            .create(
                &ctx.actor().await?,
                NewTeam {
                    name: input.name,
                    description: input.description,
                    tech_debt_allocation_percent: input.tech_debt_allocation_percent,
                },
            )
            .await?;
        Ok(CreateTeamPayload { team: Team(team) })
    }

    /// Changes a team (ADMIN, or a LEAD of the team).
    async fn update_team(
        &self,
        ctx: &Context<'_>,
        input: UpdateTeamInput,
    ) -> ApiResult<UpdateTeamPayload> {
        let id = ids::decode(&input.id, Kind::Team, "id")?;
        let team = ctx
            .services()
            .teams
            .update(
                &ctx.actor().await?,
                id,
                TeamChanges {
                    expected_version: input.expected_version,
                    name: input.name,
                    description: input.description,
                    tech_debt_allocation_percent: input.tech_debt_allocation_percent,
                },
            )
            .await?;
        Ok(UpdateTeamPayload { team: Team(team) })
    }

    /// Archives a team (ADMIN).
    async fn archive_team(
        &self,
        ctx: &Context<'_>,
        input: ArchiveTeamInput,
    ) -> ApiResult<ArchiveTeamPayload> {
        let id = ids::decode(&input.id, Kind::Team, "id")?;
        let team = ctx
            .services()
            .teams
            .archive(&ctx.actor().await?, id)
            .await?;
        Ok(ArchiveTeamPayload { team: Team(team) })
    }

    /// Adds a user to a team, or changes their role (ADMIN, or a LEAD of the team).
    async fn add_team_member(
        &self,
        ctx: &Context<'_>,
        input: AddTeamMemberInput,
    ) -> ApiResult<AddTeamMemberPayload> {
        let team_id = ids::decode(&input.team_id, Kind::Team, "teamId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let role = input.role.unwrap_or(MemberRole::Member).into();
        let (team, membership) = ctx
            .services()
            .teams
            .add_member(&ctx.actor().await?, team_id, user_id, role)
            .await?;
        Ok(AddTeamMemberPayload {
            team: Team(team),
            membership: TeamMembership(membership),
        })
    }

    /// Removes a user from a team (ADMIN, or a LEAD of the team).
    async fn remove_team_member(
        &self,
        ctx: &Context<'_>,
        input: RemoveTeamMemberInput,
    ) -> ApiResult<RemoveTeamMemberPayload> {
        let team_id = ids::decode(&input.team_id, Kind::Team, "teamId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let team = ctx
            .services()
            .teams
            .remove_member(&ctx.actor().await?, team_id, user_id)
            .await?;
        Ok(RemoveTeamMemberPayload { team: Team(team) })
    }
}
