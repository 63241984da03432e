//! Planning's sync path (issue 13): initiatives and outcomes upserted by external
//! reference, one at a time or up to a thousand in one transaction
//! ([`crate::domain::sync`]).
//!
//! An upsert mirrors the planning tool: the status is taken as the tool has it (a
//! reopened issue goes back to IN_PROGRESS), not moved step by step as `update*` does.
//! A field left out keeps its value; a date or KPI sent as null is cleared.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::{
    enums::{InitiativeStatus, OutcomeStatus},
    initiative, kpi, outcome, squad,
};
use sea_orm::ActiveValue::Set;
use tracing::instrument;
use uuid::Uuid;

use super::service::PlanningService;
use crate::{
    auth::Actor,
    authz::{self, facts, Action},
    domain::{
        calendar::Quarter,
        journal::Write,
        kind::Kind,
        scope::Scope,
        sync::{self, item, BulkResult, ExternalKey, ItemError, Plan, Upserted},
        tenant::find_many_in_org,
        text,
    },
    error::{ApiError, ApiResult},
};

/// An initiative as the planning tool has it.
#[derive(Debug, Clone)]
pub struct InitiativeUpsert {
    pub key: ExternalKey,
    pub url: Option<String>,
    pub squad_id: Uuid,
    pub title: String,
    pub description: Option<String>,
    pub status: Option<InitiativeStatus>,
    /// `None` keeps the date; `Some(None)` clears it.
    pub start_date: Option<Option<NaiveDate>>,
    pub target_date: Option<Option<NaiveDate>>,
}

/// An outcome as the planning tool has it.
#[derive(Debug, Clone)]
pub struct OutcomeUpsert {
    pub key: ExternalKey,
    pub url: Option<String>,
    pub scope: Scope,
    pub quarter: Quarter,
    pub title: String,
    pub description: Option<String>,
    /// `None` keeps the KPI; `Some(None)` clears it.
    pub kpi_id: Option<Option<Uuid>>,
    pub status: Option<OutcomeStatus>,
}

fn dates(start: Option<NaiveDate>, target: Option<NaiveDate>) -> ApiResult<()> {
    match (start, target) {
        (Some(s), Some(t)) if t < s => Err(ApiError::bad_input(
            "targetDate",
            "targetDate is before startDate",
        )),
        _ => Ok(()),
    }
}

impl PlanningService {
    /// Upserts one initiative by its external reference ([`Self::upsert_initiatives`]).
    pub async fn upsert_initiative(
        &self,
        actor: &Actor,
        input: InitiativeUpsert,
    ) -> ApiResult<(initiative::Model, Upserted)> {
        sync::single(
            self.upsert_initiatives(actor, std::slice::from_ref(&input))
                .await?,
        )
    }

    /// Upserts up to 1,000 initiatives in one transaction, all or nothing (the members
    /// and LEADs of each one's squad, the squad's home-team LEADs, ADMIN; tokens with
    /// `initiatives:write`). Moving an initiative to another squad needs the right to
    /// write in both.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), items = items.len()))]
    pub async fn upsert_initiatives(
        &self,
        actor: &Actor,
        items: &[InitiativeUpsert],
    ) -> ApiResult<BulkResult<initiative::Model>> {
        sync::check_size(items.len())?;
        sync::retrying(|| self.upsert_initiatives_once(actor, items)).await
    }

    async fn upsert_initiatives_once(
        &self,
        actor: &Actor,
        items: &[InitiativeUpsert],
    ) -> ApiResult<BulkResult<initiative::Model>> {
        let org = actor.org_id();
        let mut errors = Vec::new();
        let keys = sync::checked_keys(items.iter().map(|i| &i.key), &mut errors);
        let texts: Vec<_> = items
            .iter()
            .enumerate()
            .map(|(index, i)| {
                let checked =
                    sync::checked_texts(&i.title, i.description.as_deref(), i.url.as_deref());
                item(index, &mut errors, checked)
            })
            .collect();

        let mut w = Write::begin(&self.db, actor).await?;
        // Each existing row stays as read until this commits; locked in id order, so
        // two bulks over the same rows wait for each other instead of deadlocking.
        let existing = sync::existing_by_key::<initiative::Entity, _>(
            &w,
            org,
            (
                initiative::Column::ExternalSource,
                initiative::Column::ExternalId,
            ),
            keys.iter().flatten().cloned(),
            |m| (&m.external_source, &m.external_id),
        )
        .await?;
        let squad_ids: HashSet<Uuid> = items
            .iter()
            .map(|i| i.squad_id)
            .chain(existing.values().map(|m| m.squad_id))
            .collect();
        let squads = find_many_in_org::<squad::Entity, _>(&w, org, squad_ids).await?;
        let mut may_write = HashMap::new();
        for id in squads.keys() {
            let standing = facts::scope(&w, actor, Scope::Squad(*id)).await?;
            let allowed = authz::check(actor, Action::WriteInitiative { squad: &standing });
            may_write.insert(*id, allowed.is_ok());
        }

        let at = w.at();
        let mut plans = Vec::with_capacity(items.len());
        for (index, i) in items.iter().enumerate() {
            let (Some(key), Some((title, description, url))) = (&keys[index], &texts[index]) else {
                plans.push(None);
                continue;
            };
            if !squads.contains_key(&i.squad_id) {
                errors.push(ItemError::at(index, "squadId", ApiError::NotFound));
                plans.push(None);
                continue;
            }
            let current = existing.get(key);
            let allowed = may_write.get(&i.squad_id) == Some(&true)
                && current.is_none_or(|c| may_write.get(&c.squad_id) == Some(&true));
            if !allowed {
                errors.push(ItemError::at(index, "squadId", ApiError::Forbidden));
                plans.push(None);
                continue;
            }
            let plan = match current {
                None => {
                    let start = i.start_date.flatten();
                    let target = i.target_date.flatten();
                    item(index, &mut errors, dates(start, target)).map(|()| {
                        Plan::Insert(initiative::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            organization_id: Set(org),
                            squad_id: Set(i.squad_id),
                            title_key: Set(text::fold(title)),
                            title: Set(title.clone()),
                            description: Set(description.clone().unwrap_or_default()),
                            status: Set(i.status.unwrap_or(InitiativeStatus::Proposed)),
                            start_date: Set(start),
                            target_date: Set(target),
                            external_source: Set(Some(key.source.clone())),
                            external_id: Set(Some(key.id.clone())),
                            external_url: Set(url.clone()),
                            created_at: Set(at),
                            updated_at: Set(at),
                            version: Set(1),
                        })
                    })
                }
                Some(c) => {
                    let next = initiative::Model {
                        squad_id: i.squad_id,
                        title: title.clone(),
                        title_key: text::fold(title),
                        description: description.clone().unwrap_or(c.description.clone()),
                        status: i.status.unwrap_or(c.status),
                        start_date: i.start_date.unwrap_or(c.start_date),
                        target_date: i.target_date.unwrap_or(c.target_date),
                        external_url: url.clone().or(c.external_url.clone()),
                        ..c.clone()
                    };
                    item(index, &mut errors, dates(next.start_date, next.target_date)).map(|()| {
                        if next == *c {
                            Plan::Same(next)
                        } else {
                            Plan::Update(initiative::ActiveModel {
                                id: Set(c.id),
                                squad_id: Set(next.squad_id),
                                title: Set(next.title),
                                title_key: Set(next.title_key),
                                description: Set(next.description),
                                status: Set(next.status),
                                start_date: Set(next.start_date),
                                target_date: Set(next.target_date),
                                external_url: Set(next.external_url),
                                updated_at: Set(at),
                                version: Set(c.version + 1),
                                ..Default::default()
                            })
                        }
                    })
                }
            };
            plans.push(plan);
        }
        if !errors.is_empty() {
            w.rollback().await?;
            return Ok(Err(sync::refused(items.len(), errors)?));
        }

        let inserts: Vec<initiative::ActiveModel> = plans
            .iter()
            .filter_map(|p| match p {
                Some(Plan::Insert(a)) => Some(a.clone()),
                _ => None,
            })
            .collect();
        w.insert_many(inserts).await?;
        let mut rows = Vec::with_capacity(items.len());
        for plan in plans.into_iter().flatten() {
            rows.push(match plan {
                Plan::Insert(a) => (sea_orm::TryIntoModel::try_into_model(a)?, Upserted::Created),
                Plan::Update(a) => (w.update(a).await?, Upserted::Updated),
                Plan::Same(m) => (m, Upserted::Unchanged),
            });
        }
        w.commit_for(rows.iter().map(|(m, _)| (Kind::Initiative, m.id)))
            .await?;
        Ok(Ok(rows))
    }

    /// Upserts one outcome by its external reference (ADMIN, or a LEAD of the owning
    /// team or squad; tokens with `initiatives:write`). Moving it to another team or
    /// squad needs the right to plan in both.
    #[instrument(skip_all, fields(org.id = %actor.org_id()))]
    pub async fn upsert_outcome(
        &self,
        actor: &Actor,
        input: OutcomeUpsert,
    ) -> ApiResult<(outcome::Model, Upserted)> {
        let items = std::slice::from_ref(&input);
        sync::single(sync::retrying(|| self.upsert_outcomes_once(actor, items)).await?)
    }

    async fn upsert_outcomes_once(
        &self,
        actor: &Actor,
        items: &[OutcomeUpsert],
    ) -> ApiResult<BulkResult<outcome::Model>> {
        let org = actor.org_id();
        let mut errors = Vec::new();
        let keys = sync::checked_keys(items.iter().map(|i| &i.key), &mut errors);
        let texts: Vec<_> = items
            .iter()
            .enumerate()
            .map(|(index, i)| {
                let checked =
                    sync::checked_texts(&i.title, i.description.as_deref(), i.url.as_deref());
                item(index, &mut errors, checked)
            })
            .collect();

        let mut w = Write::begin(&self.db, actor).await?;
        let existing = sync::existing_by_key::<outcome::Entity, _>(
            &w,
            org,
            (outcome::Column::ExternalSource, outcome::Column::ExternalId),
            keys.iter().flatten().cloned(),
            |m| (&m.external_source, &m.external_id),
        )
        .await?;
        let mut scopes: Vec<Scope> = items.iter().map(|i| i.scope).collect();
        for m in existing.values() {
            scopes.push(Scope::of_row(m.team_id, m.squad_id)?);
        }
        let mut may_plan: HashMap<Scope, ApiResult<()>> = HashMap::new();
        for scope in scopes {
            if let std::collections::hash_map::Entry::Vacant(e) = may_plan.entry(scope) {
                let decision = match facts::scope(&w, actor, scope).await {
                    Ok(standing) => authz::check(actor, Action::PlanOutcome { scope: &standing }),
                    Err(ApiError::NotFound) => Err(ApiError::NotFound),
                    Err(other) => return Err(other),
                };
                e.insert(decision);
            }
        }
        let kpi_ids: HashSet<Uuid> = items.iter().filter_map(|i| i.kpi_id.flatten()).collect();
        let kpis = find_many_in_org::<kpi::Entity, _>(&w, org, kpi_ids).await?;

        let at = w.at();
        let mut plans = Vec::with_capacity(items.len());
        for (index, i) in items.iter().enumerate() {
            let (Some(key), Some((title, description, url))) = (&keys[index], &texts[index]) else {
                plans.push(None);
                continue;
            };
            let current = existing.get(key);
            let decision = may_plan[&i.scope].clone().and_then(|()| match current {
                Some(c) => may_plan[&Scope::of_row(c.team_id, c.squad_id)?].clone(),
                None => Ok(()),
            });
            let decision = decision.and_then(|()| match i.kpi_id.flatten() {
                Some(k) if !kpis.contains_key(&k) => Err(ApiError::bad_input(
                    "kpiId",
                    "kpiId is not a KPI of this organisation",
                )),
                _ => Ok(()),
            });
            if item(index, &mut errors, decision).is_none() {
                plans.push(None);
                continue;
            }
            let (team_id, squad_id) = i.scope.columns();
            let plan = match current {
                None => Plan::Insert(outcome::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    organization_id: Set(org),
                    team_id: Set(team_id),
                    squad_id: Set(squad_id),
                    quarter: Set(i.quarter.to_string()),
                    title: Set(title.clone()),
                    description: Set(description.clone().unwrap_or_default()),
                    kpi_id: Set(i.kpi_id.flatten()),
                    status: Set(i.status.unwrap_or(OutcomeStatus::OnTrack)),
                    external_source: Set(Some(key.source.clone())),
                    external_id: Set(Some(key.id.clone())),
                    external_url: Set(url.clone()),
                    created_at: Set(at),
                    updated_at: Set(at),
                    version: Set(1),
                }),
                Some(c) => {
                    let next = outcome::Model {
                        team_id,
                        squad_id,
                        quarter: i.quarter.to_string(),
                        title: title.clone(),
                        description: description.clone().unwrap_or(c.description.clone()),
                        kpi_id: i.kpi_id.unwrap_or(c.kpi_id),
                        status: i.status.unwrap_or(c.status),
                        external_url: url.clone().or(c.external_url.clone()),
                        ..c.clone()
                    };
                    if next == *c {
                        Plan::Same(next)
                    } else {
                        Plan::Update(outcome::ActiveModel {
                            id: Set(c.id),
                            team_id: Set(next.team_id),
                            squad_id: Set(next.squad_id),
                            quarter: Set(next.quarter),
                            title: Set(next.title),
                            description: Set(next.description),
                            kpi_id: Set(next.kpi_id),
                            status: Set(next.status),
                            external_url: Set(next.external_url),
                            updated_at: Set(at),
                            version: Set(c.version + 1),
                            ..Default::default()
                        })
                    }
                }
            };
            plans.push(Some(plan));
        }
        if !errors.is_empty() {
            w.rollback().await?;
            return Ok(Err(sync::refused(items.len(), errors)?));
        }
        let mut rows = Vec::with_capacity(items.len());
        for plan in plans.into_iter().flatten() {
            rows.push(match plan {
                Plan::Insert(a) => (w.insert(a).await?, Upserted::Created),
                Plan::Update(a) => (w.update(a).await?, Upserted::Updated),
                Plan::Same(m) => (m, Upserted::Unchanged),
            });
        }
        w.commit_for(rows.iter().map(|(m, _)| (Kind::Outcome, m.id)))
            .await?;
        Ok(Ok(rows))
    }
}
