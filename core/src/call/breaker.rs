//! Call policy: circuit breaker, one per partner. Outcomes of calls are counted in a sliding
//! window of one-second buckets; when enough calls failed the breaker opens and calls
//! fail at once (503, or a stale answer from the cache) for `open_for`; then a few probe
//! calls go through, and the breaker closes when they all succeed.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::config::BreakerConfig;

/// The breaker's state, for operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BreakerState {
    /// Calls go through; failures are counted.
    Closed,
    /// Calls fail at once.
    Open,
    /// A few probe calls go through.
    HalfOpen,
}

/// The breaker is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the circuit breaker is open for {} ms more", retry_after.as_millis())]
pub(crate) struct BreakerOpen {
    /// Time until probes are let through.
    pub retry_after: Duration,
}

#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    second: u64,
    calls: u32,
    failures: u32,
}

enum State {
    Closed,
    Open { until: Instant },
    HalfOpen { in_flight: u32, succeeded: u32 },
}

struct Inner {
    state: State,
    buckets: Vec<Bucket>,
}

/// A partner's circuit breaker.
pub(crate) struct Breaker {
    config: BreakerConfig,
    started: Instant,
    inner: Mutex<Inner>,
}

/// Leave to make one call; report how it went with [`Admission::record`].
#[must_use]
pub(crate) struct Admission<'a> {
    breaker: &'a Breaker,
    probe: bool,
    recorded: bool,
}

impl Breaker {
    pub(crate) fn new(config: BreakerConfig) -> Self {
        let buckets = vec![Bucket::default(); config.window.as_secs().max(1) as usize];
        Self {
            config,
            started: Instant::now(),
            inner: Mutex::new(Inner {
                state: State::Closed,
                buckets,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current state.
    pub(crate) fn state(&self) -> BreakerState {
        match self.lock().state {
            State::Closed => BreakerState::Closed,
            State::Open { until } if Instant::now() >= until => BreakerState::HalfOpen,
            State::Open { .. } => BreakerState::Open,
            State::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Leave to call, or the time the breaker stays open.
    pub(crate) fn admit(&self) -> Result<Admission<'_>, BreakerOpen> {
        let mut inner = self.lock();
        let now = Instant::now();
        let probe = match inner.state {
            State::Closed => false,
            State::Open { until } if now < until => {
                return Err(BreakerOpen {
                    retry_after: until - now,
                });
            }
            State::Open { .. } => {
                inner.state = State::HalfOpen {
                    in_flight: 1,
                    succeeded: 0,
                };
                true
            }
            State::HalfOpen {
                ref mut in_flight,
                succeeded,
            } => {
                if *in_flight + succeeded >= self.config.half_open_probes {
                    return Err(BreakerOpen {
                        retry_after: Duration::from_millis(100),
                    });
                }
                *in_flight += 1;
                true
            }
        };
        Ok(Admission {
            breaker: self,
            probe,
            recorded: false,
        })
    }

    fn record(&self, probe: bool, failed: bool) {
        let mut inner = self.lock();
        let now = Instant::now();
        if probe {
            if let State::HalfOpen {
                in_flight,
                succeeded,
            } = &mut inner.state
            {
                *in_flight = in_flight.saturating_sub(1);
                if failed {
                    inner.state = self.open_until(now);
                } else {
                    *succeeded += 1;
                    if *succeeded >= self.config.half_open_probes {
                        tracing::info!("circuit breaker closed: probes succeeded");
                        inner.state = State::Closed;
                        inner.buckets.fill(Bucket::default());
                    }
                }
            }
            return;
        }
        let second = now.duration_since(self.started).as_secs();
        let slots = inner.buckets.len() as u64;
        let bucket = &mut inner.buckets[(second % slots) as usize];
        if bucket.second != second {
            *bucket = Bucket {
                second,
                ..Bucket::default()
            };
        }
        bucket.calls += 1;
        bucket.failures += u32::from(failed);
        let (calls, failures) = inner
            .buckets
            .iter()
            .filter(|b| second.saturating_sub(b.second) < slots)
            .fold((0u32, 0u32), |(c, f), b| (c + b.calls, f + b.failures));
        let tripped = calls >= self.config.min_calls
            && f64::from(failures) >= self.config.failure_ratio * f64::from(calls);
        if tripped && matches!(inner.state, State::Closed) {
            tracing::warn!(calls, failures, "circuit breaker opened");
            inner.state = self.open_until(now);
        }
    }

    fn open_until(&self, now: Instant) -> State {
        State::Open {
            until: now + self.config.open_for,
        }
    }
}

impl Admission<'_> {
    /// Records the call's outcome: `failed` when the partner failed (fault, timeout,
    /// unreachable, unreadable answer).
    pub(crate) fn record(mut self, failed: bool) {
        self.recorded = true;
        self.breaker.record(self.probe, failed);
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        // A probe abandoned before it finished (cancelled request) frees its place.
        if self.probe && !self.recorded {
            let mut inner = self.breaker.lock();
            if let State::HalfOpen { in_flight, .. } = &mut inner.state {
                *in_flight = in_flight.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaker(open_for: Duration) -> Breaker {
        Breaker::new(BreakerConfig {
            failure_ratio: 0.5,
            window: Duration::from_secs(10),
            min_calls: 4,
            open_for,
            half_open_probes: 2,
        })
    }

    #[test]
    fn opens_on_failure_ratio_and_refuses() {
        let b = breaker(Duration::from_secs(60));
        for failed in [false, true, true] {
            b.admit().unwrap().record(failed);
        }
        assert_eq!(b.state(), BreakerState::Closed, "below min_calls");
        b.admit().unwrap().record(true);
        assert_eq!(b.state(), BreakerState::Open);
        assert!(b.admit().is_err());
    }

    #[test]
    fn half_open_probes_close_or_reopen() {
        let b = breaker(Duration::ZERO);
        for _ in 0..4 {
            b.admit().unwrap().record(true);
        }
        // open_for elapsed at once: probes are admitted, at most two.
        let first = b.admit().unwrap();
        let second = b.admit().unwrap();
        assert!(b.admit().is_err());
        first.record(false);
        second.record(false);
        assert_eq!(b.state(), BreakerState::Closed);

        for _ in 0..4 {
            b.admit().unwrap().record(true);
        }
        b.admit().unwrap().record(true);
        assert_ne!(b.state(), BreakerState::Closed, "a failed probe reopens");
    }

    #[test]
    fn an_abandoned_probe_frees_its_place() {
        let b = breaker(Duration::ZERO);
        for _ in 0..4 {
            b.admit().unwrap().record(true);
        }
        drop(b.admit().unwrap());
        drop(b.admit().unwrap());
        assert!(b.admit().is_ok());
    }
}
