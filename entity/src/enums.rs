//! Enumerations stored as short strings, so both SQLite and PostgreSQL hold them the same way.

use sea_orm::entity::prelude::*;

/// A user's discipline in a cross-functional squad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Discipline {
    #[sea_orm(string_value = "ENGINEERING")]
    Engineering,
    #[sea_orm(string_value = "PRODUCT")]
    Product,
    #[sea_orm(string_value = "DESIGN")]
    Design,
}

/// A user's role in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OrgRole {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "MEMBER")]
    Member,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
}

/// A member's role in a team or a squad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MemberRole {
    #[sea_orm(string_value = "LEAD")]
    Lead,
    #[sea_orm(string_value = "MEMBER")]
    Member,
}

/// The life of a squad: PILOT → ACTIVE → ARCHIVED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SquadStatus {
    #[sea_orm(string_value = "PILOT")]
    Pilot,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}

/// The life of an architecture review: DRAFT → IN_REVIEW → APPROVED, CHANGES_REQUESTED
/// (back to IN_REVIEW when resubmitted) or REJECTED; WITHDRAWN by its author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ReviewStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "IN_REVIEW")]
    InReview,
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    #[sea_orm(string_value = "CHANGES_REQUESTED")]
    ChangesRequested,
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
    #[sea_orm(string_value = "WITHDRAWN")]
    Withdrawn,
}

/// A reviewer's verdict on an architecture review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ReviewVerdict {
    #[sea_orm(string_value = "PENDING")]
    Pending,
    #[sea_orm(string_value = "APPROVE")]
    Approve,
    #[sea_orm(string_value = "REQUEST_CHANGES")]
    RequestChanges,
    #[sea_orm(string_value = "REJECT")]
    Reject,
}

/// The life of a decision record: PROPOSED → ACCEPTED → DEPRECATED or SUPERSEDED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DecisionStatus {
    #[sea_orm(string_value = "PROPOSED")]
    Proposed,
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    #[sea_orm(string_value = "DEPRECATED")]
    Deprecated,
    #[sea_orm(string_value = "SUPERSEDED")]
    Superseded,
}

/// What a KPI's values measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum KpiUnit {
    #[sea_orm(string_value = "PERCENT")]
    Percent,
    #[sea_orm(string_value = "COUNT")]
    Count,
    #[sea_orm(string_value = "DURATION_SECONDS")]
    DurationSeconds,
    #[sea_orm(string_value = "CURRENCY")]
    Currency,
    #[sea_orm(string_value = "SCORE")]
    Score,
    #[sea_orm(string_value = "RATIO")]
    Ratio,
}

/// Which way a KPI improves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum KpiDirection {
    #[sea_orm(string_value = "HIGHER_IS_BETTER")]
    HigherIsBetter,
    #[sea_orm(string_value = "LOWER_IS_BETTER")]
    LowerIsBetter,
}

/// The family a KPI belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum KpiCategory {
    #[sea_orm(string_value = "DELIVERY")]
    Delivery,
    #[sea_orm(string_value = "RELIABILITY")]
    Reliability,
    #[sea_orm(string_value = "CUSTOMER")]
    Customer,
    #[sea_orm(string_value = "BUSINESS")]
    Business,
    #[sea_orm(string_value = "QUALITY")]
    Quality,
}

/// Where a measurement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MeasurementSource {
    #[sea_orm(string_value = "MANUAL")]
    Manual,
    #[sea_orm(string_value = "INTEGRATION")]
    Integration,
}

/// How an outcome is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OutcomeStatus {
    #[sea_orm(string_value = "ON_TRACK")]
    OnTrack,
    #[sea_orm(string_value = "AT_RISK")]
    AtRisk,
    #[sea_orm(string_value = "OFF_TRACK")]
    OffTrack,
    #[sea_orm(string_value = "ACHIEVED")]
    Achieved,
    #[sea_orm(string_value = "MISSED")]
    Missed,
}

/// The life of an initiative: PROPOSED → PLANNED → IN_PROGRESS → DONE, or DROPPED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum InitiativeStatus {
    #[sea_orm(string_value = "PROPOSED")]
    Proposed,
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "DROPPED")]
    Dropped,
}

/// The state of a cross-squad dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum DependencyStatus {
    #[sea_orm(string_value = "OPEN")]
    Open,
    #[sea_orm(string_value = "AT_RISK")]
    AtRisk,
    #[sea_orm(string_value = "DONE")]
    Done,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

/// The life of a roadmap alignment session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AlignmentStatus {
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "IN_SESSION")]
    InSession,
    #[sea_orm(string_value = "ALIGNED")]
    Aligned,
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

/// How firmly a roadmap item is promised for the quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Commitment {
    #[sea_orm(string_value = "COMMITTED")]
    Committed,
    #[sea_orm(string_value = "STRETCH")]
    Stretch,
    #[sea_orm(string_value = "DEFERRED")]
    Deferred,
}
