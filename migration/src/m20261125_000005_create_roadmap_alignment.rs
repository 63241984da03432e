//! Quarterly roadmap alignment sessions: participants, ranked items and the sign-offs
//! of engineering, product and design (DESIGN §1 "Quarterly roadmap alignment").
//! Uniqueness that concurrency must not break lives here: one sign-off per discipline,
//! one item per rank, one row per participant.

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
enum Squad {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum Initiative {
    Table,
    Id,
}
#[derive(DeriveIden)]
enum Outcome {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RoadmapAlignment {
    Table,
    Id,
    OrganizationId,
    Quarter,
    Title,
    ScheduledAt,
    FacilitatorId,
    Status,
    Notes,
}

#[derive(DeriveIden)]
enum AlignmentParticipant {
    Table,
    Id,
    OrganizationId,
    AlignmentId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RoadmapItem {
    Table,
    Id,
    OrganizationId,
    AlignmentId,
    InitiativeId,
    SquadId,
    Rank,
    Commitment,
    OutcomeId,
    Notes,
}

#[derive(DeriveIden)]
enum AlignmentSignoff {
    Table,
    Id,
    OrganizationId,
    AlignmentId,
    Discipline,
    UserId,
    SignedAt,
    Comment,
}

fn cascade<
    A: IntoIden + 'static,
    B: IntoIden + 'static,
    C: IntoIden + 'static,
    D: IntoIden + 'static,
>(
    from: A,
    col: B,
    to: C,
    to_col: D,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, col)
        .to(to, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn unique(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: &[&str],
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).unique().to_owned();
    for c in cols {
        stmt.col(Alias::new(*c));
    }
    manager.create_index(stmt).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(RoadmapAlignment::Table)
                        .col(pk_uuid(RoadmapAlignment::Id))
                        .col(uuid(RoadmapAlignment::OrganizationId))
                        .col(string_len(RoadmapAlignment::Quarter, 7))
                        .col(string_len(RoadmapAlignment::Title, 200))
                        .col(timestamp_with_time_zone_null(RoadmapAlignment::ScheduledAt))
                        .col(uuid(RoadmapAlignment::FacilitatorId))
                        .col(string_len(RoadmapAlignment::Status, 16))
                        .col(text(RoadmapAlignment::Notes).default(""))
                        .foreign_key(&mut cascade(
                            RoadmapAlignment::Table,
                            RoadmapAlignment::OrganizationId,
                            Organization::Table,
                            Organization::Id,
                        ))
                        .foreign_key(&mut cascade(
                            RoadmapAlignment::Table,
                            RoadmapAlignment::FacilitatorId,
                            User::Table,
                            User::Id,
                        )),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("roadmap_alignment_org_quarter_idx")
                    .table(RoadmapAlignment::Table)
                    .col(RoadmapAlignment::OrganizationId)
                    .col(RoadmapAlignment::Quarter)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlignmentParticipant::Table)
                    .col(pk_uuid(AlignmentParticipant::Id))
                    .col(uuid(AlignmentParticipant::OrganizationId))
                    .col(uuid(AlignmentParticipant::AlignmentId))
                    .col(uuid(AlignmentParticipant::UserId))
                    .col(timestamp_with_time_zone(AlignmentParticipant::CreatedAt))
                    .foreign_key(&mut cascade(
                        AlignmentParticipant::Table,
                        AlignmentParticipant::AlignmentId,
                        RoadmapAlignment::Table,
                        RoadmapAlignment::Id,
                    ))
                    .foreign_key(&mut cascade(
                        AlignmentParticipant::Table,
                        AlignmentParticipant::UserId,
                        User::Table,
                        User::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        unique(
            manager,
            "alignment_participant_org_alignment_user_key",
            AlignmentParticipant::Table,
            &["organization_id", "alignment_id", "user_id"],
        )
        .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(RoadmapItem::Table)
                        .col(pk_uuid(RoadmapItem::Id))
                        .col(uuid(RoadmapItem::OrganizationId))
                        .col(uuid(RoadmapItem::AlignmentId))
                        .col(uuid(RoadmapItem::InitiativeId))
                        .col(uuid(RoadmapItem::SquadId))
                        .col(integer(RoadmapItem::Rank))
                        .col(string_len(RoadmapItem::Commitment, 16))
                        .col(uuid_null(RoadmapItem::OutcomeId))
                        .col(text(RoadmapItem::Notes).default(""))
                        .foreign_key(&mut cascade(
                            RoadmapItem::Table,
                            RoadmapItem::AlignmentId,
                            RoadmapAlignment::Table,
                            RoadmapAlignment::Id,
                        ))
                        .foreign_key(&mut cascade(
                            RoadmapItem::Table,
                            RoadmapItem::InitiativeId,
                            Initiative::Table,
                            Initiative::Id,
                        ))
                        .foreign_key(&mut cascade(
                            RoadmapItem::Table,
                            RoadmapItem::SquadId,
                            Squad::Table,
                            Squad::Id,
                        ))
                        .foreign_key(
                            ForeignKey::create()
                                .from(RoadmapItem::Table, RoadmapItem::OutcomeId)
                                .to(Outcome::Table, Outcome::Id)
                                .on_delete(ForeignKeyAction::SetNull),
                        ),
                )
                .to_owned(),
            )
            .await?;
        // Ranks are unique per session: parallel re-ranking can never leave duplicates.
        unique(
            manager,
            "roadmap_item_org_alignment_rank_key",
            RoadmapItem::Table,
            &["organization_id", "alignment_id", "rank"],
        )
        .await?;
        unique(
            manager,
            "roadmap_item_org_alignment_initiative_key",
            RoadmapItem::Table,
            &["organization_id", "alignment_id", "initiative_id"],
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(AlignmentSignoff::Table)
                    .col(pk_uuid(AlignmentSignoff::Id))
                    .col(uuid(AlignmentSignoff::OrganizationId))
                    .col(uuid(AlignmentSignoff::AlignmentId))
                    .col(string_len(AlignmentSignoff::Discipline, 16))
                    .col(uuid(AlignmentSignoff::UserId))
                    .col(timestamp_with_time_zone(AlignmentSignoff::SignedAt))
                    .col(text(AlignmentSignoff::Comment).default(""))
                    .foreign_key(&mut cascade(
                        AlignmentSignoff::Table,
                        AlignmentSignoff::AlignmentId,
                        RoadmapAlignment::Table,
                        RoadmapAlignment::Id,
                    ))
                    .foreign_key(&mut cascade(
                        AlignmentSignoff::Table,
                        AlignmentSignoff::UserId,
                        User::Table,
                        User::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        // One sign-off per discipline, whatever the concurrency.
        unique(
            manager,
            "alignment_signoff_org_alignment_discipline_key",
            AlignmentSignoff::Table,
            &["organization_id", "alignment_id", "discipline"],
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AlignmentSignoff::Table.into_iden(),
            RoadmapItem::Table.into_iden(),
            AlignmentParticipant::Table.into_iden(),
            RoadmapAlignment::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
