//! Stage: identity, with failed authentications throttled per source address. Each
//! failure (missing, malformed or unknown credentials) spends from its source's budget
//! (GCRA: `auth_failure_rate` plus a burst of `auth_failure_burst`); once it is spent,
//! failures from that source are answered 429 with `Retry-After` instead of 401. A correct
//! key is never throttled nor delayed, whatever its source did.
//!
//! A source is an IPv4 address or an IPv6 /64 (one host's usual allocation). The state
//! is bounded: sources back to a fresh budget are pruned as failures come in, and while
//! more than [`MAX_SOURCES`] are tracked, new failures share one budget.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use http::request::Parts;

use crate::clients::{Client, Clients, IdentityError};
use crate::config::Rate;
use crate::metrics::AuthMetrics;
use crate::server::Peer;

/// Sources tracked at most.
const MAX_SOURCES: usize = 65_536;

/// Failures between two prunings of sources back to a fresh budget.
const PRUNE_EVERY: u64 = 1024;

/// Failed authentications from a source over its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many failed authentications from this address")]
pub(crate) struct Throttled {
    /// When the source may fail again.
    pub retry_after: Duration,
}

/// Why a caller was not identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// Its credentials are missing, malformed or unknown.
    Identity(IdentityError),
    /// It failed too often.
    Throttled(Throttled),
}

/// Where failures come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Source {
    V4([u8; 4]),
    V6([u8; 8]),
    /// Every source while too many are tracked, and requests with no known peer.
    Shared,
}

impl Source {
    fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self::V4(v4.octets()),
            IpAddr::V6(v6) => {
                let mut prefix = [0u8; 8];
                prefix.copy_from_slice(&v6.octets()[..8]);
                Self::V6(prefix)
            }
        }
    }
}

/// The failure budgets of every source; lives as long as the bus.
pub(crate) struct AuthGuard {
    budgets: DefaultKeyedRateLimiter<Source>,
    failures: AtomicU64,
    metrics: AuthMetrics,
}

impl AuthGuard {
    pub(crate) fn new(rate: Rate, burst: u32, metrics: AuthMetrics) -> Arc<Self> {
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(rate.interval().max(Duration::from_nanos(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX))
            .allow_burst(burst);
        Arc::new(Self {
            budgets: RateLimiter::keyed(quota),
            failures: AtomicU64::new(0),
            metrics,
        })
    }

    /// Identifies the caller of `request` among `clients`; a failure spends from the
    /// budget of the request's source.
    pub(crate) fn identify(
        &self,
        clients: &Clients,
        request: &Parts,
    ) -> Result<Arc<Client>, AuthError> {
        let error = match clients.identify(&request.headers) {
            Ok(client) => return Ok(client),
            Err(error) => error,
        };
        self.metrics.failed(match error {
            IdentityError::Missing => "missing",
            IdentityError::Malformed => "malformed",
            IdentityError::Unknown => "unknown",
        });
        let peer = request.extensions.get::<Peer>().map(|p| p.0.ip());
        match self.spend(peer) {
            Ok(()) => Err(AuthError::Identity(error)),
            Err(throttled) => {
                self.metrics.throttled();
                Err(AuthError::Throttled(throttled))
            }
        }
    }

    /// Spends one failure from the budget of `peer`'s source.
    fn spend(&self, peer: Option<IpAddr>) -> Result<(), Throttled> {
        if self
            .failures
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(PRUNE_EVERY)
        {
            self.budgets.retain_recent();
        }
        let source = match peer {
            Some(ip) if self.budgets.len() < MAX_SOURCES => Source::of(ip),
            _ => Source::Shared,
        };
        self.budgets
            .check_key(&source)
            .map_err(|not_until| Throttled {
                retry_after: not_until.wait_time_from(DefaultClock::default().now()),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(burst: u32) -> Arc<AuthGuard> {
        let rate = Rate {
            count: 1,
            per: Duration::from_secs(3600),
        };
        AuthGuard::new(rate, burst, AuthMetrics::default())
    }

    #[test]
    fn each_source_has_its_own_budget() {
        let guard = guard(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(guard.spend(Some(a)).is_ok());
        assert!(guard.spend(Some(a)).is_ok());
        let throttled = guard.spend(Some(a)).unwrap_err();
        assert!(throttled.retry_after > Duration::from_secs(3000));
        assert!(guard.spend(Some(b)).is_ok());
    }

    #[test]
    fn ipv6_sources_are_their_64_prefix_and_mapped_ipv4_is_ipv4() {
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        assert_eq!(Source::of(one), Source::of(other));
        assert_ne!(
            Source::of(one),
            Source::of("2001:db8:1:3::1".parse().unwrap())
        );
        assert_eq!(
            Source::of("::ffff:192.0.2.1".parse().unwrap()),
            Source::of("192.0.2.1".parse().unwrap())
        );
    }

    #[test]
    fn too_many_sources_share_one_budget() {
        let guard = guard(1);
        for i in 0..MAX_SOURCES as u32 {
            let ip = IpAddr::from((0x0a00_0000 + i).to_be_bytes());
            let _ = guard.spend(Some(ip));
        }
        assert_eq!(guard.budgets.len(), MAX_SOURCES);
        let fresh: IpAddr = "198.51.100.7".parse().unwrap();
        assert!(guard.spend(Some(fresh)).is_ok());
        assert!(guard.spend(Some("198.51.100.8".parse().unwrap())).is_err());
        assert!(guard.budgets.len() <= MAX_SOURCES + 1);
    }
}
