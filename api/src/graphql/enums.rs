//! GraphQL enums, mirrored from the stored enums (entities carry no GraphQL derives),
//! and the macro that mirrors them (the areas' sort fields use it too).

use entity::enums as db;

/// Declares a GraphQL enum that mirrors another enum variant for variant (a stored enum,
/// or a service's sort), with `From` both ways. Attributes before the name go on the
/// enum (`#[derive(Default)]` with a `#[default]` variant, say); a variant's doc comment
/// becomes its schema description.
macro_rules! graphql_enum {
    ($(#[$m:meta])* $name:ident => $ent:ty { $($(#[$vm:meta])* $v:ident),* $(,)? }) => {
        $(#[$m])*
        #[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$vm])* $v),* }
        impl From<$ent> for $name {
            fn from(v: $ent) -> Self {
                type Mirrored = $ent;
                match v { $(Mirrored::$v => Self::$v),* }
            }
        }
        impl From<$name> for $ent {
            fn from(v: $name) -> Self {
                type Mirrored = $ent;
                match v { $($name::$v => Mirrored::$v),* }
            }
        }
    };
}
pub(crate) use graphql_enum;

graphql_enum! {
    /// A person's discipline in a cross-functional squad.
    Discipline => db::Discipline { Engineering, Product, Design }
}

graphql_enum! {
    /// A user's role in the organisation.
    OrgRole => db::OrgRole {
        /// Manages users, roles, tokens and teams.
        Admin,
        /// Reads everything and does what their team and squad roles allow.
        Member,
        /// Reads only.
        Viewer,
    }
}

graphql_enum! {
    /// A member's role in a team or squad.
    MemberRole => db::MemberRole { Lead, Member }
}

graphql_enum! {
    /// The life of a squad: PILOT → ACTIVE → ARCHIVED, forward only.
    SquadStatus => db::SquadStatus { Pilot, Active, Archived }
}

graphql_enum! {
    /// The life of an architecture review: DRAFT → IN_REVIEW → APPROVED,
    /// CHANGES_REQUESTED (resubmitted: IN_REVIEW again) or REJECTED; or WITHDRAWN.
    ArchitectureReviewStatus => db::ReviewStatus {
        /// Being written; only its author changes it.
        Draft,
        /// Submitted for a meeting; the reviewers give their verdicts.
        InReview,
        /// Every reviewer approved.
        Approved,
        /// A reviewer asked for changes (and none rejected); the author may resubmit.
        ChangesRequested,
        /// A reviewer rejected it.
        Rejected,
        /// Its author withdrew it.
        Withdrawn,
    }
}

graphql_enum! {
    /// A reviewer's verdict on an architecture review.
    ReviewVerdict => db::ReviewVerdict {
        /// No verdict yet.
        Pending,
        Approve,
        RequestChanges,
        Reject,
    }
}

graphql_enum! {
    /// The life of a decision record: PROPOSED → ACCEPTED → DEPRECATED or SUPERSEDED.
    DecisionRecordStatus => db::DecisionStatus { Proposed, Accepted, Deprecated, Superseded }
}

graphql_enum! {
    /// What a KPI's values measure.
    KpiUnit => db::KpiUnit { Percent, Count, DurationSeconds, Currency, Score, Ratio }
}

graphql_enum! {
    /// Which way a KPI improves.
    KpiDirection => db::KpiDirection { HigherIsBetter, LowerIsBetter }
}

graphql_enum! {
    /// The family a KPI belongs to.
    KpiCategory => db::KpiCategory { Delivery, Reliability, Customer, Business, Quality }
}

graphql_enum! {
    /// Where a measurement came from: a person, or an integration (with an external reference).
    MeasurementSource => db::MeasurementSource { Manual, Integration }
}

graphql_enum! {
    /// How a quarterly outcome is going, and how it ended.
    OutcomeStatus => db::OutcomeStatus { OnTrack, AtRisk, OffTrack, Achieved, Missed }
}

graphql_enum! {
    /// The life of an initiative: PROPOSED → PLANNED → IN_PROGRESS → DONE, or DROPPED
    /// from any state before DONE.
    InitiativeStatus => db::InitiativeStatus { Proposed, Planned, InProgress, Done, Dropped }
}

graphql_enum! {
    /// The state of a cross-squad dependency.
    DependencyStatus => db::DependencyStatus { Open, AtRisk, Done, Cancelled }
}

graphql_enum! {
    /// The life of a roadmap alignment session: DRAFT → IN_SESSION → ALIGNED (all three
    /// disciplines signed off) → CLOSED; a change after a sign-off returns it to IN_SESSION.
    AlignmentStatus => db::AlignmentStatus { Draft, InSession, Aligned, Closed }
}

graphql_enum! {
    /// How firmly a roadmap item is promised for the quarter.
    Commitment => db::Commitment { Committed, Stretch, Deferred }
}

/// Sort direction of a list.
#[derive(async_graphql::Enum, Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum OrderDirection {
    #[default]
    Asc,
    Desc,
}

impl OrderDirection {
    /// True for `DESC`.
    pub fn descending(self) -> bool {
        self == OrderDirection::Desc
    }
}
