//! The one error type of the API. Every variant maps to a client-visible
//! `extensions.code` (DESIGN §3); internal causes are logged, never shown.

use std::{borrow::Cow, sync::Arc};

use async_graphql::{ErrorExtensionValues, ErrorExtensions, Pos, ServerError};
use sea_orm::{DbErr, SqlErr};

/// Every `extensions.code` a client can see.
pub mod code {
    /// No valid credentials.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// The policy denies it.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// No such object in the caller's organisation.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// An input is wrong, or the request cannot run.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// A stale `expectedVersion`, or a concurrent write won.
    pub const CONFLICT: &str = "CONFLICT";
    /// Too many attempts.
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    /// The query's shape passes a limit.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// The request ran past its time limit.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// A fault of the server.
    pub const INTERNAL: &str = "INTERNAL";
}

/// Result of every service call and resolver.
pub type ApiResult<T> = Result<T, ApiError>;

/// What went wrong, in terms a client can act on.
///
/// It deliberately does not implement `Display`: the conversion into a GraphQL error
/// below is the only way out, so no error leaves without its code.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// No valid credentials.
    Unauthenticated,
    /// Authenticated, but the policy denies the action. Names nothing hidden.
    Forbidden,
    /// The object does not exist in the caller's organisation.
    NotFound,
    /// The input is wrong; `field` names the input field (camelCase; a field nested in
    /// an input object is dotted: `externalRef.id`).
    BadUserInput {
        field: Cow<'static, str>,
        msg: String,
    },
    /// The request is not one the server can run: its body is not a GraphQL request,
    /// its document does not parse, or it is not valid against the schema. Nothing ran.
    BadRequest(String),
    /// The object changed since the client read it (`expectedVersion`), or a
    /// concurrent write won.
    Conflict(String),
    /// Too many attempts or requests; try again in `retry_after` seconds
    /// (`extensions.retryAfter`).
    RateLimited { retry_after: u64 },
    /// The query exceeds one of the limits of its shape (`limit`: depth, complexity,
    /// aliases, nesting, directives): `actual` against `max`. Nothing ran.
    QueryTooComplex {
        limit: &'static str,
        max: usize,
        actual: usize,
    },
    /// The request ran past its time limit and was stopped. A write it made may or may
    /// not have been committed: read the object again before retrying.
    Timeout,
    /// A bug or an outage. The cause goes to the log only.
    Internal(Arc<anyhow::Error>),
}

impl ApiError {
    /// A `BAD_USER_INPUT` error about one input field.
    pub fn bad_input(field: impl Into<Cow<'static, str>>, msg: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            msg: msg.into(),
        }
    }

    /// An internal error from any cause.
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(e.into()))
    }

    /// The `extensions.code` of this error (DESIGN §3; [`code`] lists them).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => code::UNAUTHENTICATED,
            Self::Forbidden => code::FORBIDDEN,
            Self::NotFound => code::NOT_FOUND,
            Self::BadUserInput { .. } | Self::BadRequest(_) => code::BAD_USER_INPUT,
            Self::Conflict(_) => code::CONFLICT,
            Self::RateLimited { .. } => code::RATE_LIMITED,
            Self::QueryTooComplex { .. } => code::QUERY_TOO_COMPLEX,
            Self::Timeout => code::TIMEOUT,
            Self::Internal(_) => code::INTERNAL,
        }
    }

    /// The client-safe message.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => "authentication required".into(),
            Self::Forbidden => "not allowed".into(),
            Self::NotFound => "not found".into(),
            Self::BadUserInput { msg, .. } | Self::BadRequest(msg) => msg.clone(),
            Self::Conflict(msg) => msg.clone(),
            Self::RateLimited { retry_after } => {
                format!("too many attempts; try again in {retry_after} s")
            }
            Self::QueryTooComplex { limit, max, actual } => {
                format!("the query's {limit} is {actual}; at most {max} is allowed")
            }
            Self::Timeout => "the request took too long and was stopped".into(),
            Self::Internal(_) => "internal error".into(),
        }
    }

    /// The extensions a client reads: `code`, and what the error is about.
    fn extensions(&self, ext: &mut ErrorExtensionValues) {
        ext.set("code", self.code());
        match self {
            ApiError::BadUserInput { field, .. } => ext.set("field", field.as_ref()),
            ApiError::RateLimited { retry_after } => ext.set("retryAfter", *retry_after),
            ApiError::QueryTooComplex { limit, max, actual } => {
                ext.set("limit", *limit);
                ext.set("max", *max as u64);
                ext.set("actual", *actual as u64);
            }
            _ => {}
        }
    }

    /// This error as a GraphQL error of the whole request (raised before or instead of
    /// execution, so without a path), at `locations` in the document if any.
    pub fn into_server_error(self, locations: Vec<Pos>) -> ServerError {
        self.log();
        let mut err = ServerError::new(self.message(), None);
        err.locations = locations;
        self.extensions(err.extensions.get_or_insert_with(Default::default));
        err
    }

    /// An error async-graphql raised before execution (the document does not parse or
    /// is not valid) or while reading an argument's value: it comes without a code,
    /// and is the client's (BAD_USER_INPUT, as [`ApiError::BadRequest`]), with
    /// async-graphql's message, locations and path. An error that has a code keeps it.
    pub fn code_request_error(err: ServerError) -> ServerError {
        if err
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some())
        {
            return err;
        }
        let mut coded = ApiError::BadRequest(err.message).into_server_error(err.locations);
        coded.path = err.path;
        coded
    }

    /// Logs an internal error, once, where it is turned into a response; the request
    /// span carries the request id that the client sees in `extensions.requestId`.
    fn log(&self) {
        if let ApiError::Internal(cause) = self {
            tracing::error!(error = ?cause, "internal error");
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        e.log();
        async_graphql::Error::new(e.message()).extend_with(|_, ext| e.extensions(ext))
    }
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        match e {
            DbErr::RecordNotFound(_) => Self::NotFound,
            e => Self::Internal(Arc::new(e.into())),
        }
    }
}

impl From<async_graphql::Error> for ApiError {
    fn from(e: async_graphql::Error) -> Self {
        Self::internal(anyhow::anyhow!("graphql: {}", e.message))
    }
}

/// Turns database constraint violations into client errors.
pub trait DbResultExt<T> {
    /// A unique violation of the index named `index` becomes BAD_USER_INPUT on `field`.
    fn on_unique(self, index: &str, field: &'static str, msg: &str) -> ApiResult<T>;
}

impl<T> DbResultExt<T> for Result<T, DbErr> {
    fn on_unique(self, index: &str, field: &'static str, msg: &str) -> ApiResult<T> {
        self.map_err(ApiError::from).on_unique(index, field, msg)
    }
}

impl<T> DbResultExt<T> for ApiResult<T> {
    fn on_unique(self, index: &str, field: &'static str, msg: &str) -> ApiResult<T> {
        self.map_err(|e| {
            let unique = match &e {
                ApiError::Internal(cause) => {
                    match cause.downcast_ref::<DbErr>().and_then(DbErr::sql_err) {
                        Some(SqlErr::UniqueConstraintViolation(detail)) => is_index(&detail, index),
                        _ => false,
                    }
                }
                _ => false,
            };
            if unique {
                ApiError::bad_input(field, msg)
            } else {
                e
            }
        })
    }
}

/// PostgreSQL names the index in the message; SQLite names the columns instead
/// ("UNIQUE constraint failed: team.organization_id, team.name"), so a SQLite unique
/// violation matches when no other unique index could have fired it: callers pass the
/// index that the statement can violate.
fn is_index(detail: &str, index: &str) -> bool {
    detail.contains(index) || detail.contains("UNIQUE constraint failed")
}
