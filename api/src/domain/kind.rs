//! The kinds of objects that have a global id, and what a change is about: what global
//! ids, the audit log and the change log name.

use uuid::Uuid;

/// The object types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Organization,
    User,
    Team,
    Squad,
    ArchitectureReview,
    ReviewComment,
    DecisionRecord,
    Kpi,
    KpiMeasurement,
    Outcome,
    Initiative,
    Dependency,
    RoadmapAlignment,
    RoadmapItem,
    ApiToken,
}

impl Kind {
    /// The GraphQL type name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Organization => "Organization",
            Kind::User => "User",
            Kind::Team => "Team",
            Kind::Squad => "Squad",
            Kind::ArchitectureReview => "ArchitectureReview",
            Kind::ReviewComment => "ReviewComment",
            Kind::DecisionRecord => "DecisionRecord",
            Kind::Kpi => "Kpi",
            Kind::KpiMeasurement => "KpiMeasurement",
            Kind::Outcome => "Outcome",
            Kind::Initiative => "Initiative",
            Kind::Dependency => "Dependency",
            Kind::RoadmapAlignment => "RoadmapAlignment",
            Kind::RoadmapItem => "RoadmapItem",
            Kind::ApiToken => "ApiToken",
        }
    }

    /// The kind a GraphQL type name names.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Kind::Organization,
            Kind::User,
            Kind::Team,
            Kind::Squad,
            Kind::ArchitectureReview,
            Kind::ReviewComment,
            Kind::DecisionRecord,
            Kind::Kpi,
            Kind::KpiMeasurement,
            Kind::Outcome,
            Kind::Initiative,
            Kind::Dependency,
            Kind::RoadmapAlignment,
            Kind::RoadmapItem,
            Kind::ApiToken,
        ]
        .into_iter()
        .find(|k| k.name() == s)
    }
}

/// What a change is about: an object with a global id, or a relation between two
/// objects that has none of its own (a KPI's owner, an initiative's outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Subject {
    Object(Kind, Uuid),
    Relation {
        /// The relation's name in the change log, e.g. `"KpiOwner"`.
        name: &'static str,
        from: (Kind, Uuid),
        to: (Kind, Uuid),
    },
}

impl Subject {
    /// The object `id` of `kind`.
    pub fn object(kind: Kind, id: Uuid) -> Self {
        Subject::Object(kind, id)
    }

    /// The relation `name` from one object to another.
    pub fn relation(name: &'static str, from: (Kind, Uuid), to: (Kind, Uuid)) -> Self {
        Subject::Relation { name, from, to }
    }
}
