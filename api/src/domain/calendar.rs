//! Calendar values of the planning domain: quarters ("2026-Q4") and durations.

use std::{fmt, str::FromStr};

use chrono::{Datelike, NaiveDate};

/// A calendar quarter, e.g. 2026-Q4 (October to December 2026).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    year: i32,
    q: u32,
}

impl Quarter {
    /// The quarter `date` falls in.
    pub fn containing(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            q: (date.month0() / 3) + 1,
        }
    }

    /// Its first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.q - 1) * 3 + 1, 1).expect("valid quarter start")
    }

    /// Its last day.
    pub fn last_day(self) -> NaiveDate {
        let next = if self.q == 4 {
            Self {
                year: self.year + 1,
                q: 1,
            }
        } else {
            Self {
                year: self.year,
                q: self.q + 1,
            }
        };
        next.first_day().pred_opt().expect("valid quarter end")
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.q)
    }
}

/// Why a quarter did not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadQuarter;

impl fmt::Display for BadQuarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a quarter looks like 2026-Q4 (Q1 to Q4)")
    }
}

impl FromStr for Quarter {
    type Err = BadQuarter;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (year, q) = s.trim().split_once("-Q").ok_or(BadQuarter)?;
        if year.len() != 4 || q.len() != 1 {
            return Err(BadQuarter);
        }
        let year: i32 = year.parse().map_err(|_| BadQuarter)?;
        let q: u32 = q.parse().map_err(|_| BadQuarter)?;
        if !(1..=4).contains(&q) || !(1970..=9999).contains(&year) {
            return Err(BadQuarter);
        }
        Ok(Self { year, q })
    }
}

/// The longest duration accepted: 36,525 days (100 years). Windows reach back from
/// now, and a date that far back is still a date.
pub const MAX_DURATION_DAYS: i64 = 36_525;

/// Parses a date written `YYYY-MM-DD` with a four-digit year (RFC 3339 `full-date`).
/// Signed or longer years, which chrono would accept, are refused: dates near the end
/// of chrono's range overflow as soon as a week is added to them.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// Parses an ISO 8601 duration of weeks, days, hours, minutes and seconds
/// ("P30D", "P2W", "PT12H", "P1DT6H30M"). Months and years are refused: their length
/// varies. Returns whole seconds, at most [`MAX_DURATION_DAYS`] days' worth.
pub fn parse_duration(s: &str) -> Option<i64> {
    let rest = s.trim().strip_prefix('P')?;
    if rest.is_empty() {
        return None;
    }
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total: i64 = 0;
    let mut parse_part = |part: &str, units: &[(char, i64)]| -> Option<()> {
        let mut number = String::new();
        let mut allowed = units.iter();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            // Units must come in order, each at most once.
            let (_, secs) = allowed.by_ref().find(|(u, _)| *u == c)?;
            let n: i64 = number.parse().ok()?;
            total = total.checked_add(n.checked_mul(*secs)?)?;
            number.clear();
        }
        number.is_empty().then_some(())
    };
    parse_part(date, &[('W', 7 * 86_400), ('D', 86_400)])?;
    if let Some(t) = time {
        parse_part(t, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    }
    (total <= MAX_DURATION_DAYS * 86_400).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_parse_print_and_span_their_months() {
        let q: Quarter = "2026-Q4".parse().unwrap();
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.first_day(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(q.last_day(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(
            Quarter::containing(NaiveDate::from_ymd_opt(2026, 5, 17).unwrap()).to_string(),
            "2026-Q2"
        );
        for bad in [
            "2026-Q5", "2026-Q0", "2026Q4", "26-Q4", "2026-Q4x", "", "abcd-Q1",
        ] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
    }

    #[test]
    fn durations_are_iso_8601_without_months() {
        assert_eq!(parse_duration("P30D"), Some(30 * 86_400));
        assert_eq!(parse_duration("P2W"), Some(14 * 86_400));
        assert_eq!(parse_duration("PT12H"), Some(12 * 3_600));
        assert_eq!(
            parse_duration("P1DT6H30M"),
            Some(86_400 + 6 * 3_600 + 30 * 60)
        );
        for bad in [
            "", "P", "30D", "P1M", "P1Y", "PT", "P1DT", "PD", "P1D1D", "PT1S1H",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        assert_eq!(parse_duration("P36525D"), Some(36_525 * 86_400));
        for too_long in ["P36526D", "P99999999W", "PT9223372036854775S"] {
            assert_eq!(parse_duration(too_long), None, "{too_long}");
        }
    }

    #[test]
    fn dates_have_four_digit_years() {
        assert_eq!(
            parse_date("2026-11-25"),
            NaiveDate::from_ymd_opt(2026, 11, 25)
        );
        assert_eq!(
            parse_date("9999-12-31"),
            NaiveDate::from_ymd_opt(9999, 12, 31)
        );
        for bad in [
            "+262142-12-31",
            "-0001-01-01",
            "262142-12-31",
            "2026-1-5",
            "2026-02-30",
            "2026/11/25",
            "2026-11-25T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
