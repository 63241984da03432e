//! `architecture_review`: a proposal discussed at the monthly architecture review.

use sea_orm::entity::prelude::*;

use crate::enums::ReviewStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "architecture_review")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub title: String,
    /// Markdown.
    pub proposal: String,
    /// The system the proposal is about ("payments-api").
    pub system: String,
    pub author_id: Uuid,
    /// The team the proposal comes from, if any.
    pub team_id: Option<Uuid>,
    pub status: ReviewStatus,
    /// The monthly meeting that discusses it; set when submitted.
    pub meeting_date: Option<Date>,
    /// When it was last submitted for review.
    pub submitted_at: Option<DateTimeUtc>,
    /// When the verdicts decided it (APPROVED, CHANGES_REQUESTED or REJECTED).
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
