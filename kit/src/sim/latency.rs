//! The simulated network's latency: a log-normal distribution.

use std::time::Duration;

use rand::RngExt;
use serde::{Deserialize, Serialize};

/// Log-normal latency given by its median and 99th percentile; zero means none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median added delay in milliseconds.
    pub median_ms: u64,
    /// 99th-percentile added delay in milliseconds (≥ median).
    pub p99_ms: u64,
}

impl Latency {
    /// A sample from the distribution.
    pub fn sample(&self) -> Duration {
        if self.median_ms == 0 {
            return Duration::ZERO;
        }
        let median = self.median_ms as f64;
        let p99 = (self.p99_ms.max(self.median_ms)) as f64;
        // z of the 99th percentile of the standard normal.
        let sigma = (p99 / median).ln() / 2.326_348;
        let mut rng = rand::rng();
        let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let ms = (median.ln() + sigma * z).exp().min(60_000.0);
        Duration::from_micros((ms * 1000.0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_samples_centre_on_the_median() {
        let latency = Latency {
            median_ms: 100,
            p99_ms: 400,
        };
        let mut samples: Vec<Duration> = (0..2001).map(|_| latency.sample()).collect();
        samples.sort();
        let median = samples[1000].as_millis();
        assert!((70..=140).contains(&median), "median {median} ms");
        assert_eq!(Latency::default().sample(), Duration::ZERO);
    }
}
