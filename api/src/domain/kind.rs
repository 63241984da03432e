//! The kinds of objects that have a global id: what global ids, the audit log and the
//! change log name.

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
