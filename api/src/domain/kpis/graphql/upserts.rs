//! KPI measurements' sync path on the wire: `upsertKpiMeasurement` and
//! `bulkUpsertKpiMeasurements`, keyed by external reference.

use async_graphql::{ComplexObject, Context, InputObject, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::{Kpi, KpiMeasurement};
use crate::{
    domain::{kpis::MeasurementUpsert, sync::check_size},
    error::{ApiError, ApiResult},
    graphql::{
        context::ContextExt,
        ids::{self, Kind},
        upserts::{decode_items, BulkItemError, ExternalKeyInput, UpsertResult},
    },
};

/// A measurement as its source has it (an analytics export, a CI system).
#[derive(InputObject)]
pub struct UpsertKpiMeasurementInput {
    /// Where it comes from: the key of the upsert.
    pub external_ref: ExternalKeyInput,
    /// Its page in the source.
    pub url: Option<String>,
    pub kpi_id: ID,
    /// In the KPI's unit; finite.
    pub value: f64,
    /// When it was taken (default: now, for a new measurement; at most 5 minutes
    /// ahead of the server's clock). Left out, an existing measurement keeps its time.
    pub recorded_at: Option<DateTime<Utc>>,
    /// Left out, an existing measurement keeps its note.
    pub note: Option<String>,
}

impl TryFrom<UpsertKpiMeasurementInput> for MeasurementUpsert {
    type Error = ApiError;

    fn try_from(i: UpsertKpiMeasurementInput) -> ApiResult<Self> {
        Ok(Self {
            key: i.external_ref.into(),
            url: i.url,
            kpi_id: ids::decode(&i.kpi_id, Kind::Kpi, "kpiId")?,
            value: i.value,
            recorded_at: i.recorded_at,
            note: i.note,
        })
    }
}

/// An upserted measurement, its KPI, and what the upsert did.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct UpsertKpiMeasurementPayload {
    pub measurement: KpiMeasurement,
    pub result: UpsertResult,
}

#[ComplexObject]
impl UpsertKpiMeasurementPayload {
    /// The KPI with its latest value and attainment.
    async fn kpi(&self, ctx: &Context<'_>) -> ApiResult<Kpi> {
        Kpi::of_measurement(ctx, &self.measurement.0).await
    }
}

/// One item of a bulk upsert of measurements.
#[derive(SimpleObject)]
pub struct UpsertedKpiMeasurement {
    pub measurement: KpiMeasurement,
    pub result: UpsertResult,
}

#[derive(InputObject)]
pub struct BulkUpsertKpiMeasurementsInput {
    /// 1 to 1,000 measurements, each with an external reference of its own.
    pub items: Vec<UpsertKpiMeasurementInput>,
}

/// What a bulk upsert did: either every item's result, in input order, or the errors of
/// the bad items, and then nothing was written.
#[derive(SimpleObject)]
pub struct BulkUpsertKpiMeasurementsPayload {
    /// One per item, in input order; empty when `errors` is not.
    pub results: Vec<UpsertedKpiMeasurement>,
    /// Each bad item's index, field and code; empty when the bulk was written.
    pub errors: Vec<BulkItemError>,
}

/// The upserts of KPI measurements.
#[derive(Default)]
pub struct KpiSyncMutation;

#[Object]
impl KpiSyncMutation {
    /// Creates or updates the measurement with this external reference (tokens with
    /// `kpis:write`; the KPI's owners and the members of its squad). The same call
    /// twice changes nothing the second time; a reference recorded on another KPI is
    /// CONFLICT.
    async fn upsert_kpi_measurement(
        &self,
        ctx: &Context<'_>,
        input: UpsertKpiMeasurementInput,
    ) -> ApiResult<UpsertKpiMeasurementPayload> {
        let item = input.try_into()?;
        let (m, done) = ctx
            .services()
            .kpis
            .upsert_measurement(&ctx.actor().await?, item)
            .await?;
        Ok(UpsertKpiMeasurementPayload {
            measurement: KpiMeasurement(m),
            result: done.into(),
        })
    }

    /// Upserts 1 to 1,000 measurements in one transaction, all or nothing: with any bad
    /// item, `errors` lists them and nothing is written.
    async fn bulk_upsert_kpi_measurements(
        &self,
        ctx: &Context<'_>,
        input: BulkUpsertKpiMeasurementsInput,
    ) -> ApiResult<BulkUpsertKpiMeasurementsPayload> {
        check_size(input.items.len())?;
        let actor = ctx.actor().await?;
        let items = match decode_items(input.items, MeasurementUpsert::try_from) {
            Ok(items) => items,
            Err(errors) => {
                return Ok(BulkUpsertKpiMeasurementsPayload {
                    results: Vec::new(),
                    errors,
                })
            }
        };
        let done = ctx
            .services()
            .kpis
            .upsert_measurements(&actor, &items)
            .await?;
        Ok(match done {
            Ok(rows) => BulkUpsertKpiMeasurementsPayload {
                results: rows
                    .into_iter()
                    .map(|(m, done)| UpsertedKpiMeasurement {
                        measurement: KpiMeasurement(m),
                        result: done.into(),
                    })
                    .collect(),
                errors: Vec::new(),
            },
            Err(errors) => BulkUpsertKpiMeasurementsPayload {
                results: Vec::new(),
                errors: errors.into_iter().map(Into::into).collect(),
            },
        })
    }
}
