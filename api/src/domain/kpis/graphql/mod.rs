//! GraphQL types, queries and mutations of the KPI area; the upserts of measurements
//! in `upserts`.

mod upserts;

pub use upserts::*;

use async_graphql::{
    ComplexObject, Context, Enum, InputObject, MaybeUndefined, Object, SimpleObject, ID,
};
use chrono::{DateTime, Utc};
use entity::{api_token, kpi_measurement, kpi_owner, kpi_view, squad, team, user};

pub use super::loaders::{KpiMeasurements, SquadKpis, TeamKpis};
use super::{
    is_shared,
    loaders::{KpiOwnerDisciplines, KpiOwners, KpiTrends, MeasurementWindows, TrendKey, WindowKey},
    KpiChanges, KpiFilter as KpiFilterArgs, KpiSort, NewKpi, NewMeasurement,
};
use crate::{
    domain::{
        identity::graphql::User,
        measures::{self, TrendDirection as DomainTrend},
        scope::Scope,
        squads::graphql::Squad,
        teams::graphql::Team,
    },
    error::{ApiError, ApiResult},
    graphql::{
        connection::{connection, page_args, Conn, Counter, TotalCount},
        context::ContextExt,
        enums::{
            graphql_enum, Discipline, KpiCategory, KpiDirection, KpiUnit, MeasurementSource,
            OrderDirection,
        },
        external_ref::{ExternalRefInput, ExternalReference},
        ids::{self, Kind},
        loaders::{children, load_children, load_one, load_opt, ById, InOrg},
        scalars::Duration,
    },
    pagination::{Page, PageArgs},
};

/// The window `status` judges the trend over.
pub const STATUS_TREND_DAYS: i64 = 30;

/// A key performance indicator of a team or a squad.
pub struct Kpi(pub kpi_view::Model);

impl Kpi {
    /// The KPI of `m` as it is now, read when a mutation's answer asks for it: from the
    /// database, not the request's loaders (another mutation of the same request may
    /// have moved it since they read it).
    pub(crate) async fn of_measurement(
        ctx: &Context<'_>,
        m: &kpi_measurement::Model,
    ) -> ApiResult<Self> {
        let services = ctx.services();
        Ok(Self(
            services.kpis.current(m.organization_id, m.kpi_id).await?,
        ))
    }
}

/// Which way a KPI moved over a window.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TrendDirection {
    Improving,
    Worsening,
    Flat,
}

impl From<DomainTrend> for TrendDirection {
    fn from(t: DomainTrend) -> Self {
        match t {
            DomainTrend::Improving => Self::Improving,
            DomainTrend::Worsening => Self::Worsening,
            DomainTrend::Flat => Self::Flat,
        }
    }
}

/// How a KPI is doing: from attainment and the trend of the last 30 days.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum KpiStatus {
    OnTrack,
    AtRisk,
    OffTrack,
}

/// A KPI's movement over a window ending now.
#[derive(SimpleObject)]
pub struct KpiTrend {
    /// The oldest value in the window.
    pub first: f64,
    /// The newest value in the window.
    pub last: f64,
    /// `last - first`.
    pub delta: f64,
    /// Whether the move is good, honouring the KPI's direction.
    pub direction: TrendDirection,
    /// Measurements in the window.
    pub measurement_count: i32,
}

impl Kpi {
    async fn trend_over(&self, ctx: &Context<'_>, seconds: i64) -> ApiResult<Option<KpiTrend>> {
        let ends = ctx
            .loader::<KpiTrends, TrendKey>()
            .load_one(TrendKey {
                kpi: InOrg {
                    org: self.0.organization_id,
                    id: self.0.id,
                },
                window_seconds: seconds,
            })
            .await?;
        Ok(ends.map(|e| KpiTrend {
            first: e.first,
            last: e.last,
            delta: e.last - e.first,
            direction: measures::trend(self.0.direction, e.first, e.last).into(),
            measurement_count: e.count as i32,
        }))
    }

    async fn disciplines(&self, ctx: &Context<'_>) -> ApiResult<Vec<entity::enums::Discipline>> {
        Ok(ctx
            .loader::<KpiOwnerDisciplines, InOrg>()
            .load_one(InOrg {
                org: self.0.organization_id,
                id: self.0.id,
            })
            .await?
            .unwrap_or_default())
    }
}

#[Object]
impl Kpi {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Kpi, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn unit(&self) -> Option<KpiUnit> {
        self.0.unit.map(Into::into)
    }
    async fn direction(&self) -> KpiDirection {
        self.0.direction.into()
    }
    async fn category(&self) -> KpiCategory {
        self.0.category.into()
    }
    async fn baseline(&self) -> Option<f64> {
        self.0.baseline
    }
    async fn target(&self) -> Option<f64> {
        self.0.target
    }
    /// The team whose KPI this is (null for a squad's KPI).
    async fn team(&self, ctx: &Context<'_>) -> ApiResult<Option<Team>> {
        match self.0.team_id {
            Some(t) => Ok(Some(Team(
                load_one::<team::Entity>(ctx, self.0.organization_id, t).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The squad whose KPI this is (null for a team's KPI).
    async fn squad(&self, ctx: &Context<'_>) -> ApiResult<Option<Squad>> {
        match self.0.squad_id {
            Some(s) => Ok(Some(Squad(
                load_one::<squad::Entity>(ctx, self.0.organization_id, s).await?,
            ))),
            None => Ok(None),
        }
    }
    /// The people who own the KPI, in the order they became owners.
    async fn owners(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<KpiOwner>> {
        children::<KpiOwners, _>(
            ctx,
            self.0.organization_id,
            self.0.id,
            page_args(first, after, last, before),
            KpiOwner,
        )
        .await
    }
    /// The owners' disciplines (ENGINEERING, PRODUCT, DESIGN order).
    async fn owner_disciplines(&self, ctx: &Context<'_>) -> ApiResult<Vec<Discipline>> {
        Ok(self
            .disciplines(ctx)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// True when the owners span two or more disciplines.
    async fn is_shared(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(is_shared(&self.disciplines(ctx).await?))
    }
    /// The newest measurement.
    async fn latest_measurement(&self, ctx: &Context<'_>) -> ApiResult<Option<KpiMeasurement>> {
        // Read with the KPI (one index probe): a look-up by id, however long the
        // history. Gone since the KPI was read (deleted meanwhile): none.
        let Some(id) = self.0.latest_measurement_id else {
            return Ok(None);
        };
        let key = InOrg {
            org: self.0.organization_id,
            id,
        };
        Ok(ctx
            .loader::<ById<kpi_measurement::Entity>, InOrg>()
            .load_one(key)
            .await?
            .map(KpiMeasurement))
    }
    /// Measurements, newest first, optionally within `[from, to)`.
    #[allow(clippy::too_many_arguments)]
    async fn measurements(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> ApiResult<Conn<KpiMeasurement>> {
        super::check_window(from, to)?;
        let kpi = InOrg {
            org: self.0.organization_id,
            id: self.0.id,
        };
        let page = ctx
            .loader::<MeasurementWindows, WindowKey>()
            .load_one(WindowKey {
                kpi,
                page: page_args(first, after, last, before),
                from,
                to,
            })
            .await?
            .unwrap_or_else(Page::empty);
        Ok(connection(
            page,
            KpiMeasurement,
            TotalCount::new(MeasurementTotal { kpi, from, to }),
        ))
    }
    /// The first and last values within `window` (default 30 days) ending now; null
    /// without a measurement in it.
    async fn trend(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Duration { seconds: 30 * 86_400 }")] window: Duration,
    ) -> ApiResult<Option<KpiTrend>> {
        self.trend_over(ctx, window.seconds).await
    }
    /// 0–1: how far the latest value has come from the baseline to the target, honouring
    /// the direction (without a baseline, the first measurement is the baseline). Null
    /// without a target or a measurement.
    async fn attainment(&self) -> Option<f64> {
        self.0.attainment
    }
    /// ON_TRACK, AT_RISK or OFF_TRACK from attainment and the 30-day trend:
    /// reached → ON_TRACK; ≥ 0.7 → ON_TRACK unless worsening (AT_RISK);
    /// 0.3–0.7 → ON_TRACK improving, AT_RISK flat, OFF_TRACK worsening;
    /// < 0.3 → AT_RISK improving, else OFF_TRACK. Null when attainment is.
    async fn status(&self, ctx: &Context<'_>) -> ApiResult<Option<KpiStatus>> {
        if self.0.attainment.is_none() {
            return Ok(None);
        }
        let trend = self
            .trend_over(ctx, STATUS_TREND_DAYS * 86_400)
            .await?
            .filter(|t| t.measurement_count >= 2)
            .map(|t| match t.direction {
                TrendDirection::Improving => DomainTrend::Improving,
                TrendDirection::Worsening => DomainTrend::Worsening,
                TrendDirection::Flat => DomainTrend::Flat,
            });
        Ok(measures::status(self.0.attainment, trend).map(|s| match s {
            measures::KpiStatus::OnTrack => KpiStatus::OnTrack,
            measures::KpiStatus::AtRisk => KpiStatus::AtRisk,
            measures::KpiStatus::OffTrack => KpiStatus::OffTrack,
        }))
    }
    async fn is_archived(&self) -> bool {
        self.0.archived_at.is_some()
    }
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The last change of its definition or of any of its measurements (a new value, a
    /// corrected one, a deleted one): what `kpis(filter: { updatedSince })` and the
    /// `UPDATED_AT` order read.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change of the definition; send it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

struct MeasurementTotal {
    kpi: InOrg,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

#[async_trait::async_trait]
impl Counter for MeasurementTotal {
    async fn count(&self, ctx: &Context<'_>) -> ApiResult<u64> {
        // Counting a window reads the window once more; unwindowed totals are batched.
        if self.from.is_none() && self.to.is_none() {
            let (_, total) = load_children::<KpiMeasurements>(
                ctx,
                self.kpi.org,
                self.kpi.id,
                PageArgs::default(),
            )
            .await?;
            return Counter::count(&*total.0, ctx).await;
        }
        ctx.services()
            .kpis
            .count_measurements(&ctx.actor().await?, self.kpi.id, self.from, self.to)
            .await
    }
}

/// An owner of a KPI.
pub struct KpiOwner(pub kpi_owner::Model);

#[Object]
impl KpiOwner {
    async fn user(&self, ctx: &Context<'_>) -> ApiResult<User> {
        load_one::<user::Entity>(ctx, self.0.organization_id, self.0.user_id)
            .await
            .map(User)
    }
    /// When they became an owner.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One value of a KPI.
pub struct KpiMeasurement(pub kpi_measurement::Model);

#[Object]
impl KpiMeasurement {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::KpiMeasurement, self.0.id)
    }
    async fn value(&self) -> f64 {
        self.0.value
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
    async fn source(&self) -> MeasurementSource {
        self.0.source.into()
    }
    async fn note(&self) -> &str {
        &self.0.note
    }
    async fn external_ref(&self) -> Option<ExternalReference> {
        ExternalReference::of_row(
            &self.0.external_source,
            &self.0.external_id,
            &self.0.external_url,
        )
    }
    async fn kpi(&self, ctx: &Context<'_>) -> ApiResult<Kpi> {
        load_one::<kpi_view::Entity>(ctx, self.0.organization_id, self.0.kpi_id)
            .await
            .map(Kpi)
    }
    /// Who recorded it (null when an integration did).
    async fn recorded_by(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let user = load_opt::<user::Entity>(ctx, self.0.organization_id, self.0.recorded_by);
        Ok(user.await?.map(User))
    }
    /// The name of the API token that recorded it, when an integration did
    /// (`recordedBy` is null then).
    async fn recorded_by_token(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let token =
            load_opt::<api_token::Entity>(ctx, self.0.organization_id, self.0.recorded_by_token_id);
        Ok(token.await?.map(|t| t.name))
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Increases on every change of the measurement (an upsert that changes nothing
    /// leaves it).
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// Which KPIs to list.
#[derive(InputObject, Default)]
pub struct KpiFilter {
    pub team_id: Option<ID>,
    pub squad_id: Option<ID>,
    pub category: Option<KpiCategory>,
    /// Only KPIs whose owners span two or more disciplines (true) or not (false).
    pub is_shared: Option<bool>,
    /// Only KPIs this user owns.
    pub owner_id: Option<ID>,
    /// Case-insensitive part of the name or description.
    pub text: Option<String>,
    /// Include archived KPIs (default false).
    #[graphql(default)]
    pub include_archived: bool,
    /// Only KPIs changed at or after this instant (a new measurement changes the KPI).
    pub updated_since: Option<DateTime<Utc>>,
}

graphql_enum! {
    /// Fields KPIs can be ordered by.
    #[derive(Default)]
    KpiOrderField => KpiSort {
        #[default]
        Name,
        Category,
        /// Unknown attainment sorts before 0.
        Attainment,
        UpdatedAt,
    }
}

/// The order of a KPI list.
#[derive(InputObject, Default)]
pub struct KpiOrder {
    #[graphql(default)]
    pub field: KpiOrderField,
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl TryFrom<KpiFilter> for KpiFilterArgs {
    type Error = ApiError;

    fn try_from(f: KpiFilter) -> ApiResult<Self> {
        Ok(Self {
            team_id: ids::decode_opt(&f.team_id, Kind::Team, "teamId")?,
            squad_id: ids::decode_opt(&f.squad_id, Kind::Squad, "squadId")?,
            category: f.category.map(Into::into),
            is_shared: f.is_shared,
            owner_id: ids::decode_opt(&f.owner_id, Kind::User, "ownerId")?,
            text: f.text,
            include_archived: f.include_archived,
            updated_since: f.updated_since,
        })
    }
}

/// Queries of the KPI area.
#[derive(Default)]
pub struct KpiQuery;

#[Object]
impl KpiQuery {
    /// The organisation's KPIs (not archived ones unless the filter says so).
    #[allow(clippy::too_many_arguments)]
    async fn kpis(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        filter: Option<KpiFilter>,
        order_by: Option<KpiOrder>,
    ) -> ApiResult<Conn<Kpi>> {
        let actor = &ctx.actor().await?;
        let filter: KpiFilterArgs = filter.unwrap_or_default().try_into()?;
        let order = order_by.unwrap_or_default();
        let page = ctx
            .services()
            .kpis
            .list(
                actor,
                &filter,
                super::kpi_order(order.field.into(), order.direction.descending()),
                &page_args(first, after, last, before),
            )
            .await?;
        Ok(connection(
            page,
            Kpi,
            TotalCount::of_list(filter, |s, actor, f| Box::pin(s.kpis.count(actor, f))),
        ))
    }
}

#[derive(InputObject)]
pub struct CreateKpiInput {
    /// The owning team; give exactly one of teamId and squadId.
    pub team_id: Option<ID>,
    /// The owning squad; give exactly one of teamId and squadId.
    pub squad_id: Option<ID>,
    pub name: String,
    pub description: Option<String>,
    /// Required with a target.
    pub unit: Option<KpiUnit>,
    #[graphql(default_with = "KpiDirection::HigherIsBetter")]
    pub direction: KpiDirection,
    pub category: KpiCategory,
    pub baseline: Option<f64>,
    /// Must be better than the baseline in the KPI's direction.
    pub target: Option<f64>,
}

#[derive(SimpleObject)]
pub struct CreateKpiPayload {
    pub kpi: Kpi,
}

#[derive(InputObject)]
pub struct UpdateKpiInput {
    pub id: ID,
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// null clears it.
    pub unit: MaybeUndefined<KpiUnit>,
    pub direction: Option<KpiDirection>,
    pub category: Option<KpiCategory>,
    /// null clears it.
    pub baseline: MaybeUndefined<f64>,
    /// null clears it.
    pub target: MaybeUndefined<f64>,
}

#[derive(SimpleObject)]
pub struct UpdateKpiPayload {
    pub kpi: Kpi,
}

#[derive(InputObject)]
pub struct ArchiveKpiInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct ArchiveKpiPayload {
    pub kpi: Kpi,
}

#[derive(InputObject)]
pub struct KpiOwnerInput {
    pub kpi_id: ID,
    pub user_id: ID,
}

#[derive(SimpleObject)]
pub struct KpiOwnerPayload {
    pub kpi: Kpi,
}

#[derive(InputObject)]
pub struct RecordKpiMeasurementInput {
    pub kpi_id: ID,
    pub value: f64,
    /// Default: now.
    pub recorded_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// Makes the call idempotent: the same reference stores one measurement.
    pub external_ref: Option<ExternalRefInput>,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct RecordKpiMeasurementPayload {
    pub measurement: KpiMeasurement,
}

#[ComplexObject]
impl RecordKpiMeasurementPayload {
    /// The KPI with its new latest value and attainment.
    async fn kpi(&self, ctx: &Context<'_>) -> ApiResult<Kpi> {
        Kpi::of_measurement(ctx, &self.measurement.0).await
    }
}

#[derive(InputObject)]
pub struct DeleteKpiMeasurementInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct DeleteKpiMeasurementPayload {
    pub deleted_measurement_id: ID,
    pub kpi: Kpi,
}

/// Mutations of the KPI area.
#[derive(Default)]
pub struct KpiMutation;

#[Object]
impl KpiMutation {
    /// Defines a KPI for a team or a squad (ADMIN, or a LEAD of it); the caller becomes
    /// its first owner.
    async fn create_kpi(
        &self,
        ctx: &Context<'_>,
        input: CreateKpiInput,
    ) -> ApiResult<CreateKpiPayload> {
        let team = ids::decode_opt(&input.team_id, Kind::Team, "teamId")?;
        let squad = ids::decode_opt(&input.squad_id, Kind::Squad, "squadId")?;
        let k = ctx
            .services()
            .kpis
            .create(
                &ctx.actor().await?,
                NewKpi {
                    scope: Scope::one_of(team, squad, "teamId")?,
                    name: input.name,
                    description: input.description,
                    unit: input.unit.map(Into::into),
                    direction: input.direction.into(),
                    category: input.category.into(),
                    baseline: input.baseline,
                    target: input.target,
                },
            )
            .await?;
        Ok(CreateKpiPayload { kpi: Kpi(k) })
    }

    /// Changes a KPI's definition (ADMIN, or a LEAD of its team or squad).
    async fn update_kpi(
        &self,
        ctx: &Context<'_>,
        input: UpdateKpiInput,
    ) -> ApiResult<UpdateKpiPayload> {
        let id = ids::decode(&input.id, Kind::Kpi, "id")?;
        let k = ctx
            .services()
            .kpis
            .update(
                &ctx.actor().await?,
                id,
                KpiChanges {
                    expected_version: input.expected_version,
                    name: input.name,
                    description: input.description,
                    unit: input.unit.map_value(Into::into).into(),
                    direction: input.direction.map(Into::into),
                    category: input.category.map(Into::into),
                    baseline: input.baseline.into(),
                    target: input.target.into(),
                },
            )
            .await?;
        Ok(UpdateKpiPayload { kpi: Kpi(k) })
    }

    /// Archives a KPI (ADMIN, or a LEAD of its team or squad).
    async fn archive_kpi(
        &self,
        ctx: &Context<'_>,
        input: ArchiveKpiInput,
    ) -> ApiResult<ArchiveKpiPayload> {
        let id = ids::decode(&input.id, Kind::Kpi, "id")?;
        let k = ctx.services().kpis.archive(&ctx.actor().await?, id).await?;
        Ok(ArchiveKpiPayload { kpi: Kpi(k) })
    }

    /// Makes a user an owner of a KPI (ADMIN, or a LEAD of its team or squad).
    async fn add_kpi_owner(
        &self,
        ctx: &Context<'_>,
        input: KpiOwnerInput,
    ) -> ApiResult<KpiOwnerPayload> {
        let kpi_id = ids::decode(&input.kpi_id, Kind::Kpi, "kpiId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let k = ctx
            .services()
            .kpis
            .add_owner(&ctx.actor().await?, kpi_id, user_id)
            .await?;
        Ok(KpiOwnerPayload { kpi: Kpi(k) })
    }

    /// Removes an owner from a KPI (ADMIN, or a LEAD of its team or squad).
    async fn remove_kpi_owner(
        &self,
        ctx: &Context<'_>,
        input: KpiOwnerInput,
    ) -> ApiResult<KpiOwnerPayload> {
        let kpi_id = ids::decode(&input.kpi_id, Kind::Kpi, "kpiId")?;
        let user_id = ids::decode(&input.user_id, Kind::User, "userId")?;
        let k = ctx
            .services()
            .kpis
            .remove_owner(&ctx.actor().await?, kpi_id, user_id)
            .await?;
        Ok(KpiOwnerPayload { kpi: Kpi(k) })
    }

    /// Records a value of a KPI (its owners; members of its squad). With `externalRef`
    /// it is idempotent.
    async fn record_kpi_measurement(
        &self,
        ctx: &Context<'_>,
        input: RecordKpiMeasurementInput,
    ) -> ApiResult<RecordKpiMeasurementPayload> {
        let kpi_id = ids::decode(&input.kpi_id, Kind::Kpi, "kpiId")?;
        let m = ctx
            .services()
            .kpis
            .record_measurement(
                &ctx.actor().await?,
                NewMeasurement {
                    kpi_id,
                    value: input.value,
                    recorded_at: input.recorded_at,
                    note: input.note,
                    external: input.external_ref.map(Into::into),
                },
            )
            .await?;
        Ok(RecordKpiMeasurementPayload {
            measurement: KpiMeasurement(m),
        })
    }

    /// Deletes a measurement (its recorder while an owner, a LEAD of the KPI's team or
    /// squad, ADMIN).
    async fn delete_kpi_measurement(
        &self,
        ctx: &Context<'_>,
        input: DeleteKpiMeasurementInput,
    ) -> ApiResult<DeleteKpiMeasurementPayload> {
        let id = ids::decode(&input.id, Kind::KpiMeasurement, "id")?;
        let k = ctx
            .services()
            .kpis
            .delete_measurement(&ctx.actor().await?, id)
            .await?;
        Ok(DeleteKpiMeasurementPayload {
            deleted_measurement_id: input.id,
            kpi: Kpi(k),
        })
    }
}
