//! The cache. Answers of cacheable operations are kept in memory (moka, bounded by
//! bytes), keyed by operation and a keyed digest of the normalised input (see
//! [`secret`]) — never the input itself, which may identify a person. Access rights are
//! checked before the cache, on every request.
//!
//! - Concurrent misses for one key make one partner call (single-flight), run under the
//!   operation's deadline and detached from the callers; each caller waits under its own.
//! - A found answer is fresh for its TTL; after that it may still be served, marked
//!   `stale`, while the partner fails, throttles or its breaker is open, up to `max_stale`.
//! - "Not found" is remembered for a short TTL; "not shareable" and errors never are.
//! - Optionally, answers are shared with other instances through Redis (same keys),
//!   sealed with a MAC; an entry whose seal fails is counted and ignored.

mod flight;
mod secret;
mod shared;
mod tiers;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use tokio::time::Instant;

use crate::call::CallError;
use crate::call::upstream::UpstreamError;
use crate::infra::redis::Redis;
use crate::infra::store::now_ms;
use flight::{Abandoned, Flights};
use lienthong_adapter_kit::adapter::CachePolicy;
pub(crate) use secret::CacheSecret;
use shared::SharedTier;
use tiers::Tiers;

/// How an answer relates to the cache (`X-Cache`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CacheStatus {
    /// Served from cache, fresh.
    Hit,
    /// Fetched from the partner (and stored when cacheable).
    Miss,
    /// Served from cache past its freshness because the partner could not answer.
    Stale,
    /// The client asked to skip the cache; fetched from the partner.
    Bypass,
}

impl CacheStatus {
    /// The `X-Cache` value.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Stale => "stale",
            Self::Bypass => "bypass",
        }
    }
}

/// A cacheable answer: the found record as served, or "not found".
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cached {
    /// The canonical JSON body, and the `Link` header of paged answers.
    Found {
        body: Bytes,
        links: Option<HeaderValue>,
    },
    /// The partner's "not found" description.
    NotFound { detail: String },
}

/// One stored answer with its times (Unix ms).
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub(crate) answer: Cached,
    pub(crate) stored_at: i64,
    pub(crate) fresh_until: i64,
    pub(crate) stale_until: i64,
}

impl Entry {
    fn age(&self, now: i64) -> Duration {
        Duration::from_millis(now.saturating_sub(self.stored_at).max(0) as u64)
    }
}

/// The outcome of serving one request through the cache.
pub(crate) struct Served {
    pub(crate) answer: Result<Cached, CallError>,
    pub(crate) status: CacheStatus,
    pub(crate) age: Option<Duration>,
}

/// Counters for operators.
#[derive(Debug, Default)]
pub(crate) struct CacheCounters {
    pub(crate) hits: AtomicU64,
    pub(crate) misses: AtomicU64,
    pub(crate) stale: AtomicU64,
    pub(crate) bypasses: AtomicU64,
    pub(crate) evictions: Arc<AtomicU64>,
    /// Shared-tier entries ignored because their seal failed.
    pub(crate) shared_refused: Arc<AtomicU64>,
}

/// The answer cache of one bus instance.
pub(crate) struct Cache {
    secret: Arc<CacheSecret>,
    tiers: Tiers,
    flights: Flights<Result<Cached, CallError>>,
    pub(crate) counters: CacheCounters,
}

impl Cache {
    /// A cache of at most `max_bytes` in memory, keyed under `secret`, sharing answers
    /// through `shared` when given.
    pub(crate) fn new(max_bytes: u64, secret: CacheSecret, shared: Option<Redis>) -> Self {
        let counters = CacheCounters::default();
        let secret = Arc::new(secret);
        let shared = shared
            .map(|redis| SharedTier::new(redis, secret.clone(), counters.shared_refused.clone()));
        Self {
            tiers: Tiers::new(max_bytes, shared, counters.evictions.clone()),
            secret,
            flights: Flights::new(),
            counters,
        }
    }

    /// The cache key of an operation's input: partner, operation and the keyed digest of
    /// the adapter's key, so no identifier appears in keys or can be found from them.
    pub(crate) fn key(&self, partner: &str, operation: &str, adapter_key: &str) -> String {
        format!(
            "{partner}:{operation}:{}",
            self.secret.key_digest(adapter_key)
        )
    }

    /// Serves `key`: a fresh entry, else the answer of one `fetch` shared by concurrent
    /// callers (stored when it succeeds), else — if it failed — a stale entry within its
    /// window. `fetch` runs in a task of its own and must carry its own deadline; this
    /// caller waits for it until `wait_until` (then 504 for this caller alone). `bypass`
    /// skips reading (the answer is still stored).
    pub(crate) async fn serve<F, Fut>(
        &self,
        key: &str,
        policy: CachePolicy,
        bypass: bool,
        wait_until: Instant,
        fetch: F,
    ) -> Served
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Cached, CallError>> + Send + 'static,
    {
        let waited_from = Instant::now();
        let now = now_ms();
        let existing = match bypass {
            true => None,
            false => self.tiers.lookup(key).await,
        };
        if let Some(entry) = &existing
            && now < entry.fresh_until
        {
            self.counters.hits.fetch_add(1, Ordering::Relaxed);
            return Served {
                answer: Ok(entry.answer.clone()),
                status: CacheStatus::Hit,
                age: Some(entry.age(now)),
            };
        }
        let tiers = self.tiers.clone();
        let owned_key = key.to_owned();
        let shared_call = || {
            let fetching = fetch();
            async move {
                let answer = fetching.await;
                if let Ok(cached) = &answer {
                    tiers.store(&owned_key, cached, policy).await;
                }
                answer
            }
        };
        let answer = match self.flights.run(key, wait_until, shared_call).await {
            Ok(answer) => answer,
            Err(Abandoned::Expired) => Err(CallError::Upstream(UpstreamError::Timeout(
                wait_until.saturating_duration_since(waited_from),
            ))),
            Err(Abandoned::Lost) => Err(CallError::Internal(
                "the shared partner call stopped without an answer".into(),
            )),
        };
        let status = if bypass {
            CacheStatus::Bypass
        } else {
            CacheStatus::Miss
        };
        match answer {
            Err(error) if error.may_serve_stale() => {
                let stale = match existing {
                    Some(entry) => Some(entry),
                    None => self.tiers.lookup(key).await,
                };
                let now = now_ms();
                match stale {
                    Some(entry)
                        if matches!(entry.answer, Cached::Found { .. })
                            && now < entry.stale_until =>
                    {
                        self.counters.stale.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(%error, "partner failed; serving a stale answer");
                        Served {
                            answer: Ok(entry.answer.clone()),
                            status: CacheStatus::Stale,
                            age: Some(entry.age(now)),
                        }
                    }
                    _ => self.missed(Err(error), status),
                }
            }
            answer => self.missed(answer, status),
        }
    }

    fn missed(&self, answer: Result<Cached, CallError>, status: CacheStatus) -> Served {
        let counter = match status {
            CacheStatus::Bypass => &self.counters.bypasses,
            _ => &self.counters.misses,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Served {
            answer,
            status,
            age: None,
        }
    }

    /// Forgets one key.
    pub(crate) async fn purge_key(&self, key: &str) {
        self.tiers.entries.invalidate(key).await;
        if let Some(shared) = &self.tiers.shared {
            shared.delete_prefix(key).await;
        }
    }

    /// Forgets every key starting with `prefix` (`partner:` or `partner:operation:`).
    pub(crate) async fn purge_prefix(&self, prefix: &str) {
        let owned = prefix.to_owned();
        if let Err(error) = self
            .tiers
            .entries
            .invalidate_entries_if(move |key, _| key.starts_with(&owned))
        {
            tracing::warn!(%error, "cache purge by prefix failed");
        }
        if let Some(shared) = &self.tiers.shared {
            shared.delete_prefix(prefix).await;
        }
    }

    /// Entries and bytes held in memory.
    pub(crate) async fn usage(&self) -> (u64, u64) {
        self.tiers.entries.run_pending_tasks().await;
        (
            self.tiers.entries.entry_count(),
            self.tiers.entries.weighted_size(),
        )
    }

    /// Keys with a shared partner call someone waits for.
    pub(crate) fn flights(&self) -> usize {
        self.flights.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter_kit::adapter::{FailureKind, PartnerFailure};
    use std::sync::atomic::AtomicUsize;

    fn found(text: &str) -> Cached {
        Cached::Found {
            body: Bytes::from(text.to_owned()),
            links: None,
        }
    }

    fn fault() -> CallError {
        CallError::Partner(PartnerFailure::new(FailureKind::Fault, "down"))
    }

    fn soon() -> Instant {
        Instant::now() + Duration::from_secs(5)
    }

    fn policy(ttl_ms: u64, stale_ms: u64) -> CachePolicy {
        CachePolicy {
            ttl: Duration::from_millis(ttl_ms),
            negative_ttl: Duration::from_millis(ttl_ms),
            max_stale: Duration::from_millis(stale_ms),
        }
    }

    #[tokio::test]
    async fn hit_after_miss_then_stale_on_failure_then_error() {
        let cache = Cache::new(1 << 20, CacheSecret::random(), None);
        let p = policy(50, 1500);
        let first = cache
            .serve("k", p, false, soon(), || async { Ok(found("a")) })
            .await;
        assert_eq!(
            (first.status, first.answer.unwrap()),
            (CacheStatus::Miss, found("a"))
        );
        let second = cache
            .serve("k", p, false, soon(), || async { Ok(found("b")) })
            .await;
        assert_eq!(
            (second.status, second.answer.unwrap()),
            (CacheStatus::Hit, found("a"))
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
        let stale = cache
            .serve("k", p, false, soon(), || async { Err(fault()) })
            .await;
        assert_eq!(
            (stale.status, stale.answer.unwrap()),
            (CacheStatus::Stale, found("a"))
        );
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let gone = cache
            .serve("k", p, false, soon(), || async { Err(fault()) })
            .await;
        assert_eq!(
            (gone.status, gone.answer.unwrap_err()),
            (CacheStatus::Miss, fault())
        );
    }

    #[tokio::test]
    async fn not_found_is_remembered_but_not_shareable_is_not() {
        let cache = Cache::new(1 << 20, CacheSecret::random(), None);
        let p = policy(10_000, 0);
        let calls = Arc::new(AtomicUsize::new(0));
        for _ in 0..3 {
            let counted = calls.clone();
            cache
                .serve("nf", p, false, soon(), || async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    Ok(Cached::NotFound {
                        detail: "no".into(),
                    })
                })
                .await;
            let counted = calls.clone();
            cache
                .serve("ns", p, false, soon(), || async move {
                    counted.fetch_add(1, Ordering::SeqCst);
                    Err(CallError::NotShareable("no".into()))
                })
                .await;
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1 + 3);
    }

    #[tokio::test]
    async fn bypass_refetches_and_purge_forgets() {
        let cache = Cache::new(1 << 20, CacheSecret::random(), None);
        let p = policy(10_000, 0);
        cache
            .serve("a:op:1", p, false, soon(), || async { Ok(found("1")) })
            .await;
        let bypass = cache
            .serve("a:op:1", p, true, soon(), || async { Ok(found("2")) })
            .await;
        assert_eq!(
            (bypass.status, bypass.answer.unwrap()),
            (CacheStatus::Bypass, found("2"))
        );
        assert_eq!(
            cache
                .serve("a:op:1", p, false, soon(), || async { Ok(found("3")) })
                .await
                .answer
                .unwrap(),
            found("2")
        );
        cache.purge_prefix("a:op:").await;
        assert_eq!(
            cache
                .serve("a:op:1", p, false, soon(), || async { Ok(found("4")) })
                .await
                .answer
                .unwrap(),
            found("4")
        );
        cache.purge_key("a:op:1").await;
        assert_eq!(cache.usage().await.0, 0);
    }

    #[tokio::test]
    async fn memory_is_bounded_by_bytes() {
        let cache = Cache::new(64 * 1024, CacheSecret::random(), None);
        let p = policy(60_000, 0);
        let body = "x".repeat(4096);
        for i in 0..100 {
            let body = body.clone();
            cache
                .serve(&format!("k{i}"), p, false, soon(), || async move {
                    Ok(found(&body))
                })
                .await;
        }
        let (entries, bytes) = cache.usage().await;
        assert!(bytes <= 64 * 1024, "{bytes}");
        assert!(entries < 100 && entries > 0, "{entries}");
    }
}
