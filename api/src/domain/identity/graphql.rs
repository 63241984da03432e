//! GraphQL types, queries and mutations of the identity area. Resolvers are thin:
//! parse, call the service, wrap.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{organization, user};

use super::{NewInvite, NewOrganization, Session, UserFilter as UserFilterArgs, UserSort};
use crate::{
    domain::{
        squads::graphql::{SquadMembership, UserSquads},
        teams::graphql::{TeamMembership, UserTeams},
    },
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, TotalCount},
        context::{ClientAddress, ContextExt},
        enums::{graphql_enum, Discipline, OrderDirection, OrgRole},
        ids::{self, Kind},
        loaders::{children, OrganizationLoader},
    },
};

/// A person in an organisation.
pub struct User(pub user::Model);

#[Object]
impl User {
    /// The user's opaque global id.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::User, self.0.id)
    }
    /// Email address, lower-cased; unique across Northstar.
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn discipline(&self) -> Discipline {
        self.0.discipline.into()
    }
    async fn org_role(&self) -> OrgRole {
        self.0.org_role.into()
    }
    /// False once an admin deactivated the user.
    async fn is_active(&self) -> bool {
        self.0.deactivated_at.is_none()
    }
    async fn deactivated_at(&self) -> Option<DateTime<Utc>> {
        self.0.deactivated_at
    }
    /// False while an invited user has not accepted the invite yet.
    async fn has_accepted_invite(&self) -> bool {
        self.0.password_hash.is_some()
    }
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Organization> {
        ctx.loader::<OrganizationLoader, _>()
            .load_one(self.0.organization_id)
            .await?
            .map(Organization)
            .ok_or(ApiError::NotFound)
    }
    /// The teams the user belongs to, with their role in each.
    async fn teams(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<TeamMembership>> {
        children::<UserTeams, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            TeamMembership,
        )
        .await
    }
    /// The squads the user belongs to, with their role and allocation in each.
    async fn squads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<SquadMembership>> {
        children::<UserSquads, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            SquadMembership,
        )
        .await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// An organisation: one tenant of Northstar.
pub struct Organization(pub organization::Model);

/// Which users to list.
#[derive(InputObject, Default)]
pub struct UserFilter {
    pub discipline: Option<Discipline>,
    pub org_role: Option<OrgRole>,
    /// Case-insensitive part of the name or email.
    pub search: Option<String>,
    /// Include deactivated users (default false).
    #[graphql(default)]
    pub include_deactivated: bool,
    /// Only users changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
}

graphql_enum! {
    /// Fields users can be ordered by.
    #[derive(Default)]
    UserOrderField => UserSort {
        #[default]
        DisplayName,
        CreatedAt,
        UpdatedAt,
    }
}

/// The order of a user list.
#[derive(InputObject, Default)]
pub struct UserOrder {
    #[graphql(default)]
    pub field: UserOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<UserFilter> for UserFilterArgs {
    fn from(f: UserFilter) -> Self {
        Self {
            discipline: f.discipline.map(Into::into),
            org_role: f.org_role.map(Into::into),
            search: f.search,
            include_deactivated: f.include_deactivated,
            updated_since: f.updated_since,
        }
    }
}

#[Object]
impl Organization {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Organization, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// URL-friendly unique name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The organisation's users (active ones unless the filter says otherwise).
    #[allow(clippy::too_many_arguments)]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<UserFilter>,
        order_by: Option<UserOrder>,
    ) -> ApiResult<Conn<User>> {
        let actor = &ctx.actor().await?;
        if actor.org_id() != self.0.id {
            return Err(ApiError::NotFound);
        }
        let filter: UserFilterArgs = filter.unwrap_or_default().into();
        let order = order_by.unwrap_or_default();
        let page = ctx
            .services()
            .identity
            .list_users(
                actor,
                &filter,
                super::user_order(order.field.into(), order.direction.descending()),
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            User,
            TotalCount::of_list(filter, |s, actor, f| {
                Box::pin(s.identity.count_users(actor, f))
            }),
        ))
    }
}

/// Tokens for a signed-in user.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// JWT for `Authorization: Bearer …`; short-lived.
    pub access_token: String,
    /// Opaque token for `refreshToken`; works once, then a new one is issued.
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i32,
    pub user: User,
}

impl From<Session> for AuthPayload {
    fn from(s: Session) -> Self {
        Self {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            expires_in: s.expires_in as i32,
            user: User(s.user),
        }
    }
}

#[derive(InputObject)]
pub struct RegisterOrganizationInput {
    pub organization_name: String,
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    pub display_name: String,
    pub discipline: Discipline,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
}

#[derive(InputObject)]
pub struct RefreshTokenInput {
    pub refresh_token: String,
}

#[derive(InputObject)]
pub struct LogoutInput {
    pub refresh_token: String,
}

#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// True: the login that the refresh token belongs to has ended.
    pub success: bool,
}

#[derive(InputObject)]
pub struct InviteUserInput {
    pub email: String,
    pub display_name: String,
    pub discipline: Discipline,
    pub org_role: OrgRole,
}

#[derive(SimpleObject)]
pub struct InviteUserPayload {
    pub user: User,
    /// Give this to the invited person; it is shown only once and expires in 7 days.
    pub invite_token: String,
}

#[derive(InputObject)]
pub struct AcceptInviteInput {
    pub invite_token: String,
    /// At least 10 characters.
    pub password: String,
}

#[derive(InputObject)]
pub struct UpdateUserRoleInput {
    pub user_id: ID,
    pub org_role: OrgRole,
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct UpdateUserRolePayload {
    pub user: User,
}

#[derive(InputObject)]
pub struct DeactivateUserInput {
    pub user_id: ID,
}

#[derive(SimpleObject)]
pub struct DeactivateUserPayload {
    pub user: User,
}

/// Queries of the identity area.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The caller. UNAUTHENTICATED without a valid token.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<User> {
        let actor = &ctx.actor().await?;
        crate::graphql::loaders::load_one::<user::Entity>(ctx, actor.org_id(), actor.person()?)
            .await
            .map(User)
    }
}

/// Mutations of the identity area.
#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Creates an organisation and its first user, an ADMIN, and signs them in.
    async fn register_organization(
        &self,
        ctx: &Context<'_>,
        input: RegisterOrganizationInput,
    ) -> ApiResult<AuthPayload> {
        let session = ctx
            .services()
            .identity
            .register_organization(
                NewOrganization {
                    organization_name: input.organization_name,
                    email: input.email,
                    password: input.password,
                    display_name: input.display_name,
                    discipline: input.discipline.into(),
                },
                ctx.origin(),
            )
            .await?;
        Ok(session.into())
    }

    /// Signs in. Unknown email and wrong password give the same UNAUTHENTICATED error;
    /// repeated failures for an account or from an address become RATE_LIMITED.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> ApiResult<AuthPayload> {
        let session = ctx
            .services()
            .identity
            .login(
                &input.email,
                &input.password,
                ctx.data_opt::<ClientAddress>().map(|a| a.0.as_str()),
                ctx.origin(),
            )
            .await?;
        Ok(session.into())
    }

    /// Exchanges a refresh token for new tokens. Reusing a refresh token ends its login.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> ApiResult<AuthPayload> {
        let session = ctx
            .services()
            .identity
            .refresh(&input.refresh_token, ctx.origin())
            .await?;
        Ok(session.into())
    }

    /// Ends the login that the refresh token belongs to.
    async fn logout(&self, ctx: &Context<'_>, input: LogoutInput) -> ApiResult<LogoutPayload> {
        ctx.services()
            .identity
            .logout(&input.refresh_token, ctx.origin())
            .await?;
        Ok(LogoutPayload { success: true })
    }

    /// Invites a person into the organisation (ADMIN).
    async fn invite_user(
        &self,
        ctx: &Context<'_>,
        input: InviteUserInput,
    ) -> ApiResult<InviteUserPayload> {
        let (user, invite_token) = ctx
            .services()
            .identity
            .invite_user(
                &ctx.actor().await?,
                NewInvite {
                    email: input.email,
                    display_name: input.display_name,
                    discipline: input.discipline.into(),
                    org_role: input.org_role.into(),
                },
            )
            .await?;
        Ok(InviteUserPayload {
            user: User(user),
            invite_token,
        })
    }

    /// Sets the invited user's password and signs them in. An invite works once.
    async fn accept_invite(
        &self,
        ctx: &Context<'_>,
        input: AcceptInviteInput,
    ) -> ApiResult<AuthPayload> {
        let session = ctx
            .services()
            .identity
            .accept_invite(&input.invite_token, &input.password, ctx.origin())
            .await?;
        Ok(session.into())
    }

    /// Changes a user's organisation role (ADMIN). The organisation keeps an ADMIN.
    async fn update_user_role(
        &self,
        ctx: &Context<'_>,
        input: UpdateUserRoleInput,
    ) -> ApiResult<UpdateUserRolePayload> {
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let user = ctx
            .services()
            .identity
            .update_user_role(
                &ctx.actor().await?,
                user_id,
                input.org_role.into(),
                input.expected_version,
            )
            .await?;
        Ok(UpdateUserRolePayload { user: User(user) })
    }

    /// Deactivates a user (ADMIN): their tokens stop working at once.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        input: DeactivateUserInput,
    ) -> ApiResult<DeactivateUserPayload> {
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let user = ctx
            .services()
            .identity
            .deactivate_user(&ctx.actor().await?, user_id)
            .await?;
        Ok(DeactivateUserPayload { user: User(user) })
    }
}
