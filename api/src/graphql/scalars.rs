//! Custom scalars (DESIGN §3): `Date` ("2026-11-25"), `Quarter` ("2026-Q4") and
//! `Duration` (ISO 8601: "P30D", "PT12H"). `DateTime` is async-graphql's (RFC 3339).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

use crate::{
    domain::calendar::{self, Quarter as DomainQuarter},
    error::{ApiError, ApiResult},
};

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date, `YYYY-MM-DD` (a four-digit year).
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => calendar::parse_date(s)
                .map(Date)
                .ok_or_else(|| InputValueError::custom("a Date looks like 2026-11-25")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// A calendar quarter, `YYYY-Qn` with n from 1 to 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter(pub DomainQuarter);

impl Quarter {
    /// The quarter of a row, as stored (`quarter` columns); a stored value that is not a
    /// quarter is INTERNAL.
    pub fn stored(quarter: &str) -> ApiResult<Quarter> {
        quarter.parse().map(Quarter).map_err(|_| {
            ApiError::internal(anyhow::anyhow!("stored quarter {quarter:?} is invalid"))
        })
    }
}

/// A calendar quarter, `YYYY-Qn` with n from 1 to 4 (e.g. "2026-Q4").
#[Scalar(name = "Quarter")]
impl ScalarType for Quarter {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .parse()
                .map(Quarter)
                .map_err(|e: calendar::BadQuarter| InputValueError::custom(e.to_string())),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

/// A length of time as an ISO 8601 duration of weeks, days, hours, minutes, seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration {
    pub seconds: i64,
}

/// A length of time as an ISO 8601 duration: "P30D", "P2W", "PT12H", "P1DT6H".
/// Months and years are not accepted (their length varies); at most 36525 days.
#[Scalar(name = "Duration")]
impl ScalarType for Duration {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => match calendar::parse_duration(s) {
                Some(seconds) if seconds > 0 => Ok(Duration { seconds }),
                _ => Err(InputValueError::custom(
                    "a Duration is ISO 8601 in weeks, days, hours, minutes or seconds, e.g. P30D, \
                     and at most 36525 days",
                )),
            },
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(format!("PT{}S", self.seconds))
    }
}
