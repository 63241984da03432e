//! The roadmap service: one struct whose methods live beside what they serve (sessions
//! in `alignments`, their `items`, their `sign_offs`); here, what they share: the lock on
//! a session, the events a change publishes, and the rules every change checks.

use entity::{
    enums::{AlignmentStatus, Discipline},
    roadmap_alignment,
};
use sea_orm::{
    sea_query::Expr, ColumnTrait, DatabaseConnection, EntityTrait, Iterable, QueryFilter,
};
use uuid::Uuid;

use crate::{
    auth::Actor,
    db::now,
    domain::{journal::Write, tenant::find_in_org},
    error::{ApiError, ApiResult},
    events::{Event, EventBus},
};

/// Roadmap alignment sessions, their items and sign-offs.
#[derive(Clone)]
pub struct RoadmapService {
    pub(super) db: DatabaseConnection,
    pub(super) events: EventBus,
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

/// The disciplines that must all sign off.
pub fn all_disciplines() -> Vec<Discipline> {
    Discipline::iter().collect()
}

pub(super) fn editable(a: &roadmap_alignment::Model) -> ApiResult<()> {
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
    pub(super) async fn lock(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> ApiResult<(Write, roadmap_alignment::Model)> {
        let w = Write::begin(&self.db, actor).await?;
        roadmap_alignment::Entity::update_many()
            .col_expr(
                roadmap_alignment::Column::Version,
                Expr::col(roadmap_alignment::Column::Version),
            )
            .filter(roadmap_alignment::Column::OrganizationId.eq(actor.org_id()))
            .filter(roadmap_alignment::Column::Id.eq(id))
            .exec(&w)
            .await?;
        let a = find_in_org::<roadmap_alignment::Entity, _>(&w, actor.org_id(), id).await?;
        Ok((w, a))
    }

    pub(super) async fn publish(
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
                actor: actor.user_id(),
                subject,
                sign_offs_cleared: cleared,
                at: now(),
            })
            .await;
    }
}
