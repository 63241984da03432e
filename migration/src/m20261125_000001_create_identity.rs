//! Identity tables: organisation, user, refresh token, invite. These stay global
//! (not sharded, DESIGN §5): sign-in looks users up by email and tokens by hash.

use sea_orm_migration::{prelude::*, schema::*};

use crate::audit_columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
    Name,
    Slug,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
    OrganizationId,
    Email,
    DisplayName,
    SearchKey,
    PasswordHash,
    Discipline,
    OrgRole,
    TokenVersion,
    DeactivatedAt,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    OrganizationId,
    UserId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Invite {
    Table,
    Id,
    OrganizationId,
    UserId,
    InvitedBy,
    TokenHash,
    ExpiresAt,
    AcceptedAt,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(Organization::Table)
                        .col(pk_uuid(Organization::Id))
                        .col(string_len(Organization::Name, 200))
                        .col(string_len_uniq(Organization::Slug, 80)),
                )
                .to_owned(),
            )
            .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(User::Table)
                        .col(pk_uuid(User::Id))
                        .col(uuid(User::OrganizationId))
                        // Stored lower-cased: unique case-insensitively on every backend.
                        .col(string_len_uniq(User::Email, 320))
                        .col(string_len(User::DisplayName, 200))
                        // Lower-cased name and email, folded in Rust: SQLite's LOWER() only
                        // folds ASCII, so searches compare against this instead.
                        .col(string_len(User::SearchKey, 530))
                        .col(string_null(User::PasswordHash))
                        .col(string_len(User::Discipline, 16))
                        .col(string_len(User::OrgRole, 16))
                        .col(integer(User::TokenVersion).default(0))
                        .col(timestamp_with_time_zone_null(User::DeactivatedAt))
                        .foreign_key(
                            ForeignKey::create()
                                .from(User::Table, User::OrganizationId)
                                .to(Organization::Table, Organization::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("user_org_idx")
                    .table(User::Table)
                    .col(User::OrganizationId)
                    .col(User::Id)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(pk_uuid(RefreshToken::Id))
                    .col(uuid(RefreshToken::OrganizationId))
                    .col(uuid(RefreshToken::UserId))
                    .col(uuid(RefreshToken::FamilyId))
                    .col(string_len_uniq(RefreshToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshToken::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshToken::Table, RefreshToken::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("refresh_token_family_idx")
                    .table(RefreshToken::Table)
                    .col(RefreshToken::FamilyId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("refresh_token_user_idx")
                    .table(RefreshToken::Table)
                    .col(RefreshToken::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invite::Table)
                    .col(pk_uuid(Invite::Id))
                    .col(uuid(Invite::OrganizationId))
                    .col(uuid(Invite::UserId))
                    .col(uuid(Invite::InvitedBy))
                    .col(string_len_uniq(Invite::TokenHash, 64))
                    .col(timestamp_with_time_zone(Invite::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Invite::AcceptedAt))
                    .col(timestamp_with_time_zone(Invite::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invite::Table, Invite::UserId)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Invite::Table.into_iden(),
            RefreshToken::Table.into_iden(),
            User::Table.into_iden(),
            Organization::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
