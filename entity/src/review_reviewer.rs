//! `review_reviewer`: a user assigned to an architecture review, and their verdict.

use sea_orm::entity::prelude::*;

use crate::enums::ReviewVerdict;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "review_reviewer")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub review_id: Uuid,
    pub reviewer_id: Uuid,
    /// PENDING until the reviewer gives one; reset when the review is resubmitted.
    pub verdict: ReviewVerdict,
    /// Why, with the verdict (empty while PENDING).
    pub comment: String,
    pub verdict_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
