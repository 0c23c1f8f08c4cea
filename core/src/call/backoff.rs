//! Jittered exponential backoff, shared by every retry loop of the bus.

use std::time::Duration;

use rand::RngExt;

/// The wait before attempt `attempt + 1` (1-based `attempt`): `base · 2^(attempt-1)`
/// capped at `cap`, of which a random half is taken off ("equal jitter") so that
/// many clients failing together do not retry together.
pub(crate) fn jittered(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let exponent = attempt.clamp(1, 31) - 1;
    let ceiling = base.saturating_mul(2u32.saturating_pow(exponent)).min(cap);
    let half = ceiling / 2;
    let jitter = rand::rng().random_range(0..=half.as_micros() as u64);
    half + Duration::from_micros(jitter)
}

/// `wait` plus a random part of it (up to doubling it), so that many steps put off for
/// the same time do not all come back at the same instant.
pub(crate) fn spread(wait: Duration) -> Duration {
    let extra = rand::rng().random_range(0..=u64::try_from(wait.as_micros()).unwrap_or(u64::MAX));
    wait.saturating_add(Duration::from_micros(extra))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_stays_between_once_and_twice_the_wait() {
        let wait = Duration::from_millis(300);
        for _ in 0..100 {
            let spread = spread(wait);
            assert!(spread >= wait && spread <= wait * 2, "{spread:?}");
        }
        assert_eq!(spread(Duration::MAX), Duration::MAX);
    }

    #[test]
    fn grows_then_caps_and_stays_in_the_upper_half() {
        let base = Duration::from_secs(1);
        let cap = Duration::from_secs(60);
        for (attempt, ceiling) in [(1, 1), (2, 2), (3, 4), (7, 60), (30, 60)] {
            let wait = jittered(attempt, base, cap);
            let ceiling = Duration::from_secs(ceiling);
            assert!(
                wait >= ceiling / 2 && wait <= ceiling,
                "{attempt}: {wait:?}"
            );
        }
    }
}
