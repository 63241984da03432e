//! API tokens on the wire: create (the secret shown once), list, revoke.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{api_token, user};

use crate::{
    auth::{TokenScope, TokenScopes},
    db::now,
    domain::{
        identity::graphql::User,
        integrations::{is_active, ApiTokenFilter as ApiTokenFilterArgs, NewApiToken},
    },
    error::ApiResult,
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::ContextExt,
        ids::{self, Kind},
        loaders::load_one,
    },
};

/// What an API token may do. Written in the docs and the audit log as `read`,
/// `kpis:write`, `initiatives:write`, `debt:write`, `delivery:write`.
#[derive(async_graphql::Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ApiTokenScope {
    /// `read`: read everything members of the organisation read (every query,
    /// `changes`, subscriptions).
    Read,
    /// `kpis:write`: record, upsert and bulk-upsert KPI measurements, and delete those
    /// the token recorded.
    KpisWrite,
    /// `initiatives:write`: create, upsert and change initiatives and outcomes, and map
    /// initiatives to outcomes.
    InitiativesWrite,
    /// `debt:write`: write technical-debt items.
    DebtWrite,
    /// `delivery:write`: write deployments and incidents.
    DeliveryWrite,
}

impl From<ApiTokenScope> for TokenScope {
    fn from(s: ApiTokenScope) -> Self {
        match s {
            ApiTokenScope::Read => TokenScope::Read,
            ApiTokenScope::KpisWrite => TokenScope::KpisWrite,
            ApiTokenScope::InitiativesWrite => TokenScope::InitiativesWrite,
            ApiTokenScope::DebtWrite => TokenScope::DebtWrite,
            ApiTokenScope::DeliveryWrite => TokenScope::DeliveryWrite,
        }
    }
}

impl From<TokenScope> for ApiTokenScope {
    fn from(s: TokenScope) -> Self {
        match s {
            TokenScope::Read => ApiTokenScope::Read,
            TokenScope::KpisWrite => ApiTokenScope::KpisWrite,
            TokenScope::InitiativesWrite => ApiTokenScope::InitiativesWrite,
            TokenScope::DebtWrite => ApiTokenScope::DebtWrite,
            TokenScope::DeliveryWrite => ApiTokenScope::DeliveryWrite,
        }
    }
}

/// An integration's credential. The secret itself is shown once, by `createApiToken`,
/// and never again.
pub struct ApiToken(pub api_token::Model);

#[Object]
impl ApiToken {
    /// The token's opaque global id (for `revokeApiToken`).
    async fn id(&self) -> ID {
        ids::encode(Kind::ApiToken, self.0.id)
    }
    /// What the ADMIN called it, e.g. "Jira sync".
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The start of the token, `nst_` and 4 characters, to tell tokens apart.
    async fn prefix(&self) -> String {
        format!("nst_{}…", self.0.lookup.get(..4).unwrap_or(""))
    }
    /// What it may do.
    async fn scopes(&self) -> Vec<ApiTokenScope> {
        TokenScopes::parse(&self.0.scopes)
            .iter()
            .map(Into::into)
            .collect()
    }
    /// The ADMIN who created it.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.created_by)
            .await
            .map(User)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// After this instant the token is refused; null: it does not expire.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }
    /// When it was revoked; a revoked token is refused.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// When it was last used, to the minute (updated with the first request of each
    /// minute); null if never.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    /// Neither revoked nor expired.
    async fn is_active(&self) -> bool {
        is_active(&self.0, now())
    }
}

/// Which API tokens to list.
#[derive(InputObject, Default)]
pub struct ApiTokenFilter {
    /// Also revoked and expired tokens (default: only active ones).
    #[graphql(default)]
    pub include_inactive: bool,
}

/// Queries of API tokens.
#[derive(Default)]
pub struct ApiTokenQuery;

#[Object]
impl ApiTokenQuery {
    /// The organisation's API tokens, newest first (ADMIN). Never their secrets.
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<ApiTokenFilter>,
    ) -> ApiResult<Conn<ApiToken>> {
        let actor = &ctx.actor().await?;
        let filter = ApiTokenFilterArgs {
            include_inactive: filter.unwrap_or_default().include_inactive,
        };
        let page = ctx
            .services()
            .integrations
            .list_tokens(actor, &filter, &page_args(first, after, last, before))
            .await?;
        Ok(connection(
            page,
            ApiToken,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.integrations.count_tokens(actor, f))
            }),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// What the token is for, e.g. "Jira sync" (1–200 characters).
    pub name: String,
    /// What it may do; at least one scope.
    pub scopes: Vec<ApiTokenScope>,
    /// After this instant it is refused; without it, it works until revoked.
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    pub api_token: ApiToken,
    /// The token, `nst_…`, to send as `Authorization: Bearer nst_…`. Shown this once:
    /// only its hash is stored.
    pub secret: String,
}

#[derive(InputObject)]
pub struct RevokeApiTokenInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct RevokeApiTokenPayload {
    pub api_token: ApiToken,
}

/// Mutations of API tokens.
#[derive(Default)]
pub struct ApiTokenMutation;

#[Object]
impl ApiTokenMutation {
    /// Creates an API token for an integration (ADMIN). The payload holds the token's
    /// secret, shown this once.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> ApiResult<CreateApiTokenPayload> {
        let (row, secret) = ctx
            .services()
            .integrations
            .create_token(
                &ctx.actor().await?,
                NewApiToken {
                    name: input.name,
                    scopes: input.scopes.into_iter().map(TokenScope::from).collect(),
                    expires_at: input.expires_at,
                },
            )
            .await?;
        Ok(CreateApiTokenPayload {
            api_token: ApiToken(row),
            secret,
        })
    }

    /// Revokes an API token (ADMIN): its next request is UNAUTHENTICATED on every
    /// server, and its open subscriptions end. Revoking a revoked token changes nothing.
    async fn revoke_api_token(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiTokenInput,
    ) -> ApiResult<RevokeApiTokenPayload> {
        let id = ids::decode(&input.id, Kind::ApiToken, "id")?;
        let row = ctx
            .services()
            .integrations
            .revoke_token(&ctx.actor().await?, id)
            .await?;
        Ok(RevokeApiTokenPayload {
            api_token: ApiToken(row),
        })
    }
}
