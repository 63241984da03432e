//! Pure arithmetic of KPIs: attainment, trend direction and status.

use entity::enums::KpiDirection;

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

/// How far `value` has come from `baseline` to `target`, 0–1, honouring the direction.
/// `None` without a target or a baseline (the caller uses the first measurement when
/// the KPI has no baseline of its own).
pub fn attainment(
    direction: KpiDirection,
    baseline: Option<f64>,
    target: Option<f64>,
    value: Option<f64>,
) -> Option<f64> {
    let (target, value, baseline) = (target?, value?, baseline?);
    let better = |a: f64, b: f64| {
        if higher_is_better(direction) {
            a >= b
        } else {
            a <= b
        }
    };
    if better(value, target) {
        return Some(1.0);
    }
    // A baseline already at or beyond the target leaves no distance to cover.
    if better(baseline, target) {
        return Some(0.0);
    }
    Some(((value - baseline) / (target - baseline)).clamp(0.0, 1.0))
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

#[cfg(test)]
mod tests {
    use super::*;
    use KpiDirection::{HigherIsBetter as Up, LowerIsBetter as Down};

    #[test]
    fn attainment_runs_from_baseline_to_target_in_either_direction() {
        assert_eq!(
            attainment(Up, Some(40.0), Some(60.0), Some(50.0)),
            Some(0.5)
        );
        assert_eq!(
            attainment(Down, Some(100.0), Some(50.0), Some(75.0)),
            Some(0.5)
        );
        assert_eq!(
            attainment(Up, Some(40.0), Some(60.0), Some(70.0)),
            Some(1.0)
        );
        assert_eq!(
            attainment(Up, Some(40.0), Some(60.0), Some(30.0)),
            Some(0.0)
        );
        assert_eq!(
            attainment(Down, Some(100.0), Some(50.0), Some(40.0)),
            Some(1.0)
        );
        assert_eq!(attainment(Up, Some(40.0), None, Some(50.0)), None);
        assert_eq!(attainment(Up, Some(40.0), Some(60.0), None), None);
        assert_eq!(
            attainment(Up, Some(70.0), Some(60.0), Some(50.0)),
            Some(0.0)
        );
    }

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
