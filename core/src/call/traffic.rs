//! The traffic policies config makes of a partner's declaration: its quota, breaker,
//! bulkhead and retry budget, and per operation its own quota and cache policy.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

use crate::call::breaker::Breaker;
use crate::call::budget::RetryBudget;
use crate::call::bulkhead::Bulkhead;
use crate::call::error::CallError;
use crate::call::limit::{Limiter, LimiterSpec};
use crate::config::{LimiterKind, OperationOverride, PartnerConfig};
use crate::infra::redis::Redis;
use crate::infra::store::{now_ms, rfc3339};
use lienthong_adapter_kit::adapter::{CachePolicy, Operation, OperationKind};

/// One partner's traffic policies.
pub(crate) struct Traffic {
    pub(crate) limiter: Limiter,
    pub(crate) breaker: Breaker,
    pub(crate) bulkhead: Bulkhead,
    pub(crate) budget: RetryBudget,
    recent_errors: Mutex<VecDeque<RecentError>>,
}

/// A recent failed call, for operators.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RecentError {
    pub(crate) at: String,
    pub(crate) operation: &'static str,
    pub(crate) outcome: &'static str,
    pub(crate) detail: String,
}

/// How many recent errors a partner keeps.
const RECENT_ERRORS: usize = 10;

impl Traffic {
    pub(crate) fn new(name: &str, config: &PartnerConfig, redis: Option<&Redis>) -> Self {
        if config.rate.is_none() {
            tracing::warn!(
                partner = name,
                "no rate configured: calls to this partner are not limited"
            );
        }
        Self {
            limiter: limiter(name.to_owned(), config.rate, config.burst, config, redis),
            breaker: Breaker::new(config.breaker.clone()),
            bulkhead: Bulkhead::new(config.max_concurrency, config.max_queue),
            budget: RetryBudget::new(config.retry_budget),
            recent_errors: Mutex::new(VecDeque::with_capacity(RECENT_ERRORS)),
        }
    }

    /// Remembers a failed call (the last few are kept).
    pub(crate) fn note_error(&self, operation: &'static str, error: &CallError) {
        let mut recent = self
            .recent_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if recent.len() == RECENT_ERRORS {
            recent.pop_front();
        }
        recent.push_back(RecentError {
            at: rfc3339(now_ms()),
            operation,
            outcome: error.outcome(),
            detail: error.to_string(),
        });
    }

    /// The last failed calls, oldest first.
    pub(crate) fn recent_errors(&self) -> Vec<RecentError> {
        self.recent_errors
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

fn limiter(
    policy: String,
    rate: Option<crate::config::Rate>,
    burst: u32,
    config: &PartnerConfig,
    redis: Option<&Redis>,
) -> Limiter {
    let shared = match (config.limiter, redis) {
        (LimiterKind::Redis, Some(redis)) => {
            Some((redis, config.on_store_failure, config.expected_instances))
        }
        _ => None,
    };
    Limiter::new(LimiterSpec {
        policy,
        rate,
        burst,
        max_wait: config.max_wait,
        max_pause: config.max_partner_pause,
        shared,
    })
}

/// The operation's own quota, when config gives one.
pub(crate) fn operation_limiter(
    partner: &str,
    op: &Operation,
    over: Option<&OperationOverride>,
    config: &PartnerConfig,
    redis: Option<&Redis>,
) -> Option<Limiter> {
    let over = over?;
    let rate = over.rate?;
    Some(limiter(
        format!("{partner}/{}", op.id),
        Some(rate),
        over.burst.unwrap_or(1),
        config,
        redis,
    ))
}

/// The operation's cache policy: the adapter's declaration with config's overrides. Only
/// synchronous calls are ever cached; a TTL of zero turns caching off.
pub(crate) fn cache_policy(
    op: &Operation,
    over: Option<&OperationOverride>,
) -> Option<CachePolicy> {
    if op.kind != OperationKind::Call {
        return None;
    }
    let mut policy = op.cache;
    if let Some(over) = over {
        if let Some(ttl) = over.cache_ttl {
            policy = Some(CachePolicy {
                ttl,
                ..policy.unwrap_or(CachePolicy::fresh_for(ttl))
            });
        }
        if let Some(policy) = &mut policy {
            policy.negative_ttl = over.negative_ttl.unwrap_or(policy.negative_ttl);
            policy.max_stale = over.max_stale.unwrap_or(policy.max_stale);
        }
    }
    policy.filter(|p| !p.ttl.is_zero())
}
