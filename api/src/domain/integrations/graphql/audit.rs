//! The audit log on the wire (ADMIN).

use async_graphql::{Context, InputObject, Object, ID};
use chrono::{DateTime, Utc};
use entity::{api_token, audit_event, user};

use super::tokens::ApiToken;
use crate::{
    domain::{identity::graphql::User, integrations::AuditFilter as AuditFilterArgs, kind::Kind},
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        ids,
        loaders::load_opt,
    },
};

/// One successful mutation, as the audit log keeps it: who, what, on which object,
/// in which request, when. It never holds secrets or private text.
pub struct AuditEvent(pub audit_event::Model);

#[Object]
impl AuditEvent {
    /// When the mutation committed.
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }
    /// The mutation, e.g. "createSquad", "bulkUpsertInitiatives".
    async fn operation(&self) -> &str {
        &self.0.operation
    }
    /// The GraphQL type of the object it was about, e.g. "Squad".
    async fn object_type(&self) -> Option<&str> {
        self.0.object_type.as_deref()
    }
    /// The global id of the object it was about (it may since have been deleted).
    async fn object_id(&self) -> Option<ID> {
        let kind = self.0.object_type.as_deref().and_then(Kind::parse)?;
        Some(ids::encode(kind, self.0.object_id?))
    }
    /// The person who did it; null when an API token did.
    async fn actor_user(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let user = load_opt::<user::Entity>(ctx, self.0.organization_id, self.0.actor_user_id);
        Ok(user.await?.map(User))
    }
    /// The API token that did it, if one did.
    async fn actor_token(&self, ctx: &Context<'_>) -> ApiResult<Option<ApiToken>> {
        let token =
            load_opt::<api_token::Entity>(ctx, self.0.organization_id, self.0.actor_token_id);
        Ok(token.await?.map(ApiToken))
    }
    /// The request it came in (the `x-request-id` and log lines of the server).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

/// Which audit events to list.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// Only what this user did.
    pub actor_user_id: Option<ID>,
    /// Only what this API token did.
    pub actor_token_id: Option<ID>,
    /// Only events about this object (any global id).
    pub object_id: Option<ID>,
    /// Only this mutation, e.g. "createSquad".
    pub operation: Option<String>,
    /// At or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

impl TryFrom<AuditEventFilter> for AuditFilterArgs {
    type Error = ApiError;

    fn try_from(f: AuditEventFilter) -> ApiResult<Self> {
        let object = f
            .object_id
            .map(|id| {
                ids::decode_any(&id)
                    .ok_or_else(|| ApiError::bad_input("objectId", "objectId is not a valid id"))
            })
            .transpose()?;
        Ok(Self {
            actor_user_id: ids::decode_opt(&f.actor_user_id, Kind::User, "actorUserId")?,
            actor_token_id: ids::decode_opt(&f.actor_token_id, Kind::ApiToken, "actorTokenId")?,
            object,
            operation: f.operation,
            from: f.from,
            to: f.to,
        })
    }
}

/// Queries of the audit log.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first (ADMIN): one event per object each successful
    /// mutation was about.
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<AuditEventFilter>,
    ) -> ApiResult<Conn<AuditEvent>> {
        let actor = &ctx.actor().await?;
        let filter: AuditFilterArgs = filter.unwrap_or_default().try_into()?;
        let page = ctx
            .services()
            .integrations
            .list_audit_events(actor, &filter, &page_args(first, after, last, before))
            .await?;
        Ok(connection(
            page,
            AuditEvent,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.integrations.count_audit_events(actor, f))
            }),
        ))
    }
}
