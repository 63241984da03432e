//! A session's roadmap in GraphQL: the `RoadmapItem` type, each squad's capacity, and
//! the mutations of the items (each clears sign-offs already given).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{initiative, outcome, roadmap_item, squad};
use uuid::Uuid;

use super::{alignment_id, RoadmapAlignment};
use crate::domain::roadmap::{Changed, ItemChanges, NewItem, SquadCapacity as DomainCapacity};
use crate::{
    domain::{
        planning::graphql::{Initiative, Outcome},
        squads::graphql::Squad,
    },
    error::ApiResult,
    graphql::{
        context::ContextExt,
        enums::Commitment,
        ids::{self, Kind},
        loaders::load_one,
    },
};

/// An initiative on a session's ranked roadmap.
pub struct RoadmapItem(pub roadmap_item::Model);

#[Object]
impl RoadmapItem {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::RoadmapItem, self.0.id)
    }
    /// 1 is the top.
    async fn rank(&self) -> i32 {
        self.0.rank
    }
    async fn commitment(&self) -> Commitment {
        self.0.commitment.into()
    }
    async fn notes(&self) -> &str {
        &self.0.notes
    }
    async fn initiative(&self, ctx: &Context<'_>) -> ApiResult<Initiative> {
        load_one::<initiative::Entity>(ctx, self.0.organization_id, self.0.initiative_id)
            .await
            .map(Initiative)
    }
    /// The squad that will do it.
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.0.organization_id, self.0.squad_id)
            .await
            .map(Squad)
    }
    /// The outcome it serves.
    async fn outcome(&self, ctx: &Context<'_>) -> ApiResult<Option<Outcome>> {
        match self.0.outcome_id {
            Some(o) => Ok(Some(Outcome(
                load_one::<outcome::Entity>(ctx, self.0.organization_id, o).await?,
            ))),
            None => Ok(None),
        }
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// A squad's time against what a session commits it to.
pub struct SquadCapacity(pub(super) DomainCapacity, pub(super) Uuid);

#[Object]
impl SquadCapacity {
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Squad> {
        load_one::<squad::Entity>(ctx, self.1, self.0.squad_id)
            .await
            .map(Squad)
    }
    /// The sum of the squad members' allocations (100 = one full-time person).
    async fn allocated_percent(&self) -> i32 {
        self.0.allocated_percent as i32
    }
    /// Full-time equivalents.
    async fn full_time_equivalents(&self) -> f64 {
        self.0.fte()
    }
    async fn committed_items(&self) -> i32 {
        self.0.committed as i32
    }
    async fn stretch_items(&self) -> i32 {
        self.0.stretch as i32
    }
    async fn deferred_items(&self) -> i32 {
        self.0.deferred as i32
    }
    /// More COMMITTED items than full-time people (one committed initiative per
    /// full-time person per quarter).
    async fn is_over_committed(&self) -> bool {
        self.0.is_over_committed()
    }
}

/// A session after a change to its roadmap.
#[derive(SimpleObject)]
pub struct RoadmapChangePayload {
    pub roadmap_alignment: RoadmapAlignment,
    /// The changed item, when one item changed.
    pub item: Option<RoadmapItem>,
    /// True when the change cleared sign-offs already given (the session is back
    /// IN_SESSION and needs them again).
    pub sign_offs_cleared: bool,
}

impl RoadmapChangePayload {
    fn new(changed: Changed, item: Option<roadmap_item::Model>) -> Self {
        Self {
            roadmap_alignment: RoadmapAlignment(changed.alignment),
            item: item.map(RoadmapItem),
            sign_offs_cleared: changed.sign_offs_cleared,
        }
    }
}

#[derive(InputObject)]
pub struct AddRoadmapItemInput {
    pub roadmap_alignment_id: ID,
    pub initiative_id: ID,
    /// Default: the initiative's squad.
    pub squad_id: Option<ID>,
    pub commitment: Commitment,
    pub outcome_id: Option<ID>,
    pub notes: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateRoadmapItemInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub squad_id: Option<ID>,
    pub commitment: Option<Commitment>,
    /// null unlinks the outcome.
    pub outcome_id: MaybeUndefined<ID>,
    pub notes: Option<String>,
}

#[derive(InputObject)]
pub struct RemoveRoadmapItemInput {
    pub id: ID,
}

#[derive(InputObject)]
pub struct RankRoadmapItemsInput {
    pub roadmap_alignment_id: ID,
    /// Every item of the session, best first.
    pub item_ids: Vec<ID>,
}

/// Mutations of a session's roadmap items.
#[derive(Default)]
pub struct RoadmapItemMutation;

#[Object]
impl RoadmapItemMutation {
    /// Puts an initiative on the roadmap, ranked last (the facilitator and participants,
    /// until the session is closed). Clears sign-offs already given.
    async fn add_roadmap_item(
        &self,
        ctx: &Context<'_>,
        input: AddRoadmapItemInput,
    ) -> ApiResult<RoadmapChangePayload> {
        let (item, changed) = ctx
            .services()
            .roadmap
            .add_item(
                &ctx.actor().await?,
                NewItem {
                    alignment_id: alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?,
                    initiative_id: ids::decode(
                        &input.initiative_id,
                        Kind::Initiative,
                        "initiativeId",
                    )?,
                    squad_id: ids::decode_opt(&input.squad_id, Kind::Squad, "squadId")?,
                    commitment: input.commitment.into(),
                    outcome_id: ids::decode_opt(&input.outcome_id, Kind::Outcome, "outcomeId")?,
                    notes: input.notes,
                },
            )
            .await?;
        Ok(RoadmapChangePayload::new(changed, Some(item)))
    }

    /// Changes an item. Clears sign-offs already given.
    async fn update_roadmap_item(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoadmapItemInput,
    ) -> ApiResult<RoadmapChangePayload> {
        let id = ids::decode(&input.id, Kind::RoadmapItem, "id")?;
        let outcome_id = ids::decode_maybe(input.outcome_id, Kind::Outcome, "outcomeId")?;
        let (item, changed) = ctx
            .services()
            .roadmap
            .update_item(
                &ctx.actor().await?,
                id,
                ItemChanges {
                    expected_version: input.expected_version,
                    squad_id: ids::decode_opt(&input.squad_id, Kind::Squad, "squadId")?,
                    commitment: input.commitment.map(Into::into),
                    outcome_id,
                    notes: input.notes,
                },
            )
            .await?;
        Ok(RoadmapChangePayload::new(changed, Some(item)))
    }

    /// Removes an item; the ones below move up. Clears sign-offs already given.
    async fn remove_roadmap_item(
        &self,
        ctx: &Context<'_>,
        input: RemoveRoadmapItemInput,
    ) -> ApiResult<RoadmapChangePayload> {
        let id = ids::decode(&input.id, Kind::RoadmapItem, "id")?;
        let changed = ctx
            .services()
            .roadmap
            .remove_item(&ctx.actor().await?, id)
            .await?;
        Ok(RoadmapChangePayload::new(changed, None))
    }

    /// Ranks every item of a session in the given order, in one transaction. Clears
    /// sign-offs already given.
    async fn rank_roadmap_items(
        &self,
        ctx: &Context<'_>,
        input: RankRoadmapItemsInput,
    ) -> ApiResult<RoadmapChangePayload> {
        let id = alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?;
        let item_ids = input
            .item_ids
            .iter()
            .map(|i| ids::decode(i, Kind::RoadmapItem, "itemIds"))
            .collect::<ApiResult<Vec<_>>>()?;
        let changed = ctx
            .services()
            .roadmap
            .rank_items(&ctx.actor().await?, id, &item_ids)
            .await?;
        Ok(RoadmapChangePayload::new(changed, None))
    }
}
