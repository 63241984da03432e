//! Every service, built once at start and shared by all requests: the one place that
//! knows every area's service.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    auth::jwt::JwtKeys,
    domain::{decisions, identity, integrations, kpis, planning, reviews, roadmap, squads, teams},
    events::EventBus,
};

/// Every service, built once at start and shared by all requests.
#[derive(Clone)]
pub struct Services {
    pub identity: identity::IdentityService,
    pub teams: teams::TeamService,
    pub squads: squads::SquadService,
    pub reviews: reviews::ReviewService,
    pub decisions: decisions::DecisionService,
    pub kpis: kpis::KpiService,
    pub planning: planning::PlanningService,
    pub roadmap: roadmap::RoadmapService,
    pub integrations: integrations::IntegrationService,
    pub events: EventBus,
    pub db: DatabaseConnection,
}

impl Services {
    /// The services over one database, signing tokens with `jwt`.
    pub fn new(
        db: DatabaseConnection,
        jwt: JwtKeys,
        events: EventBus,
        integrations: integrations::IntegrationSettings,
    ) -> Self {
        let jwt = Arc::new(jwt);
        Self {
            identity: identity::IdentityService::new(db.clone(), jwt, events.clone()),
            teams: teams::TeamService::new(db.clone()),
            squads: squads::SquadService::new(db.clone()),
            reviews: reviews::ReviewService::new(db.clone()),
            decisions: decisions::DecisionService::new(db.clone()),
            kpis: kpis::KpiService::new(db.clone()),
            planning: planning::PlanningService::new(db.clone()),
            roadmap: roadmap::RoadmapService::new(db.clone(), events.clone()),
            integrations: integrations::IntegrationService::new(
                db.clone(),
                events.clone(),
                integrations,
            ),
            events,
            db,
        }
    }
}
