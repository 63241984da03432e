//! Decision records (ADRs), numbered per organisation, and the per-organisation counter
//! that hands out their numbers without gaps or duplicates (DESIGN §1).

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
enum ArchitectureReview {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum DecisionRecord {
    Table,
    Id,
    OrganizationId,
    Number,
    Title,
    Status,
    System,
    Context,
    Decision,
    Consequences,
    ReviewId,
    AuthorId,
    SupersededById,
    AcceptedAt,
}

#[derive(DeriveIden)]
enum DecisionRecordCounter {
    Table,
    OrganizationId,
    LastNumber,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(DecisionRecord::Table)
                        .col(pk_uuid(DecisionRecord::Id))
                        .col(uuid(DecisionRecord::OrganizationId))
                        .col(integer(DecisionRecord::Number))
                        .col(string_len(DecisionRecord::Title, 200))
                        .col(string_len(DecisionRecord::Status, 16))
                        .col(string_len(DecisionRecord::System, 200).default(""))
                        .col(text(DecisionRecord::Context).default(""))
                        .col(text(DecisionRecord::Decision).default(""))
                        .col(text(DecisionRecord::Consequences).default(""))
                        .col(uuid_null(DecisionRecord::ReviewId))
                        .col(uuid(DecisionRecord::AuthorId))
                        .col(uuid_null(DecisionRecord::SupersededById))
                        .col(timestamp_with_time_zone_null(DecisionRecord::AcceptedAt))
                        .check(Expr::col(DecisionRecord::Number).gte(1))
                        .foreign_key(
                            ForeignKey::create()
                                .from(DecisionRecord::Table, DecisionRecord::OrganizationId)
                                .to(Organization::Table, Organization::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(DecisionRecord::Table, DecisionRecord::ReviewId)
                                .to(ArchitectureReview::Table, ArchitectureReview::Id)
                                .on_delete(ForeignKeyAction::SetNull),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(DecisionRecord::Table, DecisionRecord::AuthorId)
                                .to(User::Table, User::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(DecisionRecord::Table, DecisionRecord::SupersededById)
                                .to(DecisionRecord::Table, DecisionRecord::Id)
                                .on_delete(ForeignKeyAction::SetNull),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("decision_record_org_number_key")
                    .table(DecisionRecord::Table)
                    .col(DecisionRecord::OrganizationId)
                    .col(DecisionRecord::Number)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("decision_record_org_status_idx", DecisionRecord::Status),
            (
                "decision_record_org_superseded_by_idx",
                DecisionRecord::SupersededById,
            ),
            ("decision_record_org_review_idx", DecisionRecord::ReviewId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(DecisionRecord::Table)
                        .col(DecisionRecord::OrganizationId)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(DecisionRecordCounter::Table)
                        .col(pk_uuid(DecisionRecordCounter::OrganizationId))
                        .col(integer(DecisionRecordCounter::LastNumber).default(0))
                        .foreign_key(
                            ForeignKey::create()
                                .from(
                                    DecisionRecordCounter::Table,
                                    DecisionRecordCounter::OrganizationId,
                                )
                                .to(Organization::Table, Organization::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        ),
                )
                .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            DecisionRecordCounter::Table.into_iden(),
            DecisionRecord::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
