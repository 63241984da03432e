//! What a resolver reads from its context: the services, the caller and this request's
//! loaders. Every area's GraphQL module imports this; it imports no area's GraphQL.

use std::{future::Future, sync::Arc};

use async_graphql::{
    dataloader::{DataLoader, Loader},
    parser::types::OperationType,
    Context,
};

use crate::{
    auth::{jwt::Claims, Actor, Origin},
    authz::{self, Action},
    domain::identity::IdentityService,
    error::{ApiError, ApiResult},
    services::Services,
};

/// Who the request says it is.
///
/// A user's bearer token is checked when the request arrives (signature and expiry: no
/// I/O), and the user's row is read the first time a resolver asks for the caller, once
/// per request, so a request that needs no authorization (`{ __typename }`, `login`)
/// costs no statement. Reading the row on every request that does need it keeps
/// deactivation immediate. An API token is checked against its row when the request
/// arrives (its budget is counted then), so revocation is immediate too.
#[derive(Debug)]
pub struct Auth {
    claims: Option<Claims>,
    request_id: Option<Arc<str>>,
    actor: tokio::sync::OnceCell<Option<Actor>>,
}

impl Auth {
    /// A request with a verified user token's claims, or none (no token, or an invalid
    /// one).
    pub fn from_claims(claims: Option<Claims>, request_id: Option<Arc<str>>) -> Self {
        Self {
            claims,
            request_id,
            actor: tokio::sync::OnceCell::new(),
        }
    }

    /// A caller already authenticated (an API token over HTTP; a WebSocket
    /// connection's `connection_init`).
    pub fn authenticated(actor: Actor, request_id: Option<Arc<str>>) -> Self {
        Self {
            claims: None,
            request_id,
            actor: tokio::sync::OnceCell::new_with(Some(Some(actor))),
        }
    }

    /// The caller, read on first use. An unknown, deactivated or revoked user is
    /// UNAUTHENTICATED; a database failure is INTERNAL and is not remembered.
    async fn actor(&self, identity: &IdentityService) -> ApiResult<&Actor> {
        let actor = self
            .actor
            .get_or_try_init(|| async {
                let Some(claims) = &self.claims else {
                    return Ok(None);
                };
                match identity.actor_for(claims).await {
                    Ok(actor) => Ok(Some(actor)),
                    Err(ApiError::Unauthenticated) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await?;
        actor.as_ref().ok_or(ApiError::Unauthenticated)
    }
}

/// The client's network address (the TCP peer; proxies are not trusted).
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

/// Shortcuts from a resolver's context.
pub trait ContextExt {
    /// The services.
    fn services(&self) -> &Services;
    /// The authenticated caller, or UNAUTHENTICATED, calling from this request and, in
    /// a mutation's resolver, for this mutation (what the audit log records). Outside a
    /// mutation the caller must be allowed to read ([`Action::Read`]: an API token
    /// without the `read` scope is FORBIDDEN).
    fn actor(&self) -> impl Future<Output = ApiResult<Actor>> + Send;
    /// Where the request comes from, for a mutation that has no caller yet (sign-in).
    fn origin(&self) -> Origin;
    /// This request's loader of kind `L`.
    fn loader<L: Loader<K>, K>(&self) -> &DataLoader<L>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> &Services {
        self.data_unchecked::<Services>()
    }

    async fn actor(&self) -> ApiResult<Actor> {
        let Some(auth) = self.data_opt::<Auth>() else {
            return Err(ApiError::Unauthenticated);
        };
        let actor = auth.actor(&self.services().identity).await?;
        // `query_env` is public for async-graphql's generated code; the operation's type
        // is the one fact of it read here.
        if self.query_env.operation.node.ty != OperationType::Mutation {
            authz::check(actor, Action::Read)?;
        }
        Ok(actor.clone().with_origin(self.origin()))
    }

    fn origin(&self) -> Origin {
        // The root field, when asked from its resolver: the mutation's name, not the
        // alias the client gave it.
        let at_root = self.path_node.is_some_and(|p| p.parent.is_none());
        Origin {
            request_id: self.data_opt::<Auth>().and_then(|a| a.request_id.clone()),
            operation: at_root.then(|| Arc::from(self.field().name())),
        }
    }

    fn loader<L: Loader<K>, K>(&self) -> &DataLoader<L>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    {
        self.data_unchecked::<DataLoader<L>>()
    }
}
