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

#[cfg(test)]
mod tests {
    use super::*;

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
