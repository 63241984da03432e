//! What integrations need (issue 13; DESIGN §1 "api_token", §3): API tokens, the audit
//! log, the change log an integration reads changes from, request budgets, external
//! references on outcomes, and indexes for reading synced lists by `(updated_at, id)`.

use sea_orm_migration::{prelude::*, schema::*};

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
enum ApiToken {
    Table,
    Id,
    OrganizationId,
    Name,
    Lookup,
    SecretHash,
    Scopes,
    CreatedBy,
    CreatedAt,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum AuditEvent {
    Table,
    Id,
    OrganizationId,
    OccurredAt,
    ActorUserId,
    ActorTokenId,
    Operation,
    ObjectType,
    ObjectId,
    RequestId,
}

#[derive(DeriveIden)]
enum ChangeLog {
    Table,
    Seq,
    Tx,
    OrganizationId,
    OccurredAt,
    Kind,
    ObjectType,
    ObjectId,
    RelatedType,
    RelatedId,
    ActorUserId,
    ActorTokenId,
}

#[derive(DeriveIden)]
enum ChangeLogPruned {
    Table,
    OrganizationId,
    Tx,
    Seq,
}

#[derive(DeriveIden)]
enum RateLimit {
    Table,
    Key,
    WindowStart,
    Used,
}

#[derive(DeriveIden)]
enum KpiMeasurement {
    Table,
    RecordedByTokenId,
}

#[derive(DeriveIden)]
enum Outcome {
    Table,
    ExternalSource,
    ExternalId,
    ExternalUrl,
}

/// Synced lists read in `(updated_at, id)` order (`updatedSince`, `orderBy: UPDATED_AT`).
const UPDATED_INDEXES: [(&str, &str); 5] = [
    ("initiative", "initiative_org_updated_idx"),
    ("outcome", "outcome_org_updated_idx"),
    ("dependency", "dependency_org_updated_idx"),
    ("kpi", "kpi_org_updated_idx"),
    ("kpi_measurement", "kpi_measurement_org_updated_idx"),
];

fn a(s: &str) -> Alias {
    Alias::new(s)
}

async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: impl IntoIden + 'static,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut stmt = Index::create().name(name).table(table).to_owned();
    for c in cols {
        stmt.col(a(c));
    }
    if unique {
        stmt.unique();
    }
    manager.create_index(stmt).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == sea_orm::DbBackend::Postgres;

        // An identity table (DESIGN §5): found by `lookup` across organisations when a
        // request presents a token, like a user by email.
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(pk_uuid(ApiToken::Id))
                    .col(uuid(ApiToken::OrganizationId))
                    .col(string_len(ApiToken::Name, 200))
                    // The public half of the secret, `nst_<lookup><secret>`: finds the row.
                    .col(string_len(ApiToken::Lookup, 32).unique_key())
                    // Hex SHA-256 of the whole token, compared in constant time.
                    .col(string_len(ApiToken::SecretHash, 64))
                    // Space-separated, e.g. "kpis:write read".
                    .col(string_len(ApiToken::Scopes, 200))
                    .col(uuid(ApiToken::CreatedBy))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiToken::Table, ApiToken::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiToken::Table, ApiToken::CreatedBy)
                            .to(User::Table, User::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "api_token_org_created_idx",
            ApiToken::Table,
            &["organization_id", "created_at", "id"],
            false,
        )
        .await?;

        // Append-only; no foreign keys, so that an event outlives what it names.
        manager
            .create_table(
                Table::create()
                    .table(AuditEvent::Table)
                    .col(pk_uuid(AuditEvent::Id))
                    .col(uuid(AuditEvent::OrganizationId))
                    .col(timestamp_with_time_zone(AuditEvent::OccurredAt))
                    .col(uuid_null(AuditEvent::ActorUserId))
                    .col(uuid_null(AuditEvent::ActorTokenId))
                    .col(string_len(AuditEvent::Operation, 100))
                    .col(string_len_null(AuditEvent::ObjectType, 64))
                    .col(uuid_null(AuditEvent::ObjectId))
                    .col(string_len_null(AuditEvent::RequestId, 100))
                    .to_owned(),
            )
            .await?;
        for (name, cols) in [
            (
                "audit_event_org_time_idx",
                &["organization_id", "occurred_at", "id"][..],
            ),
            (
                "audit_event_org_object_idx",
                &["organization_id", "object_id"],
            ),
            (
                "audit_event_org_user_idx",
                &["organization_id", "actor_user_id"],
            ),
            (
                "audit_event_org_token_idx",
                &["organization_id", "actor_token_id"],
            ),
        ] {
            index(manager, name, AuditEvent::Table, cols, false).await?;
        }

        // Read in `(tx, seq)` order. On PostgreSQL `tx` is the writing transaction's id,
        // so a reader can stop before any transaction still in progress and never skip
        // one that commits later with smaller sequence numbers; SQLite has one writer at
        // a time, so `seq` alone is the commit order there and `tx` stays 0.
        let tx_default = if postgres {
            Expr::cust("(pg_current_xact_id()::text::bigint)")
        } else {
            Expr::cust("0")
        };
        manager
            .create_table(
                Table::create()
                    .table(ChangeLog::Table)
                    .col(big_integer(ChangeLog::Seq).auto_increment().primary_key())
                    .col(big_integer(ChangeLog::Tx).default(tx_default))
                    .col(uuid(ChangeLog::OrganizationId))
                    .col(timestamp_with_time_zone(ChangeLog::OccurredAt))
                    // CREATED, UPDATED or DELETED.
                    .col(string_len(ChangeLog::Kind, 16))
                    .col(string_len(ChangeLog::ObjectType, 64))
                    .col(uuid(ChangeLog::ObjectId))
                    // A relation's other end (an initiative's outcome, a KPI's owner).
                    .col(string_len_null(ChangeLog::RelatedType, 64))
                    .col(uuid_null(ChangeLog::RelatedId))
                    .col(uuid_null(ChangeLog::ActorUserId))
                    .col(uuid_null(ChangeLog::ActorTokenId))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "change_log_org_tx_seq_idx",
            ChangeLog::Table,
            &["organization_id", "tx", "seq"],
            false,
        )
        .await?;
        index(
            manager,
            "change_log_time_idx",
            ChangeLog::Table,
            &["occurred_at"],
            false,
        )
        .await?;

        // Per organisation, the newest position of the change log deleted past its
        // retention: a cursor before it may have missed an entry, and must resync.
        manager
            .create_table(
                Table::create()
                    .table(ChangeLogPruned::Table)
                    .col(pk_uuid(ChangeLogPruned::OrganizationId))
                    .col(big_integer(ChangeLogPruned::Tx))
                    .col(big_integer(ChangeLogPruned::Seq))
                    .to_owned(),
            )
            .await?;

        // Requests counted per caller per window, shared by every API node.
        manager
            .create_table(
                Table::create()
                    .table(RateLimit::Table)
                    .col(string_len(RateLimit::Key, 200).primary_key())
                    .col(big_integer(RateLimit::WindowStart))
                    .col(big_integer(RateLimit::Used))
                    .to_owned(),
            )
            .await?;

        for (col, len) in [
            (Outcome::ExternalSource, 64),
            (Outcome::ExternalId, 256),
            (Outcome::ExternalUrl, 2048),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outcome::Table)
                        .add_column(string_len_null(col, len))
                        .to_owned(),
                )
                .await?;
        }
        // NULLs are distinct: only outcomes with an external reference are unique.
        index(
            manager,
            "outcome_org_external_key",
            Outcome::Table,
            &["organization_id", "external_source", "external_id"],
            true,
        )
        .await?;

        // A measurement an integration recorded names its token (`recordedByToken`).
        manager
            .alter_table(
                Table::alter()
                    .table(KpiMeasurement::Table)
                    .add_column(uuid_null(KpiMeasurement::RecordedByTokenId))
                    .to_owned(),
            )
            .await?;

        for (table, name) in UPDATED_INDEXES {
            index(
                manager,
                name,
                a(table),
                &["organization_id", "updated_at", "id"],
                false,
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, name) in UPDATED_INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(a(table)).to_owned())
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(KpiMeasurement::Table)
                    .drop_column(KpiMeasurement::RecordedByTokenId)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("outcome_org_external_key")
                    .table(Outcome::Table)
                    .to_owned(),
            )
            .await?;
        for col in [
            Outcome::ExternalSource,
            Outcome::ExternalId,
            Outcome::ExternalUrl,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Outcome::Table)
                        .drop_column(col)
                        .to_owned(),
                )
                .await?;
        }
        for table in [
            RateLimit::Table.into_iden(),
            ChangeLogPruned::Table.into_iden(),
            ChangeLog::Table.into_iden(),
            AuditEvent::Table.into_iden(),
            ApiToken::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
