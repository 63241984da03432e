//! API tokens: an integration's credential, shown once, stored as a hash, acting within
//! its organisation and its scopes (issue 13; DESIGN §2).
//!
//! A token reads `nst_<lookup><secret>`: the prefix lets secret scanners find a leaked
//! one; `lookup` (12 characters) finds its row without a search by secret; the whole
//! token's SHA-256 is compared with the stored one in constant time.

use chrono::{DateTime, Utc};
use entity::api_token;
use rand::{distributions::Alphanumeric, Rng};
use sea_orm::{sea_query::Expr, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, Select};
use subtle::ConstantTimeEq;
use tracing::instrument;
use uuid::Uuid;

use super::service::IntegrationService;
use crate::{
    auth::{secret, Actor, TokenScopes},
    authz::{self, Action},
    db::now,
    domain::{journal::Write, kind::Kind, tenant::find_in_org, text},
    error::{ApiError, ApiResult},
    events::Revocation,
    pagination::{self, Order, Page, PageArgs, SortValue},
    rate_limit::Budget,
};

/// What every API token starts with.
pub const TOKEN_PREFIX: &str = "nst_";
const LOOKUP_LEN: usize = 12;
const SECRET_LEN: usize = 40;

/// A token to create.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub name: String,
    pub scopes: TokenScopes,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Which tokens to list.
#[derive(Debug, Clone, Default)]
pub struct ApiTokenFilter {
    /// Also revoked and expired tokens.
    pub include_inactive: bool,
}

/// The order of token lists: newest first.
pub fn token_order() -> Order<api_token::Entity> {
    Order {
        column: api_token::Column::CreatedAt,
        id: api_token::Column::Id,
        descending: true,
        key: |m| SortValue::Time(m.created_at),
        id_of: |m| m.id,
    }
}

/// Whether a bearer token is an API token (rather than a user's access token).
pub fn is_api_token(bearer: &str) -> bool {
    bearer.starts_with(TOKEN_PREFIX)
}

fn random(len: usize) -> String {
    rand::rngs::OsRng
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Whether a token still works at `now`.
pub fn is_active(t: &api_token::Model, now: DateTime<Utc>) -> bool {
    t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now)
}

impl IntegrationService {
    /// Creates an API token (ADMIN). Returns the row and the token itself, which is
    /// shown this once and never stored.
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create_token(
        &self,
        actor: &Actor,
        input: NewApiToken,
    ) -> ApiResult<(api_token::Model, String)> {
        authz::check(actor, Action::ManageApiTokens)?;
        let created_by = actor.person()?;
        let name = text::required(&input.name, "name", text::NAME_MAX)?;
        if input.scopes.is_empty() {
            return Err(ApiError::bad_input(
                "scopes",
                "a token needs at least one scope",
            ));
        }
        let now = now();
        if input.expires_at.is_some_and(|e| e <= now) {
            return Err(ApiError::bad_input("expiresAt", "expiresAt is in the past"));
        }
        let lookup = random(LOOKUP_LEN);
        let token = format!("{TOKEN_PREFIX}{lookup}{}", random(SECRET_LEN));
        let w = Write::begin(&self.db, actor).await?;
        // Not journaled in the change log: tokens are the ADMINs' business, not an
        // integration's; the audit event below records the creation.
        let row = api_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            name: Set(name),
            lookup: Set(lookup),
            secret_hash: Set(secret::hash(&token)),
            scopes: Set(input.scopes.to_string()),
            created_by: Set(created_by),
            created_at: Set(now),
            expires_at: Set(input.expires_at),
            revoked_at: Set(None),
            last_used_at: Set(None),
        };
        let row = api_token::Entity::insert(row)
            .exec_with_returning(&w)
            .await?;
        w.commit(Kind::ApiToken, row.id).await?;
        tracing::info!(token.id = %row.id, "API token created");
        Ok((row, token))
    }

    /// Revokes an API token (ADMIN): its next request, on any server, is
    /// UNAUTHENTICATED, and its open subscriptions end. Revoking it again changes
    /// nothing.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), token.id = %id))]
    pub async fn revoke_token(&self, actor: &Actor, id: Uuid) -> ApiResult<api_token::Model> {
        authz::check(actor, Action::ManageApiTokens)?;
        let w = Write::begin(&self.db, actor).await?;
        let row = find_in_org::<api_token::Entity, _>(&w, actor.org_id(), id).await?;
        let revoked = if row.revoked_at.is_none() {
            api_token::Entity::update_many()
                .col_expr(api_token::Column::RevokedAt, Expr::value(w.at()))
                .filter(api_token::Column::Id.eq(row.id))
                .filter(api_token::Column::RevokedAt.is_null())
                .exec(&w)
                .await?;
            true
        } else {
            false
        };
        let row = find_in_org::<api_token::Entity, _>(&w, actor.org_id(), id).await?;
        w.commit(Kind::ApiToken, row.id).await?;
        if revoked {
            tracing::info!("API token revoked");
            self.events
                .revoke(Revocation::token(row.organization_id, row.id))
                .await;
        }
        Ok(row)
    }

    fn tokens_query(&self, actor: &Actor, filter: &ApiTokenFilter) -> Select<api_token::Entity> {
        let mut q =
            api_token::Entity::find().filter(api_token::Column::OrganizationId.eq(actor.org_id()));
        if !filter.include_inactive {
            q = q.filter(api_token::Column::RevokedAt.is_null()).filter(
                sea_orm::Condition::any()
                    .add(api_token::Column::ExpiresAt.is_null())
                    .add(api_token::Column::ExpiresAt.gt(now())),
            );
        }
        q
    }

    /// One page of the organisation's API tokens, newest first (ADMIN).
    pub async fn list_tokens(
        &self,
        actor: &Actor,
        filter: &ApiTokenFilter,
        page: &PageArgs,
    ) -> ApiResult<Page<api_token::Model>> {
        authz::check(actor, Action::ManageApiTokens)?;
        pagination::paginate(
            &self.db,
            self.tokens_query(actor, filter),
            token_order(),
            page,
        )
        .await
    }

    /// How many API tokens match (ADMIN).
    pub async fn count_tokens(&self, actor: &Actor, filter: &ApiTokenFilter) -> ApiResult<u64> {
        authz::check(actor, Action::ManageApiTokens)?;
        pagination::count(&self.db, self.tokens_query(actor, filter)).await
    }

    /// The caller an API token is: UNAUTHENTICATED when the token is malformed,
    /// unknown, revoked or expired. Read from the database on every request, so a
    /// revocation holds at once on every server.
    pub async fn authenticate(&self, token: &str) -> ApiResult<Actor> {
        let row = self.token_row(token).await?;
        if !is_active(&row, now()) {
            return Err(ApiError::Unauthenticated);
        }
        Ok(Actor::token(
            row.organization_id,
            row.id,
            TokenScopes::parse(&row.scopes),
            row.name,
        ))
    }

    /// The row of a well-formed token whose secret matches.
    async fn token_row(&self, token: &str) -> ApiResult<api_token::Model> {
        let body = token
            .strip_prefix(TOKEN_PREFIX)
            .filter(|b| b.len() == LOOKUP_LEN + SECRET_LEN && b.is_ascii())
            .ok_or(ApiError::Unauthenticated)?;
        let row = api_token::Entity::find()
            .filter(api_token::Column::Lookup.eq(&body[..LOOKUP_LEN]))
            .one(&self.db)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let presented = secret::hash(token);
        if bool::from(presented.as_bytes().ct_eq(row.secret_hash.as_bytes())) {
            Ok(row)
        } else {
            Err(ApiError::Unauthenticated)
        }
    }

    /// Whether the token `id` still works: what an open subscription checks when a
    /// revocation names its token, or when its expiry comes.
    pub async fn token_is_active(&self, id: Uuid) -> ApiResult<bool> {
        Ok(api_token::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .is_some_and(|t| is_active(&t, now())))
    }

    /// When the token `id` expires, if it does.
    pub async fn token_expiry(&self, id: Uuid) -> ApiResult<Option<DateTime<Utc>>> {
        Ok(api_token::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .and_then(|t| t.expires_at))
    }

    /// Spends one request from the token `id`'s budget (`--token-rate-limit` a
    /// minute, shared by every server), over HTTP and over WebSocket alike, and notes
    /// that the token was used: `lastUsedAt` is written with the first request of each
    /// minute, so using a token does not write a row per request. The caller refuses the
    /// request when the budget says it is not `allowed`.
    pub async fn spend_budget(&self, id: Uuid) -> ApiResult<Budget> {
        let budget = self
            .limiter
            .spend(&format!("token:{id}"), self.token_rate_limit)
            .await?;
        if budget.first_in_window {
            if let Err(e) = api_token::Entity::update_many()
                .col_expr(api_token::Column::LastUsedAt, Expr::value(now()))
                .filter(api_token::Column::Id.eq(id))
                .exec(&self.db)
                .await
            {
                tracing::warn!(error = ?e, "noting an API token's use");
            }
        }
        if !budget.allowed {
            tracing::warn!(token.id = %id, "API token over its budget");
        }
        Ok(budget)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_and_only_well_formed_ones_are_looked_up() {
        let t = format!("{TOKEN_PREFIX}{}{}", random(LOOKUP_LEN), random(SECRET_LEN));
        assert!(is_api_token(&t));
        assert_eq!(t.len(), 4 + LOOKUP_LEN + SECRET_LEN);
        assert!(t[4..].chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(!is_api_token("eyJhbGciOiJIUzI1NiJ9.e30.x"));
    }
}
