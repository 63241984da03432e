//! Loaders of the KPI area: KPIs per team and squad, owners, measurements (latest,
//! windowed pages), owner disciplines and trends, each one statement per batch.

use std::{collections::HashMap, sync::Arc};

use async_graphql::dataloader::Loader;
use chrono::{DateTime, Duration, Utc};
use entity::{enums::Discipline, kpi_measurement, kpi_owner, kpi_view, user};
use sea_orm::{
    sea_query::{Expr, ExprTrait, Query},
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Iterable,
    QueryFilter, Select,
};
use uuid::Uuid;

use crate::{
    db::now,
    domain::measures::{trend_ends, TrendEnds},
    error::ApiError,
    graphql::loaders::{group_by_org, ChildRelation, InOrg, LoadError, Registry},
    pagination::{self, Order, Page, PageArgs, SortValue},
};

fn fail(e: sea_orm::DbErr) -> LoadError {
    Arc::new(ApiError::from(e))
}

fn not_archived(select: Select<kpi_view::Entity>) -> Select<kpi_view::Entity> {
    select.filter(kpi_view::Column::ArchivedAt.is_null())
}

/// `Team.kpis`: a team's KPIs (not archived), by name.
pub struct TeamKpis;

impl ChildRelation for TeamKpis {
    type Entity = kpi_view::Entity;
    fn parent_column() -> kpi_view::Column {
        kpi_view::Column::TeamId
    }
    fn parent_of(m: &kpi_view::Model) -> Uuid {
        m.team_id.unwrap_or_default()
    }
    fn order() -> Order<kpi_view::Entity> {
        super::kpi_order(super::KpiSort::Name, false)
    }
    fn scope(select: Select<kpi_view::Entity>) -> Select<kpi_view::Entity> {
        not_archived(select)
    }
}

/// `Squad.kpis`: a squad's KPIs (not archived), by name.
pub struct SquadKpis;

impl ChildRelation for SquadKpis {
    type Entity = kpi_view::Entity;
    fn parent_column() -> kpi_view::Column {
        kpi_view::Column::SquadId
    }
    fn parent_of(m: &kpi_view::Model) -> Uuid {
        m.squad_id.unwrap_or_default()
    }
    fn order() -> Order<kpi_view::Entity> {
        super::kpi_order(super::KpiSort::Name, false)
    }
    fn scope(select: Select<kpi_view::Entity>) -> Select<kpi_view::Entity> {
        not_archived(select)
    }
}

/// `Kpi.owners`: in the order they became owners.
pub struct KpiOwners;

impl ChildRelation for KpiOwners {
    type Entity = kpi_owner::Entity;
    fn parent_column() -> kpi_owner::Column {
        kpi_owner::Column::KpiId
    }
    fn parent_of(m: &kpi_owner::Model) -> Uuid {
        m.kpi_id
    }
    fn order() -> Order<kpi_owner::Entity> {
        Order {
            column: kpi_owner::Column::CreatedAt,
            id: kpi_owner::Column::Id,
            descending: false,
            key: |m| SortValue::Time(m.created_at),
            id_of: |m| m.id,
        }
    }
}

/// The order of measurements: newest first.
pub fn measurement_order() -> Order<kpi_measurement::Entity> {
    Order {
        column: kpi_measurement::Column::RecordedAt,
        id: kpi_measurement::Column::Id,
        descending: true,
        key: |m| SortValue::Time(m.recorded_at),
        id_of: |m| m.id,
    }
}

/// `Kpi.measurements`: newest first.
pub struct KpiMeasurements;

impl ChildRelation for KpiMeasurements {
    type Entity = kpi_measurement::Entity;
    fn parent_column() -> kpi_measurement::Column {
        kpi_measurement::Column::KpiId
    }
    fn parent_of(m: &kpi_measurement::Model) -> Uuid {
        m.kpi_id
    }
    fn order() -> Order<kpi_measurement::Entity> {
        measurement_order()
    }
}

/// Keys of one batch of [`MeasurementWindows`] that share an organisation, a page and a window.
type WindowGroup<'a> = (
    Uuid,
    &'a PageArgs,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

/// A page of measurements per KPI within `[from, to)`.
pub struct MeasurementWindows(DatabaseConnection);

/// The key of [`MeasurementWindows`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WindowKey {
    pub kpi: InOrg,
    pub page: PageArgs,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Loader<WindowKey> for MeasurementWindows {
    type Value = Page<kpi_measurement::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[WindowKey]) -> Result<HashMap<WindowKey, Self::Value>, LoadError> {
        let mut groups: HashMap<WindowGroup<'_>, Vec<Uuid>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.kpi.org, &k.page, k.from, k.to))
                .or_default()
                .push(k.kpi.id);
        }
        let mut out = HashMap::new();
        for ((org, page, from, to), kpis) in groups {
            let mut select = kpi_measurement::Entity::find()
                .filter(kpi_measurement::Column::OrganizationId.eq(org));
            if let Some(f) = from {
                select = select.filter(kpi_measurement::Column::RecordedAt.gte(f));
            }
            if let Some(t) = to {
                select = select.filter(kpi_measurement::Column::RecordedAt.lt(t));
            }
            let pages = pagination::paginate_grouped(
                &self.0,
                select,
                kpi_measurement::Column::KpiId,
                |m| m.kpi_id,
                &kpis,
                measurement_order(),
                page,
            )
            .await
            .map_err(Arc::new)?;
            for (id, p) in pages {
                out.insert(
                    WindowKey {
                        kpi: InOrg { org, id },
                        page: page.clone(),
                        from,
                        to,
                    },
                    p,
                );
            }
        }
        Ok(out)
    }
}

/// The distinct disciplines of each KPI's owners.
pub struct KpiOwnerDisciplines(DatabaseConnection);

impl Loader<InOrg> for KpiOwnerDisciplines {
    type Value = Vec<Discipline>;
    type Error = LoadError;

    async fn load(&self, keys: &[InOrg]) -> Result<HashMap<InOrg, Vec<Discipline>>, LoadError> {
        let mut out: HashMap<InOrg, Vec<Discipline>> = HashMap::new();
        for (org, kpis) in group_by_org(keys.iter().copied()) {
            let q = Query::select()
                .distinct()
                .column((kpi_owner::Entity, kpi_owner::Column::KpiId))
                .column((user::Entity, user::Column::Discipline))
                .from(kpi_owner::Entity)
                .inner_join(
                    user::Entity,
                    Expr::col((user::Entity, user::Column::Id))
                        .equals((kpi_owner::Entity, kpi_owner::Column::UserId)),
                )
                .and_where(
                    Expr::col((kpi_owner::Entity, kpi_owner::Column::OrganizationId)).eq(org),
                )
                .and_where(
                    Expr::col((kpi_owner::Entity, kpi_owner::Column::KpiId))
                        .is_in(kpis.iter().copied()),
                )
                .to_owned();
            for row in self.0.query_all(&q).await.map_err(fail)? {
                let id: Uuid = row.try_get_by_index(0).map_err(fail)?;
                let d: String = row.try_get_by_index(1).map_err(fail)?;
                let d = Discipline::try_from_value(&d).map_err(fail)?;
                out.entry(InOrg { org, id }).or_default().push(d);
            }
        }
        for v in out.values_mut() {
            v.sort_by_key(|d| Discipline::iter().position(|x| x == *d));
        }
        Ok(out)
    }
}

/// The first and last value of each KPI within a window ending now.
pub struct KpiTrends(DatabaseConnection);

/// The key of [`KpiTrends`]: a KPI and the window's length in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrendKey {
    pub kpi: InOrg,
    pub window_seconds: i64,
}

impl Loader<TrendKey> for KpiTrends {
    type Value = TrendEnds;
    type Error = LoadError;

    async fn load(&self, keys: &[TrendKey]) -> Result<HashMap<TrendKey, TrendEnds>, LoadError> {
        let mut groups: HashMap<(Uuid, i64), Vec<Uuid>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.kpi.org, k.window_seconds))
                .or_default()
                .push(k.kpi.id);
        }
        let now = now();
        let mut out = HashMap::new();
        for ((org, window_seconds), kpis) in groups {
            let since = now - Duration::seconds(window_seconds);
            let ends = trend_ends(&self.0, org, &kpis, since, now)
                .await
                .map_err(Arc::new)?;
            out.extend(ends.into_iter().map(|(id, e)| {
                (
                    TrendKey {
                        kpi: InOrg { org, id },
                        window_seconds,
                    },
                    e,
                )
            }));
        }
        Ok(out)
    }
}

/// Registers the loaders of this area.
pub fn register(r: Registry<'_>) -> Registry<'_> {
    let db = r.db.clone();
    r.by_id::<kpi_view::Entity>()
        .by_id::<kpi_measurement::Entity>()
        .relation::<TeamKpis>()
        .relation::<SquadKpis>()
        .relation::<KpiOwners>()
        .relation::<KpiMeasurements>()
        .with(MeasurementWindows(db.clone()))
        .with(KpiOwnerDisciplines(db.clone()))
        .with(KpiTrends(db))
}
