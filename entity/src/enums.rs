//! Enumerations stored as short strings, so both SQLite and PostgreSQL hold them the same way.

use sea_orm::entity::prelude::*;

/// A user's discipline in a cross-functional squad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Discipline {
    #[sea_orm(string_value = "ENGINEERING")]
    Engineering,
    #[sea_orm(string_value = "PRODUCT")]
    Product,
    #[sea_orm(string_value = "DESIGN")]
    Design,
}

/// A user's role in the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OrgRole {
    #[sea_orm(string_value = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "MEMBER")]
    Member,
    #[sea_orm(string_value = "VIEWER")]
    Viewer,
}

/// A member's role in a team or a squad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum MemberRole {
    #[sea_orm(string_value = "LEAD")]
    Lead,
    #[sea_orm(string_value = "MEMBER")]
    Member,
}

/// The life of a squad: PILOT → ACTIVE → ARCHIVED.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SquadStatus {
    #[sea_orm(string_value = "PILOT")]
    Pilot,
    #[sea_orm(string_value = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "ARCHIVED")]
    Archived,
}
