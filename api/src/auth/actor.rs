use std::sync::Arc;

use entity::enums::{Discipline, OrgRole};
use uuid::Uuid;

use super::scopes::TokenScopes;
use crate::error::{ApiError, ApiResult};

/// The authenticated caller of a request, within one organisation, and where the call
/// comes from (for the audit log).
#[derive(Debug, Clone)]
pub struct Actor {
    org_id: Uuid,
    principal: Principal,
    origin: Origin,
}

/// What kind of caller it is.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A signed-in person.
    User {
        id: Uuid,
        org_role: OrgRole,
        discipline: Discipline,
    },
    /// An integration's API token: it acts within its scopes, never as a person.
    Token {
        id: Uuid,
        scopes: TokenScopes,
        name: Arc<str>,
    },
}

/// Where a call comes from: the request, and the GraphQL mutation it runs for. The
/// audit log records both.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// The request id (`x-request-id`, the log lines' `request_id`).
    pub request_id: Option<Arc<str>>,
    /// The root field of the operation, e.g. `"createSquad"`.
    pub operation: Option<Arc<str>>,
}

impl Actor {
    /// A signed-in user of `org_id`.
    pub fn user(org_id: Uuid, id: Uuid, org_role: OrgRole, discipline: Discipline) -> Self {
        Self {
            org_id,
            principal: Principal::User {
                id,
                org_role,
                discipline,
            },
            origin: Origin::default(),
        }
    }

    /// An API token of `org_id`.
    pub fn token(org_id: Uuid, id: Uuid, scopes: TokenScopes, name: impl Into<Arc<str>>) -> Self {
        Self {
            org_id,
            principal: Principal::Token {
                id,
                scopes,
                name: name.into(),
            },
            origin: Origin::default(),
        }
    }

    /// The same caller, calling from `origin`.
    pub fn with_origin(mut self, origin: Origin) -> Self {
        self.origin = origin;
        self
    }

    /// Where the call comes from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The tenant every query of this actor is confined to.
    pub fn org_id(&self) -> Uuid {
        self.org_id
    }

    /// The kind of caller.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The person behind the request; `None` for an API token.
    pub fn user_id(&self) -> Option<Uuid> {
        match &self.principal {
            Principal::User { id, .. } => Some(*id),
            Principal::Token { .. } => None,
        }
    }

    /// The person behind the request, for what only a person does (an author, a
    /// facilitator, a sign-off): FORBIDDEN for an API token. The policy refuses tokens
    /// such actions first; this keeps the refusal when a path forgets to ask.
    pub fn person(&self) -> ApiResult<Uuid> {
        self.user_id().ok_or(ApiError::Forbidden)
    }

    /// The API token behind the request, if one is.
    pub fn token_id(&self) -> Option<Uuid> {
        match &self.principal {
            Principal::Token { id, .. } => Some(*id),
            Principal::User { .. } => None,
        }
    }

    /// The discipline of a person (DESIGN §2: some actions are ENGINEERING's); FORBIDDEN
    /// for an API token, which has none.
    pub fn discipline(&self) -> ApiResult<Discipline> {
        match &self.principal {
            Principal::User { discipline, .. } => Ok(*discipline),
            Principal::Token { .. } => Err(ApiError::Forbidden),
        }
    }
}
