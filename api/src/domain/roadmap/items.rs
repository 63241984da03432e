//! A session's roadmap: its items, their ranks, and each squad's capacity against them.
//! A change to the items after a sign-off clears the sign-offs.

use std::collections::{BTreeMap, HashSet};

use entity::{
    alignment_signoff,
    enums::{AlignmentStatus, Commitment},
    initiative, outcome, roadmap_alignment, roadmap_item, squad, squad_membership,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use tracing::instrument;
use uuid::Uuid;

use super::service::{editable, ChangeKind, Changed, RoadmapService};
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::now,
    domain::{
        journal::{self, Subject, Write},
        kind::Kind,
        tenant::find_in_org,
        text,
    },
    error::{ApiError, ApiResult},
};

/// An item to put on a session's roadmap (ranked last).
#[derive(Debug, Clone)]
pub struct NewItem {
    pub alignment_id: Uuid,
    pub initiative_id: Uuid,
    /// Default: the initiative's squad.
    pub squad_id: Option<Uuid>,
    pub commitment: Commitment,
    pub outcome_id: Option<Uuid>,
    pub notes: Option<String>,
}

/// Changes to an item.
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    pub expected_version: Option<i32>,
    pub squad_id: Option<Uuid>,
    pub commitment: Option<Commitment>,
    pub outcome_id: Option<Option<Uuid>>,
    pub notes: Option<String>,
}

/// A squad's time against what the session commits it to.
#[derive(Debug, Clone, PartialEq)]
pub struct SquadCapacity {
    pub squad_id: Uuid,
    /// The sum of the squad members' allocations (100 = one full-time person).
    pub allocated_percent: i64,
    pub committed: usize,
    pub stretch: usize,
    pub deferred: usize,
}

impl SquadCapacity {
    /// Full-time equivalents.
    pub fn fte(&self) -> f64 {
        self.allocated_percent as f64 / 100.0
    }

    /// More COMMITTED items than full-time people: the planning rule of thumb is one
    /// committed initiative per full-time person per quarter.
    pub fn is_over_committed(&self) -> bool {
        self.committed as f64 > self.fte()
    }
}

impl RoadmapService {
    /// Marks the session changed and, when it had sign-offs, clears them and returns it
    /// to IN_SESSION: a change to the roadmap after a sign-off needs new sign-offs.
    async fn after_item_change(
        &self,
        w: &mut Write,
        a: &roadmap_alignment::Model,
    ) -> ApiResult<Changed> {
        let sign_offs = alignment_signoff::Entity::find()
            .filter(alignment_signoff::Column::OrganizationId.eq(a.organization_id))
            .filter(alignment_signoff::Column::AlignmentId.eq(a.id))
            .all(&*w)
            .await?;
        let mut cleared = false;
        for sign_off in &sign_offs {
            cleared |= w.delete::<alignment_signoff::Entity>(sign_off).await?;
        }
        let status = if cleared || a.status == AlignmentStatus::Aligned {
            AlignmentStatus::InSession
        } else {
            a.status
        };
        let at = w.at();
        let alignment = w
            .update(roadmap_alignment::ActiveModel {
                id: Set(a.id),
                status: Set(status),
                updated_at: Set(at),
                ..Default::default()
            })
            .await?;
        Ok(Changed {
            alignment,
            sign_offs_cleared: cleared,
        })
    }

    async fn roadmap_writer(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ApiResult<(Write, roadmap_alignment::Model)> {
        let (w, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&w, actor, &a).await?;
        authz::check(actor, Action::EditRoadmap { alignment: &facts })?;
        editable(&a)?;
        Ok((w, a))
    }

    async fn check_squad_and_outcome(
        &self,
        txn: &Write,
        actor: &Actor,
        squad_id: Option<Uuid>,
        outcome_id: Option<Uuid>,
    ) -> ApiResult<()> {
        if let Some(s) = squad_id {
            find_in_org::<squad::Entity, _>(txn, actor.org_id(), s).await?;
        }
        if let Some(o) = outcome_id {
            find_in_org::<outcome::Entity, _>(txn, actor.org_id(), o).await?;
        }
        Ok(())
    }

    /// Puts an initiative on the session's roadmap, ranked last (the facilitator and
    /// participants, while the session is open).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %input.alignment_id))]
    pub async fn add_item(
        &self,
        actor: &Actor,
        input: NewItem,
    ) -> ApiResult<(roadmap_item::Model, Changed)> {
        let (mut w, a) = self.roadmap_writer(actor, input.alignment_id).await?;
        let init =
            find_in_org::<initiative::Entity, _>(&w, actor.org_id(), input.initiative_id).await?;
        self.check_squad_and_outcome(&w, actor, input.squad_id, input.outcome_id)
            .await?;
        let notes = text::bounded(
            input.notes.as_deref().unwrap_or(""),
            "notes",
            text::TEXT_MAX,
        )?;
        let items = self.items_of(&w, &a).await?;
        if items.iter().any(|i| i.initiative_id == init.id) {
            return Err(ApiError::bad_input(
                "initiativeId",
                "the initiative is already on this roadmap",
            ));
        }
        let rank = items.iter().map(|i| i.rank).max().unwrap_or(0) + 1;
        let now = now();
        let item = w
            .insert(roadmap_item::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                alignment_id: Set(a.id),
                initiative_id: Set(init.id),
                squad_id: Set(input.squad_id.unwrap_or(init.squad_id)),
                rank: Set(rank),
                commitment: Set(input.commitment),
                outcome_id: Set(input.outcome_id),
                notes: Set(notes),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await?;
        let changed = self.after_item_change(&mut w, &a).await?;
        w.commit(Kind::RoadmapItem, item.id).await?;
        self.publish(
            actor,
            &changed.alignment,
            ChangeKind::ItemAdded,
            Some(item.id),
            changed.sign_offs_cleared,
        )
        .await;
        Ok((item, changed))
    }

    async fn item_writer(
        &self,
        actor: &Actor,
        item_id: Uuid,
    ) -> ApiResult<(Write, roadmap_alignment::Model, roadmap_item::Model)> {
        let item =
            find_in_org::<roadmap_item::Entity, _>(&self.db, actor.org_id(), item_id).await?;
        let (w, a) = self.roadmap_writer(actor, item.alignment_id).await?;
        // Re-read under the session's lock: the item may have gone meanwhile.
        let item = find_in_org::<roadmap_item::Entity, _>(&w, actor.org_id(), item_id).await?;
        Ok((w, a, item))
    }

    /// Changes an item's commitment, squad, outcome or notes.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), item.id = %item_id))]
    pub async fn update_item(
        &self,
        actor: &Actor,
        item_id: Uuid,
        input: ItemChanges,
    ) -> ApiResult<(roadmap_item::Model, Changed)> {
        let (mut w, a, item) = self.item_writer(actor, item_id).await?;
        self.check_squad_and_outcome(&w, actor, input.squad_id, input.outcome_id.flatten())
            .await?;
        let mut changes = <roadmap_item::ActiveModel as Default>::default();
        if let Some(s) = input.squad_id {
            changes.squad_id = Set(s);
        }
        if let Some(c) = input.commitment {
            changes.commitment = Set(c);
        }
        if let Some(o) = input.outcome_id {
            changes.outcome_id = Set(o);
        }
        if let Some(n) = &input.notes {
            changes.notes = Set(text::bounded(n, "notes", text::TEXT_MAX)?);
        }
        let item = w
            .save::<roadmap_item::Entity>(&item, input.expected_version, changes)
            .await?;
        let changed = self.after_item_change(&mut w, &a).await?;
        w.commit(Kind::RoadmapItem, item.id).await?;
        self.publish(
            actor,
            &changed.alignment,
            ChangeKind::ItemUpdated,
            Some(item.id),
            changed.sign_offs_cleared,
        )
        .await;
        Ok((item, changed))
    }

    /// Removes an item; the ranks below it move up.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), item.id = %item_id))]
    pub async fn remove_item(&self, actor: &Actor, item_id: Uuid) -> ApiResult<Changed> {
        let (mut w, a, item) = self.item_writer(actor, item_id).await?;
        w.delete::<roadmap_item::Entity>(&item).await?;
        let rest: Vec<Uuid> = self
            .items_of(&w, &a)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        self.write_ranks(&mut w, &a, &rest).await?;
        let changed = self.after_item_change(&mut w, &a).await?;
        w.commit(Kind::RoadmapItem, item.id).await?;
        self.publish(
            actor,
            &changed.alignment,
            ChangeKind::ItemRemoved,
            Some(item.id),
            changed.sign_offs_cleared,
        )
        .await;
        Ok(changed)
    }

    /// Ranks all of a session's items in the given order (1 first), in one transaction.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn rank_items(
        &self,
        actor: &Actor,
        id: Uuid,
        item_ids: &[Uuid],
    ) -> ApiResult<Changed> {
        let (mut w, a) = self.roadmap_writer(actor, id).await?;
        let current: HashSet<Uuid> = self
            .items_of(&w, &a)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        let given: HashSet<Uuid> = item_ids.iter().copied().collect();
        if given.len() != item_ids.len() || given != current {
            return Err(ApiError::bad_input(
                "itemIds",
                "itemIds must list every item of the session exactly once",
            ));
        }
        self.write_ranks(&mut w, &a, item_ids).await?;
        let changed = self.after_item_change(&mut w, &a).await?;
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        self.publish(
            actor,
            &changed.alignment,
            ChangeKind::ItemsRanked,
            None,
            changed.sign_offs_cleared,
        )
        .await;
        Ok(changed)
    }

    /// Gives `ids` the ranks 1..n. Ranks are unique per session in the database, so the
    /// rows first move out of the way (negative ranks), then into place.
    async fn write_ranks(
        &self,
        w: &mut Write,
        a: &roadmap_alignment::Model,
        ids: &[Uuid],
    ) -> ApiResult<()> {
        roadmap_item::Entity::update_many()
            .col_expr(
                roadmap_item::Column::Rank,
                Expr::col(roadmap_item::Column::Rank).mul(-1),
            )
            .filter(roadmap_item::Column::OrganizationId.eq(a.organization_id))
            .filter(roadmap_item::Column::AlignmentId.eq(a.id))
            .exec(&*w)
            .await?;
        for (i, id) in ids.iter().enumerate() {
            roadmap_item::Entity::update_many()
                .col_expr(roadmap_item::Column::Rank, Expr::value(i as i32 + 1))
                .filter(roadmap_item::Column::OrganizationId.eq(a.organization_id))
                .filter(roadmap_item::Column::Id.eq(*id))
                .exec(&*w)
                .await?;
            w.record(
                journal::ChangeKind::Updated,
                Subject::object(Kind::RoadmapItem, *id),
            );
        }
        Ok(())
    }

    pub(super) async fn items_of<C: ConnectionTrait>(
        &self,
        db: &C,
        a: &roadmap_alignment::Model,
    ) -> ApiResult<Vec<roadmap_item::Model>> {
        Ok(roadmap_item::Entity::find()
            .filter(roadmap_item::Column::OrganizationId.eq(a.organization_id))
            .filter(roadmap_item::Column::AlignmentId.eq(a.id))
            .order_by_asc(roadmap_item::Column::Rank)
            .all(db)
            .await?)
    }

    /// Each squad on the roadmap: its people's time against its items.
    pub async fn capacity(
        &self,
        _actor: &Actor,
        a: &roadmap_alignment::Model,
    ) -> ApiResult<Vec<SquadCapacity>> {
        let items = self.items_of(&self.db, a).await?;
        let mut per_squad: BTreeMap<Uuid, SquadCapacity> = BTreeMap::new();
        for i in &items {
            let c = per_squad.entry(i.squad_id).or_insert(SquadCapacity {
                squad_id: i.squad_id,
                allocated_percent: 0,
                committed: 0,
                stretch: 0,
                deferred: 0,
            });
            match i.commitment {
                Commitment::Committed => c.committed += 1,
                Commitment::Stretch => c.stretch += 1,
                Commitment::Deferred => c.deferred += 1,
            }
        }
        let allocations: Vec<(Uuid, i64)> = squad_membership::Entity::find()
            .select_only()
            .column(squad_membership::Column::SquadId)
            .column_as(Expr::cust("SUM(allocation_percent)"), "total")
            .filter(squad_membership::Column::OrganizationId.eq(a.organization_id))
            .filter(squad_membership::Column::SquadId.is_in(per_squad.keys().copied()))
            .group_by(squad_membership::Column::SquadId)
            .into_tuple()
            .all(&self.db)
            .await?;
        for (squad, total) in allocations {
            if let Some(c) = per_squad.get_mut(&squad) {
                c.allocated_percent = total;
            }
        }
        Ok(per_squad.into_values().collect())
    }
}
