//! Shared KPIs and their measurements, quarterly outcomes, initiatives mapped to them,
//! and cross-squad dependencies (DESIGN §1 "Outcomes and work", "Shared KPIs").

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
#[derive(DeriveIden)]
enum Squad {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Kpi {
    Table,
    Id,
    OrganizationId,
    TeamId,
    SquadId,
    Name,
    SearchKey,
    Description,
    Unit,
    Direction,
    Category,
    Baseline,
    Target,
    Attainment,
    AttainmentSort,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum KpiOwner {
    Table,
    Id,
    OrganizationId,
    KpiId,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum KpiMeasurement {
    Table,
    Id,
    OrganizationId,
    KpiId,
    Value,
    RecordedAt,
    Source,
    ExternalSource,
    ExternalId,
    ExternalUrl,
    Note,
    RecordedBy,
}

#[derive(DeriveIden)]
enum Outcome {
    Table,
    Id,
    OrganizationId,
    TeamId,
    SquadId,
    Quarter,
    Title,
    Description,
    KpiId,
    Status,
}

#[derive(DeriveIden)]
enum Initiative {
    Table,
    Id,
    OrganizationId,
    SquadId,
    Title,
    TitleKey,
    Description,
    Status,
    StartDate,
    TargetDate,
    ExternalSource,
    ExternalId,
    ExternalUrl,
}

#[derive(DeriveIden)]
enum OutcomeInitiative {
    Table,
    Id,
    OrganizationId,
    OutcomeId,
    InitiativeId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Dependency {
    Table,
    Id,
    OrganizationId,
    FromSquadId,
    ToSquadId,
    InitiativeId,
    Description,
    NeededBy,
    Status,
}

fn fk<
    T: IntoIden + 'static,
    U: IntoIden + 'static,
    V: IntoIden + 'static,
    W: IntoIden + 'static,
>(
    from: T,
    col: U,
    to: V,
    to_col: W,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from, col)
        .to(to, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<Alias>,
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for c in cols {
        stmt.col(c);
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt).await
}

fn a(s: &str) -> Alias {
    Alias::new(s)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(Kpi::Table)
                        .col(pk_uuid(Kpi::Id))
                        .col(uuid(Kpi::OrganizationId))
                        .col(uuid_null(Kpi::TeamId))
                        .col(uuid_null(Kpi::SquadId))
                        .col(string_len(Kpi::Name, 200))
                        // Name and description folded to lower case in Rust, for search.
                        .col(text(Kpi::SearchKey))
                        .col(text(Kpi::Description).default(""))
                        .col(string_len_null(Kpi::Unit, 24))
                        .col(string_len(Kpi::Direction, 24))
                        .col(string_len(Kpi::Category, 24))
                        .col(double_null(Kpi::Baseline))
                        .col(double_null(Kpi::Target))
                        // Derived from the latest measurement, kept for display and sorting:
                        // `attainment_sort` is -1 where `attainment` is unknown.
                        .col(double_null(Kpi::Attainment))
                        .col(double(Kpi::AttainmentSort).default(-1.0))
                        .col(timestamp_with_time_zone_null(Kpi::ArchivedAt))
                        // Scoped to exactly one of a team or a squad.
                        .check(Expr::cust("(team_id IS NULL) <> (squad_id IS NULL)"))
                        .foreign_key(&mut fk(
                            Kpi::Table,
                            Kpi::OrganizationId,
                            Organization::Table,
                            Organization::Id,
                        ))
                        .foreign_key(&mut fk(Kpi::Table, Kpi::TeamId, Team::Table, Team::Id))
                        .foreign_key(&mut fk(Kpi::Table, Kpi::SquadId, Squad::Table, Squad::Id)),
                )
                .to_owned(),
            )
            .await?;
        index(
            manager,
            "kpi_org_team_idx",
            Kpi::Table,
            vec![a("organization_id"), a("team_id")],
            false,
        )
        .await?;
        index(
            manager,
            "kpi_org_squad_idx",
            Kpi::Table,
            vec![a("organization_id"), a("squad_id")],
            false,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(KpiOwner::Table)
                    .col(pk_uuid(KpiOwner::Id))
                    .col(uuid(KpiOwner::OrganizationId))
                    .col(uuid(KpiOwner::KpiId))
                    .col(uuid(KpiOwner::UserId))
                    .col(timestamp_with_time_zone(KpiOwner::CreatedAt))
                    .foreign_key(&mut fk(
                        KpiOwner::Table,
                        KpiOwner::KpiId,
                        Kpi::Table,
                        Kpi::Id,
                    ))
                    .foreign_key(&mut fk(
                        KpiOwner::Table,
                        KpiOwner::UserId,
                        User::Table,
                        User::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "kpi_owner_org_kpi_user_key",
            KpiOwner::Table,
            vec![a("organization_id"), a("kpi_id"), a("user_id")],
            true,
        )
        .await?;
        index(
            manager,
            "kpi_owner_org_user_idx",
            KpiOwner::Table,
            vec![a("organization_id"), a("user_id")],
            false,
        )
        .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(KpiMeasurement::Table)
                        .col(pk_uuid(KpiMeasurement::Id))
                        .col(uuid(KpiMeasurement::OrganizationId))
                        .col(uuid(KpiMeasurement::KpiId))
                        .col(double(KpiMeasurement::Value))
                        .col(timestamp_with_time_zone(KpiMeasurement::RecordedAt))
                        .col(string_len(KpiMeasurement::Source, 16))
                        .col(string_len_null(KpiMeasurement::ExternalSource, 64))
                        .col(string_len_null(KpiMeasurement::ExternalId, 256))
                        .col(string_len_null(KpiMeasurement::ExternalUrl, 2048))
                        .col(text(KpiMeasurement::Note).default(""))
                        .col(uuid_null(KpiMeasurement::RecordedBy))
                        .foreign_key(&mut fk(
                            KpiMeasurement::Table,
                            KpiMeasurement::KpiId,
                            Kpi::Table,
                            Kpi::Id,
                        )),
                )
                .to_owned(),
            )
            .await?;
        index(
            manager,
            "kpi_measurement_org_kpi_time_idx",
            KpiMeasurement::Table,
            vec![a("organization_id"), a("kpi_id"), a("recorded_at")],
            false,
        )
        .await?;
        // NULLs are distinct: only measurements with an external reference are unique.
        index(
            manager,
            "kpi_measurement_org_external_key",
            KpiMeasurement::Table,
            vec![a("organization_id"), a("external_source"), a("external_id")],
            true,
        )
        .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(Outcome::Table)
                        .col(pk_uuid(Outcome::Id))
                        .col(uuid(Outcome::OrganizationId))
                        .col(uuid_null(Outcome::TeamId))
                        .col(uuid_null(Outcome::SquadId))
                        .col(string_len(Outcome::Quarter, 7))
                        .col(string_len(Outcome::Title, 200))
                        .col(text(Outcome::Description).default(""))
                        .col(uuid_null(Outcome::KpiId))
                        .col(string_len(Outcome::Status, 16))
                        // Owned by exactly one of a team or a squad.
                        .check(Expr::cust("(team_id IS NULL) <> (squad_id IS NULL)"))
                        .foreign_key(&mut fk(
                            Outcome::Table,
                            Outcome::OrganizationId,
                            Organization::Table,
                            Organization::Id,
                        ))
                        .foreign_key(&mut fk(
                            Outcome::Table,
                            Outcome::TeamId,
                            Team::Table,
                            Team::Id,
                        ))
                        .foreign_key(&mut fk(
                            Outcome::Table,
                            Outcome::SquadId,
                            Squad::Table,
                            Squad::Id,
                        ))
                        .foreign_key(
                            ForeignKey::create()
                                .from(Outcome::Table, Outcome::KpiId)
                                .to(Kpi::Table, Kpi::Id)
                                .on_delete(ForeignKeyAction::SetNull),
                        ),
                )
                .to_owned(),
            )
            .await?;
        index(
            manager,
            "outcome_org_quarter_idx",
            Outcome::Table,
            vec![a("organization_id"), a("quarter")],
            false,
        )
        .await?;
        index(
            manager,
            "outcome_org_team_idx",
            Outcome::Table,
            vec![a("organization_id"), a("team_id")],
            false,
        )
        .await?;
        index(
            manager,
            "outcome_org_squad_idx",
            Outcome::Table,
            vec![a("organization_id"), a("squad_id")],
            false,
        )
        .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(Initiative::Table)
                        .col(pk_uuid(Initiative::Id))
                        .col(uuid(Initiative::OrganizationId))
                        .col(uuid(Initiative::SquadId))
                        .col(string_len(Initiative::Title, 200))
                        // The title folded to lower case in Rust, for search.
                        .col(string_len(Initiative::TitleKey, 200))
                        .col(text(Initiative::Description).default(""))
                        .col(string_len(Initiative::Status, 16))
                        .col(date_null(Initiative::StartDate))
                        .col(date_null(Initiative::TargetDate))
                        .col(string_len_null(Initiative::ExternalSource, 64))
                        .col(string_len_null(Initiative::ExternalId, 256))
                        .col(string_len_null(Initiative::ExternalUrl, 2048))
                        .foreign_key(&mut fk(
                            Initiative::Table,
                            Initiative::SquadId,
                            Squad::Table,
                            Squad::Id,
                        )),
                )
                .to_owned(),
            )
            .await?;
        index(
            manager,
            "initiative_org_squad_idx",
            Initiative::Table,
            vec![a("organization_id"), a("squad_id")],
            false,
        )
        .await?;
        index(
            manager,
            "initiative_org_external_key",
            Initiative::Table,
            vec![a("organization_id"), a("external_source"), a("external_id")],
            true,
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(OutcomeInitiative::Table)
                    .col(pk_uuid(OutcomeInitiative::Id))
                    .col(uuid(OutcomeInitiative::OrganizationId))
                    .col(uuid(OutcomeInitiative::OutcomeId))
                    .col(uuid(OutcomeInitiative::InitiativeId))
                    .col(timestamp_with_time_zone(OutcomeInitiative::CreatedAt))
                    .foreign_key(&mut fk(
                        OutcomeInitiative::Table,
                        OutcomeInitiative::OutcomeId,
                        Outcome::Table,
                        Outcome::Id,
                    ))
                    .foreign_key(&mut fk(
                        OutcomeInitiative::Table,
                        OutcomeInitiative::InitiativeId,
                        Initiative::Table,
                        Initiative::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "outcome_initiative_org_outcome_initiative_key",
            OutcomeInitiative::Table,
            vec![a("organization_id"), a("outcome_id"), a("initiative_id")],
            true,
        )
        .await?;
        index(
            manager,
            "outcome_initiative_org_initiative_idx",
            OutcomeInitiative::Table,
            vec![a("organization_id"), a("initiative_id")],
            false,
        )
        .await?;

        manager
            .create_table(
                audit_columns(
                    Table::create()
                        .table(Dependency::Table)
                        .col(pk_uuid(Dependency::Id))
                        .col(uuid(Dependency::OrganizationId))
                        .col(uuid(Dependency::FromSquadId))
                        .col(uuid(Dependency::ToSquadId))
                        .col(uuid_null(Dependency::InitiativeId))
                        .col(text(Dependency::Description))
                        .col(date(Dependency::NeededBy))
                        .col(string_len(Dependency::Status, 16))
                        .foreign_key(&mut fk(
                            Dependency::Table,
                            Dependency::FromSquadId,
                            Squad::Table,
                            Squad::Id,
                        ))
                        .foreign_key(&mut fk(
                            Dependency::Table,
                            Dependency::ToSquadId,
                            Squad::Table,
                            Squad::Id,
                        ))
                        .foreign_key(
                            ForeignKey::create()
                                .from(Dependency::Table, Dependency::InitiativeId)
                                .to(Initiative::Table, Initiative::Id)
                                .on_delete(ForeignKeyAction::SetNull),
                        ),
                )
                .to_owned(),
            )
            .await?;
        index(
            manager,
            "dependency_org_from_idx",
            Dependency::Table,
            vec![a("organization_id"), a("from_squad_id")],
            false,
        )
        .await?;
        index(
            manager,
            "dependency_org_to_idx",
            Dependency::Table,
            vec![a("organization_id"), a("to_squad_id")],
            false,
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Dependency::Table.into_iden(),
            OutcomeInitiative::Table.into_iden(),
            Initiative::Table.into_iden(),
            Outcome::Table.into_iden(),
            KpiMeasurement::Table.into_iden(),
            KpiOwner::Table.into_iden(),
            Kpi::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
