//! Relay connections: `edges`, `nodes`, `pageInfo`, and a `totalCount` computed only
//! when asked.
//!
//! The connection type is Northstar's own (same schema as async-graphql's `Connection`)
//! so that its lists resolve through [`Joined`]: every item of a page is polled on
//! every pass. async-graphql's own lists of more than 30 items go through
//! `FuturesOrdered`, which stops a pass after two items that woke themselves (every
//! object with a field still waiting does); the rest of the page then registered its
//! DataLoader keys only on later passes, and a batch cut by the loader's timer became
//! several statements (50 teams with squads and KPIs: 12.7 statements under load
//! instead of 5).

use std::{
    borrow::Cow,
    future::Future,
    pin::Pin,
    task::{Context as TaskContext, Poll},
};

use async_graphql::{
    connection::PageInfo, parser::types::Field, registry::Registry, Context, ContextSelectionSet,
    Object, OutputType, Positioned, ServerResult, TypeName, Value,
};
use futures_util::future::BoxFuture;

use super::context::ContextExt;
use crate::{
    auth::Actor,
    error::{ApiError, ApiResult},
    pagination::{Cursor, Page, PageArgs},
    services::Services,
};

/// Computes the total of a connection on demand.
#[async_trait::async_trait]
pub trait Counter: Send + Sync {
    async fn count(&self, ctx: &Context<'_>) -> ApiResult<u64>;
}

/// What the `totalCount` field of a connection counts with.
pub struct TotalCount(pub(crate) Box<dyn Counter>);

impl TotalCount {
    /// A total that `counter` computes when the field is selected.
    pub fn new(counter: impl Counter + 'static) -> Self {
        Self(Box::new(counter))
    }

    /// The total of a top-level list: `count` runs with the list's filter (the service
    /// filter the page was read with) for the caller, when the field is selected.
    pub fn of_list<F: Send + Sync + 'static>(filter: F, count: CountFn<F>) -> Self {
        Self::new(ListTotal { filter, count })
    }
}

/// How a list counts its matches: a service's `count` for the caller and a filter,
/// e.g. `|s, actor, f| Box::pin(s.teams.count(actor, f))`.
pub type CountFn<F> = for<'a> fn(&'a Services, &'a Actor, &'a F) -> BoxFuture<'a, ApiResult<u64>>;

/// The total of a top-level list: its filter, and the service call that counts it.
pub struct ListTotal<F> {
    filter: F,
    count: CountFn<F>,
}

#[async_trait::async_trait]
impl<F: Send + Sync + 'static> Counter for ListTotal<F> {
    async fn count(&self, ctx: &Context<'_>) -> ApiResult<u64> {
        (self.count)(ctx.services(), &ctx.actor().await?, &self.filter).await
    }
}

/// An edge: one item and its cursor, named `{T}Edge` in the schema.
pub struct ConnEdge<T> {
    cursor: Cursor,
    node: T,
}

impl<T: OutputType> TypeName for ConnEdge<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Edge", T::type_name()).into()
    }
}

/// An edge in a connection.
#[Object(name_type)]
impl<T: OutputType> ConnEdge<T> {
    /// The item at the end of the edge
    async fn node(&self) -> &T {
        &self.node
    }

    /// A cursor for use in pagination
    async fn cursor(&self) -> String {
        self.cursor.encode()
    }
}

/// A connection of `T`: one page, named `{T}Connection` in the schema.
pub struct Conn<T: OutputType> {
    edges: Vec<ConnEdge<T>>,
    has_previous_page: bool,
    has_next_page: bool,
    total: TotalCount,
}

impl<T: OutputType> TypeName for Conn<T> {
    fn type_name() -> Cow<'static, str> {
        format!("{}Connection", T::type_name()).into()
    }
}

#[Object(name_type)]
impl<T: OutputType> Conn<T> {
    /// Information to aid in pagination.
    async fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
            start_cursor: self.edges.first().map(|e| e.cursor.encode()),
            end_cursor: self.edges.last().map(|e| e.cursor.encode()),
        }
    }

    /// A list of edges.
    async fn edges(&self) -> Joined<&ConnEdge<T>> {
        Joined(self.edges.iter().collect())
    }

    /// A list of nodes.
    async fn nodes(&self) -> Joined<&T> {
        Joined(self.edges.iter().map(|e| &e.node).collect())
    }

    /// How many items match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> ApiResult<i32> {
        let n = self.total.0.count(ctx).await?;
        i32::try_from(n).map_err(|_| ApiError::internal(anyhow::anyhow!("count {n} overflows")))
    }
}

/// The connection for one page, wrapping each row in its GraphQL type.
pub fn connection<M, T: OutputType>(
    page: Page<M>,
    wrap: impl Fn(M) -> T,
    total: TotalCount,
) -> Conn<T> {
    Conn {
        edges: page
            .items
            .into_iter()
            .map(|(cursor, m)| ConnEdge {
                cursor,
                node: wrap(m),
            })
            .collect(),
        has_previous_page: page.has_previous_page,
        has_next_page: page.has_next_page,
        total,
    }
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

/// A non-null list of non-null `T` (`[T!]!`, as `Vec<T>`) whose items are resolved
/// together, each polled on every pass, so all of them reach their DataLoaders in the
/// same pass whatever the length of the list. Unlike async-graphql's lists, it does not
/// call the extensions' per-item `resolve` hook; Northstar's only extension (`Limits`,
/// on the WebSocket schema) hooks parsing and validation.
pub struct Joined<T>(pub Vec<T>);

impl<T: OutputType> OutputType for Joined<T> {
    fn type_name() -> Cow<'static, str> {
        <Vec<T> as OutputType>::type_name()
    }

    fn qualified_type_name() -> String {
        <Vec<T> as OutputType>::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        <Vec<T> as OutputType>::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let items = self.0.iter().enumerate().map(|(idx, item)| async move {
            let ctx_idx = ctx.with_index(idx);
            OutputType::resolve(item, &ctx_idx, field)
                .await
                .map_err(|err| ctx_idx.set_error_path(err))
        });
        Ok(Value::List(JoinEvery::new(items).await?))
    }
}

/// Polls every unfinished future on every pass; the first error ends the join (as an
/// error in a non-null list item does in GraphQL).
struct JoinEvery<F: Future<Output = Result<T, E>>, T, E> {
    pending: Vec<Option<Pin<Box<F>>>>,
    outputs: Vec<Option<T>>,
    left: usize,
}

impl<F: Future<Output = Result<T, E>>, T, E> JoinEvery<F, T, E> {
    fn new(items: impl IntoIterator<Item = F>) -> Self {
        let pending: Vec<_> = items.into_iter().map(|f| Some(Box::pin(f))).collect();
        let left = pending.len();
        Self {
            outputs: std::iter::repeat_with(|| None).take(left).collect(),
            pending,
            left,
        }
    }
}

// The futures are pinned in their own boxes and the outputs are never pinned.
impl<F: Future<Output = Result<T, E>>, T, E> Unpin for JoinEvery<F, T, E> {}

impl<F: Future<Output = Result<T, E>>, T, E> Future for JoinEvery<F, T, E> {
    type Output = Result<Vec<T>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        for (slot, out) in this.pending.iter_mut().zip(this.outputs.iter_mut()) {
            let Some(fut) = slot else { continue };
            match fut.as_mut().poll(cx) {
                Poll::Pending => {}
                Poll::Ready(Ok(v)) => {
                    *out = Some(v);
                    *slot = None;
                    this.left -= 1;
                }
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            }
        }
        if this.left > 0 {
            return Poll::Pending;
        }
        // Every slot is filled now.
        Poll::Ready(Ok(std::mem::take(&mut this.outputs)
            .into_iter()
            .flatten()
            .collect()))
    }
}

#[cfg(test)]
mod tests {
    use std::{
        sync::atomic::{AtomicUsize, Ordering},
        task::Waker,
    };

    use super::*;

    /// A future that wakes itself and waits once (as an object with a field still
    /// loading does), counting its first polls in `started`.
    async fn item(started: &AtomicUsize, n: usize) -> Result<usize, usize> {
        started.fetch_add(1, Ordering::SeqCst);
        let mut waited = false;
        std::future::poll_fn(|cx| {
            if waited {
                Poll::Ready(())
            } else {
                waited = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
        .await;
        if n == 13 {
            Err(n)
        } else {
            Ok(n * 2)
        }
    }

    #[test]
    fn every_item_of_a_long_list_starts_in_the_first_pass() {
        let started = AtomicUsize::new(0);
        let mut join = std::pin::pin!(JoinEvery::new((0..100).map(|n| item(&started, n + 100))));
        let mut cx = TaskContext::from_waker(Waker::noop());
        assert!(join.as_mut().poll(&mut cx).is_pending());
        // async-graphql's list (`try_join_all`) starts two such items per pass here.
        assert_eq!(started.load(Ordering::SeqCst), 100);
        match join.as_mut().poll(&mut cx) {
            Poll::Ready(Ok(v)) => assert_eq!(v, (100..200).map(|n| n * 2).collect::<Vec<_>>()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_error_in_one_item_ends_the_list() {
        let started = AtomicUsize::new(0);
        let mut join = std::pin::pin!(JoinEvery::new((0..40).map(|n| item(&started, n))));
        let mut cx = TaskContext::from_waker(Waker::noop());
        assert!(join.as_mut().poll(&mut cx).is_pending());
        assert!(matches!(join.as_mut().poll(&mut cx), Poll::Ready(Err(13))));
    }
}
