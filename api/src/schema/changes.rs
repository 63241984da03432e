//! The change feed on the wire (issue 13): `changes(since:, first:)`. It lives with the
//! schema because a change names any node.

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{api_token, change_log, user};

use super::node::{load_node, Node};
use crate::{
    domain::{identity::graphql::User, journal, kind::Kind},
    error::{ApiError, ApiResult},
    graphql::{context::ContextExt, ids, loaders::load_opt},
};

/// What happened to the object of a change.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// It was created (for a relation: added).
    Created,
    /// It changed (for a relation: its details, such as a member's role).
    Updated,
    /// It was deleted (for a relation: removed).
    Deleted,
}

/// One entry of the change feed: an object created, updated or deleted, or a relation
/// between two objects added, changed or removed.
pub struct Change(pub change_log::Model);

impl Change {
    fn kind_of(&self) -> Option<Kind> {
        Kind::parse(&self.0.object_type)
    }
}

#[Object]
impl Change {
    /// What happened.
    async fn kind(&self) -> ApiResult<ChangeKind> {
        match journal::ChangeKind::parse(&self.0.kind) {
            Some(journal::ChangeKind::Created) => Ok(ChangeKind::Created),
            Some(journal::ChangeKind::Updated) => Ok(ChangeKind::Updated),
            Some(journal::ChangeKind::Deleted) => Ok(ChangeKind::Deleted),
            None => Err(ApiError::internal(anyhow::anyhow!(
                "change {} has the kind {:?}",
                self.0.seq,
                self.0.kind
            ))),
        }
    }
    /// The GraphQL type of what changed: an object type ("Initiative",
    /// "KpiMeasurement", …) or a relation between two objects ("InitiativeOutcome": an
    /// initiative mapped to an outcome; "KpiOwner"; "TeamMembership";
    /// "SquadMembership"; "ReviewReviewer"; "AlignmentParticipant"; "AlignmentSignOff").
    #[graphql(name = "type")]
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    /// The global id of the object; for a relation, of its first end (the initiative of
    /// an InitiativeOutcome, the KPI of a KpiOwner, the team of a TeamMembership).
    async fn id(&self) -> ApiResult<ID> {
        let kind = match self.kind_of() {
            Some(kind) => kind,
            None => relation_end(&self.0.object_type).ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!(
                    "change {} names the type {:?}",
                    self.0.seq,
                    self.0.object_type
                ))
            })?,
        };
        Ok(ids::encode(kind, self.0.object_id))
    }
    /// For a relation: the global id of its other end (the outcome, the owner, the
    /// member). Null for an object.
    async fn related_id(&self) -> Option<ID> {
        let kind = Kind::parse(self.0.related_type.as_deref()?)?;
        Some(ids::encode(kind, self.0.related_id?))
    }
    /// The object as it is now (for a relation: its first end); null when it no longer
    /// exists.
    async fn node(&self, ctx: &Context<'_>) -> ApiResult<Option<Node>> {
        let kind = match self.kind_of() {
            Some(kind) => kind,
            None => match relation_end(&self.0.object_type) {
                Some(kind) => kind,
                None => return Ok(None),
            },
        };
        match load_node(ctx, self.0.organization_id, kind, self.0.object_id).await {
            Ok(node) => Ok(Some(node)),
            Err(ApiError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
    /// When the change was made.
    async fn at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The person who made it; null when an API token did.
    async fn changed_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let user = load_opt::<user::Entity>(ctx, self.0.organization_id, self.0.actor_user_id);
        Ok(user.await?.map(User))
    }
    /// The name of the API token that made it, if one did.
    async fn changed_by_token(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let token =
            load_opt::<api_token::Entity>(ctx, self.0.organization_id, self.0.actor_token_id);
        Ok(token.await?.map(|t| t.name))
    }
}

/// The kind of a relation's first end.
fn relation_end(relation: &str) -> Option<Kind> {
    Some(match relation {
        "InitiativeOutcome" => Kind::Initiative,
        "KpiOwner" => Kind::Kpi,
        "TeamMembership" => Kind::Team,
        "SquadMembership" => Kind::Squad,
        "ReviewReviewer" => Kind::ArchitectureReview,
        "AlignmentParticipant" | "AlignmentSignOff" => Kind::RoadmapAlignment,
        _ => return None,
    })
}

/// A page of the change feed.
#[derive(SimpleObject)]
pub struct ChangeFeed {
    /// The changes, oldest first.
    pub nodes: Vec<Change>,
    /// Where to go on from: pass it as `since` next time, also when `nodes` is empty.
    pub cursor: String,
    /// More changes are already waiting past this page: ask again at once.
    pub has_more: bool,
}

/// The `changes` query.
#[derive(Default)]
pub struct ChangeQuery;

#[Object]
impl ChangeQuery {
    /// What changed in the organisation after `since` (a cursor from an earlier
    /// answer; without it, from the oldest change kept), oldest first, `first` at a
    /// time (1–100, default 100): creations, updates and deletions of objects, and
    /// relations added and removed. A cursor older than the change log keeps (30 days
    /// by default) is BAD_USER_INPUT: read the lists again, then follow changes anew.
    async fn changes(
        &self,
        ctx: &Context<'_>,
        since: Option<String>,
        first: Option<i32>,
    ) -> ApiResult<ChangeFeed> {
        let actor = ctx.actor().await?;
        let page = ctx
            .services()
            .integrations
            .changes(&actor, since.as_deref(), first)
            .await?;
        Ok(ChangeFeed {
            nodes: page.entries.into_iter().map(Change).collect(),
            cursor: page.cursor,
            has_more: page.has_more,
        })
    }
}
