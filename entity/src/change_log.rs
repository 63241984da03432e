//! `change_log`: what changed, in commit order, for integrations that read changes
//! instead of everything (`changes(since:)`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "change_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The writing transaction (PostgreSQL; 0 on SQLite): entries are read in
    /// `(tx, seq)` order.
    pub tx: i64,
    pub organization_id: Uuid,
    pub occurred_at: DateTimeUtc,
    /// `CREATED`, `UPDATED` or `DELETED`.
    pub kind: String,
    /// The GraphQL type of what changed: an object type or a relation.
    pub object_type: String,
    pub object_id: Uuid,
    /// A relation's other end.
    pub related_type: Option<String>,
    pub related_id: Option<Uuid>,
    pub actor_user_id: Option<Uuid>,
    pub actor_token_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
