//! `audit_event`: one successful mutation, appended in its own transaction.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// The user who did it, or `None` when a token did.
    pub actor_user_id: Option<Uuid>,
    /// The API token that did it, if one did.
    pub actor_token_id: Option<Uuid>,
    /// The GraphQL mutation, e.g. `"createSquad"`.
    pub operation: String,
    /// The GraphQL type of the object it was about, e.g. `"Squad"`.
    pub object_type: Option<String>,
    pub object_id: Option<Uuid>,
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
