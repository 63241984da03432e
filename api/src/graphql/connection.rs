//! Relay connections: `edges`, `pageInfo`, and a `totalCount` computed only when asked.

use async_graphql::{
    connection::{Connection, Edge, EmptyFields},
    Context, Object, OutputType,
};

use crate::{
    error::{ApiError, ApiResult},
    pagination::{Page, PageArgs},
};

/// Computes the total of a connection on demand.
#[async_trait::async_trait]
pub trait Counter: Send + Sync {
    async fn count(&self, ctx: &Context<'_>) -> ApiResult<u64>;
}

/// The `totalCount` field of every connection.
pub struct TotalCount(pub(crate) Box<dyn Counter>);

impl TotalCount {
    /// A total that `counter` computes when the field is selected.
    pub fn new(counter: impl Counter + 'static) -> Self {
        Self(Box::new(counter))
    }
}

#[Object]
impl TotalCount {
    /// How many items match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i32> {
        let n = self.0.count(ctx).await?;
        i32::try_from(n).map_err(|_| ApiError::internal(anyhow::anyhow!("count {n} overflows")))
    }
}

/// A connection of `T`, with `totalCount`.
pub type Conn<T> = Connection<String, T, TotalCount, EmptyFields>;

/// The connection for one page, wrapping each row in its GraphQL type.
pub fn connection<M, T: OutputType>(
    page: Page<M>,
    wrap: impl Fn(M) -> T,
    total: TotalCount,
) -> Conn<T> {
    let mut conn =
        Connection::with_additional_fields(page.has_previous_page, page.has_next_page, total);
    conn.edges = page
        .items
        .into_iter()
        .map(|(cursor, m)| Edge::new(cursor, wrap(m)))
        .collect();
    conn
}

/// The page arguments of a list field, as the pagination module takes them.
pub fn page_args(
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> PageArgs {
    PageArgs {
        first,
        after,
        last,
        before,
    }
}
