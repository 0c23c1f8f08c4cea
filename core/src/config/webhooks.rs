//! Configuration of webhook deliveries: the deadline of one attempt, how long and how
//! often a failing delivery is retried before it becomes a dead letter, how long dead
//! letters are kept, and the CAs trusted for https receivers.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::issues::Issues;

/// `[webhooks]`: how status changes are delivered to clients' `callback_url`s.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhooksConfig {
    /// Deadline of one attempt: resolving the host, connecting, sending and the answer.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Longest wait between two attempts of one delivery (the backoff grows up to it).
    #[serde(with = "humantime_serde")]
    pub max_retry_wait: Duration,
    /// How long a delivery is retried, counted from when it was queued (or replayed),
    /// before it becomes a dead letter.
    #[serde(with = "humantime_serde")]
    pub retry_horizon: Duration,
    /// How long a dead letter (with its body) is kept for a replay before it is deleted.
    #[serde(with = "humantime_serde")]
    pub dead_letter_retention: Duration,
    /// PEM bundle of CAs trusted for https receivers instead of the system's.
    pub ca_file: Option<PathBuf>,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            max_retry_wait: Duration::from_secs(15 * 60),
            retry_horizon: Duration::from_secs(3 * 86_400),
            dead_letter_retention: Duration::from_secs(30 * 86_400),
            ca_file: None,
        }
    }
}

const DAY: u64 = 86_400;

impl WebhooksConfig {
    /// Records every value outside its range.
    pub(crate) fn validate(&self, issues: &mut Issues) {
        let ranges = [
            ("timeout", self.timeout, Duration::from_secs(60), "\"10s\""),
            (
                "max_retry_wait",
                self.max_retry_wait,
                Duration::from_secs(DAY),
                "\"15m\"",
            ),
            (
                "retry_horizon",
                self.retry_horizon,
                Duration::from_secs(30 * DAY),
                "\"3d\"",
            ),
            (
                "dead_letter_retention",
                self.dead_letter_retention,
                Duration::from_secs(3650 * DAY),
                "\"30d\"",
            ),
        ];
        for (key, value, max, example) in ranges {
            if value < Duration::from_millis(10) || value > max {
                issues.add(
                    format!("webhooks.{key}"),
                    format!("{value:?} is outside [10ms, {max:?}]"),
                    format!("use a duration such as {example}"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn bad_webhook_settings_hosts_and_secrets_are_named() {
        let text = r#"
            [webhooks]
            timeout = "0s"
            retry_horizon = "90d"
            [[clients]]
            id = "a"
            api_key = "long-enough-key"
            webhook_secret = "whsec_!!"
            webhook_hosts = ["hooks.example.gov.vn", "http://x", "*.gov.vn", "10.0.0.7:8443"]
        "#;
        assert_eq!(
            crate::config::refused_keys(text),
            [
                "webhooks.timeout",
                "webhooks.retry_horizon",
                "clients[0].webhook_hosts[1]",
                "clients[0].webhook_hosts[2]",
                "clients[0].webhook_secret"
            ]
        );
        assert!(Config::parse("", "x").unwrap().validate("x", &[]).is_ok());
    }
}
