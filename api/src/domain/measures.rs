//! What is derived from a KPI's measurements, shared by every area that shows it (the
//! KPIs themselves, a team's weekly sync): the pure arithmetic of trend direction and
//! status, and the one statement that finds each KPI's trend window ends. (Attainment
//! is a column the database derives from the KPI's row: migration
//! `m20261207_000010_kpi_ends`.)

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{enums::KpiDirection, kpi_measurement};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Query},
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use crate::error::ApiResult;

/// Which way a KPI moved over a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrendDirection {
    Improving,
    Worsening,
    Flat,
}

/// How a KPI is doing, from its attainment and trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KpiStatus {
    OnTrack,
    AtRisk,
    OffTrack,
}

fn higher_is_better(direction: KpiDirection) -> bool {
    direction == KpiDirection::HigherIsBetter
}

/// The direction of a move from `first` to `last`.
pub fn trend(direction: KpiDirection, first: f64, last: f64) -> TrendDirection {
    let delta = last - first;
    let scale = first.abs().max(last.abs()).max(1.0);
    if delta.abs() <= scale * 1e-9 {
        TrendDirection::Flat
    } else if (delta > 0.0) == higher_is_better(direction) {
        TrendDirection::Improving
    } else {
        TrendDirection::Worsening
    }
}

/// ON_TRACK, AT_RISK or OFF_TRACK from attainment and trend (no trend counts as FLAT):
///
/// | attainment | improving | flat | worsening |
/// |---|---|---|---|
/// | reached (1)   | ON_TRACK | ON_TRACK | ON_TRACK |
/// | ≥ 0.7         | ON_TRACK | ON_TRACK | AT_RISK |
/// | 0.3 – 0.7     | ON_TRACK | AT_RISK | OFF_TRACK |
/// | < 0.3         | AT_RISK | OFF_TRACK | OFF_TRACK |
///
/// `None` when the attainment is unknown (no target, or no measurement yet).
pub fn status(attainment: Option<f64>, trend: Option<TrendDirection>) -> Option<KpiStatus> {
    use KpiStatus::*;
    use TrendDirection::*;
    let a = attainment?;
    let t = trend.unwrap_or(Flat);
    Some(match (a, t) {
        (a, _) if a >= 1.0 => OnTrack,
        (a, Worsening) if a >= 0.7 => AtRisk,
        (a, _) if a >= 0.7 => OnTrack,
        (a, Improving) if a >= 0.3 => OnTrack,
        (a, Flat) if a >= 0.3 => AtRisk,
        (a, Worsening) if a >= 0.3 => OffTrack,
        (_, Improving) => AtRisk,
        _ => OffTrack,
    })
}

/// The oldest and newest value of a KPI within a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendEnds {
    pub first: f64,
    pub last: f64,
    /// How many measurements fall in the window.
    pub count: i64,
}

/// The oldest and newest value of each KPI within `[since, until]`, in one statement
/// that numbers each KPI's rows both ways with `ROW_NUMBER()` and keeps the ends.
pub async fn trend_ends<C: ConnectionTrait>(
    db: &C,
    org: Uuid,
    kpis: &[Uuid],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> ApiResult<HashMap<Uuid, TrendEnds>> {
    if kpis.is_empty() {
        return Ok(HashMap::new());
    }
    let inner = kpi_measurement::Entity::find()
        .select_only()
        .column(kpi_measurement::Column::KpiId)
        .column(kpi_measurement::Column::Value)
        .expr_as(
            Expr::cust(r#"ROW_NUMBER() OVER (PARTITION BY "kpi_id" ORDER BY "recorded_at" ASC, "id" ASC)"#),
            "rn_first",
        )
        .expr_as(
            Expr::cust(r#"ROW_NUMBER() OVER (PARTITION BY "kpi_id" ORDER BY "recorded_at" DESC, "id" DESC)"#),
            "rn_last",
        )
        .filter(kpi_measurement::Column::OrganizationId.eq(org))
        .filter(kpi_measurement::Column::KpiId.is_in(kpis.iter().copied()))
        .filter(kpi_measurement::Column::RecordedAt.gte(since))
        .filter(kpi_measurement::Column::RecordedAt.lte(until))
        .into_query();
    let q = Query::select()
        .columns([
            Alias::new("kpi_id"),
            Alias::new("value"),
            Alias::new("rn_first"),
            Alias::new("rn_last"),
        ])
        .from_subquery(inner, Alias::new("ns_ends"))
        .cond_where(
            Expr::col(Alias::new("rn_first"))
                .eq(1)
                .or(Expr::col(Alias::new("rn_last")).eq(1)),
        )
        .to_owned();
    let mut ends: HashMap<Uuid, (Option<f64>, Option<f64>, i64)> = HashMap::new();
    for row in db.query_all(&q).await? {
        let id: Uuid = row.try_get_by_index(0)?;
        let value: f64 = row.try_get_by_index(1)?;
        let rn_first: i64 = row.try_get_by_index(2)?;
        let rn_last: i64 = row.try_get_by_index(3)?;
        let e = ends.entry(id).or_insert((None, None, 0));
        if rn_first == 1 {
            e.0 = Some(value);
        }
        if rn_last == 1 {
            e.1 = Some(value);
            // The newest row's number counted from the oldest is the count.
            e.2 = rn_first;
        }
    }
    Ok(ends
        .into_iter()
        .filter_map(|(id, (first, last, count))| {
            Some((
                id,
                TrendEnds {
                    first: first?,
                    last: last?,
                    count,
                },
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use KpiDirection::{HigherIsBetter as Up, LowerIsBetter as Down};

    #[test]
    fn trends_honour_the_direction() {
        assert_eq!(trend(Up, 1.0, 2.0), TrendDirection::Improving);
        assert_eq!(trend(Down, 1.0, 2.0), TrendDirection::Worsening);
        assert_eq!(trend(Down, 2.0, 1.0), TrendDirection::Improving);
        assert_eq!(trend(Up, 2.0, 2.0), TrendDirection::Flat);
    }

    #[test]
    fn status_follows_the_table() {
        use KpiStatus::*;
        use TrendDirection::*;
        for (a, t, want) in [
            (1.0, Some(Worsening), OnTrack),
            (0.8, Some(Flat), OnTrack),
            (0.8, Some(Worsening), AtRisk),
            (0.5, Some(Improving), OnTrack),
            (0.5, None, AtRisk),
            (0.5, Some(Worsening), OffTrack),
            (0.1, Some(Improving), AtRisk),
            (0.1, Some(Flat), OffTrack),
        ] {
            assert_eq!(status(Some(a), t), Some(want), "{a} {t:?}");
        }
        assert_eq!(status(None, Some(Improving)), None);
    }
}
