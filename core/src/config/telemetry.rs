//! `[telemetry]`: logs and traces.

use serde::Deserialize;

use super::issues::Issues;
use super::partners::is_http_url;

/// Log output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, for terminals.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Logs and traces.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// `pretty` or `json`.
    pub log_format: LogFormat,
    /// Log filter in `RUST_LOG` syntax (the `RUST_LOG` variable wins when set).
    pub log_filter: String,
    /// OTLP/HTTP endpoint of a collector, e.g. `http://127.0.0.1:4318`; traces are
    /// exported only when set.
    pub otlp_endpoint: Option<String>,
    /// `service.name` of exported traces.
    pub service_name: String,
    /// Share of root traces recorded (0.0–1.0); a caller's sampled `traceparent` is honoured.
    pub sample_ratio: f64,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            log_format: LogFormat::Pretty,
            log_filter: "info".into(),
            otlp_endpoint: None,
            service_name: "lienthong".into(),
            sample_ratio: 1.0,
        }
    }
}

impl TelemetryConfig {
    /// Checks the sampling ratio and the collector's address.
    pub(super) fn validate(&self, issues: &mut Issues) {
        let t = self;
        if !(0.0..=1.0).contains(&t.sample_ratio) {
            issues.add(
                "telemetry.sample_ratio",
                format!("{} is outside 0.0..=1.0", t.sample_ratio),
                "use 1.0 to record every trace, 0.1 for one in ten",
            );
        }
        if let Some(endpoint) = &t.otlp_endpoint
            && !is_http_url(endpoint)
        {
            issues.add(
                "telemetry.otlp_endpoint",
                format!("`{endpoint}` is not an http(s) URL"),
                "give the collector's OTLP/HTTP address, e.g. http://127.0.0.1:4318",
            );
        }
    }
}
