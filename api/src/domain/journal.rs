//! Every write goes through a [`Write`]: a write transaction that journals what it
//! changes. On commit it appends, in the same transaction as the change itself,
//!
//! - one `change_log` entry per object created, updated or deleted (and per relation
//!   added, changed or removed), which `changes(since:)` serves to integrations;
//! - one `audit_event` per object the mutation was about, naming the caller (a user or
//!   an API token), the mutation and the request.
//!
//! So a change and its journal commit or roll back together: an integration never reads
//! a change that did not happen, nor misses one that did.

use std::collections::HashSet;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use entity::{audit_event, change_log};
use sea_orm::{
    sea_query::{
        Alias, CommonTableExpression, Expr, ExprTrait, Func, InsertStatement, Query, SimpleExpr,
        WithClause,
    },
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, ExecResult, IntoActiveModel, QueryFilter, QueryResult, Select, Statement,
    TryIntoModel,
};
use uuid::Uuid;

pub use crate::domain::kind::Subject;
use crate::{
    auth::Actor,
    db::{begin_write, now},
    domain::{
        kind::Kind,
        tenant::{save_versioned, TenantTable, VersionedTable},
    },
    error::{ApiError, ApiResult},
};

/// What happened to a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    Created,
    Updated,
    Deleted,
}

impl ChangeKind {
    /// As stored and served: `CREATED`, `UPDATED`, `DELETED`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Created => "CREATED",
            ChangeKind::Updated => "UPDATED",
            ChangeKind::Deleted => "DELETED",
        }
    }

    /// The kind stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [
            ChangeKind::Created,
            ChangeKind::Updated,
            ChangeKind::Deleted,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What a write changes and on whose behalf, turned into the journal's rows when it
/// commits: the part of a [`Write`] that is not its transaction. On its own, for a
/// write made of a single statement ([`Journal::postgres_ctes`]).
#[derive(Debug, Clone)]
pub struct Journal {
    org: Uuid,
    user: Option<Uuid>,
    token: Option<Uuid>,
    request_id: Option<String>,
    operation: String,
    at: DateTime<Utc>,
    changes: Vec<(ChangeKind, Subject)>,
}

impl Journal {
    /// The journal of a write on behalf of `actor`, happening now.
    pub fn new(actor: &Actor) -> Self {
        let origin = actor.origin();
        Self {
            org: actor.org_id(),
            user: actor.user_id(),
            token: actor.token_id(),
            request_id: origin.request_id.as_deref().map(str::to_owned),
            // A write outside any GraphQL operation (a test, a command) still says so.
            operation: origin.operation.as_deref().unwrap_or("internal").to_owned(),
            at: now(),
            changes: Vec::new(),
        }
    }

    /// When this write happens: one instant for every row and entry it writes.
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Records that `subject` changed in this write.
    pub fn record(&mut self, kind: ChangeKind, subject: Subject) {
        self.changes.push((kind, subject));
    }

    /// One audit event per object the mutation is about.
    fn audit_rows(&self, about: impl IntoIterator<Item = (Kind, Uuid)>) -> Vec<AuditRow> {
        about
            .into_iter()
            .map(|(kind, id)| AuditRow {
                id: Uuid::now_v7(),
                organization_id: self.org,
                occurred_at: self.at,
                actor_user_id: self.user,
                actor_token_id: self.token,
                operation: self.operation.clone(),
                object_type: kind.name(),
                object_id: id,
                request_id: self.request_id.clone(),
            })
            .collect()
    }

    /// The journal as the two inserts of a data-modifying `WITH` on PostgreSQL
    /// (`ns_logged`, `ns_audited`), each appending only when `only_if` holds (e.g. that
    /// a `WITH` before them inserted a row): for a write that is one statement, so that
    /// the change and its journal still commit together.
    pub fn postgres_ctes(
        mut self,
        about: impl IntoIterator<Item = (Kind, Uuid)>,
        only_if: SimpleExpr,
    ) -> ApiResult<[CommonTableExpression; 2]> {
        let events = self.audit_rows(about);
        let changes = self.change_rows();
        let cte = |name: &str, insert: InsertStatement| {
            CommonTableExpression::new()
                .query(insert)
                .table_name(Alias::new(name))
                .to_owned()
        };
        Ok([
            cte(
                "ns_logged",
                recordset_insert::<change_log::Entity, _>(changes, Some(only_if.clone()))?,
            ),
            cte(
                "ns_audited",
                recordset_insert::<audit_event::Entity, _>(events, Some(only_if))?,
            ),
        ])
    }

    /// The change log entries, each subject once per kind; an update of a row created
    /// in the same write is part of its creation. Takes the recorded changes.
    fn change_rows(&mut self) -> Vec<ChangeRow> {
        let changes = std::mem::take(&mut self.changes);
        let created: HashSet<Subject> = changes
            .iter()
            .filter(|(k, _)| *k == ChangeKind::Created)
            .map(|(_, s)| *s)
            .collect();
        let mut seen = HashSet::new();
        changes
            .iter()
            .filter(|(kind, subject)| {
                !(*kind == ChangeKind::Updated && created.contains(subject))
                    && seen.insert((*kind, *subject))
            })
            .map(|(kind, subject)| {
                let (object, related) = match *subject {
                    Subject::Object(k, id) => ((k.name(), id), None),
                    Subject::Relation { name, from, to } => {
                        ((name, from.1), Some((to.0.name(), to.1)))
                    }
                };
                ChangeRow {
                    organization_id: self.org,
                    occurred_at: self.at,
                    kind: kind.as_str(),
                    object_type: object.0,
                    object_id: object.1,
                    related_type: related.map(|r| r.0),
                    related_id: related.map(|r| r.1),
                    actor_user_id: self.user,
                    actor_token_id: self.token,
                }
            })
            .collect()
    }
}

/// `INSERT INTO <E> (<columns>) SELECT <columns> FROM json_populate_recordset(NULL::<E>,
/// $n::json) [WHERE only_if]` (PostgreSQL): rows of any number in one parameter. A
/// multi-row `VALUES` of a 1,000-item bulk binds thousands of parameters, and PostgreSQL
/// took 15–35 ms to parse and plan each such statement of 500 rows (bench/RESULTS.md).
fn recordset_insert<E, R>(rows: Vec<R>, only_if: Option<SimpleExpr>) -> ApiResult<InsertStatement>
where
    E: EntityTrait,
    R: JournalRow<E>,
{
    let table = E::default().table_name().to_owned();
    let json = serde_json::to_value(&rows).map_err(ApiError::internal)?;
    let columns = || R::COLUMNS.iter().map(|c| Alias::new(*c));
    let mut select = Query::select();
    select.columns(columns()).from_function(
        Func::cust(Alias::new("json_populate_recordset"))
            .arg(Expr::cust(format!("NULL::{table}")))
            .arg(Expr::val(json).cast_as(Alias::new("json"))),
        Alias::new("ns_rows"),
    );
    if let Some(cond) = only_if {
        select.and_where(cond);
    }
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(table))
        .columns(columns())
        .select_from(select)
        .map_err(ApiError::internal)?;
    Ok(insert)
}

/// A write transaction that journals its changes (see the module's documentation).
///
/// It is a connection like the transaction it wraps: pass `&write` wherever a
/// `ConnectionTrait` is taken. Dropping it without [`Write::commit`] rolls back.
pub struct Write {
    txn: DatabaseTransaction,
    journal: Journal,
}

impl Write {
    /// Begins a write on behalf of `actor` ([`begin_write`]).
    pub async fn begin(db: &DatabaseConnection, actor: &Actor) -> ApiResult<Self> {
        Ok(Self {
            txn: begin_write(db).await?,
            journal: Journal::new(actor),
        })
    }

    /// When this write happens: one instant for every row and entry it writes.
    pub fn at(&self) -> DateTime<Utc> {
        self.journal.at
    }

    /// Records that `subject` changed in this write.
    pub fn record(&mut self, kind: ChangeKind, subject: Subject) {
        self.journal.record(kind, subject);
    }

    /// Inserts a row and records it as created.
    pub async fn insert<E, A>(&mut self, row: A) -> Result<E::Model, DbErr>
    where
        E: TenantTable,
        E::Model: IntoActiveModel<A>,
        A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
    {
        let model = row.insert(&self.txn).await?;
        self.record(ChangeKind::Created, E::subject(&model));
        Ok(model)
    }

    /// Inserts fully set rows in one statement (per [`ROWS_PER_INSERT`]) and records
    /// each as created.
    pub async fn insert_many<E, A>(&mut self, rows: Vec<A>) -> ApiResult<()>
    where
        E: TenantTable,
        A: ActiveModelTrait<Entity = E> + TryIntoModel<E::Model> + Clone + Send,
    {
        for row in &rows {
            let model = row.clone().try_into_model()?;
            self.record(ChangeKind::Created, E::subject(&model));
        }
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            E::insert_many(chunk.to_vec())
                .exec_without_returning(&self.txn)
                .await?;
        }
        Ok(())
    }

    /// Updates a row by its primary key (without a version check) and records it as
    /// updated.
    pub async fn update<E, A>(&mut self, row: A) -> Result<E::Model, DbErr>
    where
        E: TenantTable,
        E::Model: IntoActiveModel<A>,
        A: ActiveModelTrait<Entity = E> + sea_orm::ActiveModelBehavior + Send,
    {
        let model = row.update(&self.txn).await?;
        self.record(ChangeKind::Updated, E::subject(&model));
        Ok(model)
    }

    /// [`save_versioned`], recording the row as updated.
    pub async fn save<E>(
        &mut self,
        current: &E::Model,
        expected_version: Option<i32>,
        changes: E::ActiveModel,
    ) -> ApiResult<E::Model>
    where
        E: VersionedTable,
        E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    {
        let saved = save_versioned::<E, _>(&self.txn, current, expected_version, changes).await?;
        self.record(ChangeKind::Updated, E::subject(&saved));
        Ok(saved)
    }

    /// Deletes a row of this organisation and records it as deleted. `false` when the
    /// row was already gone (a concurrent delete won): nothing is recorded then.
    pub async fn delete<E: TenantTable>(&mut self, row: &E::Model) -> ApiResult<bool> {
        let done = E::delete_many()
            .filter(E::ORG.eq(self.journal.org))
            .filter(E::ID.eq(E::id_of(row)))
            .exec(&self.txn)
            .await?;
        if done.rows_affected == 0 {
            return Ok(false);
        }
        self.record(ChangeKind::Deleted, E::subject(row));
        Ok(true)
    }

    /// Deletes the row `query` finds, if any, and records it as deleted; `None` when
    /// there was none (or a concurrent delete won).
    pub async fn delete_found<E: TenantTable>(
        &mut self,
        query: Select<E>,
    ) -> ApiResult<Option<E::Model>> {
        let Some(row) = query.one(&self.txn).await? else {
            return Ok(None);
        };
        Ok(self.delete::<E>(&row).await?.then_some(row))
    }

    /// Commits the change with its journal: the change log entries, and one audit event
    /// naming the object `kind`/`id` the mutation was about.
    pub async fn commit(self, kind: Kind, id: Uuid) -> ApiResult<()> {
        self.commit_for([(kind, id)]).await
    }

    /// Commits the change with its journal, and one audit event per object the mutation
    /// was about (a bulk upsert names each item).
    pub async fn commit_for(
        mut self,
        about: impl IntoIterator<Item = (Kind, Uuid)>,
    ) -> ApiResult<()> {
        let events = self.journal.audit_rows(about);
        let changes = self.journal.change_rows();
        if self.txn.get_database_backend() == DbBackend::Postgres {
            self.append_postgres(changes, events).await?;
        } else {
            self.append_sqlite(changes).await?;
            self.append_sqlite(events).await?;
        }
        self.txn.commit().await?;
        Ok(())
    }

    /// Ends the write without changing anything (nothing is journaled).
    pub async fn rollback(self) -> ApiResult<()> {
        self.txn.rollback().await?;
        Ok(())
    }

    /// Appends the change log entries and audit events in one statement, whatever their
    /// number ([`recordset_insert`]), the change log's in a data-modifying `WITH`.
    async fn append_postgres(
        &self,
        changes: Vec<ChangeRow>,
        events: Vec<AuditRow>,
    ) -> ApiResult<()> {
        if changes.is_empty() && events.is_empty() {
            return Ok(());
        }
        let logged = CommonTableExpression::new()
            .query(recordset_insert::<change_log::Entity, _>(changes, None)?)
            .table_name(Alias::new("ns_logged"))
            .to_owned();
        let audited = recordset_insert::<audit_event::Entity, _>(events, None)?;
        let stmt = WithClause::new().cte(logged).to_owned().query(audited);
        self.txn.execute(&stmt).await?;
        Ok(())
    }

    /// Appends journal rows of one table (`E` the table, `R` a row of it) with
    /// multi-row `INSERT`s (SQLite, which parses those fast).
    async fn append_sqlite<E, R>(&self, rows: Vec<R>) -> ApiResult<()>
    where
        E: EntityTrait,
        R: JournalRow<E>,
    {
        let models: Vec<E::ActiveModel> = rows.into_iter().map(R::into_active).collect();
        for chunk in models.chunks(ROWS_PER_INSERT) {
            E::insert_many(chunk.to_vec())
                .exec_without_returning(&self.txn)
                .await?;
        }
        Ok(())
    }
}

/// A row the journal appends: serialised with its columns' names (PostgreSQL), or
/// turned into the entity's active model (SQLite).
trait JournalRow<E: EntityTrait>: serde::Serialize + Send + Sync {
    /// The columns it sets.
    const COLUMNS: &'static [&'static str];
    fn into_active(self) -> E::ActiveModel;
}

/// A change log entry as written (`seq` and `tx` are the database's).
#[derive(serde::Serialize)]
struct ChangeRow {
    organization_id: Uuid,
    occurred_at: DateTime<Utc>,
    kind: &'static str,
    object_type: &'static str,
    object_id: Uuid,
    related_type: Option<&'static str>,
    related_id: Option<Uuid>,
    actor_user_id: Option<Uuid>,
    actor_token_id: Option<Uuid>,
}

impl JournalRow<change_log::Entity> for ChangeRow {
    const COLUMNS: &'static [&'static str] = &[
        "organization_id",
        "occurred_at",
        "kind",
        "object_type",
        "object_id",
        "related_type",
        "related_id",
        "actor_user_id",
        "actor_token_id",
    ];

    fn into_active(self) -> change_log::ActiveModel {
        change_log::ActiveModel {
            organization_id: Set(self.organization_id),
            occurred_at: Set(self.occurred_at),
            kind: Set(self.kind.to_owned()),
            object_type: Set(self.object_type.to_owned()),
            object_id: Set(self.object_id),
            related_type: Set(self.related_type.map(str::to_owned)),
            related_id: Set(self.related_id),
            actor_user_id: Set(self.actor_user_id),
            actor_token_id: Set(self.actor_token_id),
            ..Default::default()
        }
    }
}

/// An audit event as written.
#[derive(serde::Serialize)]
struct AuditRow {
    id: Uuid,
    organization_id: Uuid,
    occurred_at: DateTime<Utc>,
    actor_user_id: Option<Uuid>,
    actor_token_id: Option<Uuid>,
    operation: String,
    object_type: &'static str,
    object_id: Uuid,
    request_id: Option<String>,
}

impl JournalRow<audit_event::Entity> for AuditRow {
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "organization_id",
        "occurred_at",
        "actor_user_id",
        "actor_token_id",
        "operation",
        "object_type",
        "object_id",
        "request_id",
    ];

    fn into_active(self) -> audit_event::ActiveModel {
        audit_event::ActiveModel {
            id: Set(self.id),
            organization_id: Set(self.organization_id),
            occurred_at: Set(self.occurred_at),
            actor_user_id: Set(self.actor_user_id),
            actor_token_id: Set(self.actor_token_id),
            operation: Set(self.operation),
            object_type: Set(Some(self.object_type.to_owned())),
            object_id: Set(Some(self.object_id)),
            request_id: Set(self.request_id),
        }
    }
}

/// Rows per multi-row INSERT of the journal on SQLite: 11 columns each, within its
/// limit on bound parameters.
const ROWS_PER_INSERT: usize = 500;

#[async_trait]
impl ConnectionTrait for Write {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}
