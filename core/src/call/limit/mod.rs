//! Call policy: rate limit. Every call to a partner takes a slot of the province's quota there
//! (GCRA: a steady rate plus a burst). The quota is counted in this process (governor) or,
//! for several instances, in Redis by one atomic script per decision. A call waits for a
//! slot up to `max_wait` within its deadline, else it is refused with 429.
//!
//! When a partner itself throttles (HTTP 429, `Server.Busy`, `bh:QuaTai`), calls to it
//! pause for its `Retry-After`, never longer than the partner's `max_partner_pause` —
//! shared through Redis when the quota is; a longer pause found there (set by an instance
//! with a larger bound) is cut to this instance's bound. An operator can clear a pause.

use std::num::NonZeroU32;
mod pause;

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::time::Instant;

use crate::config::{Rate, StoreFailure};
use crate::infra::redis::Redis;
use crate::infra::store::now_ms;

/// GCRA in Redis, on Redis's own clock so instances' clocks need not agree.
/// KEYS: state, pause. ARGV: interval µs, tolerance µs, longest pause ms.
/// Returns {1, 0} allowed, {0, wait µs} over quota, {2, wait µs} paused.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = redis.call('PTTL', KEYS[2])
local longest = tonumber(ARGV[3])
if paused > longest then
  redis.call('PEXPIRE', KEYS[2], longest)
  paused = longest
end
if paused > 0 then return {2, paused * 1000} end
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if (not tat) or tat < now then tat = now end
if tat - tolerance > now then return {0, tat - tolerance - now} end
local next_tat = tat + interval
redis.call('SET', KEYS[1], string.format('%.0f', next_tat), 'PX', math.floor((next_tat - now) / 1000) + 1000)
return {1, 0}
";

/// Why a call may not go now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum LimitError {
    /// The quota is used up beyond what the call may wait.
    #[error("the quota {policy} is used up for the next {} ms", retry_after.as_millis())]
    OverQuota {
        /// Policy name (the partner, or `partner/operation`).
        policy: String,
        /// The quota.
        quota: Rate,
        /// When a slot frees.
        retry_after: Duration,
    },
    /// The partner asked the bus to pause.
    #[error("the partner asked for a pause of {} ms", retry_after.as_millis())]
    Paused {
        /// Time left in the pause.
        retry_after: Duration,
    },
    /// The shared quota cannot be counted and the policy is to refuse.
    #[error("the shared quota store cannot be reached")]
    StoreUnavailable,
}

enum Backend {
    Unlimited,
    Local(DefaultDirectRateLimiter),
    Shared {
        redis: Redis,
        key: String,
        pause_key: String,
        on_failure: StoreFailure,
        fallback: DefaultDirectRateLimiter,
    },
}

/// How many calls the quota let through at once, after a wait, or refused.
#[derive(Default)]
struct Decisions {
    allowed: AtomicU64,
    delayed: AtomicU64,
    rejected: AtomicU64,
}

/// One quota (a partner's, or an operation's).
pub(crate) struct Limiter {
    policy: String,
    rate: Option<Rate>,
    burst: u32,
    max_wait: Duration,
    backend: Backend,
    max_pause: Duration,
    paused_until_ms: AtomicI64,
    pause_reason: Mutex<String>,
    store_failures: AtomicU64,
    decisions: Decisions,
    last_warned_ms: AtomicI64,
}

/// A decision of one try.
enum Decision {
    Go,
    Wait(Duration, bool),
}

fn governor(rate: Rate, burst: u32, share: u32) -> DefaultDirectRateLimiter {
    let share = share.max(1);
    let interval = rate
        .interval()
        .saturating_mul(share)
        .max(Duration::from_nanos(1));
    let burst = NonZeroU32::new((burst / share).max(1)).unwrap_or(NonZeroU32::MIN);
    let quota = Quota::with_period(interval)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
        .allow_burst(burst);
    RateLimiter::direct(quota)
}

/// How a limiter is set up.
pub(crate) struct LimiterSpec<'a> {
    pub(crate) policy: String,
    pub(crate) rate: Option<Rate>,
    pub(crate) burst: u32,
    pub(crate) max_wait: Duration,
    /// Longest pause a partner may impose (`max_partner_pause`).
    pub(crate) max_pause: Duration,
    /// Redis, when the quota is shared, with the failure policy and instance count.
    pub(crate) shared: Option<(&'a Redis, StoreFailure, u32)>,
}

impl Limiter {
    pub(crate) fn new(spec: LimiterSpec<'_>) -> Self {
        let backend = match (spec.rate, spec.shared) {
            (None, _) => Backend::Unlimited,
            (Some(rate), None) => Backend::Local(governor(rate, spec.burst, 1)),
            (Some(rate), Some((redis, on_failure, instances))) => Backend::Shared {
                key: redis.key(&["quota", &spec.policy]),
                pause_key: redis.key(&["pause", &spec.policy]),
                redis: redis.clone(),
                on_failure,
                fallback: governor(rate, spec.burst, instances),
            },
        };
        Self {
            policy: spec.policy,
            rate: spec.rate,
            burst: spec.burst.max(1),
            max_wait: spec.max_wait,
            backend,
            max_pause: spec.max_pause,
            paused_until_ms: AtomicI64::new(0),
            pause_reason: Mutex::new(String::new()),
            store_failures: AtomicU64::new(0),
            decisions: Decisions::default(),
            last_warned_ms: AtomicI64::new(0),
        }
    }

    /// Takes a slot, waiting for one up to `max_wait` and never past `deadline`.
    pub(crate) async fn acquire(&self, deadline: Instant) -> Result<(), LimitError> {
        let result = self.wait_for_slot(deadline).await;
        let counter = match &result {
            Ok(false) => &self.decisions.allowed,
            Ok(true) => &self.decisions.delayed,
            Err(_) => &self.decisions.rejected,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        result.map(|_| ())
    }

    /// Whether the call had to wait for its slot, or why it may not go.
    async fn wait_for_slot(&self, deadline: Instant) -> Result<bool, LimitError> {
        let now = Instant::now();
        let budget = self.max_wait.min(deadline.saturating_duration_since(now));
        let mut waited = false;
        loop {
            let (wait, paused) = match self.decide().await? {
                Decision::Go => return Ok(waited),
                Decision::Wait(wait, paused) => (wait, paused),
            };
            if now.elapsed().saturating_add(wait) > budget {
                return Err(if paused {
                    LimitError::Paused { retry_after: wait }
                } else {
                    LimitError::OverQuota {
                        policy: self.policy.clone(),
                        quota: self.rate.unwrap_or(Rate {
                            count: 1,
                            per: Duration::from_secs(1),
                        }),
                        retry_after: wait,
                    }
                });
            }
            tokio::time::sleep(wait).await;
            waited = true;
        }
    }

    /// Calls refused or counted locally because the shared store failed.
    pub(crate) fn store_failures(&self) -> u64 {
        self.store_failures.load(Ordering::Relaxed)
    }

    /// Decisions so far: allowed at once, delayed, rejected, store failures.
    pub(crate) fn decisions(&self) -> [(&'static str, u64); 4] {
        let d = &self.decisions;
        [
            ("allowed", d.allowed.load(Ordering::Relaxed)),
            ("delayed", d.delayed.load(Ordering::Relaxed)),
            ("rejected", d.rejected.load(Ordering::Relaxed)),
            ("store_failure", self.store_failures()),
        ]
    }

    /// A shared quota follows the pause kept in Redis (so that clearing it there clears it
    /// for every instance); this instance's own copy applies while Redis is out of reach.
    async fn decide(&self) -> Result<Decision, LimitError> {
        let paused = u64::try_from(self.paused_until_ms.load(Ordering::Relaxed) - now_ms())
            .ok()
            .filter(|ms| *ms > 0)
            .map(|ms| Decision::Wait(Duration::from_millis(ms), true));
        match &self.backend {
            Backend::Unlimited => Ok(paused.unwrap_or(Decision::Go)),
            Backend::Local(limiter) => Ok(paused.unwrap_or_else(|| local(limiter))),
            Backend::Shared {
                redis,
                key,
                pause_key,
                on_failure,
                fallback,
            } => {
                let rate = self.rate.unwrap_or(Rate {
                    count: 1,
                    per: Duration::from_secs(1),
                });
                let interval = rate.interval().as_micros() as i64;
                let tolerance = interval * i64::from(self.burst - 1);
                let script = redis::Script::new(GCRA);
                let longest = millis(self.max_pause);
                match redis
                    .script::<Vec<i64>>(&script, &[key, pause_key], &[interval, tolerance, longest])
                    .await
                {
                    Ok(answer) => Ok(match answer.as_slice() {
                        [1, _] => Decision::Go,
                        [code, wait] => {
                            Decision::Wait(Duration::from_micros((*wait).max(1) as u64), *code == 2)
                        }
                        _ => Decision::Go,
                    }),
                    Err(error) => {
                        self.store_failed(&error.to_string());
                        if let Some(paused) = paused {
                            return Ok(paused);
                        }
                        match on_failure {
                            StoreFailure::Local => Ok(local(fallback)),
                            StoreFailure::Deny => Err(LimitError::StoreUnavailable),
                        }
                    }
                }
            }
        }
    }

    fn store_failed(&self, error: &str) {
        self.store_failures.fetch_add(1, Ordering::Relaxed);
        let now = now_ms();
        let last = self.last_warned_ms.load(Ordering::Relaxed);
        if now - last >= 60_000
            && self
                .last_warned_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(policy = %self.policy, error, "shared quota store unavailable; applying the configured fallback");
        }
    }
}

/// `period` in whole milliseconds, saturating.
fn millis(period: Duration) -> i64 {
    i64::try_from(period.as_millis()).unwrap_or(i64::MAX)
}

fn local(limiter: &DefaultDirectRateLimiter) -> Decision {
    match limiter.check() {
        Ok(()) => Decision::Go,
        Err(not_until) => Decision::Wait(
            not_until.wait_time_from(DefaultClock::default().now()),
            false,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local_limiter(rate: &str, burst: u32, max_wait: Duration) -> Limiter {
        Limiter::new(LimiterSpec {
            policy: "p".into(),
            rate: Some(rate.parse().unwrap()),
            burst,
            max_wait,
            max_pause: Duration::from_secs(300),
            shared: None,
        })
    }

    #[tokio::test]
    async fn burst_then_refuse_when_waiting_is_not_allowed() {
        let limiter = local_limiter("10/s", 3, Duration::ZERO);
        let deadline = Instant::now() + Duration::from_secs(5);
        for _ in 0..3 {
            limiter.acquire(deadline).await.unwrap();
        }
        match limiter.acquire(deadline).await {
            Err(LimitError::OverQuota { retry_after, .. }) => {
                assert!(retry_after <= Duration::from_millis(100))
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn waits_for_a_slot_within_max_wait() {
        let limiter = local_limiter("20/s", 1, Duration::from_millis(200));
        let deadline = Instant::now() + Duration::from_secs(5);
        let started = Instant::now();
        for _ in 0..3 {
            limiter.acquire(deadline).await.unwrap();
        }
        assert!(
            started.elapsed() >= Duration::from_millis(90),
            "{:?}",
            started.elapsed()
        );
    }
}
