use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    alignment_participant, alignment_signoff,
    enums::{AlignmentStatus, Commitment, Discipline},
    initiative, outcome, roadmap_alignment, roadmap_item, squad, squad_membership, user,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, Iterable,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use tracing::instrument;
use uuid::Uuid;

use super::markdown;
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::{begin_write, now},
    domain::{
        calendar::Quarter,
        tenant::{find_in_org, find_many_in_org, save_versioned},
        text,
    },
    error::{ApiError, ApiResult},
    events::{Event, EventBus},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// Roadmap alignment sessions, their items and sign-offs.
#[derive(Clone)]
pub struct RoadmapService {
    db: DatabaseConnection,
    events: EventBus,
}

/// What a change to a session did: published to subscribers as one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Updated,
    ParticipantAdded,
    ParticipantRemoved,
    Started,
    ItemAdded,
    ItemUpdated,
    ItemRemoved,
    ItemsRanked,
    SignedOff,
    SignOffWithdrawn,
    Closed,
}

impl ChangeKind {
    /// The event name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Updated => "UPDATED",
            ChangeKind::ParticipantAdded => "PARTICIPANT_ADDED",
            ChangeKind::ParticipantRemoved => "PARTICIPANT_REMOVED",
            ChangeKind::Started => "STARTED",
            ChangeKind::ItemAdded => "ITEM_ADDED",
            ChangeKind::ItemUpdated => "ITEM_UPDATED",
            ChangeKind::ItemRemoved => "ITEM_REMOVED",
            ChangeKind::ItemsRanked => "ITEMS_RANKED",
            ChangeKind::SignedOff => "SIGNED_OFF",
            ChangeKind::SignOffWithdrawn => "SIGN_OFF_WITHDRAWN",
            ChangeKind::Closed => "CLOSED",
        }
    }
}

/// The session after a change, and whether the change cleared its sign-offs.
#[derive(Debug, Clone)]
pub struct Changed {
    pub alignment: roadmap_alignment::Model,
    pub sign_offs_cleared: bool,
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewAlignment {
    pub quarter: Quarter,
    pub title: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    /// Besides the facilitator (the caller), who always takes part.
    pub participant_ids: Vec<Uuid>,
}

/// Changes to a session's details.
#[derive(Debug, Clone, Default)]
pub struct AlignmentChanges {
    pub expected_version: Option<i32>,
    pub quarter: Option<Quarter>,
    pub title: Option<String>,
    pub scheduled_at: Option<Option<DateTime<Utc>>>,
    pub notes: Option<String>,
}

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

/// Which sessions to list.
#[derive(Debug, Clone, Default)]
pub struct AlignmentFilter {
    pub quarter: Option<Quarter>,
    pub status: Option<AlignmentStatus>,
    pub updated_since: Option<DateTime<Utc>>,
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

/// The order of session lists: newest quarter first.
pub fn alignment_order() -> Order<roadmap_alignment::Entity> {
    Order {
        column: roadmap_alignment::Column::Quarter,
        id: roadmap_alignment::Column::Id,
        descending: true,
        key: |m| SortValue::Text(m.quarter.clone()),
        id_of: |m| m.id,
    }
}

/// The disciplines that must all sign off.
pub fn all_disciplines() -> Vec<Discipline> {
    Discipline::iter().collect()
}

fn editable(a: &roadmap_alignment::Model) -> ApiResult<()> {
    match a.status {
        AlignmentStatus::Closed => Err(ApiError::bad_input(
            "roadmapAlignmentId",
            "the session is closed",
        )),
        _ => Ok(()),
    }
}

impl RoadmapService {
    pub(crate) fn new(db: DatabaseConnection, events: EventBus) -> Self {
        Self { db, events }
    }

    /// Starts a write on one session: every change to a session first writes its row,
    /// so changes to one session run one at a time (a row lock on PostgreSQL, the write
    /// lock on SQLite) and each sees the last one's result. Returns the fresh row.
    async fn lock(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ApiResult<(DatabaseTransaction, roadmap_alignment::Model)> {
        let txn = begin_write(&self.db).await?;
        roadmap_alignment::Entity::update_many()
            .col_expr(
                roadmap_alignment::Column::Version,
                Expr::col(roadmap_alignment::Column::Version),
            )
            .filter(roadmap_alignment::Column::OrganizationId.eq(actor.org_id()))
            .filter(roadmap_alignment::Column::Id.eq(id))
            .exec(&txn)
            .await?;
        let a = find_in_org::<roadmap_alignment::Entity, _>(&txn, actor.org_id(), id).await?;
        Ok((txn, a))
    }

    async fn publish(
        &self,
        actor: &Actor,
        a: &roadmap_alignment::Model,
        kind: ChangeKind,
        subject: Option<Uuid>,
        cleared: bool,
    ) {
        self.events
            .publish(Event {
                org: a.organization_id,
                topic: a.id,
                kind: kind.as_str().to_owned(),
                actor: Some(actor.user_id()),
                subject,
                sign_offs_cleared: cleared,
                at: now(),
            })
            .await;
    }

    async fn user_in_org<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: Uuid,
        field: &'static str,
    ) -> ApiResult<user::Model> {
        let u = find_in_org::<user::Entity, _>(db, actor.org_id(), id).await?;
        if u.deactivated_at.is_some() {
            return Err(ApiError::bad_input(field, "the user is deactivated"));
        }
        Ok(u)
    }

    async fn insert_participant<C: ConnectionTrait>(
        &self,
        db: &C,
        org: Uuid,
        alignment: Uuid,
        user: Uuid,
    ) -> ApiResult<bool> {
        let exists = alignment_participant::Entity::find()
            .filter(alignment_participant::Column::OrganizationId.eq(org))
            .filter(alignment_participant::Column::AlignmentId.eq(alignment))
            .filter(alignment_participant::Column::UserId.eq(user))
            .one(db)
            .await?
            .is_some();
        if !exists {
            alignment_participant::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                alignment_id: Set(alignment),
                user_id: Set(user),
                created_at: Set(now()),
            }
            .insert(db)
            .await?;
        }
        Ok(!exists)
    }

    /// Marks the session changed and, when it had sign-offs, clears them and returns it
    /// to IN_SESSION: a change to the roadmap after a sign-off needs new sign-offs.
    async fn after_item_change(
        &self,
        txn: &DatabaseTransaction,
        a: &roadmap_alignment::Model,
    ) -> ApiResult<Changed> {
        let cleared = alignment_signoff::Entity::delete_many()
            .filter(alignment_signoff::Column::OrganizationId.eq(a.organization_id))
            .filter(alignment_signoff::Column::AlignmentId.eq(a.id))
            .exec(txn)
            .await?
            .rows_affected
            > 0;
        let status = if cleared || a.status == AlignmentStatus::Aligned {
            AlignmentStatus::InSession
        } else {
            a.status
        };
        let alignment = roadmap_alignment::ActiveModel {
            id: Set(a.id),
            status: Set(status),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(txn)
        .await?;
        Ok(Changed {
            alignment,
            sign_offs_cleared: cleared,
        })
    }

    /// Creates a session (PRODUCT members, ADMIN); the caller facilitates it.
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create(
        &self,
        actor: &Actor,
        input: NewAlignment,
    ) -> ApiResult<roadmap_alignment::Model> {
        authz::check(actor, Action::CreateAlignment)?;
        let title = text::required(&input.title, "title", text::NAME_MAX)?;
        let notes = text::bounded(
            input.notes.as_deref().unwrap_or(""),
            "notes",
            text::TEXT_MAX,
        )?;
        let txn = begin_write(&self.db).await?;
        for id in &input.participant_ids {
            self.user_in_org(&txn, actor, *id, "participantIds").await?;
        }
        let now = now();
        let a = roadmap_alignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            quarter: Set(input.quarter.to_string()),
            title: Set(title),
            scheduled_at: Set(input.scheduled_at),
            facilitator_id: Set(actor.user_id()),
            status: Set(AlignmentStatus::Draft),
            notes: Set(notes),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&txn)
        .await?;
        self.insert_participant(&txn, actor.org_id(), a.id, actor.user_id())
            .await?;
        for id in input.participant_ids {
            self.insert_participant(&txn, actor.org_id(), a.id, id)
                .await?;
        }
        txn.commit().await?;
        tracing::info!(alignment.id = %a.id, "roadmap alignment created");
        Ok(a)
    }

    /// Changes a session's details (its facilitator, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: AlignmentChanges,
    ) -> ApiResult<roadmap_alignment::Model> {
        let (txn, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&txn, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        editable(&a)?;
        let mut changes = <roadmap_alignment::ActiveModel as Default>::default();
        if let Some(t) = &input.title {
            changes.title = Set(text::required(t, "title", text::NAME_MAX)?);
        }
        if let Some(n) = &input.notes {
            changes.notes = Set(text::bounded(n, "notes", text::TEXT_MAX)?);
        }
        if let Some(q) = input.quarter {
            changes.quarter = Set(q.to_string());
        }
        if let Some(s) = input.scheduled_at {
            changes.scheduled_at = Set(s);
        }
        let a = save_versioned::<roadmap_alignment::Entity, _>(
            &txn,
            &a,
            input.expected_version,
            changes,
        )
        .await?;
        txn.commit().await?;
        self.publish(actor, &a, ChangeKind::Updated, None, false)
            .await;
        Ok(a)
    }

    /// Adds a participant (the facilitator, ADMIN); idempotent.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn add_participant(
        &self,
        actor: &Actor,
        id: Uuid,
        user_id: Uuid,
    ) -> ApiResult<roadmap_alignment::Model> {
        let (txn, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&txn, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        editable(&a)?;
        self.user_in_org(&txn, actor, user_id, "userId").await?;
        let added = self
            .insert_participant(&txn, actor.org_id(), a.id, user_id)
            .await?;
        txn.commit().await?;
        if added {
            self.publish(
                actor,
                &a,
                ChangeKind::ParticipantAdded,
                Some(user_id),
                false,
            )
            .await;
        }
        Ok(a)
    }

    /// Removes a participant (the facilitator, ADMIN); the facilitator stays.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn remove_participant(
        &self,
        actor: &Actor,
        id: Uuid,
        user_id: Uuid,
    ) -> ApiResult<roadmap_alignment::Model> {
        let (txn, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&txn, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        editable(&a)?;
        if user_id == a.facilitator_id {
            return Err(ApiError::bad_input(
                "userId",
                "the facilitator always takes part",
            ));
        }
        let done = alignment_participant::Entity::delete_many()
            .filter(alignment_participant::Column::OrganizationId.eq(actor.org_id()))
            .filter(alignment_participant::Column::AlignmentId.eq(a.id))
            .filter(alignment_participant::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?;
        if done.rows_affected == 0 {
            return Err(ApiError::NotFound);
        }
        txn.commit().await?;
        self.publish(
            actor,
            &a,
            ChangeKind::ParticipantRemoved,
            Some(user_id),
            false,
        )
        .await;
        Ok(a)
    }

    /// DRAFT → IN_SESSION (the facilitator, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn start(&self, actor: &Actor, id: Uuid) -> ApiResult<roadmap_alignment::Model> {
        let (txn, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&txn, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        if a.status != AlignmentStatus::Draft {
            return Err(ApiError::bad_input("id", "only a DRAFT session can start"));
        }
        let a = roadmap_alignment::ActiveModel {
            id: Set(a.id),
            status: Set(AlignmentStatus::InSession),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        self.publish(actor, &a, ChangeKind::Started, None, false)
            .await;
        Ok(a)
    }

    /// Closes a session for good (the facilitator, ADMIN): it is read-only from then on.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn close(&self, actor: &Actor, id: Uuid) -> ApiResult<roadmap_alignment::Model> {
        let (txn, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&txn, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        editable(&a)?;
        let a = roadmap_alignment::ActiveModel {
            id: Set(a.id),
            status: Set(AlignmentStatus::Closed),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        self.publish(actor, &a, ChangeKind::Closed, None, false)
            .await;
        Ok(a)
    }

    async fn roadmap_writer(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ApiResult<(DatabaseTransaction, roadmap_alignment::Model)> {
        let (txn, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&txn, actor, &a).await?;
        authz::check(actor, Action::EditRoadmap { alignment: &facts })?;
        editable(&a)?;
        Ok((txn, a))
    }

    async fn check_squad_and_outcome(
        &self,
        txn: &DatabaseTransaction,
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
        let (txn, a) = self.roadmap_writer(actor, input.alignment_id).await?;
        let init =
            find_in_org::<initiative::Entity, _>(&txn, actor.org_id(), input.initiative_id).await?;
        self.check_squad_and_outcome(&txn, actor, input.squad_id, input.outcome_id)
            .await?;
        let notes = text::bounded(
            input.notes.as_deref().unwrap_or(""),
            "notes",
            text::TEXT_MAX,
        )?;
        let items = self.items_of(&txn, &a).await?;
        if items.iter().any(|i| i.initiative_id == init.id) {
            return Err(ApiError::bad_input(
                "initiativeId",
                "the initiative is already on this roadmap",
            ));
        }
        let rank = items.iter().map(|i| i.rank).max().unwrap_or(0) + 1;
        let now = now();
        let item = roadmap_item::ActiveModel {
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
        }
        .insert(&txn)
        .await?;
        let changed = self.after_item_change(&txn, &a).await?;
        txn.commit().await?;
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
    ) -> ApiResult<(
        DatabaseTransaction,
        roadmap_alignment::Model,
        roadmap_item::Model,
    )> {
        let item =
            find_in_org::<roadmap_item::Entity, _>(&self.db, actor.org_id(), item_id).await?;
        let (txn, a) = self.roadmap_writer(actor, item.alignment_id).await?;
        // Re-read under the session's lock: the item may have gone meanwhile.
        let item = find_in_org::<roadmap_item::Entity, _>(&txn, actor.org_id(), item_id).await?;
        Ok((txn, a, item))
    }

    /// Changes an item's commitment, squad, outcome or notes.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), item.id = %item_id))]
    pub async fn update_item(
        &self,
        actor: &Actor,
        item_id: Uuid,
        input: ItemChanges,
    ) -> ApiResult<(roadmap_item::Model, Changed)> {
        let (txn, a, item) = self.item_writer(actor, item_id).await?;
        self.check_squad_and_outcome(&txn, actor, input.squad_id, input.outcome_id.flatten())
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
        let item =
            save_versioned::<roadmap_item::Entity, _>(&txn, &item, input.expected_version, changes)
                .await?;
        let changed = self.after_item_change(&txn, &a).await?;
        txn.commit().await?;
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
        let (txn, a, item) = self.item_writer(actor, item_id).await?;
        roadmap_item::Entity::delete_by_id(item.id)
            .exec(&txn)
            .await?;
        let rest: Vec<Uuid> = self
            .items_of(&txn, &a)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        self.write_ranks(&txn, &a, &rest).await?;
        let changed = self.after_item_change(&txn, &a).await?;
        txn.commit().await?;
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
        let (txn, a) = self.roadmap_writer(actor, id).await?;
        let current: HashSet<Uuid> = self
            .items_of(&txn, &a)
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
        self.write_ranks(&txn, &a, item_ids).await?;
        let changed = self.after_item_change(&txn, &a).await?;
        txn.commit().await?;
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
        txn: &DatabaseTransaction,
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
            .exec(txn)
            .await?;
        for (i, id) in ids.iter().enumerate() {
            roadmap_item::Entity::update_many()
                .col_expr(roadmap_item::Column::Rank, Expr::value(i as i32 + 1))
                .filter(roadmap_item::Column::OrganizationId.eq(a.organization_id))
                .filter(roadmap_item::Column::Id.eq(*id))
                .exec(txn)
                .await?;
        }
        Ok(())
    }

    async fn items_of<C: ConnectionTrait>(
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

    /// Signs the session off for the caller's discipline (a participant of that
    /// discipline, once). With ENGINEERING, PRODUCT and DESIGN signed, it is ALIGNED.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn sign_off(
        &self,
        actor: &Actor,
        id: Uuid,
        comment: Option<String>,
    ) -> ApiResult<(alignment_signoff::Model, Changed)> {
        let comment = text::bounded(comment.as_deref().unwrap_or(""), "comment", text::TEXT_MAX)?;
        let (txn, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&txn, actor, &a).await?;
        authz::check(actor, Action::SignOffAlignment { alignment: &facts })?;
        match a.status {
            AlignmentStatus::Draft => {
                return Err(ApiError::bad_input(
                    "roadmapAlignmentId",
                    "the session has not started",
                ))
            }
            AlignmentStatus::Closed => {
                return Err(ApiError::bad_input(
                    "roadmapAlignmentId",
                    "the session is closed",
                ))
            }
            _ => {}
        }
        let discipline = actor.discipline();
        let signed = self.sign_offs_of(&txn, &a).await?;
        if signed.iter().any(|s| s.discipline == discipline) {
            return Err(ApiError::Conflict(format!(
                "{} has already signed off this session",
                sea_orm::ActiveEnum::to_value(&discipline)
            )));
        }
        let signoff = alignment_signoff::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            alignment_id: Set(a.id),
            discipline: Set(discipline),
            user_id: Set(actor.user_id()),
            signed_at: Set(now()),
            comment: Set(comment),
        }
        .insert(&txn)
        .await
        .map_err(|e| match e.sql_err() {
            // The constraint backs the check above should two sign-offs race.
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                ApiError::Conflict("this discipline has already signed off this session".into())
            }
            _ => e.into(),
        })?;
        let all = signed.len() + 1 == all_disciplines().len();
        let a = roadmap_alignment::ActiveModel {
            id: Set(a.id),
            status: Set(if all {
                AlignmentStatus::Aligned
            } else {
                a.status
            }),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        self.publish(actor, &a, ChangeKind::SignedOff, Some(signoff.id), false)
            .await;
        Ok((
            signoff,
            Changed {
                alignment: a,
                sign_offs_cleared: false,
            },
        ))
    }

    /// Withdraws the caller's discipline's sign-off (its signer; the facilitator may
    /// withdraw any). An ALIGNED session returns to IN_SESSION.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn withdraw_sign_off(
        &self,
        actor: &Actor,
        id: Uuid,
        discipline: Option<Discipline>,
    ) -> ApiResult<Changed> {
        let (txn, a) = self.lock(actor, id).await?;
        editable(&a)?;
        let facts = facts::alignment(&txn, actor, &a).await?;
        let discipline = discipline.unwrap_or(actor.discipline());
        let signoff = self
            .sign_offs_of(&txn, &a)
            .await?
            .into_iter()
            .find(|s| s.discipline == discipline)
            .ok_or(ApiError::NotFound)?;
        let own = signoff.user_id == actor.user_id();
        authz::check(
            actor,
            Action::WithdrawSignOff {
                alignment: &facts,
                own,
            },
        )?;
        alignment_signoff::Entity::delete_by_id(signoff.id)
            .exec(&txn)
            .await?;
        let a = roadmap_alignment::ActiveModel {
            id: Set(a.id),
            status: Set(AlignmentStatus::InSession),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        txn.commit().await?;
        self.publish(
            actor,
            &a,
            ChangeKind::SignOffWithdrawn,
            Some(signoff.id),
            false,
        )
        .await;
        Ok(Changed {
            alignment: a,
            sign_offs_cleared: false,
        })
    }

    async fn sign_offs_of<C: ConnectionTrait>(
        &self,
        db: &C,
        a: &roadmap_alignment::Model,
    ) -> ApiResult<Vec<alignment_signoff::Model>> {
        Ok(alignment_signoff::Entity::find()
            .filter(alignment_signoff::Column::OrganizationId.eq(a.organization_id))
            .filter(alignment_signoff::Column::AlignmentId.eq(a.id))
            .order_by_asc(alignment_signoff::Column::SignedAt)
            .all(db)
            .await?)
    }

    /// One session of the caller's organisation.
    pub async fn get(&self, actor: &Actor, id: Uuid) -> ApiResult<roadmap_alignment::Model> {
        find_in_org::<roadmap_alignment::Entity, _>(&self.db, actor.org_id(), id).await
    }

    fn query(&self, actor: &Actor, filter: &AlignmentFilter) -> Select<roadmap_alignment::Entity> {
        let mut q = roadmap_alignment::Entity::find()
            .filter(roadmap_alignment::Column::OrganizationId.eq(actor.org_id()));
        if let Some(quarter) = filter.quarter {
            q = q.filter(roadmap_alignment::Column::Quarter.eq(quarter.to_string()));
        }
        if let Some(s) = filter.status {
            q = q.filter(roadmap_alignment::Column::Status.eq(s));
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(roadmap_alignment::Column::UpdatedAt.gte(since));
        }
        q
    }

    /// One page of sessions, newest quarter first.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: &AlignmentFilter,
        page: &PageArgs,
    ) -> ApiResult<Page<roadmap_alignment::Model>> {
        pagination::paginate(&self.db, self.query(actor, filter), alignment_order(), page).await
    }

    /// How many sessions match.
    pub async fn count(&self, actor: &Actor, filter: &AlignmentFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.query(actor, filter)).await
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

    /// The session as a Markdown write-up for people who were not there: the items per
    /// squad by commitment, and the sign-offs with their comments.
    pub async fn summary(&self, _actor: &Actor, a: &roadmap_alignment::Model) -> ApiResult<String> {
        let org = a.organization_id;
        let items = self.items_of(&self.db, a).await?;
        let signoffs = self.sign_offs_of(&self.db, a).await?;
        let initiatives = find_many_in_org::<initiative::Entity, _>(
            &self.db,
            org,
            items.iter().map(|i| i.initiative_id),
        )
        .await?;
        let squads =
            find_many_in_org::<squad::Entity, _>(&self.db, org, items.iter().map(|i| i.squad_id))
                .await?;
        let outcomes = find_many_in_org::<outcome::Entity, _>(
            &self.db,
            org,
            items.iter().filter_map(|i| i.outcome_id),
        )
        .await?;
        let people = find_many_in_org::<user::Entity, _>(
            &self.db,
            org,
            signoffs
                .iter()
                .map(|s| s.user_id)
                .chain(std::iter::once(a.facilitator_id)),
        )
        .await?;
        Ok(markdown::render(
            a,
            &items,
            &signoffs,
            &initiatives,
            &squads,
            &outcomes,
            &people,
        ))
    }
}
