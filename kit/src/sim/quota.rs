//! The per-consumer quota of a simulator: fixed one-second windows aligned on wall-clock
//! seconds.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// Length of a quota window in milliseconds; windows start on wall-clock seconds.
const WINDOW_MS: u64 = 1000;

/// Requests per consumer in the current fixed window, and the quota they are held to.
/// Only the current window is kept, plus the largest count seen.
#[derive(Debug, Default)]
pub(super) struct Quota {
    pub(super) per_second: Option<u32>,
    pub(super) window: u64,
    pub(super) counts: HashMap<String, u64>,
    pub(super) max_per_second: u64,
}

impl Quota {
    /// Counts one request of `consumer` arriving at `now`. When it is over the quota, the
    /// `Retry-After` to answer with: seconds to the next window, rounded up, at least 1.
    pub(super) fn admit(&mut self, consumer: String, now: SystemTime) -> Option<u64> {
        let millis = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let window = millis / WINDOW_MS;
        if window != self.window {
            self.window = window;
            self.counts.clear();
        }
        let count = self.counts.entry(consumer).or_default();
        *count += 1;
        self.max_per_second = self.max_per_second.max(*count);
        let over = self.per_second.is_some_and(|q| *count > u64::from(q));
        over.then(|| (WINDOW_MS - millis % WINDOW_MS).div_ceil(1000).max(1))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn quota_counts_each_consumer_in_fixed_windows() {
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        let mut quota = Quota {
            per_second: Some(2),
            ..Quota::default()
        };
        assert_eq!(quota.admit("H82".into(), at(5_000)), None);
        assert_eq!(quota.admit("H82".into(), at(5_400)), None);
        assert_eq!(quota.admit("H82".into(), at(5_999)), Some(1));
        assert_eq!(quota.admit("H82".into(), at(5_999)), Some(1));
        // Other consumers, and requests naming none, have their own counts.
        assert_eq!(quota.admit("H83".into(), at(5_999)), None);
        assert_eq!(quota.admit(String::new(), at(5_999)), None);
        assert_eq!(quota.admit(String::new(), at(5_999)), None);
        assert_eq!(quota.admit(String::new(), at(5_999)), Some(1));
        // A new window starts from zero and forgets the previous one.
        assert_eq!(quota.admit("H82".into(), at(6_000)), None);
        assert_eq!(quota.counts.len(), 1);
        assert_eq!(quota.max_per_second, 4);
        // Without a quota nothing is throttled, but the counts go on.
        quota.per_second = None;
        for _ in 0..5 {
            assert_eq!(quota.admit("H82".into(), at(6_500)), None);
        }
        assert_eq!(quota.max_per_second, 6);
        quota.per_second = Some(0);
        assert_eq!(quota.admit("H84".into(), at(7_000)), Some(1));
    }
}
