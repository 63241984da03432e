//! Sign-offs in GraphQL: the `AlignmentSignOff` type and the mutations that give or
//! withdraw one.

use async_graphql::{Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use entity::{alignment_signoff, user};

use super::{alignment_id, RoadmapAlignment, RoadmapAlignmentPayload};
use crate::{
    domain::identity::graphql::User,
    error::ApiResult,
    graphql::{context::ContextExt, enums::Discipline, loaders::load_one},
};

/// One discipline's sign-off of a session.
pub struct AlignmentSignOff(pub alignment_signoff::Model);

#[Object]
impl AlignmentSignOff {
    async fn discipline(&self) -> Discipline {
        self.0.discipline.into()
    }
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.user_id)
            .await
            .map(User)
    }
    async fn signed_at(&self) -> DateTime<Utc> {
        self.0.signed_at
    }
    async fn comment(&self) -> &str {
        &self.0.comment
    }
}

#[derive(InputObject)]
pub struct SignOffRoadmapAlignmentInput {
    pub roadmap_alignment_id: ID,
    pub comment: Option<String>,
}

#[derive(SimpleObject)]
pub struct SignOffRoadmapAlignmentPayload {
    pub roadmap_alignment: RoadmapAlignment,
    pub sign_off: AlignmentSignOff,
}

#[derive(InputObject)]
pub struct WithdrawSignOffInput {
    pub roadmap_alignment_id: ID,
    /// Default: the caller's discipline (the facilitator may name another).
    pub discipline: Option<Discipline>,
}

/// Mutations of a session's sign-offs.
#[derive(Default)]
pub struct RoadmapSignOffMutation;

#[Object]
impl RoadmapSignOffMutation {
    /// Signs the session off for the caller's discipline (a participant of it, once).
    /// With ENGINEERING, PRODUCT and DESIGN signed, the session is ALIGNED.
    async fn sign_off_roadmap_alignment(
        &self,
        ctx: &Context<'_>,
        input: SignOffRoadmapAlignmentInput,
    ) -> ApiResult<SignOffRoadmapAlignmentPayload> {
        let id = alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?;
        let (signoff, changed) = ctx
            .services()
            .roadmap
            .sign_off(&ctx.actor().await?, id, input.comment)
            .await?;
        Ok(SignOffRoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(changed.alignment),
            sign_off: AlignmentSignOff(signoff),
        })
    }

    /// Withdraws a sign-off; an ALIGNED session returns to IN_SESSION.
    async fn withdraw_sign_off(
        &self,
        ctx: &Context<'_>,
        input: WithdrawSignOffInput,
    ) -> ApiResult<RoadmapAlignmentPayload> {
        let id = alignment_id(&input.roadmap_alignment_id, "roadmapAlignmentId")?;
        let changed = ctx
            .services()
            .roadmap
            .withdraw_sign_off(&ctx.actor().await?, id, input.discipline.map(Into::into))
            .await?;
        Ok(RoadmapAlignmentPayload {
            roadmap_alignment: RoadmapAlignment(changed.alignment),
        })
    }
}
