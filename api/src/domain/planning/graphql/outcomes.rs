//! Outcomes in GraphQL: the `Outcome` type, the `outcomes` list and the outcome mutations.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{initiative, kpi_view, outcome, squad, team};

use super::{linked, Initiative};
use crate::{
    domain::{
        kpis::graphql::Kpi,
        planning::{
            loaders::OutcomeLinks, outcome_order, outcome_order_by, NewOutcome, OutcomeChanges,
            OutcomeFilter as OutcomeFilterArgs, OutcomeSort,
        },
        scope::Scope,
        squads::graphql::Squad,
        teams::graphql::Team,
    },
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{graphql_enum, OrderDirection, OutcomeStatus},
        external_ref::ExternalReference,
        ids::{self, Kind},
        loaders::{load_children, load_one},
        scalars::Quarter,
    },
};

/// A measurable result for one quarter, owned by a team or a squad.
pub struct Outcome(pub outcome::Model);

impl Outcome {
    async fn load_kpi(&self, ctx: &Context<'_>) -> ApiResult<Option<kpi_view::Model>> {
        match self.0.kpi_id {
            Some(k) => Ok(Some(
                load_one::<kpi_view::Entity>(ctx, self.0.organization_id, k).await?,
            )),
            None => Ok(None),
        }
    }
}

#[Object]
impl Outcome {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Outcome, self.0.id)
    }
    async fn quarter(&self) -> ApiResult<Quarter> {
        Quarter::stored(&self.0.quarter)
    }
    /// Where it comes from, when a planning tool syncs it (`upsertOutcome`).
    async fn external_ref(&self) -> Option<ExternalReference> {
        ExternalReference::of_row(
            &self.0.external_source,
            &self.0.external_id,
            &self.0.external_url,
        )
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn status(&self) -> OutcomeStatus {
        self.0.status.into()
    }
    /// The owning team (null when a squad owns it).
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        match self.0.team_id {
            Some(t) => Ok(Some(Team(
                load_one::<team::Entity>(ctx, self.0.organization_id, t).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The owning squad (null when a team owns it).
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Option<Squad>> {
        match self.0.squad_id {
            Some(s) => Ok(Some(Squad(
                load_one::<squad::Entity>(ctx, self.0.organization_id, s).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The KPI that measures it.
    async fn kpi(&self, ctx: &Context<'_>) -> ApiResult<Option<Kpi>> {
        Ok(self.load_kpi(ctx).await?.map(Kpi))
    }
    /// True when it has a KPI with a target.
    async fn is_measurable(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self
            .load_kpi(ctx)
            .await?
            .is_some_and(|k| k.target.is_some()))
    }
    /// 0–1, its KPI's attainment; null when it is not measurable or not measured yet.
    async fn progress(&self, ctx: &Context<'_>) -> ApiResult<Option<f64>> {
        Ok(self.load_kpi(ctx).await?.and_then(|k| k.attainment))
    }
    /// The initiatives mapped to it.
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Initiative>> {
        let org = self.0.organization_id;
        let (page, total) = load_children::<OutcomeLinks>(
            ctx,
            org,
            self.0.id,
            page_args(first, after, last, before),
        )
        .await?;
        linked::<initiative::Entity, _>(ctx, org, page, |l| l.initiative_id, Initiative, total)
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

/// Which outcomes to list.
#[derive(InputObject, Default)]
pub struct OutcomeFilter {
    pub quarter: Option<Quarter>,
    /// Outcomes owned by this team (not its squads).
    pub team_id: Option<ID>,
    pub squad_id: Option<ID>,
    pub status: Option<OutcomeStatus>,
    /// Only outcomes changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TryFrom<OutcomeFilter> for OutcomeFilterArgs {
    type Error = ApiError;

    fn try_from(f: OutcomeFilter) -> ApiResult<Self> {
        Ok(Self {
            quarter: f.quarter.map(|q| q.0),
            team_id: ids::decode_opt(&f.team_id, Kind::Team, "teamId")?,
            squad_id: ids::decode_opt(&f.squad_id, Kind::Squad, "squadId")?,
            status: f.status.map(Into::into),
            updated_since: f.updated_since,
        })
    }
}

graphql_enum! {
    /// Fields outcomes can be ordered by; the id breaks ties, so pages never skip a row.
    #[derive(Default)]
    OutcomeOrderField => OutcomeSort {
        #[default]
        Quarter,
        CreatedAt,
        UpdatedAt,
    }
}

/// The order of a list of outcomes. Without it, newest quarter first.
#[derive(InputObject, Default)]
pub struct OutcomeOrder {
    #[graphql(default)]
    pub field: OutcomeOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Queries of outcomes.
#[derive(Default)]
pub struct OutcomeQuery;

#[Object]
impl OutcomeQuery {
    /// Quarterly outcomes, newest quarter first unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<OutcomeFilter>,
        order_by: Option<OutcomeOrder>,
    ) -> ApiResult<Conn<Outcome>> {
        let filter: OutcomeFilterArgs = filter.unwrap_or_default().try_into()?;
        let order = match order_by {
            Some(o) => outcome_order_by(o.field.into(), o.direction.descending()),
            None => outcome_order(),
        };
        let page = ctx
            .services()
            .planning
            .list_outcomes(
                &ctx.actor().await?,
                &filter,
                order,
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Outcome,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.planning.count_outcomes(actor, f))
            }),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateOutcomeInput {
    /// The owning team; give exactly one of teamId and squadId.
    pub team_id: Option<ID>,
    /// The owning squad; give exactly one of teamId and squadId.
    pub squad_id: Option<ID>,
    pub quarter: Quarter,
    pub title: String,
    pub description: Option<String>,
    /// The KPI that measures it; with a target, the outcome is measurable.
    pub kpi_id: Option<ID>,
    /// Default ON_TRACK.
    pub status: Option<OutcomeStatus>,
}

#[derive(SimpleObject)]
pub struct OutcomePayload {
    pub outcome: Outcome,
}

#[derive(InputObject)]
pub struct UpdateOutcomeInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub quarter: Option<Quarter>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// null unlinks the KPI.
    pub kpi_id: MaybeUndefined<ID>,
}

#[derive(InputObject)]
pub struct SetOutcomeStatusInput {
    pub id: ID,
    pub status: OutcomeStatus,
    pub expected_version: Option<i32>,
}

/// Mutations of outcomes.
#[derive(Default)]
pub struct OutcomeMutation;

#[Object]
impl OutcomeMutation {
    /// Sets an outcome for a quarter (ADMIN, or a LEAD of the owning team or squad).
    async fn create_outcome(
        &self,
        ctx: &Context<'_>,
        input: CreateOutcomeInput,
    ) -> ApiResult<OutcomePayload> {
        let team = ids::decode_opt(&input.team_id, Kind::Team, "teamId")?;
        let squad = ids::decode_opt(&input.squad_id, Kind::Squad, "squadId")?;
        let o = ctx
            .services()
            .planning
            .create_outcome(
                &ctx.actor().await?,
                NewOutcome {
                    scope: Scope::one_of(team, squad, "teamId")?,
                    quarter: input.quarter.0,
                    title: input.title,
                    description: input.description,
                    kpi_id: ids::decode_opt(&input.kpi_id, Kind::Kpi, "kpiId")?,
                    status: input.status.map(Into::into),
                },
            )
            .await?;
        Ok(OutcomePayload {
            outcome: Outcome(o),
        })
    }

    /// Changes an outcome (ADMIN, or a LEAD of its team or squad).
    async fn update_outcome(
        &self,
        ctx: &Context<'_>,
        input: UpdateOutcomeInput,
    ) -> ApiResult<OutcomePayload> {
        let id = ids::decode(&input.id, Kind::Outcome, "id")?;
        let o = ctx
            .services()
            .planning
            .update_outcome(
                &ctx.actor().await?,
                id,
                OutcomeChanges {
                    expected_version: input.expected_version,
                    quarter: input.quarter.map(|q| q.0),
                    title: input.title,
                    description: input.description,
                    kpi_id: ids::decode_maybe(input.kpi_id, Kind::Kpi, "kpiId")?,
                },
            )
            .await?;
        Ok(OutcomePayload {
            outcome: Outcome(o),
        })
    }

    /// Sets how an outcome is going, or how it ended (ADMIN, or a LEAD of its owner).
    async fn set_outcome_status(
        &self,
        ctx: &Context<'_>,
        input: SetOutcomeStatusInput,
    ) -> ApiResult<OutcomePayload> {
        let id = ids::decode(&input.id, Kind::Outcome, "id")?;
        let o = ctx
            .services()
            .planning
            .set_outcome_status(
                &ctx.actor().await?,
                id,
                input.status.into(),
                input.expected_version,
            )
            .await?;
        Ok(OutcomePayload {
            outcome: Outcome(o),
        })
    }
}
