//! DataLoaders, built per request: every field that reads another table goes through
//! one, so a nested query costs a fixed number of statements whatever its size.
//!
//! Keys carry the organisation of the parent object (already checked), so a loader
//! can never return another tenant's rows.

use std::{collections::HashMap, marker::PhantomData, sync::Arc, time::Duration};

use async_graphql::{
    dataloader::{DataLoader, Loader},
    Data,
};
use entity::organization;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

use crate::{
    domain::tenant::TenantTable,
    error::{ApiError, ApiResult},
    pagination::{self, Order, Page, PageArgs},
};

/// How long a loader waits to gather keys into one batch: none. A batch is loaded by a
/// task of its own, which runs once the request's pass that asked for the first key is
/// over; every key of the same level is asked for in that pass, because lists poll all
/// their items together (`connection::Joined`). tokio's timer counts whole
/// milliseconds, so any delay above zero cost each level of a nested query about a
/// millisecond of waiting.
const DELAY: Duration = Duration::ZERO;

/// A row id within an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct InOrg {
    pub org: Uuid,
    pub id: Uuid,
}

/// Loader errors are shared by every key of a batch.
pub type LoadError = Arc<ApiError>;

impl From<LoadError> for ApiError {
    fn from(e: LoadError) -> Self {
        (*e).clone()
    }
}

/// The ids of a batch, per organisation: loaders run one statement per organisation
/// (in practice, one).
pub fn group_by_org(keys: impl IntoIterator<Item = InOrg>) -> HashMap<Uuid, Vec<Uuid>> {
    let mut groups: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for k in keys {
        groups.entry(k.org).or_default().push(k.id);
    }
    groups
}

/// Rows of one table by id.
pub struct ById<E>(DatabaseConnection, PhantomData<fn() -> E>);

impl<E: TenantTable> Loader<InOrg> for ById<E>
where
    E::Model: Clone + Send + Sync,
{
    type Value = E::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[InOrg]) -> Result<HashMap<InOrg, E::Model>, LoadError> {
        let mut out = HashMap::new();
        for (org, ids) in group_by_org(keys.iter().copied()) {
            let rows = E::find()
                .filter(E::ORG.eq(org))
                .filter(E::ID.is_in(ids))
                .all(&self.0)
                .await
                .map_err(|e| Arc::new(e.into()))?;
            out.extend(rows.into_iter().map(|m| {
                (
                    InOrg {
                        org,
                        id: E::id_of(&m),
                    },
                    m,
                )
            }));
        }
        Ok(out)
    }
}

/// Organisations by id (the tenant table itself).
pub struct OrganizationLoader(DatabaseConnection);

impl Loader<Uuid> for OrganizationLoader {
    type Value = organization::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, organization::Model>, LoadError> {
        let rows = organization::Entity::find()
            .filter(organization::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(|e| Arc::new(e.into()))?;
        Ok(rows.into_iter().map(|m| (m.id, m)).collect())
    }
}

/// A one-to-many relation: the children of a parent row, in a fixed order.
pub trait ChildRelation: Send + Sync + 'static {
    /// The child table.
    type Entity: TenantTable;
    /// The child column that points at the parent.
    fn parent_column() -> <Self::Entity as EntityTrait>::Column;
    /// The parent of a child row.
    fn parent_of(m: &<Self::Entity as EntityTrait>::Model) -> Uuid;
    /// The order of the children.
    fn order() -> Order<Self::Entity>;
    /// Narrows which children count (e.g. not archived ones).
    fn scope(select: Select<Self::Entity>) -> Select<Self::Entity> {
        select
    }
}

/// The children relation `R` counts, within one organisation: every loader of a
/// relation reads through this, so none can reach another tenant's rows.
fn children_in<R: ChildRelation>(org: Uuid) -> Select<R::Entity> {
    R::scope(R::Entity::find().filter(R::Entity::ORG.eq(org)))
}

/// One page of children per parent, in one statement per distinct page request.
pub struct ChildPages<R>(DatabaseConnection, PhantomData<fn() -> R>);

impl<R: ChildRelation> Loader<(InOrg, PageArgs)> for ChildPages<R>
where
    <R::Entity as EntityTrait>::Model: Clone + Send + Sync,
{
    // Shared: the DataLoader hands every waiter its own copy of a value, and an `Arc`
    // makes that copy free (`load_children` takes the page back out of it).
    type Value = Arc<Page<<R::Entity as EntityTrait>::Model>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[(InOrg, PageArgs)],
    ) -> Result<HashMap<(InOrg, PageArgs), Self::Value>, LoadError> {
        let mut groups: HashMap<(Uuid, &PageArgs), Vec<Uuid>> = HashMap::new();
        for (k, args) in keys {
            groups.entry((k.org, args)).or_default().push(k.id);
        }
        let mut out = HashMap::new();
        for ((org, args), parents) in groups {
            let pages = pagination::paginate_grouped(
                &self.0,
                children_in::<R>(org),
                R::parent_column(),
                R::parent_of,
                &parents,
                R::order(),
                args,
            )
            .await
            .map_err(Arc::new)?;
            out.extend(
                pages
                    .into_iter()
                    .map(|(id, page)| ((InOrg { org, id }, args.clone()), Arc::new(page))),
            );
        }
        Ok(out)
    }
}

/// The number of children per parent, in one statement.
pub struct ChildCounts<R>(DatabaseConnection, PhantomData<fn() -> R>);

impl<R: ChildRelation> Loader<InOrg> for ChildCounts<R> {
    type Value = u64;
    type Error = LoadError;

    async fn load(&self, keys: &[InOrg]) -> Result<HashMap<InOrg, u64>, LoadError> {
        let mut out = HashMap::new();
        for (org, parents) in group_by_org(keys.iter().copied()) {
            let counts = pagination::count_grouped(
                &self.0,
                children_in::<R>(org),
                R::parent_column(),
                &parents,
            )
            .await
            .map_err(Arc::new)?;
            out.extend(counts.into_iter().map(|(id, n)| (InOrg { org, id }, n)));
        }
        Ok(out)
    }
}

/// A loader of this request, with the shared batching delay.
pub fn new_loader<L: Send + Sync + 'static>(loader: L) -> DataLoader<L> {
    DataLoader::new(loader, tokio::spawn).delay(DELAY)
}

/// Collects the loaders of every area into a request's (or a subscription's) data.
pub struct Registry<'a> {
    pub db: &'a DatabaseConnection,
    data: &'a mut Data,
    cache: bool,
}

impl<'a> Registry<'a> {
    /// A registry that fills `data` (a request's, or a subscription's) with loaders
    /// over `db`, starting with the organisations' loader. `cache: false` for a
    /// long-lived subscription: each event then reads current rows (batching still
    /// applies).
    pub fn new(data: &'a mut Data, db: &'a DatabaseConnection, cache: bool) -> Self {
        Registry { db, data, cache }.with(OrganizationLoader(db.clone()))
    }

    fn add<L: Send + Sync + 'static>(self, loader: L) -> Self {
        let loader = new_loader(loader);
        if !self.cache {
            loader.enable_all_cache(false);
        }
        self.data.insert(loader);
        self
    }

    /// Registers a by-id loader for `E`.
    pub fn by_id<E: TenantTable>(self) -> Self
    where
        E::Model: Clone + Send + Sync,
    {
        let db = self.db.clone();
        self.add(ById::<E>(db, PhantomData))
    }

    /// Registers the page and count loaders of relation `R`.
    pub fn relation<R: ChildRelation>(self) -> Self
    where
        <R::Entity as EntityTrait>::Model: Clone + Send + Sync,
    {
        let db = self.db.clone();
        self.add(ChildPages::<R>(db.clone(), PhantomData))
            .add(ChildCounts::<R>(db, PhantomData))
    }

    /// Registers any other loader.
    pub fn with<L: Send + Sync + 'static>(self, loader: L) -> Self {
        self.add(loader)
    }
}

/// Loads one row by id through the request's loader; missing is NOT_FOUND.
pub async fn load_one<E: TenantTable>(
    ctx: &async_graphql::Context<'_>,
    org: Uuid,
    id: Uuid,
) -> ApiResult<E::Model>
where
    E::Model: Clone + Send + Sync,
{
    use super::context::ContextExt;
    ctx.loader::<ById<E>, InOrg>()
        .load_one(InOrg { org, id })
        .await?
        .ok_or(ApiError::NotFound)
}

/// Loads the row an optional reference names (a recorder, an actor); `None` without
/// one.
pub async fn load_opt<E: TenantTable>(
    ctx: &async_graphql::Context<'_>,
    org: Uuid,
    id: Option<Uuid>,
) -> ApiResult<Option<E::Model>>
where
    E::Model: Clone + Send + Sync,
{
    match id {
        Some(id) => load_one::<E>(ctx, org, id).await.map(Some),
        None => Ok(None),
    }
}

/// The page of `parent`'s children in relation `R`, and its lazy total.
pub async fn load_children<R: ChildRelation>(
    ctx: &async_graphql::Context<'_>,
    org: Uuid,
    parent: Uuid,
    args: PageArgs,
) -> ApiResult<(
    Page<<R::Entity as EntityTrait>::Model>,
    super::connection::TotalCount,
)>
where
    <R::Entity as EntityTrait>::Model: Clone + Send + Sync,
{
    use super::context::ContextExt;
    let key = InOrg { org, id: parent };
    let page = ctx
        .loader::<ChildPages<R>, (InOrg, PageArgs)>()
        .load_one((key, args))
        .await?
        .map(|page| Arc::try_unwrap(page).unwrap_or_else(|shared| (*shared).clone()))
        .unwrap_or_else(Page::empty);
    Ok((
        page,
        super::connection::TotalCount::new(ChildTotal::<R>(key, PhantomData)),
    ))
}

/// The page of `parent`'s children in relation `R` as a connection of `T`.
pub async fn children<R, T>(
    ctx: &async_graphql::Context<'_>,
    org: Uuid,
    parent: Uuid,
    args: PageArgs,
    wrap: fn(<R::Entity as EntityTrait>::Model) -> T,
) -> ApiResult<super::connection::Conn<T>>
where
    R: ChildRelation,
    <R::Entity as EntityTrait>::Model: Clone + Send + Sync,
    T: async_graphql::OutputType,
{
    let (page, total) = load_children::<R>(ctx, org, parent, args).await?;
    Ok(super::connection::connection(page, wrap, total))
}

struct ChildTotal<R>(InOrg, PhantomData<fn() -> R>);

#[async_trait::async_trait]
impl<R: ChildRelation> super::connection::Counter for ChildTotal<R> {
    async fn count(&self, ctx: &async_graphql::Context<'_>) -> ApiResult<u64> {
        use super::context::ContextExt;
        Ok(ctx
            .loader::<ChildCounts<R>, InOrg>()
            .load_one(self.0)
            .await?
            .unwrap_or(0))
    }
}
