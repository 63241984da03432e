use chrono::{DateTime, Duration, Utc};
use entity::{
    enums::{Discipline, KpiCategory, KpiDirection, KpiUnit, MeasurementSource},
    kpi, kpi_measurement, kpi_owner, kpi_view, user,
};
use sea_orm::{
    sea_query::{Expr, ExprTrait, LikeExpr, Query},
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QueryFilter, Select,
    TryInsertResult, TryIntoModel,
};
use tracing::instrument;
use uuid::Uuid;

use super::recording;
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    db::now,
    domain::{
        external_ref::ExternalRef,
        journal::{ChangeKind, Write},
        kind::Kind,
        scope::Scope,
        tenant::{find_in_org, lock_in_org, TenantTable},
        text,
    },
    error::{ApiError, ApiResult},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

/// KPI definitions, owners and measurements.
#[derive(Clone)]
pub struct KpiService {
    pub(super) db: DatabaseConnection,
}

/// A KPI to define for a team or a squad.
#[derive(Debug, Clone)]
pub struct NewKpi {
    pub scope: Scope,
    pub name: String,
    pub description: Option<String>,
    pub unit: Option<KpiUnit>,
    pub direction: KpiDirection,
    pub category: KpiCategory,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
}

/// Changes to a KPI: `None` leaves a field; `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct KpiChanges {
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub unit: Option<Option<KpiUnit>>,
    pub direction: Option<KpiDirection>,
    pub category: Option<KpiCategory>,
    pub baseline: Option<Option<f64>>,
    pub target: Option<Option<f64>>,
}

/// A measurement to record.
#[derive(Debug, Clone)]
pub struct NewMeasurement {
    pub kpi_id: Uuid,
    pub value: f64,
    /// Default: now (for a new measurement).
    pub recorded_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub external: Option<ExternalRef>,
}

/// A measurement's checked values.
struct Measured {
    value: f64,
    recorded_at: Option<DateTime<Utc>>,
    note: Option<String>,
    ext: Option<ExternalRef>,
}

/// Which KPIs to list.
#[derive(Debug, Clone, Default)]
pub struct KpiFilter {
    pub team_id: Option<Uuid>,
    pub squad_id: Option<Uuid>,
    pub category: Option<KpiCategory>,
    /// Shared: owners span two or more disciplines.
    pub is_shared: Option<bool>,
    pub owner_id: Option<Uuid>,
    /// Case-insensitive part of the name or description.
    pub text: Option<String>,
    pub include_archived: bool,
    pub updated_since: Option<DateTime<Utc>>,
}

/// How KPIs are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum KpiSort {
    #[default]
    Name,
    Category,
    Attainment,
    UpdatedAt,
}

/// The order of a KPI list.
pub fn kpi_order(sort: KpiSort, descending: bool) -> Order<kpi_view::Entity> {
    use kpi_view::Column as K;
    let (column, key): (K, fn(&kpi_view::Model) -> SortValue) = match sort {
        KpiSort::Name => (K::Name, |m| SortValue::Text(m.name.clone())),
        KpiSort::Category => (K::Category, |m| {
            SortValue::Text(sea_orm::ActiveEnum::to_value(&m.category))
        }),
        KpiSort::Attainment => (K::AttainmentSort, |m| SortValue::Float(m.attainment_sort)),
        KpiSort::UpdatedAt => (K::UpdatedAt, |m| SortValue::Time(m.updated_at)),
    };
    Order {
        column,
        id: K::Id,
        descending,
        key,
        id_of: |m| m.id,
    }
}

/// When a measurement was taken, to the microsecond that both databases keep; more
/// than 5 minutes ahead of `now` (clocks differ a little) is BAD_USER_INPUT.
pub(super) fn recorded_at(
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> ApiResult<Option<DateTime<Utc>>> {
    use chrono::SubsecRound;
    match at {
        Some(t) if t > now + Duration::minutes(5) => Err(ApiError::bad_input(
            "recordedAt",
            "recordedAt is in the future",
        )),
        t => Ok(t.map(|t| t.trunc_subsecs(6))),
    }
}

pub(super) fn finite(v: Option<f64>, field: &'static str) -> ApiResult<Option<f64>> {
    match v {
        Some(x) if !x.is_finite() => Err(ApiError::bad_input(
            field,
            format!("{field} must be a finite number"),
        )),
        v => Ok(v),
    }
}

/// The rules a KPI's unit, direction, baseline and target obey together.
fn check_targets(
    unit: Option<KpiUnit>,
    direction: KpiDirection,
    baseline: Option<f64>,
    target: Option<f64>,
) -> ApiResult<()> {
    finite(baseline, "baseline")?;
    finite(target, "target")?;
    if target.is_some() && unit.is_none() {
        return Err(ApiError::bad_input(
            "unit",
            "a KPI with a target needs a unit",
        ));
    }
    if let (Some(b), Some(t)) = (baseline, target) {
        let ok = match direction {
            KpiDirection::HigherIsBetter => t > b,
            KpiDirection::LowerIsBetter => t < b,
        };
        if !ok {
            return Err(ApiError::bad_input(
                "target",
                "the target must be better than the baseline in the KPI's direction",
            ));
        }
    }
    Ok(())
}

fn search_key(name: &str, description: &str) -> String {
    text::fold(&format!("{name}\n{description}"))
}

impl KpiService {
    pub(crate) fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Defines a KPI for a team or squad (ADMIN, or a LEAD of that team or squad). The
    /// caller becomes its first owner.
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn create(&self, actor: &Actor, input: NewKpi) -> ApiResult<kpi_view::Model> {
        let facts = facts::scope(&self.db, actor, input.scope).await?;
        authz::check(actor, Action::DefineKpi { scope: &facts })?;
        let name = text::required(&input.name, "name", text::NAME_MAX)?;
        let description = text::bounded(
            input.description.as_deref().unwrap_or(""),
            "description",
            text::TEXT_MAX,
        )?;
        check_targets(input.unit, input.direction, input.baseline, input.target)?;
        let (team_id, squad_id) = input.scope.columns();
        let now = now();
        let mut w = Write::begin(&self.db, actor).await?;
        let k = w
            .insert(kpi::ActiveModel {
                id: Set(Uuid::now_v7()),
                organization_id: Set(actor.org_id()),
                team_id: Set(team_id),
                squad_id: Set(squad_id),
                search_key: Set(search_key(&name, &description)),
                name: Set(name),
                description: Set(description),
                unit: Set(input.unit),
                direction: Set(input.direction),
                category: Set(input.category),
                baseline: Set(input.baseline),
                target: Set(input.target),
                archived_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            })
            .await?;
        w.insert(kpi_owner::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            kpi_id: Set(k.id),
            user_id: Set(actor.person()?),
            created_at: Set(now),
        })
        .await?;
        let k = read(&w, k.organization_id, k.id).await?;
        w.commit(Kind::Kpi, k.id).await?;
        tracing::info!(kpi.id = %k.id, "KPI defined");
        Ok(k)
    }

    async fn editable<C: ConnectionTrait>(
        &self,
        db: &C,
        actor: &Actor,
        id: Uuid,
    ) -> ApiResult<kpi::Model> {
        let k = find_in_org::<kpi::Entity, _>(db, actor.org_id(), id).await?;
        let facts = facts::scope(db, actor, Scope::of_row(k.team_id, k.squad_id)?).await?;
        authz::check(actor, Action::DefineKpi { scope: &facts })?;
        Ok(k)
    }

    /// Changes a KPI's definition (ADMIN, or a LEAD of its team or squad).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), kpi.id = %id))]
    pub async fn update(
        &self,
        actor: &Actor,
        id: Uuid,
        input: KpiChanges,
    ) -> ApiResult<kpi_view::Model> {
        let k = self.editable(&self.db, actor, id).await?;
        let name = match &input.name {
            Some(n) => text::required(n, "name", text::NAME_MAX)?,
            None => k.name.clone(),
        };
        let description = match &input.description {
            Some(d) => text::bounded(d, "description", text::TEXT_MAX)?,
            None => k.description.clone(),
        };
        let unit = input.unit.unwrap_or(k.unit);
        let direction = input.direction.unwrap_or(k.direction);
        let baseline = input.baseline.unwrap_or(k.baseline);
        let target = input.target.unwrap_or(k.target);
        check_targets(unit, direction, baseline, target)?;
        let mut w = Write::begin(&self.db, actor).await?;
        let saved = w
            .save::<kpi::Entity>(
                &k,
                input.expected_version,
                kpi::ActiveModel {
                    search_key: Set(search_key(&name, &description)),
                    name: Set(name),
                    description: Set(description),
                    unit: Set(unit),
                    direction: Set(direction),
                    category: Set(input.category.unwrap_or(k.category)),
                    baseline: Set(baseline),
                    target: Set(target),
                    ..Default::default()
                },
            )
            .await?;
        // With the attainment the new definition gives.
        let saved = read(&w, saved.organization_id, saved.id).await?;
        w.commit(Kind::Kpi, saved.id).await?;
        Ok(saved)
    }

    /// Archives a KPI: it leaves the default lists and takes no new measurements.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), kpi.id = %id))]
    pub async fn archive(&self, actor: &Actor, id: Uuid) -> ApiResult<kpi_view::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let k = self.editable(&w, actor, id).await?;
        if k.archived_at.is_none() {
            w.save::<kpi::Entity>(
                &k,
                None,
                kpi::ActiveModel {
                    archived_at: Set(Some(now())),
                    ..Default::default()
                },
            )
            .await?;
        }
        let done = read(&w, k.organization_id, k.id).await?;
        w.commit(Kind::Kpi, done.id).await?;
        Ok(done)
    }

    /// Makes a user an owner of a KPI (idempotent).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), kpi.id = %kpi_id, user.id = %user_id))]
    pub async fn add_owner(
        &self,
        actor: &Actor,
        kpi_id: Uuid,
        user_id: Uuid,
    ) -> ApiResult<kpi_view::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let k = self.editable(&w, actor, kpi_id).await?;
        // The owner stays active until they own the KPI.
        let owner = lock_in_org::<user::Entity, _>(&w, actor.org_id(), user_id).await?;
        if owner.deactivated_at.is_some() {
            return Err(ApiError::bad_input("userId", "the user is deactivated"));
        }
        // One statement, so that parallel calls for the same owner all succeed: the
        // unique index keeps one row and the others insert nothing.
        let owned = kpi_owner::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(actor.org_id()),
            kpi_id: Set(k.id),
            user_id: Set(owner.id),
            created_at: Set(w.at()),
        };
        let inserted = kpi_owner::Entity::insert(owned.clone())
            .on_conflict_do_nothing_on([
                kpi_owner::Column::OrganizationId,
                kpi_owner::Column::KpiId,
                kpi_owner::Column::UserId,
            ])
            .exec_without_returning(&w)
            .await?;
        if matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
            let owned = owned.try_into_model()?;
            w.record(ChangeKind::Created, kpi_owner::Entity::subject(&owned));
        }
        let k = read(&w, k.organization_id, k.id).await?;
        w.commit(Kind::Kpi, k.id).await?;
        Ok(k)
    }

    /// Removes an owner from a KPI.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), kpi.id = %kpi_id, user.id = %user_id))]
    pub async fn remove_owner(
        &self,
        actor: &Actor,
        kpi_id: Uuid,
        user_id: Uuid,
    ) -> ApiResult<kpi_view::Model> {
        let mut w = Write::begin(&self.db, actor).await?;
        let k = self.editable(&w, actor, kpi_id).await?;
        let gone = w
            .delete_found(
                kpi_owner::Entity::find()
                    .filter(kpi_owner::Column::OrganizationId.eq(actor.org_id()))
                    .filter(kpi_owner::Column::KpiId.eq(k.id))
                    .filter(kpi_owner::Column::UserId.eq(user_id)),
            )
            .await?;
        if gone.is_none() {
            return Err(ApiError::NotFound);
        }
        let k = read(&w, k.organization_id, k.id).await?;
        w.commit(Kind::Kpi, k.id).await?;
        Ok(k)
    }

    /// Records a value of a KPI (its owners; members of its squad). With an external
    /// reference it is idempotent: the same reference stores one row, and recording it
    /// again with the same values changes nothing (new values update that row).
    ///
    /// A new measurement is two statements on PostgreSQL: the KPI with the caller's
    /// standing ([`facts::kpi_by_id`]), then the insert and the journal in one
    /// ([`recording::record_new`]). On SQLite, which serialises writers anyway, the same
    /// steps run in a transaction. Neither writes the KPI's row: its latest value and
    /// attainment are derived when it is read (`kpi_view`).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), kpi.id = %input.kpi_id))]
    pub async fn record_measurement(
        &self,
        actor: &Actor,
        input: NewMeasurement,
    ) -> ApiResult<kpi_measurement::Model> {
        let org = actor.org_id();
        let (k, facts) = facts::kpi_by_id(&self.db, actor, input.kpi_id).await?;
        authz::check(actor, Action::RecordMeasurement { kpi: &facts })?;
        finite(Some(input.value), "value")?;
        let now = now();
        let recorded_at = recorded_at(input.recorded_at, now)?;
        let note = input
            .note
            .as_deref()
            .map(|n| text::bounded(n, "note", text::TEXT_MAX))
            .transpose()?;
        let ext = input
            .external
            .as_ref()
            .map(ExternalRef::checked)
            .transpose()?;
        let archived = || ApiError::bad_input("kpiId", "the KPI is archived");
        if k.archived_at.is_some() {
            return Err(archived());
        }
        let input = Measured {
            value: input.value,
            recorded_at,
            note,
            ext,
        };
        let ext = input.ext.as_ref();
        let row = kpi_measurement::ActiveModel {
            id: Set(Uuid::now_v7()),
            organization_id: Set(org),
            kpi_id: Set(k.id),
            value: Set(input.value),
            recorded_at: Set(input.recorded_at.unwrap_or(now)),
            source: Set(if ext.is_some() {
                MeasurementSource::Integration
            } else {
                MeasurementSource::Manual
            }),
            external_source: Set(ext.map(|e| e.source.clone())),
            external_id: Set(ext.map(|e| e.id.clone())),
            external_url: Set(ext.and_then(|e| e.url.clone())),
            note: Set(input.note.clone().unwrap_or_default()),
            recorded_by: Set(actor.user_id()),
            recorded_by_token_id: Set(actor.token_id()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        if self.db.get_database_backend() == DbBackend::Postgres {
            if let Some(done) = recording::record_new(&self.db, actor, &k, row).await? {
                return Ok(done);
            }
            let w = Write::begin(&self.db, actor).await?;
            return self.record_known(w, &k, &input).await;
        }
        let mut w = Write::begin(&self.db, actor).await?;
        let insert = recording::insert_once(row).returning_all().to_owned();
        let inserted = kpi_measurement::Entity::find()
            .from_raw_sql(w.get_database_backend().build(&insert))
            .one(&w)
            .await?;
        let Some(m) = inserted else {
            return self.record_known(w, &k, &input).await;
        };
        w.record(ChangeKind::Created, kpi_measurement::Entity::subject(&m));
        // Its latest value and attainment moved.
        w.record(ChangeKind::Updated, kpi::Entity::subject(&k));
        w.commit(Kind::KpiMeasurement, m.id).await?;
        Ok(m)
    }

    /// [`Self::record_measurement`] of an external reference already recorded: the
    /// same values change nothing; new ones update the row; on another KPI it is a
    /// CONFLICT.
    async fn record_known(
        &self,
        mut w: Write,
        k: &kpi::Model,
        input: &Measured,
    ) -> ApiResult<kpi_measurement::Model> {
        let (org, ext) = (k.organization_id, input.ext.as_ref());
        let ext = ext.ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "a measurement without a reference conflicted"
            ))
        })?;
        let existing = kpi_measurement::Entity::find()
            .filter(kpi_measurement::Column::OrganizationId.eq(org))
            .filter(kpi_measurement::Column::ExternalSource.eq(ext.source.clone()))
            .filter(kpi_measurement::Column::ExternalId.eq(ext.id.clone()))
            .one(&w)
            .await?;
        // Deleted between the insert and this read.
        let m = existing.ok_or_else(|| {
            ApiError::Conflict("the measurement changed at the same time; try again".into())
        })?;
        if m.kpi_id != k.id {
            return Err(ApiError::Conflict(
                "this external reference is already recorded on another KPI".into(),
            ));
        }
        let unchanged = m.value == input.value
            && input.recorded_at.is_none_or(|t| t == m.recorded_at)
            && input.note.as_ref().is_none_or(|n| *n == m.note)
            && (ext.url.is_none() || ext.url == m.external_url);
        if unchanged {
            w.commit(Kind::KpiMeasurement, m.id).await?;
            return Ok(m);
        }
        let m = w
            .save::<kpi_measurement::Entity>(
                &m,
                None,
                kpi_measurement::ActiveModel {
                    value: Set(input.value),
                    recorded_at: Set(input.recorded_at.unwrap_or(m.recorded_at)),
                    note: Set(input.note.clone().unwrap_or(m.note.clone())),
                    external_url: Set(ext.url.clone().or(m.external_url.clone())),
                    ..Default::default()
                },
            )
            .await?;
        w.record(ChangeKind::Updated, kpi::Entity::subject(k));
        w.commit(Kind::KpiMeasurement, m.id).await?;
        Ok(m)
    }

    /// Deletes a measurement (its recorder if an owner; a LEAD of the KPI's scope; ADMIN).
    #[instrument(skip_all, fields(org.id = %actor.org_id(), measurement.id = %id))]
    pub async fn delete_measurement(&self, actor: &Actor, id: Uuid) -> ApiResult<kpi_view::Model> {
        let org = actor.org_id();
        let m = find_in_org::<kpi_measurement::Entity, _>(&self.db, org, id).await?;
        let (k, facts) = facts::kpi_by_id(&self.db, actor, m.kpi_id).await?;
        let own = match actor.token_id() {
            Some(token) => m.recorded_by_token_id == Some(token),
            None => m.recorded_by.is_some() && m.recorded_by == actor.user_id(),
        };
        authz::check(actor, Action::DeleteMeasurement { kpi: &facts, own })?;
        let mut w = Write::begin(&self.db, actor).await?;
        if !w.delete::<kpi_measurement::Entity>(&m).await? {
            return Err(ApiError::NotFound);
        }
        w.record(ChangeKind::Updated, kpi::Entity::subject(&k));
        // No measurement carries the time of a deletion: the KPI's row does.
        kpi::Entity::update_many()
            .col_expr(kpi::Column::UpdatedAt, Expr::value(w.at()))
            .filter(kpi::Column::OrganizationId.eq(org))
            .filter(kpi::Column::Id.eq(k.id))
            .exec(&w)
            .await?;
        // With the latest value and attainment that are left.
        let k = read(&w, org, k.id).await?;
        w.commit(Kind::KpiMeasurement, m.id).await?;
        Ok(k)
    }

    /// How many measurements a KPI has within `[from, to)`.
    pub async fn count_measurements(
        &self,
        actor: &Actor,
        kpi_id: Uuid,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> ApiResult<u64> {
        check_window(from, to)?;
        let mut q = kpi_measurement::Entity::find()
            .filter(kpi_measurement::Column::OrganizationId.eq(actor.org_id()))
            .filter(kpi_measurement::Column::KpiId.eq(kpi_id));
        if let Some(f) = from {
            q = q.filter(kpi_measurement::Column::RecordedAt.gte(f));
        }
        if let Some(t) = to {
            q = q.filter(kpi_measurement::Column::RecordedAt.lt(t));
        }
        pagination::count(&self.db, q).await
    }

    /// The KPI `id` of `org` as it is now (the KPI of a measurement just written).
    pub async fn current(&self, org: Uuid, id: Uuid) -> ApiResult<kpi_view::Model> {
        read(&self.db, org, id).await
    }

    /// One KPI of the caller's organisation.
    pub async fn get(&self, actor: &Actor, id: Uuid) -> ApiResult<kpi_view::Model> {
        read(&self.db, actor.org_id(), id).await
    }

    fn query(&self, actor: &Actor, filter: &KpiFilter) -> Select<kpi_view::Entity> {
        use kpi_view::Column as K;
        let org = actor.org_id();
        let mut q = kpi_view::Entity::find().filter(K::OrganizationId.eq(org));
        if !filter.include_archived {
            q = q.filter(K::ArchivedAt.is_null());
        }
        if let Some(t) = filter.team_id {
            q = q.filter(K::TeamId.eq(t));
        }
        if let Some(s) = filter.squad_id {
            q = q.filter(K::SquadId.eq(s));
        }
        if let Some(c) = filter.category {
            q = q.filter(K::Category.eq(c));
        }
        if let Some(since) = filter.updated_since {
            q = q.filter(K::UpdatedAt.gte(since));
        }
        if let Some(s) = filter.text.as_deref().filter(|s| !s.trim().is_empty()) {
            q = q.filter(
                Expr::col(K::SearchKey).like(LikeExpr::new(text::contains_pattern(s)).escape('\\')),
            );
        }
        if let Some(owner) = filter.owner_id {
            q = q.filter(
                K::Id.in_subquery(
                    Query::select()
                        .column(kpi_owner::Column::KpiId)
                        .from(kpi_owner::Entity)
                        .and_where(Expr::col(kpi_owner::Column::OrganizationId).eq(org))
                        .and_where(Expr::col(kpi_owner::Column::UserId).eq(owner))
                        .to_owned(),
                ),
            );
        }
        if let Some(shared) = filter.is_shared {
            let shared_ids = Query::select()
                .column((kpi_owner::Entity, kpi_owner::Column::KpiId))
                .from(kpi_owner::Entity)
                .inner_join(
                    user::Entity,
                    Expr::col((user::Entity, user::Column::Id))
                        .equals((kpi_owner::Entity, kpi_owner::Column::UserId)),
                )
                .and_where(
                    Expr::col((kpi_owner::Entity, kpi_owner::Column::OrganizationId)).eq(org),
                )
                .group_by_col((kpi_owner::Entity, kpi_owner::Column::KpiId))
                .and_having(Expr::cust(r#"COUNT(DISTINCT "user"."discipline") >= 2"#))
                .to_owned();
            q = q.filter(if shared {
                K::Id.in_subquery(shared_ids)
            } else {
                K::Id.not_in_subquery(shared_ids)
            });
        }
        q
    }

    /// One page of the organisation's KPIs.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: &KpiFilter,
        order: Order<kpi_view::Entity>,
        page: &PageArgs,
    ) -> ApiResult<Page<kpi_view::Model>> {
        pagination::paginate(&self.db, self.query(actor, filter), order, page).await
    }

    /// How many KPIs match the filter.
    pub async fn count(&self, actor: &Actor, filter: &KpiFilter) -> ApiResult<u64> {
        pagination::count(&self.db, self.query(actor, filter)).await
    }
}

/// The KPI `id` of `org` as it is read: with its latest value and attainment.
pub(crate) async fn read<C: ConnectionTrait>(
    db: &C,
    org: Uuid,
    id: Uuid,
) -> ApiResult<kpi_view::Model> {
    find_in_org::<kpi_view::Entity, _>(db, org, id).await
}

/// A window of measurements `[from, to)`: `to` must come after `from`.
pub fn check_window(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> ApiResult<()> {
    match (from, to) {
        (Some(f), Some(t)) if f >= t => Err(ApiError::bad_input("to", "to must be after from")),
        _ => Ok(()),
    }
}

/// A KPI is shared when its owners span two or more disciplines.
pub fn is_shared(owner_disciplines: &[Discipline]) -> bool {
    owner_disciplines.len() >= 2
}
