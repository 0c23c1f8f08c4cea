//! The optional shared cache tier in Redis: the same keys, so an answer one instance
//! fetched serves the others. Every call is bounded by the Redis timeout; a failing Redis
//! only costs the shared tier, never an answer. Entries are sealed with a MAC under the
//! cache secret; one whose seal fails (written by someone without the secret) is
//! counted, logged without its content and treated as absent.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::HeaderValue;
use serde::{Deserialize, Serialize};

use super::{CacheSecret, Cached, Entry};
use crate::infra::redis::Redis;
use crate::infra::store::now_ms;

/// How an entry is stored in Redis.
#[derive(Serialize, Deserialize)]
struct Stored {
    found: Option<String>,
    links: Option<String>,
    not_found: Option<String>,
    stored_at: i64,
    fresh_until: i64,
    stale_until: i64,
}

/// Answers shared through Redis.
#[derive(Clone)]
pub(crate) struct SharedTier {
    redis: Redis,
    secret: Arc<CacheSecret>,
    refused: Arc<AtomicU64>,
}

impl SharedTier {
    /// The tier in `redis`, sealing under `secret`, counting refused entries in `refused`.
    pub(crate) fn new(redis: Redis, secret: Arc<CacheSecret>, refused: Arc<AtomicU64>) -> Self {
        Self {
            redis,
            secret,
            refused,
        }
    }

    fn redis_key(&self, key: &str) -> String {
        self.redis.key(&["cache", key])
    }

    pub(crate) async fn get(&self, key: &str) -> Option<Entry> {
        let mut command = redis::cmd("GET");
        let key = self.redis_key(key);
        command.arg(&key);
        let text: String = self.redis.command::<Option<String>>(command).await.ok()??;
        let Some(payload) = self.secret.open(&key, &text) else {
            self.refused.fetch_add(1, Ordering::Relaxed);
            tracing::warn!("shared cache tier: an entry failed its seal check and was ignored");
            return None;
        };
        let stored: Stored = serde_json::from_str(payload).ok()?;
        let answer = match (stored.found, stored.not_found) {
            (Some(body), _) => Cached::Found {
                body: Bytes::from(STANDARD.decode(body).ok()?),
                links: stored.links.and_then(|l| HeaderValue::from_str(&l).ok()),
            },
            (None, Some(detail)) => Cached::NotFound { detail },
            (None, None) => return None,
        };
        Some(Entry {
            answer,
            stored_at: stored.stored_at,
            fresh_until: stored.fresh_until,
            stale_until: stored.stale_until,
        })
    }

    pub(crate) async fn put(&self, key: &str, entry: &Entry) {
        let (found, links, not_found) = match &entry.answer {
            Cached::Found { body, links } => (
                Some(STANDARD.encode(body)),
                links
                    .as_ref()
                    .and_then(|l| l.to_str().ok())
                    .map(str::to_owned),
                None,
            ),
            Cached::NotFound { detail } => (None, None, Some(detail.clone())),
        };
        let stored = Stored {
            found,
            links,
            not_found,
            stored_at: entry.stored_at,
            fresh_until: entry.fresh_until,
            stale_until: entry.stale_until,
        };
        let Ok(text) = serde_json::to_string(&stored) else {
            return;
        };
        let ttl = entry.stale_until.saturating_sub(now_ms()).max(1);
        let key = self.redis_key(key);
        let sealed = self.secret.seal(&key, &text);
        let mut command = redis::cmd("SET");
        command.arg(&key).arg(sealed).arg("PX").arg(ttl);
        if let Err(error) = self.redis.command::<()>(command).await {
            tracing::debug!(%error, "shared cache tier: store skipped");
        }
    }

    /// Deletes every key starting with `prefix` (a full key deletes just that one).
    pub(crate) async fn delete_prefix(&self, prefix: &str) {
        let pattern = format!("{}*", self.redis_key(prefix));
        let mut cursor: u64 = 0;
        loop {
            let mut scan = redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000);
            let Ok((next, keys)) = self.redis.command::<(u64, Vec<String>)>(scan).await else {
                tracing::warn!("shared cache tier: purge incomplete (Redis unavailable)");
                return;
            };
            if !keys.is_empty() {
                let mut delete = redis::cmd("DEL");
                delete.arg(keys);
                let _ = self.redis.command::<i64>(delete).await;
            }
            if next == 0 {
                return;
            }
            cursor = next;
        }
    }
}
