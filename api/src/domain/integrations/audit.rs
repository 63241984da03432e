//! The audit log: one event per object each successful mutation was about, written by
//! [`crate::domain::journal::Write`] in the mutation's own transaction (issue 13).
//! ADMINs read it.

use chrono::{DateTime, Utc};
use entity::audit_event;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use super::service::IntegrationService;
use crate::{
    auth::Actor,
    authz::{self, Action},
    domain::kind::Kind,
    error::ApiResult,
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// Which audit events to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<Uuid>,
    pub actor_token_id: Option<Uuid>,
    /// The object the event is about.
    pub object: Option<(Kind, Uuid)>,
    /// The mutation, e.g. `createSquad`.
    pub operation: Option<String>,
    /// At or after.
    pub from: Option<DateTime<Utc>>,
    /// Before.
    pub to: Option<DateTime<Utc>>,
}

/// The order of the audit log: newest first.
pub fn audit_order() -> Order<audit_event::Entity> {
    Order {
        column: audit_event::Column::OccurredAt,
        id: audit_event::Column::Id,
        descending: true,
        key: |m| SortValue::Time(m.occurred_at),
        id_of: |m| m.id,
    }
}

impl IntegrationService {
    fn audit_query(&self, actor: &Actor, f: &AuditFilter) -> Select<audit_event::Entity> {
        let mut q = audit_event::Entity::find()
            .filter(audit_event::Column::OrganizationId.eq(actor.org_id()));
        if let Some(u) = f.actor_user_id {
            q = q.filter(audit_event::Column::ActorUserId.eq(u));
        }
        if let Some(t) = f.actor_token_id {
            q = q.filter(audit_event::Column::ActorTokenId.eq(t));
        }
        if let Some((kind, id)) = f.object {
            q = q
                .filter(audit_event::Column::ObjectType.eq(kind.name()))
                .filter(audit_event::Column::ObjectId.eq(id));
        }
        if let Some(op) = &f.operation {
            q = q.filter(audit_event::Column::Operation.eq(op.as_str()));
        }
        if let Some(from) = f.from {
            q = q.filter(audit_event::Column::OccurredAt.gte(from));
        }
        if let Some(to) = f.to {
            q = q.filter(audit_event::Column::OccurredAt.lt(to));
        }
        q
    }

    /// One page of the audit log, newest first (ADMIN).
    pub async fn list_audit_events(
        &self,
        actor: &Actor,
        filter: &AuditFilter,
        page: &PageArgs,
    ) -> ApiResult<Page<audit_event::Model>> {
        authz::check(actor, Action::ReadAuditLog)?;
        pagination::paginate(
            &self.db,
            self.audit_query(actor, filter),
            audit_order(),
            page,
        )
        .await
    }

    /// How many audit events match (ADMIN).
    pub async fn count_audit_events(&self, actor: &Actor, filter: &AuditFilter) -> ApiResult<u64> {
        authz::check(actor, Action::ReadAuditLog)?;
        pagination::count(&self.db, self.audit_query(actor, filter)).await
    }
}
