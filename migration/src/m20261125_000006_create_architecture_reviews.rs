//! Monthly architecture reviews: the review, its assigned reviewers with their
//! verdicts, and its threaded comments (DESIGN §1 "Monthly architecture review and
//! decision records"). Every unique key starts with `organization_id` (DESIGN §5).

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
}

#[derive(DeriveIden, Clone, Copy)]
enum ArchitectureReview {
    Table,
    Id,
    OrganizationId,
    Title,
    Proposal,
    System,
    AuthorId,
    TeamId,
    Status,
    MeetingDate,
    SubmittedAt,
    DecidedAt,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ReviewReviewer {
    Table,
    Id,
    OrganizationId,
    ReviewId,
    ReviewerId,
    Verdict,
    Comment,
    VerdictAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum ReviewComment {
    Table,
    Id,
    OrganizationId,
    ReviewId,
    AuthorId,
    ReplyToId,
    Body,
    CreatedAt,
}

fn org_fk<T: IntoIden + 'static>(table: T, col: T) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Organization::Table, Organization::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

fn index<T: IntoIden + Copy + 'static>(name: &str, table: T, cols: &[T]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(table);
    for col in cols {
        index.col(*col);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(ArchitectureReview::Table)
                        .col(pk_uuid(ArchitectureReview::Id))
                        .col(uuid(ArchitectureReview::OrganizationId))
                        .col(string_len(ArchitectureReview::Title, 200))
                        .col(text(ArchitectureReview::Proposal).default(""))
                        .col(string_len(ArchitectureReview::System, 200))
                        .col(uuid(ArchitectureReview::AuthorId))
                        .col(uuid_null(ArchitectureReview::TeamId))
                        .col(string_len(ArchitectureReview::Status, 24))
                        .col(date_null(ArchitectureReview::MeetingDate))
                        .col(timestamp_with_time_zone_null(
                            ArchitectureReview::SubmittedAt,
                        ))
                        .col(timestamp_with_time_zone_null(ArchitectureReview::DecidedAt))
                        .foreign_key(&mut org_fk(
                            ArchitectureReview::Table,
                            ArchitectureReview::OrganizationId,
                        ))
                        .foreign_key(
                            ForeignKey::create()
                                .from(ArchitectureReview::Table, ArchitectureReview::AuthorId)
                                .to(User::Table, User::Id),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(ArchitectureReview::Table, ArchitectureReview::TeamId)
                                .to(Team::Table, Team::Id)
                                .on_delete(ForeignKeyAction::SetNull),
                        ),
                )
                .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "architecture_review_org_created_idx",
                &[
                    ArchitectureReview::OrganizationId,
                    ArchitectureReview::CreatedAt,
                ][..],
            ),
            (
                "architecture_review_org_status_idx",
                &[
                    ArchitectureReview::OrganizationId,
                    ArchitectureReview::Status,
                ][..],
            ),
            (
                "architecture_review_org_meeting_idx",
                &[
                    ArchitectureReview::OrganizationId,
                    ArchitectureReview::MeetingDate,
                ][..],
            ),
            (
                "architecture_review_org_author_idx",
                &[
                    ArchitectureReview::OrganizationId,
                    ArchitectureReview::AuthorId,
                ][..],
            ),
            (
                "architecture_review_org_team_idx",
                &[
                    ArchitectureReview::OrganizationId,
                    ArchitectureReview::TeamId,
                ][..],
            ),
        ] {
            manager
                .create_index(index(name, ArchitectureReview::Table, cols))
                .await?;
        }

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(ReviewReviewer::Table)
                        .col(pk_uuid(ReviewReviewer::Id))
                        .col(uuid(ReviewReviewer::OrganizationId))
                        .col(uuid(ReviewReviewer::ReviewId))
                        .col(uuid(ReviewReviewer::ReviewerId))
                        .col(string_len(ReviewReviewer::Verdict, 24))
                        .col(text(ReviewReviewer::Comment).default(""))
                        .col(timestamp_with_time_zone_null(ReviewReviewer::VerdictAt))
                        .foreign_key(&mut org_fk(
                            ReviewReviewer::Table,
                            ReviewReviewer::OrganizationId,
                        ))
                        .foreign_key(
                            ForeignKey::create()
                                .from(ReviewReviewer::Table, ReviewReviewer::ReviewId)
                                .to(ArchitectureReview::Table, ArchitectureReview::Id)
                                .on_delete(ForeignKeyAction::Cascade),
                        )
                        .foreign_key(
                            ForeignKey::create()
                                .from(ReviewReviewer::Table, ReviewReviewer::ReviewerId)
                                .to(User::Table, User::Id),
                        ),
                )
                .to_owned(),
            )
            .await?;
        manager
            .create_index(
                index(
                    "review_reviewer_org_review_user_key",
                    ReviewReviewer::Table,
                    &[
                        ReviewReviewer::OrganizationId,
                        ReviewReviewer::ReviewId,
                        ReviewReviewer::ReviewerId,
                    ],
                )
                .unique()
                .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "review_reviewer_org_user_idx",
                ReviewReviewer::Table,
                &[ReviewReviewer::OrganizationId, ReviewReviewer::ReviewerId],
            ))
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ReviewComment::Table)
                    .col(pk_uuid(ReviewComment::Id))
                    .col(uuid(ReviewComment::OrganizationId))
                    .col(uuid(ReviewComment::ReviewId))
                    .col(uuid(ReviewComment::AuthorId))
                    .col(uuid_null(ReviewComment::ReplyToId))
                    .col(text(ReviewComment::Body))
                    .col(timestamp_with_time_zone(ReviewComment::CreatedAt))
                    .foreign_key(&mut org_fk(
                        ReviewComment::Table,
                        ReviewComment::OrganizationId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewComment::Table, ReviewComment::ReviewId)
                            .to(ArchitectureReview::Table, ArchitectureReview::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewComment::Table, ReviewComment::AuthorId)
                            .to(User::Table, User::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ReviewComment::Table, ReviewComment::ReplyToId)
                            .to(ReviewComment::Table, ReviewComment::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(index(
                "review_comment_org_review_idx",
                ReviewComment::Table,
                &[ReviewComment::OrganizationId, ReviewComment::ReviewId],
            ))
            .await?;
        manager
            .create_index(index(
                "review_comment_org_reply_to_idx",
                ReviewComment::Table,
                &[ReviewComment::OrganizationId, ReviewComment::ReplyToId],
            ))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReviewComment::Table.into_iden(),
            ReviewReviewer::Table.into_iden(),
            ArchitectureReview::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
