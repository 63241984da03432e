//! Teams, squads and their memberships (DESIGN §1 "Teams and squads"). Every unique
//! key starts with `organization_id` so the tables shard by tenant (DESIGN §5).

use sea_orm_migration::{prelude::*, schema::*};

use crate::audit_columns;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Team {
    Table,
    Id,
    OrganizationId,
    Name,
    NameKey,
    Description,
    TechDebtAllocationPercent,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum TeamMembership {
    Table,
    Id,
    OrganizationId,
    TeamId,
    UserId,
    Role,
}

#[derive(DeriveIden)]
enum Squad {
    Table,
    Id,
    OrganizationId,
    TeamId,
    Name,
    NameKey,
    Mission,
    CustomerJourney,
    Status,
}

#[derive(DeriveIden)]
enum SquadMembership {
    Table,
    Id,
    OrganizationId,
    SquadId,
    UserId,
    Role,
    AllocationPercent,
}

fn org_fk<T: IntoIden + 'static>(table: T, col: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Organization::Table, Organization::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(Team::Table)
                        .col(pk_uuid(Team::Id))
                        .col(uuid(Team::OrganizationId))
                        .col(string_len(Team::Name, 200))
                        // The name folded to lower case in Rust (SQLite's LOWER() folds only
                        // ASCII): searched, and unique per organisation.
                        .col(string_len(Team::NameKey, 200))
                        .col(text(Team::Description).default(""))
                        .col(integer(Team::TechDebtAllocationPercent).default(0))
                        .col(timestamp_with_time_zone_null(Team::ArchivedAt))
                        .foreign_key(&mut org_fk(Team::Table, Team::OrganizationId)),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("team_org_name_key")
                    .table(Team::Table)
                    .col(Team::OrganizationId)
                    .col(Team::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(TeamMembership::Table)
                        .col(pk_uuid(TeamMembership::Id))
                        .col(uuid(TeamMembership::OrganizationId))
                        .col(uuid(TeamMembership::TeamId))
                        .col(uuid(TeamMembership::UserId))
                        .col(string_len(TeamMembership::Role, 16))
                        .foreign_key(&mut org_fk(
                            TeamMembership::Table,
                            TeamMembership::OrganizationId,
                        ))
                        .foreign_key(
                            ForeignKey::create()
                                .from(TeamMembership::Table, TeamMembership::TeamId)
                                .to(Team::Table, Team::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(TeamMembership::Table, TeamMembership::UserId)
                                .to(User::Table, User::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("team_membership_org_team_user_key")
                    .table(TeamMembership::Table)
                    .col(TeamMembership::OrganizationId)
                    .col(TeamMembership::TeamId)
                    .col(TeamMembership::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("team_membership_org_user_idx")
                    .table(TeamMembership::Table)
                    .col(TeamMembership::OrganizationId)
                    .col(TeamMembership::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(Squad::Table)
                        .col(pk_uuid(Squad::Id))
                        .col(uuid(Squad::OrganizationId))
                        .col(uuid(Squad::TeamId))
                        .col(string_len(Squad::Name, 200))
                        .col(string_len(Squad::NameKey, 200))
                        .col(text(Squad::Mission).default(""))
                        .col(text(Squad::CustomerJourney).default(""))
                        .col(string_len(Squad::Status, 16))
                        .foreign_key(&mut org_fk(Squad::Table, Squad::OrganizationId))
                        .foreign_key(
                            ForeignKey::create()
                                .from(Squad::Table, Squad::TeamId)
                                .to(Team::Table, Team::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("squad_org_name_key")
                    .table(Squad::Table)
                    .col(Squad::OrganizationId)
                    .col(Squad::NameKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("squad_org_team_idx")
                    .table(Squad::Table)
                    .col(Squad::OrganizationId)
                    .col(Squad::TeamId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(SquadMembership::Table)
                        .col(pk_uuid(SquadMembership::Id))
                        .col(uuid(SquadMembership::OrganizationId))
                        .col(uuid(SquadMembership::SquadId))
                        .col(uuid(SquadMembership::UserId))
                        .col(string_len(SquadMembership::Role, 16))
                        .col(integer(SquadMembership::AllocationPercent))
                        .check(Expr::col(SquadMembership::AllocationPercent).between(1, 100))
                        .foreign_key(&mut org_fk(
                            SquadMembership::Table,
                            SquadMembership::OrganizationId,
                        ))
                        .foreign_key(
                            ForeignKey::create()
                                .from(SquadMembership::Table, SquadMembership::SquadId)
                                .to(Squad::Table, Squad::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(SquadMembership::Table, SquadMembership::UserId)
                                .to(User::Table, User::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("squad_membership_org_squad_user_key")
                    .table(SquadMembership::Table)
                    .col(SquadMembership::OrganizationId)
                    .col(SquadMembership::SquadId)
                    .col(SquadMembership::UserId)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("squad_membership_org_user_idx")
                    .table(SquadMembership::Table)
                    .col(SquadMembership::OrganizationId)
                    .col(SquadMembership::UserId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SquadMembership::Table.into_iden(),
            Squad::Table.into_iden(),
            TeamMembership::Table.into_iden(),
            Team::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
