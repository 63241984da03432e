//! `api_token`: an integration's credential, within one organisation and its scopes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub name: String,
    /// The public part of the token (`nst_<lookup>…`), which finds its row.
    #[sea_orm(unique)]
    pub lookup: String,
    /// Hex SHA-256 of the whole token; the token itself is never stored.
    pub secret_hash: String,
    /// Space-separated scopes, e.g. `"kpis:write read"`.
    pub scopes: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub expires_at: Option<DateTimeUtc>,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
