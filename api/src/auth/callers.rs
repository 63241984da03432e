//! The callers this process has recently read: for each user, what an access token
//! needs of their row (organisation, role, discipline, token version, whether active),
//! so that a verified token does not read the row on every request.
//!
//! Revocation stays immediate. Whatever takes access away or changes what a caller may
//! do — deactivation, a role change, logging out everywhere (a new token version) —
//! publishes a [`Revocation`](crate::events::Revocation) after its commit, which every
//! process hears ([`crate::events::EventBus::revocations`]) and answers by forgetting
//! the user ([`CallerCache::follow`]). When notices may have been lost (the listener
//! reconnected, or this process fell behind), it forgets everyone. An entry also ages
//! out after [`CallerCache::TTL`], a bound on staleness should a notice go missing
//! without anyone noticing.
//!
//! A read that started before a revocation must not put back what it read: each miss
//! takes a [`Ticket`] with the cache's epoch, every forgetting moves the epoch on, and
//! [`CallerCache::put`] keeps the row only if the epoch has not moved since.

use std::{
    num::NonZeroUsize,
    sync::{Arc, Mutex, MutexGuard},
    time::{Duration, Instant},
};

use entity::{
    enums::{Discipline, OrgRole},
    user,
};
use lru::LruCache;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use uuid::Uuid;

use crate::events::{PrincipalId, RevocationNotice};

/// What a request needs of a user's row to know who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallerRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub org_role: OrgRole,
    pub discipline: Discipline,
    pub token_version: i32,
    pub active: bool,
}

impl From<&user::Model> for CallerRow {
    fn from(u: &user::Model) -> Self {
        Self {
            id: u.id,
            organization_id: u.organization_id,
            org_role: u.org_role,
            discipline: u.discipline,
            token_version: u.token_version,
            active: u.deactivated_at.is_none(),
        }
    }
}

/// A miss, to hand back with what was read ([`CallerCache::put`]).
#[derive(Debug, Clone, Copy)]
pub struct Ticket {
    epoch: u64,
}

struct Inner {
    rows: LruCache<Uuid, (CallerRow, Instant)>,
    /// Moves on at every forgetting.
    epoch: u64,
}

/// The users this process has read, most recently used kept (see the module).
pub struct CallerCache {
    inner: Mutex<Inner>,
    ttl: Duration,
}

impl std::fmt::Debug for CallerCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallerCache")
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl Default for CallerCache {
    fn default() -> Self {
        Self::new(Self::CAPACITY, Self::TTL)
    }
}

impl CallerCache {
    /// How many users one process keeps: about 1 MB.
    pub const CAPACITY: usize = 10_000;
    /// How long an entry is trusted without a notice.
    pub const TTL: Duration = Duration::from_secs(60);

    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            inner: Mutex::new(Inner {
                rows: LruCache::new(NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN)),
                epoch: 0,
            }),
            ttl,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock; a poisoned one holds consistent data.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The user `id` as last read, or a ticket to read it with.
    pub fn get(&self, id: Uuid) -> Result<CallerRow, Ticket> {
        let mut inner = self.lock();
        let epoch = inner.epoch;
        match inner.rows.get(&id) {
            Some((row, at)) if at.elapsed() < self.ttl => Ok(*row),
            Some(_) => {
                inner.rows.pop(&id);
                Err(Ticket { epoch })
            }
            None => Err(Ticket { epoch }),
        }
    }

    /// Keeps `row`, read after `ticket` was taken, unless something was forgotten
    /// since (it may be older than the revocation).
    pub fn put(&self, ticket: Ticket, row: CallerRow) {
        let mut inner = self.lock();
        if inner.epoch == ticket.epoch {
            inner.rows.put(row.id, (row, Instant::now()));
        }
    }

    /// Forgets the user `id`.
    pub fn forget(&self, id: Uuid) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.rows.pop(&id);
    }

    /// Forgets everyone.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.rows.clear();
    }

    /// What a revocation notice means for the cache.
    pub fn hear(&self, notice: &RevocationNotice) {
        match notice {
            RevocationNotice::Revoked(r) => match r.principal {
                PrincipalId::User(id) => self.forget(id),
                // API tokens are read on every request; nothing of theirs is kept.
                PrincipalId::Token(_) => {}
            },
            RevocationNotice::Missed => self.clear(),
        }
    }

    /// Follows `notices` until they end (the bus is gone), in a task of its own.
    pub fn follow(self: &Arc<Self>, mut notices: Receiver<RevocationNotice>) {
        let cache = Arc::clone(self);
        tokio::spawn(async move {
            loop {
                match notices.recv().await {
                    Ok(notice) => cache.hear(&notice),
                    Err(RecvError::Lagged(_)) => cache.clear(),
                    Err(RecvError::Closed) => break,
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Revocation;

    fn row(id: u128, token_version: i32) -> CallerRow {
        CallerRow {
            id: Uuid::from_u128(id),
            organization_id: Uuid::from_u128(99),
            org_role: OrgRole::Member,
            discipline: Discipline::Engineering,
            token_version,
            active: true,
        }
    }

    #[test]
    fn a_read_row_is_kept_until_its_user_is_revoked() {
        let cache = CallerCache::default();
        let a = row(1, 0);
        let ticket = cache.get(a.id).unwrap_err();
        cache.put(ticket, a);
        assert_eq!(cache.get(a.id).unwrap(), a);
        cache.hear(&RevocationNotice::Revoked(Revocation::user(
            a.organization_id,
            a.id,
        )));
        assert!(cache.get(a.id).is_err());
    }

    #[test]
    fn a_read_that_started_before_a_revocation_is_not_kept() {
        let cache = CallerCache::default();
        let (a, b) = (row(1, 0), row(2, 0));
        let stale = cache.get(a.id).unwrap_err();
        // Another user's revocation moves the epoch too: only what is read after it
        // is kept.
        cache.forget(b.id);
        cache.put(stale, a);
        assert!(cache.get(a.id).is_err());
        let fresh = cache.get(a.id).unwrap_err();
        cache.put(fresh, a);
        assert_eq!(cache.get(a.id).unwrap(), a);
    }

    #[test]
    fn missed_notices_forget_everyone_and_entries_age_out() {
        let cache = CallerCache::default();
        let (a, b) = (row(1, 0), row(2, 3));
        for r in [a, b] {
            let t = cache.get(r.id).unwrap_err();
            cache.put(t, r);
        }
        cache.hear(&RevocationNotice::Missed);
        assert!(cache.get(a.id).is_err() && cache.get(b.id).is_err());

        let aging = CallerCache::new(10, Duration::ZERO);
        let t = aging.get(a.id).unwrap_err();
        aging.put(t, a);
        assert!(aging.get(a.id).is_err());
    }
}
