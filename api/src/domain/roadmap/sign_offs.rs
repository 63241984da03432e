//! Sign-offs: each discipline signs a session off once; with all three, it is ALIGNED.

use entity::{
    alignment_signoff,
    enums::{AlignmentStatus, Discipline},
    roadmap_alignment,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use tracing::instrument;
use uuid::Uuid;

use super::service::{all_disciplines, editable, ChangeKind, Changed, RoadmapService};
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    domain::{kind::Kind, text},
    error::{ApiError, ApiResult},
};

impl RoadmapService {
    /// Signs the session off for the caller's discipline (a participant of that
    /// discipline, once). With ENGINEERING, PRODUCT and DESIGN signed, it is ALIGNED.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn sign_off(
        &self,
        actor: &Actor,
        id: Uuid,
        comment: Option<String>,
    ) -> ApiResult<(alignment_signoff::Model, Changed)> {
        let comment = text::bounded(comment.as_deref().unwrap_or(""), "comment", text::TEXT_MAX)?;
        let (mut w, a) = self.lock(actor, id).await?;
        let facts = facts::alignment(&w, actor, &a).await?;
        authz::check(actor, Action::SignOffAlignment { alignment: &facts })?;
        match a.status {
            AlignmentStatus::Draft => {
                return Err(ApiError::bad_input(
                    "roadmapAlignmentId",
                    "the session has not started",
                ))
            }
            AlignmentStatus::Closed => {
                return Err(ApiError::bad_input(
                    "roadmapAlignmentId",
                    "the session is closed",
                ))
            }
            _ => {}
        }
        let discipline = actor.discipline()?;
        let signed = self.sign_offs_of(&w, &a).await?;
        if signed.iter().any(|s| s.discipline == discipline) {
            return Err(ApiError::Conflict(format!(
                "{} has already signed off this session",
                sea_orm::ActiveEnum::to_value(&discipline)
            )));
        }
        let signoff = w
            .insert(alignment_signoff::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                alignment_id: Set(a.id),
                discipline: Set(discipline),
                user_id: Set(actor.person()?),
                signed_at: Set(w.at()),
                comment: Set(comment),
            })
            .await
            .map_err(|e| match e.sql_err() {
                // The constraint backs the check above should two sign-offs race.
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                    ApiError::Conflict("this discipline has already signed off this session".into())
                }
                _ => e.into(),
            })?;
        let all = signed.len() + 1 == all_disciplines().len();
        let at = w.at();
        let a = w
            .update(roadmap_alignment::ActiveModel {
                id: Set(a.id),
                status: Set(if all {
                    AlignmentStatus::Aligned
                } else {
                    a.status
                }),
                updated_at: Set(at),
                ..Default::default()
            })
            .await?;
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        self.publish(actor, &a, ChangeKind::SignedOff, Some(signoff.id), false)
            .await;
        Ok((
            signoff,
            Changed {
                alignment: a,
                sign_offs_cleared: false,
            },
        ))
    }

    /// Withdraws the caller's discipline's sign-off (its signer; the facilitator may
    /// withdraw any). An ALIGNED session returns to IN_SESSION.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), alignment.id = %id))]
    pub async fn withdraw_sign_off(
        &self,
        actor: &Actor,
        id: Uuid,
        discipline: Option<Discipline>,
    ) -> ApiResult<Changed> {
        let (mut w, a) = self.lock(actor, id).await?;
        editable(&a)?;
        let facts = facts::alignment(&w, actor, &a).await?;
        let discipline = match discipline {
            Some(d) => d,
            None => actor.discipline()?,
        };
        let signoff = self
            .sign_offs_of(&w, &a)
            .await?
            .into_iter()
            .find(|s| s.discipline == discipline)
            .ok_or(ApiError::NotFound)?;
        let own = Some(signoff.user_id) == actor.user_id();
        authz::check(
            actor,
            Action::WithdrawSignOff {
                alignment: &facts,
                own,
            },
        )?;
        w.delete::<alignment_signoff::Entity>(&signoff).await?;
        let at = w.at();
        let a = w
            .update(roadmap_alignment::ActiveModel {
                id: Set(a.id),
                status: Set(AlignmentStatus::InSession),
                updated_at: Set(at),
                ..Default::default()
            })
            .await?;
        w.commit(Kind::RoadmapAlignment, a.id).await?;
        self.publish(
            actor,
            &a,
            ChangeKind::SignOffWithdrawn,
            Some(signoff.id),
            false,
        )
        .await;
        Ok(Changed {
            alignment: a,
            sign_offs_cleared: false,
        })
    }

    pub(super) async fn sign_offs_of<C: ConnectionTrait>(
        &self,
        db: &C,
        a: &roadmap_alignment::Model,
    ) -> ApiResult<Vec<alignment_signoff::Model>> {
        Ok(alignment_signoff::Entity::find()
            .filter(alignment_signoff::Column::OrganizationId.eq(a.organization_id))
            .filter(alignment_signoff::Column::AlignmentId.eq(a.id))
            .order_by_asc(alignment_signoff::Column::SignedAt)
            .all(db)
            .await?)
    }
}
