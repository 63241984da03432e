//! `user`: a person in one organisation. `email` is stored lower-cased.

use sea_orm::entity::prelude::*;

use crate::enums::{Discipline, OrgRole};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    #[sea_orm(unique)]
    pub email: String,
    pub display_name: String,
    /// Lower-cased display name and email, for case-insensitive search.
    pub search_key: String,
    /// argon2id PHC string; `None` until an invited user accepts.
    pub password_hash: Option<String>,
    pub discipline: Discipline,
    pub org_role: OrgRole,
    /// Bumped to revoke every access token of the user at once.
    pub token_version: i32,
    pub deactivated_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
