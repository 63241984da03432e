use entity::{enums::MemberRole, team, team_membership, user};
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr},
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Select,
};
use tracing::instrument;
use uuid::Uuid;

use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    domain::{
        journal::Write,
        kind::Kind,
        tenant::{find_in_org, lock_in_org},
        text,
    },
    error::{ApiError, ApiResult, DbResultExt},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// Largest share of a sprint a team may reserve for technical debt.
pub const MAX_DEBT_ALLOCATION: i32 = 50;

/// Team administration and membership.
#[derive(Clone)]
pub struct TeamService {
    db: DatabaseConnection,
}

/// A team to create.
#[derive(Debug, Clone, Default)]
pub struct NewTeam {
    pub name: String,
    pub description: Option<String>,
    pub tech_debt_allocation_percent: Option<i32>,
}

/// Changes to a team; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TeamChanges {
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub tech_debt_allocation_percent: Option<i32>,
}

/// Which teams to list.
#[derive(Debug, Clone, Default)]
pub struct TeamFilter {
    /// Case-insensitive part of the name.
    pub name_contains: Option<String>,
    pub include_archived: bool,
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// How teams are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TeamSort {
    #[default]
    Name,
    CreatedAt,
    UpdatedAt,
}

/// The order of a team list.
pub fn team_order(sort: TeamSort, descending: bool) -> Order<team::Entity> {
    let (column, key): (team::Column, fn(&team::Model) -> SortValue) = match sort {
        TeamSort::Name => (team::Column::Name, |m| SortValue::Text(m.name.clone())),
        TeamSort::CreatedAt => (team::Column::CreatedAt, |m| SortValue::Time(m.created_at)),
        TeamSort::UpdatedAt => (team::Column::UpdatedAt, |m| SortValue::Time(m.updated_at)),
    };
    Order {
        column,
        id: team::Column::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

fn allocation(v: i32) -> ApiResult<i32> {
    if (0..=MAX_DEBT_ALLOCATION).contains(&v) {
        Ok(v)
    } else {
        Err(ApiError::bad_input(
            "techDebtAllocationPercent",
            format!("techDebtAllocationPercent must be between 0 and {MAX_DEBT_ALLOCATION}"),
        ))
    }
}

const NAME_TAKEN: &str = "a team with this name already exists";

impl TeamService {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Creates a team (ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create(&self, actor: &Actor, input: NewTeam) -> ApiResult<team::Model> {
        authz::check(actor, Action::CreateTeam)?;
        let name = text::required(&input.name, "name", text::NAME_MAX)?;
        let description = text::bounded(
            input.description.as_deref().unwrap_or(""),
            "description",
            text::TEXT_MAX,
        )?;
        let debt = allocation(input.tech_debt_allocation_percent.unwrap_or(0))?;
        let mut w = Write::begin(&self.db, actor).await?;
        let now = w.at();
        let team = w
            .insert(team::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                name_key: Set(text::fold(&name)),
                name: Set(name),
                description: Set(description),
                tech_debt_allocation_percent: Set(debt),
                archived_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await
            .on_unique("team_org_name_key", "name", NAME_TAKEN)?;
        w.commit(Kind::Team, team.id).await?;
        tracing::info!(team.id = %team.id, "team created");
        Ok(team)
    }

    /// Changes a team (ADMIN, or a LEAD of the team).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), team.id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: TeamChanges,
    ) -> ApiResult<team::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let team = find_in_org::<team::Entity, _>(&w, actor.org_id(), id).await?;
        let facts = facts::team(&w, actor, id).await?;
        authz::check(actor, Action::UpdateTeam { team: &facts })?;
        let mut changes = <team::ActiveModel as Default>::default();
        if let Some(name) = &input.name {
            let name = text::required(name, "name", text::NAME_MAX)?;
            changes.name_key = Set(text::fold(&name));
            changes.name = Set(name);
        }
        if let Some(d) = &input.description {
            changes.description = Set(text::bounded(d, "description", text::TEXT_MAX)?);
        }
        if let Some(p) = input.tech_debt_allocation_percent {
            changes.tech_debt_allocation_percent = Set(allocation(p)?);
        }
        let done = w
            .save::<team::Entity>(&team, input.expected_version, changes)
            .await
            .on_unique("team_org_name_key", "name", NAME_TAKEN)?;
        w.commit(Kind::Team, done.id).await?;
        Ok(done)
    }

    /// Archives a team (ADMIN): it leaves the default lists and takes no new squads.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), team.id = %id))]
    pub async fn archive(&self, actor: &Actor, id: Uuid) -> ApiResult<team::Model> {
        authz::check(actor, Action::ArchiveTeam)?;
        // Taken under the team's lock, so a squad created in the team while it was
        // being archived has an earlier `createdAt` than the team's `archivedAt`.
        let mut w = Write::begin(&self.db, actor).await?;
        let mut team = lock_in_org::<team::Entity, _>(&w, actor.org_id(), id).await?;
        if team.archived_at.is_none() {
            let archived_at = w.at();
            team = w
                .save::<team::Entity>(
                    &team,
                    None,
                    team::ActiveModel {
                        archived_at: Set(Some(archived_at)),
                        ..Default::default()
                    },
                )
                .await?;
        }
        w.commit(Kind::Team, team.id).await?;
        Ok(team)
    }

    /// Adds a user to a team, or changes their role if already a member.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), team.id = %team_id, user.id = %user_id))]
    pub async fn add_member(
        &self,
        actor: &Actor,
        team_id: Uuid,
        user_id: Uuid,
        role: MemberRole,
    ) -> ApiResult<(team::Model, team_membership::Model)> {
        let mut w = Write::begin(&self.db, actor).await?;
        let team = find_in_org::<team::Entity, _>(&w, actor.org_id(), team_id).await?;
        let facts = facts::team(&w, actor, team_id).await?;
        authz::check(actor, Action::ManageTeamMembers { team: &facts })?;
        // The user stays active until the membership is in.
        let user = lock_in_org::<user::Entity, _>(&w, actor.org_id(), user_id).await?;
        if user.deactivated_at.is_some() {
            return Err(ApiError::bad_input("userId", "the user is deactivated"));
        }
        let existing = team_membership::Entity::find()
            .filter(team_membership::Column::OrganizationId.eq(actor.org_id()))
            .filter(team_membership::Column::TeamId.eq(team_id))
            .filter(team_membership::Column::UserId.eq(user_id))
            .one(&w)
            .await?;
        let membership = match existing {
            Some(m) if m.role == role => m,
            Some(m) => {
                w.save::<team_membership::Entity>(
                    &m,
                    None,
                    team_membership::ActiveModel {
                        role: Set(role),
                        ..Default::default()
                    },
                )
                .await?
            }
            None => {
                let now = w.at();
                w.insert(team_membership::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(actor.org_id()),
                    team_id: Set(team_id),
                    user_id: Set(user_id),
                    role: Set(role),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                })
                .await
                .map_err(|e| match e.sql_err() {
                    Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ApiError::Conflict(
                        "the membership was changed at the same time; try again".into(),
                    ),
                    _ => e.into(),
                })?
            }
        };
        w.commit(Kind::Team, team.id).await?;
        Ok((team, membership))
    }

    /// Removes a user from a team.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), team.id = %team_id, user.id = %user_id))]
    pub async fn remove_member(
        &self,
        actor: &Actor,
        team_id: Uuid,
        user_id: Uuid,
    ) -> ApiResult<team::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let team = find_in_org::<team::Entity, _>(&w, actor.org_id(), team_id).await?;
        let facts = facts::team(&w, actor, team_id).await?;
        authz::check(actor, Action::ManageTeamMembers { team: &facts })?;
        let gone = w
            .delete_found(
                team_membership::Entity::find()
                    .filter(team_membership::Column::OrganizationId.eq(actor.org_id()))
                    .filter(team_membership::Column::TeamId.eq(team_id))
                    .filter(team_membership::Column::UserId.eq(user_id)),
            )
            .await?;
        if gone.is_none() {
            return Err(ApiError::NotFound);
        }
        w.commit(Kind::Team, team.id).await?;
        Ok(team)
    }

    /// One team of the caller's organisation.
    pub async fn get(&self, actor: &Actor, id: Uuid) -> ApiResult<team::Model> {
        find_in_org::<team::Entity, _>(&self.db, actor.org_id(), id).await
    }

    fn query(&self, actor: &Actor, filter: &TeamFilter) -> Select<team::Entity> {
        let mut q = team::Entity::find().filter(team::Column::OrganizationId.eq(actor.org_id()));
        if !filter.include_archived {
            q = q.filter(team::Column::ArchivedAt.is_null());
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(team::Column::UpdatedAt.gte(since));
        }
        if let Some(s) = filter
            .name_contains
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            q = q.filter(
                Expr::col(team::Column::NameKey)
                    .like(LikeExpr::new(text::contains_pattern(s)).escape('\\')),
            );
        }
        q
    }

    /// One page of the organisation's teams.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: &TeamFilter,
        order: Order<team::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<team::Model>> {
        pagination::paginate(&self.db, self.query(actor, filter), order, page).await
    }

    /// How many teams match the filter.
    pub async fn count(&self, actor: &Actor, filter: &TeamFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.query(actor, filter)).await
    }
}
