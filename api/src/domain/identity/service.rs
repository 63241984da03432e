use std::sync::Arc;

use chrono::Duration;
use entity::{
    enums::{Discipline, OrgRole},
    invite, organization, refresh_token, user,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr},
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Select,
};
use tracing::instrument;
use uuid::Uuid;

use super::throttle;
use crate::{
    auth::{
        callers::{CallerCache, CallerRow},
        jwt::{Claims, JwtKeys},
        password, secret, Actor, Origin,
    },
    authz::{self, Action},
    db::now,
    domain::{journal::Write, kind::Kind, tenant::find_in_org, text},
    error::{ApiError, ApiResult, DbResultExt},
    events::{EventBus, Revocation},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// How long a refresh token lives if unused.
pub const REFRESH_TOKEN_TTL_DAYS: i64 = 30;
/// How long an invite can be accepted.
pub const INVITE_TTL_DAYS: i64 = 7;

/// Sign-up, sign-in, tokens, invites and user administration.
#[derive(Clone)]
pub struct IdentityService {
    db: DatabaseConnection,
    jwt: Arc<JwtKeys>,
    events: EventBus,
    /// The users whose tokens this process has checked (follows the revocations).
    callers: Arc<CallerCache>,
}

/// Tokens handed to a user who signed in.
#[derive(Debug, Clone)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: i64,
    pub user: user::Model,
}

/// A new organisation and its first user (an ADMIN).
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub organization_name: String,
    pub email: String,
    pub password: String,
    pub display_name: String,
    pub discipline: Discipline,
}

/// A person invited into the caller's organisation.
#[derive(Debug, Clone)]
pub struct NewInvite {
    pub email: String,
    pub display_name: String,
    pub discipline: Discipline,
    pub org_role: OrgRole,
}

/// Which users to list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub discipline: Option<Discipline>,
    pub org_role: Option<OrgRole>,
    /// Case-insensitive part of the name or email.
    pub search: Option<String>,
    pub include_deactivated: bool,
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// How users are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UserSort {
    #[default]
    DisplayName,
    CreatedAt,
    UpdatedAt,
}

/// The order of a user list.
pub fn user_order(sort: UserSort, descending: bool) -> Order<user::Entity> {
    let (column, key): (user::Column, fn(&user::Model) -> SortValue) = match sort {
        UserSort::DisplayName => (user::Column::DisplayName, |m| {
            SortValue::Text(m.display_name.clone())
        }),
        UserSort::CreatedAt => (user::Column::CreatedAt, |m| SortValue::Time(m.created_at)),
        UserSort::UpdatedAt => (user::Column::UpdatedAt, |m| SortValue::Time(m.updated_at)),
    };
    Order {
        column,
        id: user::Column::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(60).collect();
    if slug.is_empty() {
        "org".into()
    } else {
        slug
    }
}

impl IdentityService {
    pub(crate) fn new(db: DatabaseConnection, jwt: Arc<JwtKeys>, events: EventBus) -> Self {
        Self {
            db,
            jwt,
            events,
            callers: Arc::default(),
        }
    }

    /// Creates an organisation with its first user, an ADMIN, and signs them in.
    #[instrument(skip_all)]
    pub async fn register_organization(
        &self,
        input: NewOrganization,
        origin: Origin,
    ) -> ApiResult<Session> {
        let org_name =
            text::required(&input.organization_name, "organizationName", text::NAME_MAX)?;
        let email = text::email(&input.email, "email")?;
        let display_name = text::required(&input.display_name, "displayName", text::NAME_MAX)?;
        let password_hash = password::hash(&input.password, "password").await?;

        let base = slugify(&org_name);
        let taken = organization::Entity::find()
            .filter(organization::Column::Slug.eq(base.clone()))
            .count(&self.db)
            .await?
            > 0;
        let slug = if taken {
            let suffix = Uuid::now_v7().simple().to_string();
            format!("{base}-{}", &suffix[suffix.len() - 6..])
        } else {
            base
        };

        let org_id = Uuid::now_v7();
        let user_id = Uuid::now_v7();
        let admin =
            Actor::user(org_id, user_id, OrgRole::Admin, input.discipline).with_origin(origin);
        let mut w = Write::begin(&self.db, &admin).await?;
        let now = w.at();
        organization::ActiveModel {
            id: Set(org_id),
            name: Set(org_name),
            slug: Set(slug),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }
        .insert(&w)
        .await
        .on_unique(
            "slug",
            "organizationName",
            "an organisation with this name was just created; try again",
        )?;
        let user = w
            .insert(user::ActiveModel {
                id: Set(user_id),
                organization_id: Set(org_id),
                search_key: Set(text::fold(&format!("{display_name}\n{email}"))),
                email: Set(email),
                display_name: Set(display_name),
                password_hash: Set(Some(password_hash)),
                discipline: Set(input.discipline),
                org_role: Set(OrgRole::Admin),
                token_version: Set(0),
                deactivated_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await
            .on_unique("email", "email", "this email is already registered")?;
        let session = self.start_session(&w, user, Uuid::now_v7()).await?;
        w.commit_for([(Kind::Organization, org_id), (Kind::User, user_id)])
            .await?;
        tracing::info!(org.id = %org_id, "organisation registered");
        Ok(session)
    }

    /// Signs a user in with email and password. Unknown email and wrong password give
    /// the same error, after the same amount of work. Too many failures for the account
    /// or from the address make further attempts RATE_LIMITED for a while.
    #[instrument(skip_all)]
    pub async fn login(
        &self,
        email: &str,
        password: &str,
        address: Option<&str>,
        origin: Origin,
    ) -> ApiResult<Session> {
        let email = email.trim().to_lowercase();
        let attempt = throttle::Attempt::new(&email, address);
        throttle::check(&self.db, &attempt).await?;
        let user = user::Entity::find()
            .filter(user::Column::Email.eq(email.clone()))
            .one(&self.db)
            .await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.as_deref());
        let ok = password::verify(password, hash).await;
        match user {
            Some(user) if ok && user.deactivated_at.is_none() => {
                throttle::clear_account(&self.db, &email).await?;
                let w = Write::begin(&self.db, &actor_of(&user).with_origin(origin)).await?;
                let session = self.start_session(&w, user, Uuid::now_v7()).await?;
                w.commit(Kind::User, session.user.id).await?;
                Ok(session)
            }
            _ => {
                throttle::record_failure(&self.db, &attempt).await?;
                Err(ApiError::Unauthenticated)
            }
        }
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once; using
    /// one again revokes every token of its family (the login it came from).
    #[instrument(skip_all)]
    pub async fn refresh(&self, token: &str, origin: Origin) -> ApiResult<Session> {
        let found = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(secret::hash(token)))
            .one(&self.db)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let now = now();
        if found.revoked_at.is_some() || found.expires_at <= now {
            return Err(ApiError::Unauthenticated);
        }
        // Marking it used is the single point that decides who wins a race: only one
        // exchange of a token can see `used_at` still empty. The claim is the first write
        // of the transaction that also stores the new token, so a losing request's claim
        // waits for the winner to commit, and its family revocation then covers the
        // winner's new token too.
        let user = user::Entity::find_by_id(found.user_id)
            .one(&self.db)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let w = Write::begin(&self.db, &actor_of(&user).with_origin(origin)).await?;
        let claimed = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
            .filter(refresh_token::Column::Id.eq(found.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&w)
            .await?;
        if claimed.rows_affected == 0 {
            w.rollback().await?;
            tracing::warn!(user.id = %found.user_id, "refresh token reused: revoking its family");
            revoke_family(&self.db, found.family_id).await?;
            return Err(ApiError::Unauthenticated);
        }
        let user = user::Entity::find_by_id(found.user_id)
            .one(&w)
            .await?
            .filter(|u| u.deactivated_at.is_none())
            .ok_or(ApiError::Unauthenticated)?;
        let session = self.start_session(&w, user, found.family_id).await?;
        w.commit(Kind::User, session.user.id).await?;
        Ok(session)
    }

    /// Ends the login the refresh token belongs to.
    #[instrument(skip_all)]
    pub async fn logout(&self, token: &str, origin: Origin) -> ApiResult<()> {
        let found = refresh_token::Entity::find()
            .filter(refresh_token::Column::TokenHash.eq(secret::hash(token)))
            .one(&self.db)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let user = user::Entity::find_by_id(found.user_id)
            .one(&self.db)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let w = Write::begin(&self.db, &actor_of(&user).with_origin(origin)).await?;
        revoke_family(&w, found.family_id).await?;
        w.commit(Kind::User, user.id).await
    }

    async fn start_session<C: ConnectionTrait>(
        &self,
        db: &C,
        user: user::Model,
        family: Uuid,
    ) -> ApiResult<Session> {
        let (access_token, expires_in) = self
            .jwt
            .issue(user.id, user.organization_id, user.token_version)
            .map_err(ApiError::internal)?;
        let refresh = secret::generate("nsr_");
        let now = now();
        refresh_token::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(user.organization_id),
            user_id: Set(user.id),
            family_id: Set(family),
            token_hash: Set(secret::hash(&refresh)),
            expires_at: Set(now + Duration::days(REFRESH_TOKEN_TTL_DAYS)),
            used_at: Set(None),
            revoked_at: Set(None),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        Ok(Session {
            access_token,
            refresh_token: refresh,
            expires_in,
            user,
        })
    }

    /// The caller behind an access token: valid signature, unexpired, the user active
    /// and its token version unchanged (deactivation bumps it, so tokens die at once).
    pub async fn authenticate(&self, access_token: &str) -> ApiResult<Actor> {
        let claims = self
            .verify_token(access_token)
            .ok_or(ApiError::Unauthenticated)?;
        self.actor_for(&claims).await
    }

    /// The claims of a validly signed, unexpired access token. No I/O: the user is
    /// read by [`Self::actor_for`].
    pub fn verify_token(&self, access_token: &str) -> Option<Claims> {
        self.jwt.verify(access_token)
    }

    /// The caller a verified token names: the user must still be active, in the same
    /// organisation, with the token version the token was issued with.
    ///
    /// The row comes from this process's [`CallerCache`] when it holds it; every change
    /// to what a token may do empties that entry at once (a revocation notice).
    pub async fn actor_for(&self, claims: &Claims) -> ApiResult<Actor> {
        let row = match self.callers.get(claims.sub) {
            // Token versions only grow: a token newer than the row kept reads it again.
            Ok(row) if row.token_version >= claims.tv || !row.active => row,
            Ok(_) => self.read_caller(claims.sub).await?,
            Err(ticket) => {
                let row = self.read_caller(claims.sub).await?;
                self.callers.put(ticket, row);
                row
            }
        };
        caller(&row, claims)
    }

    /// [`Self::actor_for`] read from the database now, whatever the cache holds: for a
    /// holder of open access checking its credential on hearing of a revocation, which
    /// may reach it before it reaches the cache.
    pub async fn actor_now(&self, claims: &Claims) -> ApiResult<Actor> {
        caller(&self.read_caller(claims.sub).await?, claims)
    }

    /// After a committed change to what `user`'s tokens may do: this process forgets
    /// the user at once, and the others when they hear the revocation.
    async fn revoke_user(&self, user: &user::Model) {
        self.callers.forget(user.id);
        self.events
            .revoke(Revocation::user(user.organization_id, user.id))
            .await;
    }

    /// Starts following the revocations that keep the caller cache true; once, before
    /// serving.
    pub fn follow_revocations(&self) {
        self.callers.follow(self.events.revocations());
    }

    /// The user `id`'s row as a caller, read now.
    async fn read_caller(&self, id: Uuid) -> ApiResult<CallerRow> {
        let user = user::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        Ok(CallerRow::from(&user))
    }

    /// Invites a person: creates the user without a password, and a single-use invite
    /// token (shown once) to set one.
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn invite_user(
        &self,
        actor: &Actor,
        input: NewInvite,
    ) -> ApiResult<(user::Model, String)> {
        authz::check(actor, Action::ManageUsers)?;
        let email = text::email(&input.email, "email")?;
        let display_name = text::required(&input.display_name, "displayName", text::NAME_MAX)?;
        let token = secret::generate("nsi_");
        let invited_by = actor.person()?;
        let mut w = Write::begin(&self.db, actor).await?;
        let now = w.at();
        let user = w
            .insert(user::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                search_key: Set(text::fold(&format!("{display_name}\n{email}"))),
                email: Set(email),
                display_name: Set(display_name),
                password_hash: Set(None),
                discipline: Set(input.discipline),
                org_role: Set(input.org_role),
                token_version: Set(0),
                deactivated_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await
            .on_unique("email", "email", "this email is already registered")?;
        invite::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            user_id: Set(user.id),
            invited_by: Set(invited_by),
            token_hash: Set(secret::hash(&token)),
            expires_at: Set(now + Duration::days(INVITE_TTL_DAYS)),
            accepted_at: Set(None),
            created_at: Set(now),
        }
        .insert(&w)
        .await?;
        w.commit(Kind::User, user.id).await?;
        tracing::info!(user.id = %user.id, "user invited");
        Ok((user, token))
    }

    /// Sets the invited user's password and signs them in. An invite works once.
    #[instrument(skip_all)]
    pub async fn accept_invite(
        &self,
        token: &str,
        password: &str,
        origin: Origin,
    ) -> ApiResult<Session> {
        let password_hash = password::hash(password, "password").await?;
        let now = now();
        let invite = invite::Entity::find()
            .filter(invite::Column::TokenHash.eq(secret::hash(token)))
            .one(&self.db)
            .await?
            .filter(|i| i.accepted_at.is_none() && i.expires_at > now)
            .ok_or(ApiError::Unauthenticated)?;
        let invited = user::Entity::find_by_id(invite.user_id)
            .one(&self.db)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let mut w = Write::begin(&self.db, &actor_of(&invited).with_origin(origin)).await?;
        let claimed = invite::Entity::update_many()
            .col_expr(invite::Column::AcceptedAt, Expr::value(now))
            .filter(invite::Column::Id.eq(invite.id))
            .filter(invite::Column::AcceptedAt.is_null())
            .exec(&w)
            .await?;
        if claimed.rows_affected == 0 {
            return Err(ApiError::Unauthenticated);
        }
        let user = user::Entity::find_by_id(invite.user_id)
            .one(&w)
            .await?
            .filter(|u| u.deactivated_at.is_none())
            .ok_or(ApiError::Unauthenticated)?;
        let user = w
            .save::<user::Entity>(
                &user,
                None,
                user::ActiveModel {
                    password_hash: Set(Some(password_hash)),
                    ..Default::default()
                },
            )
            .await?;
        let session = self.start_session(&w, user, Uuid::now_v7()).await?;
        w.commit(Kind::User, session.user.id).await?;
        Ok(session)
    }

    /// Changes a user's organisation role. The organisation keeps at least one ADMIN.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), user.id = %user_id))]
    pub async fn update_user_role(
        &self,
        actor: &Actor,
        user_id: Uuid,
        role: OrgRole,
        expected_version: Option<i32>,
    ) -> ApiResult<user::Model> {
        authz::check(actor, Action::ManageUsers)?;
        let mut w = Write::begin(&self.db, actor).await?;
        let user = find_in_org::<user::Entity, _>(&w, actor.org_id(), user_id).await?;
        if user.org_role == OrgRole::Admin && role != OrgRole::Admin {
            self.ensure_other_admin(&w, &user, "orgRole").await?;
        }
        let user = w
            .save::<user::Entity>(
                &user,
                expected_version,
                user::ActiveModel {
                    org_role: Set(role),
                    ..Default::default()
                },
            )
            .await?;
        w.commit(Kind::User, user.id).await?;
        // What the user may do changed: every process reads their row again.
        self.revoke_user(&user).await;
        Ok(user)
    }

    /// Deactivates a user: every token of theirs stops working at once, and their open
    /// subscriptions end (on every server: the revocation is published after the commit).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), user.id = %user_id))]
    pub async fn deactivate_user(&self, actor: &Actor, user_id: Uuid) -> ApiResult<user::Model> {
        authz::check(actor, Action::ManageUsers)?;
        let mut w = Write::begin(&self.db, actor).await?;
        let user = find_in_org::<user::Entity, _>(&w, actor.org_id(), user_id).await?;
        if user.deactivated_at.is_some() {
            w.commit(Kind::User, user.id).await?;
            return Ok(user);
        }
        if user.org_role == OrgRole::Admin {
            self.ensure_other_admin(&w, &user, "userId").await?;
        }
        let user = w
            .save::<user::Entity>(
                &user,
                None,
                user::ActiveModel {
                    deactivated_at: Set(Some(now())),
                    token_version: Set(user.token_version + 1),
                    ..Default::default()
                },
            )
            .await?;
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
            .filter(refresh_token::Column::UserId.eq(user.id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&w)
            .await?;
        w.commit(Kind::User, user.id).await?;
        tracing::info!("user deactivated");
        self.revoke_user(&user).await;
        Ok(user)
    }

    async fn ensure_other_admin<C: ConnectionTrait>(
        &self,
        db: &C,
        user: &user::Model,
        field: &'static str,
    ) -> ApiResult<()> {
        // Two admins demoting each other at once must not both see the other one: a
        // write to the organisation row serialises these checks per organisation
        // (a row lock on PostgreSQL; SQLite already holds its write lock).
        organization::Entity::update_many()
            .col_expr(
                organization::Column::Version,
                Expr::col(organization::Column::Version),
            )
            .filter(organization::Column::Id.eq(user.organization_id))
            .exec(db)
            .await?;
        let others = user::Entity::find()
            .filter(user::Column::OrganizationId.eq(user.organization_id))
            .filter(user::Column::OrgRole.eq(OrgRole::Admin))
            .filter(user::Column::DeactivatedAt.is_null())
            .filter(user::Column::Id.ne(user.id))
            .count(db)
            .await?;
        if others == 0 {
            return Err(ApiError::bad_input(
                field,
                "the organisation must keep at least one active admin",
            ));
        }
        Ok(())
    }

    fn users_query(&self, actor: &Actor, filter: &UserFilter) -> Select<user::Entity> {
        let mut q = user::Entity::find().filter(user::Column::OrganizationId.eq(actor.org_id()));
        if let Some(d) = filter.discipline {
            q = q.filter(user::Column::Discipline.eq(d));
        }
        if let Some(r) = filter.org_role {
            q = q.filter(user::Column::OrgRole.eq(r));
        }
        if !filter.include_deactivated {
            q = q.filter(user::Column::DeactivatedAt.is_null());
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(user::Column::UpdatedAt.gte(since));
        }
        if let Some(s) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
            q = q.filter(
                Expr::col(user::Column::SearchKey)
                    .like(LikeExpr::new(text::contains_pattern(s)).escape('\\')),
            );
        }
        q
    }

    /// One page of the organisation's users.
    pub async fn list_users(
        &self,
        actor: &Actor,
        filter: &UserFilter,
        order: Order<user::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<user::Model>> {
        pagination::paginate(&self.db, self.users_query(actor, filter), order, page).await
    }

    /// How many users match the filter.
    pub async fn count_users(&self, actor: &Actor, filter: &UserFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.users_query(actor, filter)).await
    }
}

/// The caller `row` is for a token with `claims`, or UNAUTHENTICATED.
fn caller(row: &CallerRow, claims: &Claims) -> ApiResult<Actor> {
    if row.organization_id != claims.org || !row.active || row.token_version != claims.tv {
        return Err(ApiError::Unauthenticated);
    }
    Ok(Actor::user(
        row.organization_id,
        row.id,
        row.org_role,
        row.discipline,
    ))
}

/// The caller a user row is.
fn actor_of(user: &user::Model) -> Actor {
    Actor::user(
        user.organization_id,
        user.id,
        user.org_role,
        user.discipline,
    )
}

/// Revokes every token of a login.
async fn revoke_family<C: ConnectionTrait>(db: &C, family: Uuid) -> ApiResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_are_lowercase_words_joined_by_dashes() {
        assert_eq!(slugify("Acme Corp."), "acme-corp");
        assert_eq!(slugify("  ¡Hola!  "), "hola");
        assert_eq!(slugify("日本"), "org");
    }
}
