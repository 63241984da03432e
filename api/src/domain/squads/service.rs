use entity::{
    enums::{MemberRole, SquadStatus},
    squad, squad_membership, team, user,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr},
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Select,
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

/// Squad administration and membership.
#[derive(Clone)]
pub struct SquadService {
    db: DatabaseConnection,
}

/// A squad to create in a home team.
#[derive(Debug, Clone)]
pub struct NewSquad {
    pub team_id: Uuid,
    pub name: String,
    pub mission: Option<String>,
    pub customer_journey: Option<String>,
}

/// Changes to a squad; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct SquadChanges {
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub mission: Option<String>,
    pub customer_journey: Option<String>,
    pub status: Option<SquadStatus>,
}

/// A member to add to a squad (or whose role and allocation to change).
#[derive(Debug, Clone)]
pub struct NewSquadMember {
    pub squad_id: Uuid,
    pub user_id: Uuid,
    pub role: MemberRole,
    /// `None`: whatever is left of the user's 100%.
    pub allocation_percent: Option<i32>,
}

/// Which squads to list.
#[derive(Debug, Clone, Default)]
pub struct SquadFilter {
    pub team_id: Option<Uuid>,
    pub status: Option<SquadStatus>,
    /// Case-insensitive part of the name.
    pub name_contains: Option<String>,
    pub updated_since: Option<chrono::DateTime<chrono::Utc>>,
}

/// How squads are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SquadSort {
    #[default]
    Name,
    CreatedAt,
    UpdatedAt,
}

/// The order of a squad list.
pub fn squad_order(sort: SquadSort, descending: bool) -> Order<squad::Entity> {
    let (column, key): (squad::Column, fn(&squad::Model) -> SortValue) = match sort {
        SquadSort::Name => (squad::Column::Name, |m| SortValue::Text(m.name.clone())),
        SquadSort::CreatedAt => (squad::Column::CreatedAt, |m| SortValue::Time(m.created_at)),
        SquadSort::UpdatedAt => (squad::Column::UpdatedAt, |m| SortValue::Time(m.updated_at)),
    };
    Order {
        column,
        id: squad::Column::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

const NAME_TAKEN: &str = "a squad with this name already exists";

/// Whether a squad may move from one status to another: forward only.
pub fn can_move(from: SquadStatus, to: SquadStatus) -> bool {
    use SquadStatus::*;
    from == to
        || matches!(
            (from, to),
            (Pilot, Active) | (Pilot, Archived) | (Active, Archived)
        )
}

impl SquadService {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Creates a squad in a home team (ADMIN, or a LEAD of that team). It starts as PILOT.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), team.id = %input.team_id))]
    pub async fn create(&self, actor: &Actor, input: NewSquad) -> ApiResult<squad::Model> {
        // The home team stays as checked (not archived) until the squad is in it.
        let mut w = Write::begin(&self.db, actor).await?;
        let team = lock_in_org::<team::Entity, _>(&w, actor.org_id(), input.team_id).await?;
        let facts = facts::team(&w, actor, team.id).await?;
        authz::check(actor, Action::CreateSquad { team: &facts })?;
        if team.archived_at.is_some() {
            return Err(ApiError::bad_input("teamId", "the team is archived"));
        }
        let name = text::required(&input.name, "name", text::NAME_MAX)?;
        let mission = text::bounded(
            input.mission.as_deref().unwrap_or(""),
            "mission",
            text::TEXT_MAX,
        )?;
        let journey = text::bounded(
            input.customer_journey.as_deref().unwrap_or(""),
            "customerJourney",
            text::TEXT_MAX,
        )?;
        let now = w.at();
        let squad = w
            .insert(squad::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                team_id: Set(team.id),
                name_key: Set(text::fold(&name)),
                name: Set(name),
                mission: Set(mission),
                customer_journey: Set(journey),
                status: Set(SquadStatus::Pilot),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await
            .on_unique("squad_org_name_key", "name", NAME_TAKEN)?;
        w.commit(Kind::Squad, squad.id).await?;
        tracing::info!(squad.id = %squad.id, "squad created");
        Ok(squad)
    }

    /// Changes a squad (ADMIN, a LEAD of its home team, or its own LEAD). Status moves
    /// forward only: PILOT → ACTIVE → ARCHIVED.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), squad.id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: SquadChanges,
    ) -> ApiResult<squad::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let squad = find_in_org::<squad::Entity, _>(&w, actor.org_id(), id).await?;
        let facts = facts::squad(&w, actor, &squad).await?;
        authz::check(actor, Action::UpdateSquad { squad: &facts })?;
        let mut changes = <squad::ActiveModel as Default>::default();
        if let Some(name) = &input.name {
            let name = text::required(name, "name", text::NAME_MAX)?;
            changes.name_key = Set(text::fold(&name));
            changes.name = Set(name);
        }
        if let Some(m) = &input.mission {
            changes.mission = Set(text::bounded(m, "mission", text::TEXT_MAX)?);
        }
        if let Some(j) = &input.customer_journey {
            changes.customer_journey = Set(text::bounded(j, "customerJourney", text::TEXT_MAX)?);
        }
        if let Some(status) = input.status {
            if !can_move(squad.status, status) {
                return Err(ApiError::bad_input(
                    "status",
                    format!(
                        "a squad cannot move from {} to {}",
                        sea_orm::ActiveEnum::to_value(&squad.status),
                        sea_orm::ActiveEnum::to_value(&status)
                    ),
                ));
            }
            changes.status = Set(status);
        }
        let done = w
            .save::<squad::Entity>(&squad, input.expected_version, changes)
            .await
            .on_unique("squad_org_name_key", "name", NAME_TAKEN)?;
        w.commit(Kind::Squad, done.id).await?;
        Ok(done)
    }

    /// Adds a member to a squad, or changes their role and allocation. A user's
    /// allocations across squads add up to at most 100%.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), squad.id = %input.squad_id, user.id = %input.user_id))]
    pub async fn add_member(
        &self,
        actor: &Actor,
        input: NewSquadMember,
    ) -> ApiResult<(squad::Model, squad_membership::Model)> {
        let mut w = Write::begin(&self.db, actor).await?;
        // The squad stays unarchived, and the member active, until the membership is in.
        let squad = lock_in_org::<squad::Entity, _>(&w, actor.org_id(), input.squad_id).await?;
        let facts = facts::squad(&w, actor, &squad).await?;
        authz::check(actor, Action::ManageSquadMembers { squad: &facts })?;
        if input
            .allocation_percent
            .is_some_and(|p| !(1..=100).contains(&p))
        {
            return Err(ApiError::bad_input(
                "allocationPercent",
                "allocationPercent must be between 1 and 100",
            ));
        }
        if squad.status == SquadStatus::Archived {
            return Err(ApiError::bad_input("squadId", "the squad is archived"));
        }
        // Locking the user's row also serialises allocation changes per user, so two
        // parallel additions cannot both see room for themselves.
        let member = lock_in_org::<user::Entity, _>(&w, actor.org_id(), input.user_id).await?;
        if member.deactivated_at.is_some() {
            return Err(ApiError::bad_input("userId", "the user is deactivated"));
        }
        let elsewhere: Option<i64> = squad_membership::Entity::find()
            .select_only()
            .column_as(Expr::cust("COALESCE(SUM(allocation_percent), 0)"), "total")
            .filter(squad_membership::Column::OrganizationId.eq(actor.org_id()))
            .filter(squad_membership::Column::UserId.eq(member.id))
            .filter(squad_membership::Column::SquadId.ne(squad.id))
            .into_tuple()
            .one(&w)
            .await?;
        let elsewhere = elsewhere.unwrap_or(0) as i32;
        let existing = squad_membership::Entity::find()
            .filter(squad_membership::Column::OrganizationId.eq(actor.org_id()))
            .filter(squad_membership::Column::SquadId.eq(squad.id))
            .filter(squad_membership::Column::UserId.eq(member.id))
            .one(&w)
            .await?;
        // Without an allocation, a member keeps theirs; a new one gets what is left.
        let allocation = input
            .allocation_percent
            .or(existing.as_ref().map(|m| m.allocation_percent))
            .unwrap_or(100 - elsewhere);
        if allocation < 1 || elsewhere + allocation > 100 {
            return Err(ApiError::bad_input(
                "allocationPercent",
                format!(
                    "{} already gives {elsewhere}% to other squads; at most {}% is left",
                    member.display_name,
                    100 - elsewhere
                ),
            ));
        }
        let membership = match existing {
            Some(m) => {
                w.save::<squad_membership::Entity>(
                    &m,
                    None,
                    squad_membership::ActiveModel {
                        role: Set(input.role),
                        allocation_percent: Set(allocation),
                        ..Default::default()
                    },
                )
                .await?
            }
            None => {
                let now = w.at();
                w.insert(squad_membership::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(actor.org_id()),
                    squad_id: Set(squad.id),
                    user_id: Set(member.id),
                    role: Set(input.role),
                    allocation_percent: Set(allocation),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                })
                .await?
            }
        };
        w.commit(Kind::Squad, squad.id).await?;
        Ok((squad, membership))
    }

    /// Removes a member from a squad.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), squad.id = %squad_id, user.id = %user_id))]
    pub async fn remove_member(
        &self,
        actor: &Actor,
        squad_id: Uuid,
        user_id: Uuid,
    ) -> ApiResult<squad::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let squad = find_in_org::<squad::Entity, _>(&w, actor.org_id(), squad_id).await?;
        let facts = facts::squad(&w, actor, &squad).await?;
        authz::check(actor, Action::ManageSquadMembers { squad: &facts })?;
        let gone = w
            .delete_found(
                squad_membership::Entity::find()
                    .filter(squad_membership::Column::OrganizationId.eq(actor.org_id()))
                    .filter(squad_membership::Column::SquadId.eq(squad_id))
                    .filter(squad_membership::Column::UserId.eq(user_id)),
            )
            .await?;
        if gone.is_none() {
            return Err(ApiError::NotFound);
        }
        w.commit(Kind::Squad, squad.id).await?;
        Ok(squad)
    }

    fn query(&self, actor: &Actor, filter: &SquadFilter) -> Select<squad::Entity> {
        let mut q = squad::Entity::find().filter(squad::Column::OrganizationId.eq(actor.org_id()));
        if let Some(t) = filter.team_id {
            q = q.filter(squad::Column::TeamId.eq(t));
        }
        if let Some(s) = filter.status {
            q = q.filter(squad::Column::Status.eq(s));
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(squad::Column::UpdatedAt.gte(since));
        }
        if let Some(s) = filter
            .name_contains
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            q = q.filter(
                Expr::col(squad::Column::NameKey)
                    .like(LikeExpr::new(text::contains_pattern(s)).escape('\\')),
            );
        }
        q
    }

    /// One page of the organisation's squads.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: &SquadFilter,
        order: Order<squad::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<squad::Model>> {
        pagination::paginate(&self.db, self.query(actor, filter), order, page).await
    }

    /// How many squads match the filter.
    pub async fn count(&self, actor: &Actor, filter: &SquadFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.query(actor, filter)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SquadStatus::*;

    #[test]
    fn squads_move_forward_only() {
        for (from, to, ok) in [
            (Pilot, Active, true),
            (Active, Archived, true),
            (Pilot, Archived, true),
            (Active, Pilot, false),
            (Archived, Active, false),
            (Archived, Pilot, false),
            (Active, Active, true),
        ] {
            assert_eq!(can_move(from, to), ok, "{from:?} -> {to:?}");
        }
    }
}
