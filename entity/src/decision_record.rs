//! `decision_record`: an architecture decision record (ADR), numbered per organisation.

use sea_orm::entity::prelude::*;

use crate::enums::DecisionStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decision_record")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    /// 1, 2, 3, … per organisation, without gaps (see `decision_record_counter`).
    pub number: i32,
    pub title: String,
    pub status: DecisionStatus,
    /// The system the decision is about (may be empty).
    pub system: String,
    /// Markdown sections of the record.
    pub context: String,
    pub decision: String,
    pub consequences: String,
    /// The architecture review it came from, if any.
    pub review_id: Option<Uuid>,
    pub author_id: Uuid,
    /// The record that replaced this one (status SUPERSEDED).
    pub superseded_by_id: Option<Uuid>,
    pub accepted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
