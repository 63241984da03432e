//! Loaders of the roadmap area.

use entity::{alignment_participant, alignment_signoff, roadmap_alignment, roadmap_item};
use uuid::Uuid;

use crate::{
    graphql::loaders::{ChildRelation, Registry},
    pagination::{Order, SortValue},
};

/// `RoadmapAlignment.items`: by rank.
pub struct AlignmentItems;

impl ChildRelation for AlignmentItems {
    type Entity = roadmap_item::Entity;
    fn parent_column() -> roadmap_item::Column {
        roadmap_item::Column::AlignmentId
    }
    fn parent_of(m: &roadmap_item::Model) -> Uuid {
        m.alignment_id
    }
    fn order() -> Order<roadmap_item::Entity> {
        Order {
            column: roadmap_item::Column::Rank,
            id: roadmap_item::Column::Id,
            descending: false,
            key: |m| SortValue::Int(m.rank as i64),
            id_of: |m| m.id,
        }
    }
}

/// `RoadmapAlignment.participants`: in the order they joined.
pub struct AlignmentParticipants;

impl ChildRelation for AlignmentParticipants {
    type Entity = alignment_participant::Entity;
    fn parent_column() -> alignment_participant::Column {
        alignment_participant::Column::AlignmentId
    }
    fn parent_of(m: &alignment_participant::Model) -> Uuid {
        m.alignment_id
    }
    fn order() -> Order<alignment_participant::Entity> {
        Order {
            column: alignment_participant::Column::CreatedAt,
            id: alignment_participant::Column::Id,
            descending: false,
            key: |m| SortValue::Time(m.created_at),
            id_of: |m| m.id,
        }
    }
}

/// `RoadmapAlignment.signOffs`: in the order they were given (at most one per discipline).
pub struct AlignmentSignOffs;

impl ChildRelation for AlignmentSignOffs {
    type Entity = alignment_signoff::Entity;
    fn parent_column() -> alignment_signoff::Column {
        alignment_signoff::Column::AlignmentId
    }
    fn parent_of(m: &alignment_signoff::Model) -> Uuid {
        m.alignment_id
    }
    fn order() -> Order<alignment_signoff::Entity> {
        Order {
            column: alignment_signoff::Column::SignedAt,
            id: alignment_signoff::Column::Id,
            descending: false,
            key: |m| SortValue::Time(m.signed_at),
            id_of: |m| m.id,
        }
    }
}

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    r.by_id::<roadmap_alignment::Entity>()
        .by_id::<roadmap_item::Entity>()
        .relation::<AlignmentItems>()
        .relation::<AlignmentParticipants>()
        .relation::<AlignmentSignOffs>()
}
