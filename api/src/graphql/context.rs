//! What a resolver reads from its context: the services, the caller and this request's
//! loaders. Every area's GraphQL module imports this; it imports no area's GraphQL.

use std::future::Future;

use async_graphql::{
    dataloader::{DataLoader, Loader},
    Context,
};

use crate::{
    auth::{jwt::Claims, Actor},
    domain::identity::IdentityService,
    error::{ApiError, ApiResult},
    services::Services,
};

/// Who the request says it is.
///
/// The bearer token is checked when the request arrives (signature and expiry: no I/O).
/// The user's row is read the first time a resolver asks for the caller, once per
/// request, so a request that needs no authorization (`{ __typename }`, `login`) costs
/// no statement. Reading the row on every request that does need it keeps deactivation
/// immediate.
#[derive(Debug)]
pub struct Auth {
    claims: Option<Claims>,
    actor: tokio::sync::OnceCell<Option<Actor>>,
}

impl Auth {
    /// A request with a verified token's claims, or none (no token, or an invalid one).
    pub fn from_claims(claims: Option<Claims>) -> Self {
        Self {
            claims,
            actor: tokio::sync::OnceCell::new(),
        }
    }

    /// A caller already authenticated (a WebSocket connection's `connection_init`).
    pub fn authenticated(actor: Actor) -> Self {
        Self {
            claims: None,
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
    /// The authenticated caller, or UNAUTHENTICATED.
    fn actor(&self) -> impl Future<Output = ApiResult<&Actor>> + Send;
    /// This request's loader of kind `L`.
    fn loader<L: Loader<K>, K>(&self) -> &DataLoader<L>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static;
}

impl ContextExt for Context<'_> {
    fn services(&self) -> &Services {
        self.data_unchecked::<Services>()
    }

    async fn actor(&self) -> ApiResult<&Actor> {
        match self.data_opt::<Auth>() {
            Some(auth) => auth.actor(&self.services().identity).await,
            None => Err(ApiError::Unauthenticated),
        }
    }

    fn loader<L: Loader<K>, K>(&self) -> &DataLoader<L>
    where
        K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    {
        self.data_unchecked::<DataLoader<L>>()
    }
}
