//! The Relay `Node` interface and `node(id:)`.

use async_graphql::{Context, Interface, Object, ID};
use entity::{
    architecture_review, decision_record, dependency, initiative, kpi_measurement, kpi_view,
    outcome, review_comment, roadmap_alignment, roadmap_item, squad, team, user,
};
use uuid::Uuid;

use crate::{
    domain::{
        decisions::graphql::DecisionRecord,
        identity::graphql::{Organization, User},
        kpis::graphql::{Kpi, KpiMeasurement},
        planning::graphql::{Dependency, Initiative, Outcome},
        reviews::graphql::{ArchitectureReview, ReviewComment},
        roadmap::graphql::{RoadmapAlignment, RoadmapItem},
        squads::graphql::Squad,
        teams::graphql::Team,
    },
    error::{ApiError, ApiResult},
    graphql::{
        context::ContextExt,
        ids::{self, Kind},
        loaders::{load_one, OrganizationLoader},
    },
};

/// An object with a global id, fetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The object's opaque global id."))]
pub enum Node {
    Organization(Organization),
    User(User),
    Team(Team),
    Squad(Squad),
    ArchitectureReview(ArchitectureReview),
    ReviewComment(ReviewComment),
    DecisionRecord(DecisionRecord),
    Kpi(Kpi),
    KpiMeasurement(KpiMeasurement),
    Outcome(Outcome),
    Initiative(Initiative),
    Dependency(Dependency),
    RoadmapAlignment(RoadmapAlignment),
    RoadmapItem(RoadmapItem),
}

/// The `node` query.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object of the caller's organisation by its global id. Another
    /// organisation's object is NOT_FOUND, exactly like one that does not exist.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        let actor = ctx.actor().await?;
        let (kind, uuid) = ids::decode_any(&id)
            .ok_or_else(|| ApiError::bad_input("id", "id is not a valid id"))?;
        load_node(ctx, actor.org_id(), kind, uuid).await.map(Some)
    }
}

/// The object `uuid` of `kind` in the organisation `org`; NOT_FOUND when there is none
/// (or it is another organisation's).
pub async fn load_node(ctx: &Context<'_>, org: Uuid, kind: Kind, uuid: Uuid) -> ApiResult<Node> {
    let node = match kind {
        Kind::Organization if uuid == org => Node::Organization(Organization(
            ctx.loader::<OrganizationLoader, _>()
                .load_one(uuid)
                .await?
                .ok_or(ApiError::NotFound)?,
        )),
        // An API token is not a node: only ADMINs see tokens, through `apiTokens`.
        Kind::Organization | Kind::ApiToken => return Err(ApiError::NotFound),
        Kind::User => Node::User(User(load_one::<user::Entity>(ctx, org, uuid).await?)),
        Kind::Team => Node::Team(Team(load_one::<team::Entity>(ctx, org, uuid).await?)),
        Kind::Squad => Node::Squad(Squad(load_one::<squad::Entity>(ctx, org, uuid).await?)),
        Kind::ArchitectureReview => Node::ArchitectureReview(ArchitectureReview(
            load_one::<architecture_review::Entity>(ctx, org, uuid).await?,
        )),
        Kind::ReviewComment => Node::ReviewComment(ReviewComment(
            load_one::<review_comment::Entity>(ctx, org, uuid).await?,
        )),
        Kind::DecisionRecord => Node::DecisionRecord(DecisionRecord(
            load_one::<decision_record::Entity>(ctx, org, uuid).await?,
        )),
        Kind::Kpi => Node::Kpi(Kpi(load_one::<kpi_view::Entity>(ctx, org, uuid).await?)),
        Kind::KpiMeasurement => Node::KpiMeasurement(KpiMeasurement(
            load_one::<kpi_measurement::Entity>(ctx, org, uuid).await?,
        )),
        Kind::Outcome => Node::Outcome(Outcome(load_one::<outcome::Entity>(ctx, org, uuid).await?)),
        Kind::Initiative => Node::Initiative(Initiative(
            load_one::<initiative::Entity>(ctx, org, uuid).await?,
        )),
        Kind::Dependency => Node::Dependency(Dependency(
            load_one::<dependency::Entity>(ctx, org, uuid).await?,
        )),
        Kind::RoadmapAlignment => Node::RoadmapAlignment(RoadmapAlignment(
            load_one::<roadmap_alignment::Entity>(ctx, org, uuid).await?,
        )),
        Kind::RoadmapItem => Node::RoadmapItem(RoadmapItem(
            load_one::<roadmap_item::Entity>(ctx, org, uuid).await?,
        )),
    };
    Ok(node)
}
