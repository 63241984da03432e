//! `rate_limit`: requests a caller made in the current window, shared by every node.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rate_limit")]
pub struct Model {
    /// Whose budget, e.g. `token:<id>`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// The window's start, in seconds since the Unix epoch.
    pub window_start: i64,
    /// What was spent in that window.
    pub used: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
