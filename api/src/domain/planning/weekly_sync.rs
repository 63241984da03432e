//! What a team's weekly engineering sync needs: dependencies due soon or at risk,
//! outcomes at risk, and KPIs that got worse.

use chrono::{Datelike, Duration, NaiveDate};
use entity::{
    dependency,
    enums::{DependencyStatus, OutcomeStatus},
    kpi_view, outcome,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use tracing::instrument;
use uuid::Uuid;

use super::service::PlanningService;
use crate::{
    auth::Actor,
    db::now,
    domain::{calendar::Quarter, measures},
    error::ApiResult,
};

/// What a team's short weekly engineering sync needs, in one place.
#[derive(Debug, Clone)]
pub struct WeeklySync {
    /// The Monday of the week.
    pub week_start: NaiveDate,
    /// The day the sync looks ahead from: today in the current week, the Monday of
    /// any other week.
    pub as_of: NaiveDate,
    /// Open dependencies of the team's squads due within 14 days of `as_of` (or
    /// overdue), and every AT_RISK one.
    pub dependencies: Vec<dependency::Model>,
    /// The outcomes of `as_of`'s quarter of the team and its squads that are AT_RISK
    /// or OFF_TRACK.
    pub outcomes_at_risk: Vec<outcome::Model>,
    /// KPIs of the team and its squads whose values worsened over the 30 days up to the
    /// week's end.
    pub worsening_kpis: Vec<kpi_view::Model>,
}

/// How far ahead the weekly sync looks for dependencies.
pub const SYNC_HORIZON_DAYS: i64 = 14;
/// The window the weekly sync judges KPI trends over.
pub const SYNC_TREND_DAYS: i64 = 30;

impl PlanningService {
    /// What a team's weekly sync for the week containing `day` needs: dependencies due
    /// soon or at risk, outcomes at risk, and KPIs that got worse.
    #[instrument(skip_all, fields(org.id = %actor.org_id(), team.id = %team_id))]
    pub async fn weekly_sync(
        &self,
        actor: &Actor,
        team_id: Uuid,
        day: NaiveDate,
    ) -> ApiResult<WeeklySync> {
        let org = actor.org_id();
        let squads = self.squads_of(actor, team_id).await?;
        // Weeks start on Monday. "Due within 14 days" counts from the day the sync is
        // held: a Friday sync of this week must see what is due the Thursday after
        // next, not only what is due within 14 days of a Monday already past.
        let week_start = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
        let today = now().date_naive();
        let as_of = if (week_start..week_start + Duration::days(7)).contains(&today) {
            today
        } else {
            week_start
        };
        let horizon = as_of + Duration::days(SYNC_HORIZON_DAYS);
        let dependencies = dependency::Entity::find()
            .filter(dependency::Column::OrganizationId.eq(org))
            .filter(
                Condition::any()
                    .add(dependency::Column::FromSquadId.is_in(squads.iter().copied()))
                    .add(dependency::Column::ToSquadId.is_in(squads.iter().copied())),
            )
            .filter(
                Condition::any()
                    .add(dependency::Column::Status.eq(DependencyStatus::AtRisk))
                    .add(
                        Condition::all()
                            .add(dependency::Column::Status.eq(DependencyStatus::Open))
                            .add(dependency::Column::NeededBy.lte(horizon)),
                    ),
            )
            .order_by_asc(dependency::Column::NeededBy)
            .order_by_asc(dependency::Column::Id)
            .all(&self.db)
            .await?;
        let quarter = Quarter::containing(as_of);
        let outcomes_at_risk = outcome::Entity::find()
            .filter(outcome::Column::OrganizationId.eq(org))
            .filter(outcome::Column::Quarter.eq(quarter.to_string()))
            .filter(Self::owned_by(
                team_id,
                &squads,
                outcome::Column::TeamId,
                outcome::Column::SquadId,
            ))
            .filter(outcome::Column::Status.is_in([OutcomeStatus::AtRisk, OutcomeStatus::OffTrack]))
            .order_by_asc(outcome::Column::CreatedAt)
            .all(&self.db)
            .await?;
        let team_kpis = kpi_view::Entity::find()
            .filter(kpi_view::Column::OrganizationId.eq(org))
            .filter(kpi_view::Column::ArchivedAt.is_null())
            .filter(Self::owned_by(
                team_id,
                &squads,
                kpi_view::Column::TeamId,
                kpi_view::Column::SquadId,
            ))
            .order_by_asc(kpi_view::Column::Name)
            .all(&self.db)
            .await?;
        let week_end = (week_start + Duration::days(7))
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc();
        let until = std::cmp::min(week_end, now());
        let since = until - Duration::days(SYNC_TREND_DAYS);
        let ids: Vec<Uuid> = team_kpis.iter().map(|k| k.id).collect();
        let ends = measures::trend_ends(&self.db, org, &ids, since, until).await?;
        let worsening_kpis = team_kpis
            .into_iter()
            .filter(|k| {
                ends.get(&k.id).is_some_and(|e| {
                    e.count >= 2
                        && measures::trend(k.direction, e.first, e.last)
                            == measures::TrendDirection::Worsening
                })
            })
            .collect();
        Ok(WeeklySync {
            week_start,
            as_of,
            dependencies,
            outcomes_at_risk,
            worsening_kpis,
        })
    }
}
