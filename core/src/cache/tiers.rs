//! Where answers are kept: in memory (moka, bounded by bytes, each entry dropped when its
//! stale window ends) and, optionally, in the shared tier in Redis. Cheap to clone, so a
//! shared partner call can store its answer after its callers have gone.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use moka::Expiry;
use moka::future::Cache as Moka;

use super::shared::SharedTier;
use super::{Cached, Entry};
use crate::infra::store::now_ms;
use lienthong_adapter_kit::adapter::CachePolicy;

struct UntilStale;

impl Expiry<String, Arc<Entry>> for UntilStale {
    fn expire_after_create(&self, _: &String, entry: &Arc<Entry>, _: Instant) -> Option<Duration> {
        Some(Duration::from_millis(
            (entry.stale_until - now_ms()).max(0) as u64
        ))
    }

    fn expire_after_update(
        &self,
        key: &String,
        entry: &Arc<Entry>,
        at: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        self.expire_after_create(key, entry, at)
    }
}

/// The in-memory tier and, when configured, the shared one.
#[derive(Clone)]
pub(super) struct Tiers {
    pub(super) entries: Moka<String, Arc<Entry>>,
    pub(super) shared: Option<SharedTier>,
}

impl Tiers {
    /// Tiers holding at most `max_bytes` in memory; `evictions` counts what size pushed out.
    pub(super) fn new(
        max_bytes: u64,
        shared: Option<SharedTier>,
        evictions: Arc<AtomicU64>,
    ) -> Self {
        let entries = Moka::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, entry: &Arc<Entry>| {
                let size = match &entry.answer {
                    Cached::Found { body, .. } => body.len(),
                    Cached::NotFound { detail } => detail.len(),
                };
                u32::try_from(key.len() + size + 96).unwrap_or(u32::MAX)
            })
            .expire_after(UntilStale)
            .support_invalidation_closures()
            .eviction_listener(move |_, _, cause| {
                if cause.was_evicted() {
                    evictions.fetch_add(1, Ordering::Relaxed);
                }
            })
            .build();
        Self { entries, shared }
    }

    /// The entry for `key`, from memory or else the shared tier (then kept in memory).
    pub(super) async fn lookup(&self, key: &str) -> Option<Arc<Entry>> {
        if let Some(entry) = self.entries.get(key).await {
            return Some(entry);
        }
        let entry = Arc::new(self.shared.as_ref()?.get(key).await?);
        self.entries.insert(key.to_owned(), entry.clone()).await;
        Some(entry)
    }

    /// Keeps `answer` under `key` for as long as `policy` allows (not at all for a zero TTL).
    pub(super) async fn store(&self, key: &str, answer: &Cached, policy: CachePolicy) {
        let now = now_ms();
        let (fresh, stale) = match answer {
            Cached::Found { .. } => (policy.ttl, policy.ttl.saturating_add(policy.max_stale)),
            Cached::NotFound { .. } => (policy.negative_ttl, policy.negative_ttl),
        };
        if fresh.is_zero() {
            return;
        }
        let after =
            |d: Duration| now.saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let entry = Entry {
            answer: answer.clone(),
            stored_at: now,
            fresh_until: after(fresh),
            stale_until: after(stale),
        };
        if let Some(shared) = &self.shared {
            shared.put(key, &entry).await;
        }
        self.entries.insert(key.to_owned(), Arc::new(entry)).await;
    }
}
