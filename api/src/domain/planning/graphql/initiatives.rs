//! Initiatives in GraphQL: the `Initiative` type, the `initiatives` list, the initiative
//! mutations and the mapping of initiatives to outcomes.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{initiative, outcome, squad};

use super::{linked, Outcome};
use crate::{
    domain::{
        planning::{
            initiative_order_by, loaders::InitiativeLinks, InitiativeChanges,
            InitiativeFilter as InitiativeFilterArgs, InitiativeSort, NewInitiative,
        },
        squads::graphql::Squad,
    },
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        enums::{graphql_enum, InitiativeStatus, OrderDirection},
        external_ref::{ExternalRefInput, ExternalReference},
        ids::{self, Kind},
        loaders::{load_children, load_one},
        scalars::Date,
    },
};

/// Work by a squad, mapped to the outcomes it serves.
pub struct Initiative(pub initiative::Model);

#[Object]
impl Initiative {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Initiative, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn status(&self) -> InitiativeStatus {
        self.0.status.into()
    }
    async fn start_date(&self) -> Option<Date> {
        self.0.start_date.map(Date)
    }
    async fn target_date(&self) -> Option<Date> {
        self.0.target_date.map(Date)
    }
    async fn external_ref(&self) -> Option<ExternalReference> {
        ExternalReference::of_row(
            &self.0.external_source,
            &self.0.external_id,
            &self.0.external_url,
        )
    }
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.squad_id)
            .await
            .map(Squad)
    }
    /// The outcomes it is mapped to.
    async fn outcomes(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<Outcome>> {
        let org = self.0.organization_id;
        let (page, total) = load_children::<InitiativeLinks>(
            ctx,
            org,
            self.0.id,
            page_args(first, after, last, before),
        )
        .await?;
        linked::<outcome::Entity, _>(ctx, org, page, |l| l.outcome_id, Outcome, total).await
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

/// Which initiatives to list.
#[derive(InputObject, Default)]
pub struct InitiativeFilter {
    pub squad_id: Option<ID>,
    pub status: Option<InitiativeStatus>,
    /// Only initiatives mapped to this outcome.
    pub outcome_id: Option<ID>,
    /// Only initiatives mapped to no outcome (true) or to at least one (false).
    pub unmapped: Option<bool>,
    /// Part of the title.
    pub text: Option<String>,
    /// Only initiatives changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

impl TryFrom<InitiativeFilter> for InitiativeFilterArgs {
    type Error = ApiError;

    fn try_from(f: InitiativeFilter) -> ApiResult<Self> {
        Ok(Self {
            squad_id: ids::decode_opt(&f.squad_id, Kind::Squad, "squadId")?,
            status: f.status.map(Into::into),
            outcome_id: ids::decode_opt(&f.outcome_id, Kind::Outcome, "outcomeId")?,
            unmapped: f.unmapped,
            text: f.text,
            updated_since: f.updated_since,
        })
    }
}

graphql_enum! {
    /// Fields initiatives can be ordered by; the id breaks ties, so pages never skip a row.
    #[derive(Default)]
    InitiativeOrderField => InitiativeSort {
        #[default]
        CreatedAt,
        UpdatedAt,
        Title,
    }
}

/// The order of a list of initiatives. Without it, oldest first.
#[derive(InputObject, Default)]
pub struct InitiativeOrder {
    #[graphql(default)]
    pub field: InitiativeOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Queries of initiatives.
#[derive(Default)]
pub struct InitiativeQuery;

#[Object]
impl InitiativeQuery {
    /// Initiatives, oldest first unless `orderBy` says otherwise.
    #[allow(clippy::too_many_arguments)]
    async fn initiatives(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<InitiativeFilter>,
        order_by: Option<InitiativeOrder>,
    ) -> ApiResult<Conn<Initiative>> {
        let filter: InitiativeFilterArgs = filter.unwrap_or_default().try_into()?;
        let order = order_by.unwrap_or_default();
        let page = ctx
            .services()
            .planning
            .list_initiatives(
                &ctx.actor().await?,
                &filter,
                initiative_order_by(order.field.into(), order.direction.descending()),
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Initiative,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.planning.count_initiatives(actor, f))
            }),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateInitiativeInput {
    pub squad_id: ID,
    pub title: String,
    pub description: Option<String>,
    /// Default PROPOSED.
    pub status: Option<InitiativeStatus>,
    pub start_date: Option<Date>,
    pub target_date: Option<Date>,
    /// Where it is tracked (Jira, Linear…); unique per organisation.
    pub external_ref: Option<ExternalRefInput>,
}

#[derive(SimpleObject)]
pub struct InitiativePayload {
    pub initiative: Initiative,
}

#[derive(InputObject)]
pub struct UpdateInitiativeInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// PROPOSED → PLANNED → IN_PROGRESS → DONE, or DROPPED before DONE.
    pub status: Option<InitiativeStatus>,
    /// null clears it.
    pub start_date: MaybeUndefined<Date>,
    /// null clears it.
    pub target_date: MaybeUndefined<Date>,
}

#[derive(InputObject)]
pub struct InitiativeOutcomeInput {
    pub initiative_id: ID,
    pub outcome_id: ID,
}

#[derive(SimpleObject)]
pub struct InitiativeOutcomePayload {
    pub initiative: Initiative,
    pub outcome: Outcome,
}

/// Mutations of initiatives and of their mapping to outcomes.
#[derive(Default)]
pub struct InitiativeMutation;

#[Object]
impl InitiativeMutation {
    /// Creates an initiative in a squad (its members and LEADs, the home team's LEADs,
    /// ADMIN).
    async fn create_initiative(
        &self,
        ctx: &Context<'_>,
        input: CreateInitiativeInput,
    ) -> ApiResult<InitiativePayload> {
        let squad_id = ids::decode(&input.squad_id, Kind::Squad, "squadId")?;
        let i = ctx
            .services()
            .planning
            .create_initiative(
                &ctx.actor().await?,
                NewInitiative {
                    squad_id,
                    title: input.title,
                    description: input.description,
                    status: input.status.map(Into::into),
                    start_date: input.start_date.map(|d| d.0),
                    target_date: input.target_date.map(|d| d.0),
                    external: input.external_ref.map(Into::into),
                },
            )
            .await?;
        Ok(InitiativePayload {
            initiative: Initiative(i),
        })
    }

    /// Changes an initiative; illegal status moves are BAD_USER_INPUT.
    async fn update_initiative(
        &self,
        ctx: &Context<'_>,
        input: UpdateInitiativeInput,
    ) -> ApiResult<InitiativePayload> {
        let id = ids::decode(&input.id, Kind::Initiative, "id")?;
        let i = ctx
            .services()
            .planning
            .update_initiative(
                &ctx.actor().await?,
                id,
                InitiativeChanges {
                    expected_version: input.expected_version,
                    title: input.title,
                    description: input.description,
                    status: input.status.map(Into::into),
                    start_date: input.start_date.map_value(|d| d.0).into(),
                    target_date: input.target_date.map_value(|d| d.0).into(),
                },
            )
            .await?;
        Ok(InitiativePayload {
            initiative: Initiative(i),
        })
    }

    /// Maps an initiative to an outcome (idempotent).
    async fn link_initiative_to_outcome(
        &self,
        ctx: &Context<'_>,
        input: InitiativeOutcomeInput,
    ) -> ApiResult<InitiativeOutcomePayload> {
        let initiative_id = ids::decode(&input.initiative_id, Kind::Initiative, "initiativeId")?;
        let outcome_id = ids::decode(&input.outcome_id, Kind::Outcome, "outcomeId")?;
        let (i, o) = ctx
            .services()
            .planning
            .link(&ctx.actor().await?, initiative_id, outcome_id)
            .await?;
        Ok(InitiativeOutcomePayload {
            initiative: Initiative(i),
            outcome: Outcome(o),
        })
    }

    /// Unmaps an initiative from an outcome.
    async fn unlink_initiative_from_outcome(
        &self,
        ctx: &Context<'_>,
        input: InitiativeOutcomeInput,
    ) -> ApiResult<InitiativeOutcomePayload> {
        let initiative_id = ids::decode(&input.initiative_id, Kind::Initiative, "initiativeId")?;
        let outcome_id = ids::decode(&input.outcome_id, Kind::Outcome, "outcomeId")?;
        let (i, o) = ctx
            .services()
            .planning
            .unlink(&ctx.actor().await?, initiative_id, outcome_id)
            .await?;
        Ok(InitiativeOutcomePayload {
            initiative: Initiative(i),
            outcome: Outcome(o),
        })
    }
}
