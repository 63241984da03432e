//! Roadmap alignment sessions: creating and listing them, their details and
//! participants, starting and closing them, and their write-up.

use chrono::{DateTime, Utc};
use entity::{
    alignment_participant, enums::AlignmentStatus, initiative, outcome, roadmap_alignment, squad,
    user,
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use tracing::instrument;
use uuid::Uuid;

use super::{
    markdown,
    service::{editable, ChangeKind, RoadmapService},
};
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::now,
    domain::{
        calendar::Quarter,
        journal::Write,
        kind::Kind,
        tenant::{find_in_org, find_many_in_org},
        text,
    },
    error::{ApiError, ApiResult},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewAlignment {
    pub quarter: Quarter,
    pub title: String,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub notes: Option<String>,
    /// Besides the facilitator (the caller), who always takes part.
    pub participant_ids: Vec<Uuid>,
}

/// Changes to a session's details.
#[derive(Debug, Clone, Default)]
pub struct AlignmentChanges {
    pub expected_version: Option<i32>,
    pub quarter: Option<Quarter>,
    pub title: Option<String>,
    pub scheduled_at: Option<Option<DateTime<Utc>>>,
    pub notes: Option<String>,
}

/// Which sessions to list.
#[derive(Debug, Clone, Default)]
pub struct AlignmentFilter {
    pub quarter: Option<Quarter>,
    pub status: Option<AlignmentStatus>,
    pub updated_since: Option<DateTime<Utc>>,
}

/// The order of session lists: newest quarter first.
pub fn alignment_order() -> Order<roadmap_alignment::Entity> {
    Order {
        column: roadmap_alignment::Column::Quarter,
        id: roadmap_alignment::Column::Id,
        descending: true,
        key: |m| SortValue::Text(m.quarter.clone()),
        id_of: |m| m.id,
    }
}

impl RoadmapService {
    async fn user_in_org<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: Uuid,
        field: &'static str,
    ) -> ApiResult<user::Model> {
        let u = find_in_org::<user::Entity, _>(db, actor.org_id(), id).await?;
        if u.deactivated_at.is_some() {
            return Err(ApiError::bad_input(field, "the user is deactivated"));
        }
        Ok(u)
    }

    async fn insert_participant(
        &self,
        w: &mut Write,
        org: Uuid,
        alignment: Uuid,
        user: Uuid,
    ) -> ApiResult<bool> {
        let exists = alignment_participant::Entity::find()
            .filter(alignment_participant::Column::OrganizationId.eq(org))
            .filter(alignment_participant::Column::AlignmentId.eq(alignment))
            .filter(alignment_participant::Column::UserId.eq(user))
            .one(&*w)
            .await?
            .is_some();
        if !exists {
            let at = w.at();
            w.insert(alignment_participant::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(org),
                alignment_id: Set(alignment),
                user_id: Set(user),
                created_at: Set(at),
            })
            .await?;
        }
        Ok(!exists)
    }

    /// Creates a session (PRODUCT members, ADMIN); the caller facilitates it.
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create(
        &self,
        actor: &Actor,
        input: NewAlignment,
    ) -> ApiResult<roadmap_alignment::Model> {
        authz::check(actor, Action::CreateAlignment)?;
        let title = text::required(&input.title, "title", text::NAME_MAX)?;
        let notes = text::bounded(
            input.notes.as_deref().unwrap_or(""),
            "notes",
            text::TEXT_MAX,
        )?;
        let mut w = Write::begin(&self.db, actor).await?;
        for id in &input.participant_ids {
            self.user_in_org(&w, actor, *id, "participantIds").await?;
        }
        let now = now();
        let a = w
            .insert(roadmap_alignment::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                quarter: Set(input.quarter.to_string()),
                title: Set(title),
                scheduled_at: Set(input.scheduled_at),
                facilitator_id: Set(actor.person()?),
                status: Set(AlignmentStatus::Draft),
                notes: Set(notes),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await?;
        self.insert_participant(&mut w, actor.org_id(), a.id, a.facilitator_id)
            .await?;
        for id in input.participant_ids {
            self.insert_participant(&mut w, actor.org_id(), a.id, id)
                .await?;
        }
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        tracing::info!(alignment.id = %a.id, "roadmap alignment created");
        Ok(a)
    }

    /// Changes a session's details (its facilitator, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: AlignmentChanges,
    ) -> ApiResult<roadmap_alignment::Model> {
        let (mut w, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&w, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        editable(&a)?;
        let mut changes = <roadmap_alignment::ActiveModel as Default>::default();
        if let Some(t) = &input.title {
            changes.title = Set(text::required(t, "title", text::NAME_MAX)?);
        }
        if let Some(n) = &input.notes {
            changes.notes = Set(text::bounded(n, "notes", text::TEXT_MAX)?);
        }
        if let Some(q) = input.quarter {
            changes.quarter = Set(q.to_string());
        }
        if let Some(s) = input.scheduled_at {
            changes.scheduled_at = Set(s);
        }
        let a = w
            .save::<roadmap_alignment::Entity>(&a, input.expected_version, changes)
            .await?;
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        self.publish(actor, &a, ChangeKind::Updated, None, false)
            .await;
        Ok(a)
    }

    /// Adds a participant (the facilitator, ADMIN); idempotent.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn add_participant(
        &self,
        actor: &Actor,
        id: Uuid,
        user_id: Uuid,
    ) -> ApiResult<roadmap_alignment::Model> {
        let (mut w, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&w, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        editable(&a)?;
        self.user_in_org(&w, actor, user_id, "userId").await?;
        let added = self
            .insert_participant(&mut w, actor.org_id(), a.id, user_id)
            .await?;
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        if added {
            self.publish(
                actor,
                &a,
                ChangeKind::ParticipantAdded,
                Some(user_id),
                false,
            )
            .await;
        }
        Ok(a)
    }

    /// Removes a participant (the facilitator, ADMIN); the facilitator stays.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn remove_participant(
        &self,
        actor: &Actor,
        id: Uuid,
        user_id: Uuid,
    ) -> ApiResult<roadmap_alignment::Model> {
        let (mut w, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&w, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        editable(&a)?;
        if user_id == a.facilitator_id {
            return Err(ApiError::bad_input(
                "userId",
                "the facilitator always takes part",
            ));
        }
        let gone = w
            .delete_found(
                alignment_participant::Entity::find()
                    .filter(alignment_participant::Column::OrganizationId.eq(actor.org_id()))
                    .filter(alignment_participant::Column::AlignmentId.eq(a.id))
                    .filter(alignment_participant::Column::UserId.eq(user_id)),
            )
            .await?;
        if gone.is_none() {
            return Err(ApiError::NotFound);
        }
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        self.publish(
            actor,
            &a,
            ChangeKind::ParticipantRemoved,
            Some(user_id),
            false,
        )
        .await;
        Ok(a)
    }

    /// DRAFT → IN_SESSION (the facilitator, ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn start(&self, actor: &Actor, id: Uuid) -> ApiResult<roadmap_alignment::Model> {
        let (mut w, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&w, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        if a.status != AlignmentStatus::Draft {
            return Err(ApiError::bad_input("id", "only a DRAFT session can start"));
        }
        let a = w
            .update(roadmap_alignment::ActiveModel {
                id: Set(a.id),
                status: Set(AlignmentStatus::InSession),
                updated_at: Set(now()),
                ..Default::default()
            })
            .await?;
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        self.publish(actor, &a, ChangeKind::Started, None, false)
            .await;
        Ok(a)
    }

    /// Closes a session for good (the facilitator, ADMIN): it is read-only from then on.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn close(&self, actor: &Actor, id: Uuid) -> ApiResult<roadmap_alignment::Model> {
        let (mut w, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&w, actor, &a).await?;
        authz::check(actor, Action::FacilitateAlignment { alignment: &facts })?;
        editable(&a)?;
        let a = w
            .update(roadmap_alignment::ActiveModel {
                id: Set(a.id),
                status: Set(AlignmentStatus::Closed),
                updated_at: Set(now()),
                ..Default::default()
            })
            .await?;
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        self.publish(actor, &a, ChangeKind::Closed, None, false)
            .await;
        Ok(a)
    }

    /// One session of the caller's organisation.
    pub async fn get(&self, actor: &Actor, id: Uuid) -> ApiResult<roadmap_alignment::Model> {
        find_in_org::<roadmap_alignment::Entity, _>(&self.db, actor.org_id(), id).await
    }

    fn query(&self, actor: &Actor, filter: &AlignmentFilter) -> Select<roadmap_alignment::Entity> {
        let mut q = roadmap_alignment::Entity::find()
            .filter(roadmap_alignment::Column::OrganizationId.eq(actor.org_id()));
        if let Some(quarter) = filter.quarter {
            q = q.filter(roadmap_alignment::Column::Quarter.eq(quarter.to_string()));
        }
        if let Some(s) = filter.status {
            q = q.filter(roadmap_alignment::Column::Status.eq(s));
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(roadmap_alignment::Column::UpdatedAt.gte(since));
        }
        q
    }

    /// One page of sessions, newest quarter first.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: &AlignmentFilter,
        page: &PageArgs,
    ) -> ApiResult<Page<roadmap_alignment::Model>> {
        pagination::paginate(&self.db, self.query(actor, filter), alignment_order(), page).await
    }

    /// How many sessions match.
    pub async fn count(&self, actor: &Actor, filter: &AlignmentFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.query(actor, filter)).await
    }

    /// The session as a Markdown write-up for people who were not there: the items per
    /// squad by commitment, and the sign-offs with their comments.
    pub async fn summary(&self, _actor: &Actor, a: &roadmap_alignment::Model) -> ApiResult<String> {
        let org = a.organization_id;
        let items = self.items_of(&self.db, a).await?;
        let signoffs = self.sign_offs_of(&self.db, a).await?;
        let initiatives = find_many_in_org::<initiative::Entity, _>(
            &self.db,
            org,
            items.iter().map(|i| i.initiative_id),
        )
        .await?;
        let squads =
            find_many_in_org::<squad::Entity, _>(&self.db, org, items.iter().map(|i| i.squad_id))
                .await?;
        let outcomes = find_many_in_org::<outcome::Entity, _>(
            &self.db,
            org,
            items.iter().filter_map(|i| i.outcome_id),
        )
        .await?;
        let people = find_many_in_org::<user::Entity, _>(
            &self.db,
            org,
            signoffs
                .iter()
                .map(|s| s.user_id)
                .chain(std::iter::once(a.facilitator_id)),
        )
        .await?;
        Ok(markdown::render(
            a,
            &items,
            &signoffs,
            &initiatives,
            &squads,
            &outcomes,
            &people,
        ))
    }
}
