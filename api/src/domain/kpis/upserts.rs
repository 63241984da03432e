//! KPI measurements upserted by external reference (issue 13): the sync path of
//! analytics exports and CI systems, one at a time or up to a thousand in one
//! transaction ([`crate::domain::sync`]). Each KPI a bulk touches is read (and held
//! against an archive) once; its latest value and attainment are derived when it is
//! read, so nothing of the KPI is written.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{enums::MeasurementSource, kpi, kpi_measurement};
use sea_orm::{
    sea_query::LockType, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryIntoModel,
};
use tracing::instrument;
use uuid::Uuid;

use super::service::{finite, recorded_at, KpiService};
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    domain::{
        journal::{ChangeKind, Write},
        kind::Kind,
        sync::{self, item, BulkResult, ExternalKey, ItemError, Plan, Upserted},
        tenant::TenantTable,
        text,
    },
    error::{ApiError, ApiResult},
};

/// A measurement as the source tool has it.
#[derive(Debug, Clone)]
pub struct MeasurementUpsert {
    pub key: ExternalKey,
    pub url: Option<String>,
    pub kpi_id: Uuid,
    pub value: f64,
    /// Default: now, for a new measurement; an existing one keeps its time.
    pub recorded_at: Option<DateTime<Utc>>,
    /// Default: empty, for a new measurement; an existing one keeps its note.
    pub note: Option<String>,
}

impl KpiService {
    /// Upserts one measurement by its external reference
    /// ([`Self::upsert_measurements`]).
    pub async fn upsert_measurement(
        &self,
        actor: &Actor,
        input: MeasurementUpsert,
    ) -> ApiResult<(kpi_measurement::Model, Upserted)> {
        sync::single(
            self.upsert_measurements(actor, std::slice::from_ref(&input))
                .await?,
        )
    }

    /// Upserts up to 1,000 measurements in one transaction, all or nothing (each KPI's
    /// owners and the members of its squad; tokens with `kpis:write`). A reference
    /// already recorded on another KPI is a CONFLICT of its item.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), items = items.len()))]
    pub async fn upsert_measurements(
        &self,
        actor: &Actor,
        items: &[MeasurementUpsert],
    ) -> ApiResult<BulkResult<kpi_measurement::Model>> {
        sync::check_size(items.len())?;
        sync::retrying(|| self.upsert_measurements_once(actor, items)).await
    }

    async fn upsert_measurements_once(
        &self,
        actor: &Actor,
        items: &[MeasurementUpsert],
    ) -> ApiResult<BulkResult<kpi_measurement::Model>> {
        let org = actor.org_id();
        let mut w = Write::begin(&self.db, actor).await?;
        let now = w.at();
        let mut errors = Vec::new();
        let keys = sync::checked_keys(items.iter().map(|i| &i.key), &mut errors);
        let checked: Vec<_> = items
            .iter()
            .enumerate()
            .map(|(index, i)| {
                let checked = (|| {
                    finite(Some(i.value), "value")?;
                    let at = recorded_at(i.recorded_at, now)?;
                    let note = i
                        .note
                        .as_deref()
                        .map(|n| text::bounded(n, "note", text::TEXT_MAX))
                        .transpose()?;
                    Ok((at, note, sync::checked_url(i.url.as_deref())?))
                })();
                item(index, &mut errors, checked)
            })
            .collect();

        // Every KPI of the bulk, share-locked in id order until this commits: an archive
        // (or a change of its scope) waits for this bulk, other bulks do not.
        let kpi_ids: HashSet<Uuid> = items.iter().map(|i| i.kpi_id).collect();
        let kpis: HashMap<Uuid, kpi::Model> = kpi::Entity::find()
            .filter(kpi::Column::OrganizationId.eq(org))
            .filter(kpi::Column::Id.is_in(kpi_ids))
            .order_by_asc(kpi::Column::Id)
            .lock(LockType::Share)
            .all(&w)
            .await?
            .into_iter()
            .map(|k| (k.id, k))
            .collect();
        let mut may_record = HashMap::new();
        for k in kpis.values() {
            let standing = facts::kpi(&w, actor, k).await?;
            let allowed = authz::check(actor, Action::RecordMeasurement { kpi: &standing });
            may_record.insert(k.id, allowed.is_ok());
        }
        let existing = sync::existing_by_key::<kpi_measurement::Entity, _>(
            &w,
            org,
            (
                kpi_measurement::Column::ExternalSource,
                kpi_measurement::Column::ExternalId,
            ),
            keys.iter().flatten().cloned(),
            |m| (&m.external_source, &m.external_id),
        )
        .await?;

        let mut plans = Vec::with_capacity(items.len());
        for (index, i) in items.iter().enumerate() {
            let (Some(key), Some((at, note, url))) = (&keys[index], &checked[index]) else {
                plans.push(None);
                continue;
            };
            let refusal = match kpis.get(&i.kpi_id) {
                None => Some(ItemError::at(index, "kpiId", ApiError::NotFound)),
                Some(_) if may_record.get(&i.kpi_id) != Some(&true) => {
                    Some(ItemError::at(index, "kpiId", ApiError::Forbidden))
                }
                Some(k) if k.archived_at.is_some() => Some(ItemError::new(
                    index,
                    ApiError::bad_input("kpiId", "the KPI is archived"),
                )),
                Some(_) => match existing.get(key) {
                    Some(m) if m.kpi_id != i.kpi_id => Some(ItemError::at(
                        index,
                        "externalRef",
                        ApiError::Conflict(
                            "this external reference is already recorded on another KPI".into(),
                        ),
                    )),
                    _ => None,
                },
            };
            if let Some(e) = refusal {
                errors.push(e);
                plans.push(None);
                continue;
            }
            plans.push(Some(match existing.get(key) {
                None => Plan::Insert(kpi_measurement::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(org),
                    kpi_id: Set(i.kpi_id),
                    value: Set(i.value),
                    recorded_at: Set(at.unwrap_or(now)),
                    source: Set(MeasurementSource::Integration),
                    external_source: Set(Some(key.source.clone())),
                    external_id: Set(Some(key.id.clone())),
                    external_url: Set(url.clone()),
                    note: Set(note.clone().unwrap_or_default()),
                    recorded_by: Set(actor.user_id()),
                    recorded_by_token_id: Set(actor.token_id()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    version: Set(1),
                }),
                Some(m) => {
                    let next = kpi_measurement::Model {
                        value: i.value,
                        recorded_at: at.unwrap_or(m.recorded_at),
                        note: note.clone().unwrap_or(m.note.clone()),
                        external_url: url.clone().or(m.external_url.clone()),
                        ..m.clone()
                    };
                    if next == *m {
                        Plan::Same(next)
                    } else {
                        Plan::Update(kpi_measurement::ActiveModel {
                            id: Set(m.id),
                            value: Set(next.value),
                            recorded_at: Set(next.recorded_at),
                            note: Set(next.note),
                            external_url: Set(next.external_url),
                            updated_at: Set(now),
                            version: Set(m.version + 1),
                            ..Default::default()
                        })
                    }
                }
            }));
        }
        if !errors.is_empty() {
            w.rollback().await?;
            return Ok(Err(sync::refused(items.len(), errors)?));
        }

        let inserts: Vec<kpi_measurement::ActiveModel> = plans
            .iter()
            .filter_map(|p| match p {
                Some(Plan::Insert(a)) => Some(a.clone()),
                _ => None,
            })
            .collect();
        w.insert_many(inserts).await?;
        let mut rows = Vec::with_capacity(items.len());
        // The KPIs whose measurements changed: their latest value and attainment moved.
        let mut moved = HashSet::new();
        for plan in plans.into_iter().flatten() {
            let (m, done) = match plan {
                Plan::Insert(a) => (a.try_into_model()?, Upserted::Created),
                Plan::Update(a) => (w.update(a).await?, Upserted::Updated),
                Plan::Same(m) => (m, Upserted::Unchanged),
            };
            if done != Upserted::Unchanged {
                moved.insert(m.kpi_id);
            }
            rows.push((m, done));
        }
        let mut moved: Vec<Uuid> = moved.into_iter().collect();
        moved.sort();
        for id in moved {
            w.record(ChangeKind::Updated, kpi::Entity::subject(&kpis[&id]));
        }
        w.commit_for(rows.iter().map(|(m, _)| (Kind::KpiMeasurement, m.id)))
            .await?;
        Ok(Ok(rows))
    }
}
