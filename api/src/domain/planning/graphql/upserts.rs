//! Planning's sync path on the wire: `upsertInitiative`, `bulkUpsertInitiatives` and
//! `upsertOutcome`, keyed by external reference.

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, ID};

use super::{Initiative, Outcome};
use crate::{
    domain::{
        planning::{InitiativeUpsert, OutcomeUpsert},
        scope::Scope,
        sync::check_size,
    },
    error::{ApiError, ApiResult},
    graphql::{
        context::ContextExt,
        enums::{InitiativeStatus, OutcomeStatus},
        ids::{self, Kind},
        scalars::{Date, Quarter},
        upserts::{decode_items, BulkItemError, ExternalKeyInput, UpsertResult},
    },
};

/// An initiative as the planning tool has it. A field left out keeps its value
/// (defaults for a new initiative); a date sent as null is cleared.
#[derive(InputObject)]
pub struct UpsertInitiativeInput {
    /// Where it lives in the planning tool: the key of the upsert.
    pub external_ref: ExternalKeyInput,
    /// Its page in the planning tool.
    pub url: Option<String>,
    /// The squad doing it. Another squad than before moves it (the caller may write in
    /// both).
    pub squad_id: ID,
    pub title: String,
    pub description: Option<String>,
    /// As the tool has it, in any order (default PROPOSED for a new initiative).
    pub status: Option<InitiativeStatus>,
    pub start_date: MaybeUndefined<Date>,
    pub target_date: MaybeUndefined<Date>,
}

impl TryFrom<UpsertInitiativeInput> for InitiativeUpsert {
    type Error = ApiError;

    fn try_from(i: UpsertInitiativeInput) -> ApiResult<Self> {
        Ok(Self {
            key: i.external_ref.into(),
            url: i.url,
            squad_id: ids::decode(&i.squad_id, Kind::Squad, "squadId")?,
            title: i.title,
            description: i.description,
            status: i.status.map(Into::into),
            start_date: i.start_date.map_value(|d| d.0).into(),
            target_date: i.target_date.map_value(|d| d.0).into(),
        })
    }
}

/// An upserted initiative, and what the upsert did.
#[derive(SimpleObject)]
pub struct UpsertInitiativePayload {
    pub initiative: Initiative,
    pub result: UpsertResult,
}

#[derive(InputObject)]
pub struct BulkUpsertInitiativesInput {
    /// 1 to 1,000 initiatives, each with an external reference of its own.
    pub items: Vec<UpsertInitiativeInput>,
}

/// What a bulk upsert did: either every item's result, in input order, or the errors of
/// the bad items, and then nothing was written.
#[derive(SimpleObject)]
pub struct BulkUpsertInitiativesPayload {
    /// One per item, in input order; empty when `errors` is not.
    pub results: Vec<UpsertInitiativePayload>,
    /// Each bad item's index, field and code; empty when the bulk was written.
    pub errors: Vec<BulkItemError>,
}

/// An outcome as the planning tool has it. A field left out keeps its value; a KPI sent
/// as null is cleared.
#[derive(InputObject)]
pub struct UpsertOutcomeInput {
    /// Where it lives in the planning tool: the key of the upsert.
    pub external_ref: ExternalKeyInput,
    /// Its page in the planning tool.
    pub url: Option<String>,
    /// The owning team; give exactly one of teamId and squadId.
    pub team_id: Option<ID>,
    /// The owning squad; give exactly one of teamId and squadId.
    pub squad_id: Option<ID>,
    pub quarter: Quarter,
    pub title: String,
    pub description: Option<String>,
    /// The KPI that measures it.
    pub kpi_id: MaybeUndefined<ID>,
    /// Default ON_TRACK for a new outcome.
    pub status: Option<OutcomeStatus>,
}

/// An upserted outcome, and what the upsert did.
#[derive(SimpleObject)]
pub struct UpsertOutcomePayload {
    pub outcome: Outcome,
    pub result: UpsertResult,
}

/// Planning's upserts.
#[derive(Default)]
pub struct PlanningSyncMutation;

#[Object]
impl PlanningSyncMutation {
    /// Creates or updates the initiative with this external reference: the sync path
    /// of planning tools (tokens with `initiatives:write`; people as for
    /// `createInitiative`). The same call twice changes nothing the second time.
    async fn upsert_initiative(
        &self,
        ctx: &Context<'_>,
        input: UpsertInitiativeInput,
    ) -> ApiResult<UpsertInitiativePayload> {
        let item = input.try_into()?;
        let (i, done) = ctx
            .services()
            .planning
            .upsert_initiative(&ctx.actor().await?, item)
            .await?;
        Ok(UpsertInitiativePayload {
            initiative: Initiative(i),
            result: done.into(),
        })
    }

    /// Upserts 1 to 1,000 initiatives in one transaction, all or nothing: with any bad
    /// item, `errors` lists them and nothing is written.
    async fn bulk_upsert_initiatives(
        &self,
        ctx: &Context<'_>,
        input: BulkUpsertInitiativesInput,
    ) -> ApiResult<BulkUpsertInitiativesPayload> {
        check_size(input.items.len())?;
        let actor = ctx.actor().await?;
        let items = match decode_items(input.items, InitiativeUpsert::try_from) {
            Ok(items) => items,
            Err(errors) => {
                return Ok(BulkUpsertInitiativesPayload {
                    results: Vec::new(),
                    errors,
                })
            }
        };
        let done = ctx
            .services()
            .planning
            .upsert_initiatives(&actor, &items)
            .await?;
        Ok(match done {
            Ok(rows) => BulkUpsertInitiativesPayload {
                results: rows
                    .into_iter()
                    .map(|(i, done)| UpsertInitiativePayload {
                        initiative: Initiative(i),
                        result: done.into(),
                    })
                    .collect(),
                errors: Vec::new(),
            },
            Err(errors) => BulkUpsertInitiativesPayload {
                results: Vec::new(),
                errors: errors.into_iter().map(Into::into).collect(),
            },
        })
    }

    /// Creates or updates the outcome with this external reference (tokens with
    /// `initiatives:write`; people as for `createOutcome`).
    async fn upsert_outcome(
        &self,
        ctx: &Context<'_>,
        input: UpsertOutcomeInput,
    ) -> ApiResult<UpsertOutcomePayload> {
        let team = ids::decode_opt(&input.team_id, Kind::Team, "teamId")?;
        let squad = ids::decode_opt(&input.squad_id, Kind::Squad, "squadId")?;
        let item = OutcomeUpsert {
            key: input.external_ref.into(),
            url: input.url,
            scope: Scope::one_of(team, squad, "teamId")?,
            quarter: input.quarter.0,
            title: input.title,
            description: input.description,
            kpi_id: ids::decode_maybe(input.kpi_id, Kind::Kpi, "kpiId")?,
            status: input.status.map(Into::into),
        };
        let (o, done) = ctx
            .services()
            .planning
            .upsert_outcome(&ctx.actor().await?, item)
            .await?;
        Ok(UpsertOutcomePayload {
            outcome: Outcome(o),
            result: done.into(),
        })
    }
}
