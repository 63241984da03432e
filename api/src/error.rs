//! The one error type of the API. Every variant maps to a client-visible
//! `extensions.code` (DESIGN §3); internal causes are logged, never shown.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

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
    /// The input is wrong; `field` names the input field (camelCase).
    BadUserInput { field: &'static str, msg: String },
    /// The object changed since the client read it (`expectedVersion`), or a
    /// concurrent write won.
    Conflict(String),
    /// Too many attempts; try again later.
    RateLimited,
    /// The query exceeds the depth, complexity or alias limits.
    QueryTooComplex(String),
    /// A bug or an outage. The cause goes to the log only.
    Internal(Arc<anyhow::Error>),
}

impl ApiError {
    /// A `BAD_USER_INPUT` error about one input field.
    pub fn bad_input(field: &'static str, msg: impl Into<String>) -> Self {
        Self::BadUserInput {
            field,
            msg: msg.into(),
        }
    }

    /// An internal error from any cause.
    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(e.into()))
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::QueryTooComplex(_) => "QUERY_TOO_COMPLEX",
            Self::Internal(_) => "INTERNAL",
        }
    }

    /// The client-safe message.
    pub fn message(&self) -> String {
        match self {
            Self::Unauthenticated => "authentication required".into(),
            Self::Forbidden => "not allowed".into(),
            Self::NotFound => "not found".into(),
            Self::BadUserInput { msg, .. } => msg.clone(),
            Self::Conflict(msg) => msg.clone(),
            Self::RateLimited => "too many attempts, try again later".into(),
            Self::QueryTooComplex(msg) => msg.clone(),
            Self::Internal(_) => "internal error".into(),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        if let ApiError::Internal(cause) = &e {
            // Logged once, here where it is turned into a response; the request span
            // carries the request id that the client sees in `extensions.requestId`.
            tracing::error!(error = ?cause, "internal error");
        }
        async_graphql::Error::new(e.message()).extend_with(|_, ext| {
            ext.set("code", e.code());
            if let ApiError::BadUserInput { field, .. } = &e {
                ext.set("field", *field);
            }
        })
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
