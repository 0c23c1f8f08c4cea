//! `[partners.<name>]`: the national services, their addresses, credentials, TLS, call
//! policies and per-operation overrides.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use lienthong_adapter_kit::adapter::Adapter;
use serde::Deserialize;

use super::issues::Issues;
use super::traffic::{BreakerConfig, LimiterKind, Rate, StoreFailure};

/// One national service.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerConfig {
    /// Base URL of the partner (`http://` or `https://`); paths are appended to it.
    pub base_url: String,
    /// The province's consumer code at the partner (`MaDonVi`).
    pub consumer_code: String,
    /// Deadline for every operation of this partner (overrides the adapter's default).
    #[serde(default, with = "humantime_serde")]
    pub timeout: Option<Duration>,
    /// Largest answer accepted from the partner.
    #[serde(default = "default_max_response_bytes")]
    pub max_response_bytes: usize,
    /// Account name, for partners that need credentials.
    pub username: Option<String>,
    /// Password (prefer `password_env`).
    pub password: Option<String>,
    /// Name of an environment variable holding the password.
    pub password_env: Option<String>,
    /// TLS towards the partner.
    pub tls: Option<PartnerTls>,
    /// How often the state of an application at an asynchronous partner is asked for.
    #[serde(default = "default_poll_interval", with = "humantime_serde")]
    pub poll_interval: Duration,
    /// The province's quota at the partner (`"20/s"`); calls beyond it wait or get 429.
    /// `rate` plus `burst` must stay within what the partner allows per second.
    pub rate: Option<Rate>,
    /// Calls that may go at once before the steady rate applies.
    #[serde(default = "one")]
    pub burst: u32,
    /// How long a call may wait for quota (never past its deadline) before 429.
    #[serde(default = "default_max_wait", with = "humantime_serde")]
    pub max_wait: Duration,
    /// Where the quota is counted.
    #[serde(default)]
    pub limiter: LimiterKind,
    /// What the Redis limiter does when Redis cannot be reached.
    #[serde(default)]
    pub on_store_failure: StoreFailure,
    /// Bus instances sharing the quota; the local fallback allows quota ÷ this.
    #[serde(default = "one")]
    pub expected_instances: u32,
    /// Calls to this partner in flight at once (bulkhead).
    #[serde(default = "default_max_concurrency")]
    pub max_concurrency: u32,
    /// Calls that may wait for a free slot; more are refused at once (503).
    #[serde(default = "default_max_queue")]
    pub max_queue: u32,
    /// Retries allowed as a share of calls (0.2: at most 20% extra calls).
    #[serde(default = "default_retry_budget")]
    pub retry_budget: f64,
    /// Longest pause a `Retry-After` of this partner can impose (on calls, and as the
    /// `Retry-After` told to clients); longer values are cut to it.
    #[serde(default = "default_max_partner_pause", with = "humantime_serde")]
    pub max_partner_pause: Duration,
    /// Circuit breaker.
    #[serde(default)]
    pub breaker: BreakerConfig,
    /// Per-operation overrides, by operation id.
    #[serde(default)]
    pub operations: BTreeMap<String, OperationOverride>,
}

fn one() -> u32 {
    1
}

fn default_max_wait() -> Duration {
    Duration::from_millis(250)
}

fn default_max_concurrency() -> u32 {
    64
}

fn default_max_queue() -> u32 {
    256
}

fn default_retry_budget() -> f64 {
    0.2
}

fn default_max_partner_pause() -> Duration {
    Duration::from_secs(300)
}

impl PartnerConfig {
    /// A partner at `base_url` with every other key at its default.
    pub fn new(base_url: impl Into<String>, consumer_code: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            consumer_code: consumer_code.into(),
            timeout: None,
            max_response_bytes: default_max_response_bytes(),
            username: None,
            password: None,
            password_env: None,
            tls: None,
            poll_interval: default_poll_interval(),
            rate: None,
            burst: 1,
            max_wait: default_max_wait(),
            limiter: LimiterKind::Local,
            on_store_failure: StoreFailure::Local,
            expected_instances: 1,
            max_concurrency: default_max_concurrency(),
            max_queue: default_max_queue(),
            retry_budget: default_retry_budget(),
            max_partner_pause: default_max_partner_pause(),
            breaker: BreakerConfig::default(),
            operations: BTreeMap::new(),
        }
    }
}

fn default_poll_interval() -> Duration {
    Duration::from_secs(30)
}

fn default_max_response_bytes() -> usize {
    4 * 1024 * 1024
}

/// TLS towards a partner.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerTls {
    /// PEM bundle of CAs to trust instead of the system's.
    pub ca_file: Option<PathBuf>,
    /// Client certificate chain for mTLS (PEM).
    pub client_cert_file: Option<PathBuf>,
    /// Private key of the client certificate (PEM).
    pub client_key_file: Option<PathBuf>,
    /// Name to send in SNI and verify, when it differs from the URL's host.
    pub server_name: Option<String>,
}

/// Overrides for one operation.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationOverride {
    /// Deadline for this operation.
    #[serde(default, with = "humantime_serde")]
    pub timeout: Option<Duration>,
    /// How long found answers are served from cache (`"0s"` disables caching).
    #[serde(default, with = "humantime_serde")]
    pub cache_ttl: Option<Duration>,
    /// How long "not found" answers are remembered.
    #[serde(default, with = "humantime_serde")]
    pub negative_ttl: Option<Duration>,
    /// How long past its freshness an answer may still be served when the partner fails.
    #[serde(default, with = "humantime_serde")]
    pub max_stale: Option<Duration>,
    /// A quota of this operation, in addition to the partner's.
    pub rate: Option<Rate>,
    /// Burst of the operation's quota.
    pub burst: Option<u32>,
}

/// Checks every partner against its adapter: address, codes, deadlines, call policies,
/// credentials, TLS and operation overrides.
pub(super) fn validate(
    partners: &BTreeMap<String, PartnerConfig>,
    redis_configured: bool,
    adapters: &[&dyn Adapter],
    issues: &mut Issues,
) {
    for (name, partner) in partners {
        let key = format!("partners.{name}");
        let Some(adapter) = adapters.iter().find(|a| a.partner() == name) else {
            let known: Vec<&str> = adapters.iter().map(|a| a.partner()).collect();
            issues.add(
                key,
                "is not a known partner",
                format!("use one of: {}", known.join(", ")),
            );
            continue;
        };
        if !is_http_url(&partner.base_url) {
            issues.add(
                format!("{key}.base_url"),
                format!("`{}` is not an http(s) URL with a host", partner.base_url),
                "give the partner's address, e.g. https://dkkd.example.gov.vn",
            );
        }
        if partner.consumer_code.is_empty()
            || !partner
                .consumer_code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.')
        {
            issues.add(
                format!("{key}.consumer_code"),
                "must be the province's consumer code (letters, digits, dots)",
                "use the code the partner issued, e.g. \"H82\"",
            );
        }
        check_timeout(issues, &format!("{key}.timeout"), partner.timeout);
        validate_traffic(&key, partner, redis_configured, issues);
        if partner.poll_interval < Duration::from_millis(10)
            || partner.poll_interval > Duration::from_secs(86_400)
        {
            issues.add(
                format!("{key}.poll_interval"),
                format!("{:?} is outside [10ms, 24h]", partner.poll_interval),
                "use a duration such as \"30s\"",
            );
        }
        if !(1024..=256 * 1024 * 1024).contains(&partner.max_response_bytes) {
            issues.add(
                format!("{key}.max_response_bytes"),
                format!("{} is outside 1024..=268435456", partner.max_response_bytes),
                "use a size such as 4194304 (4 MiB)",
            );
        }
        let has_password = partner.password.is_some() || partner.password_env.is_some();
        if adapter.requires_credentials() && (partner.username.is_none() || !has_password) {
            issues.add(
                format!("{key}.username"),
                "this partner needs credentials",
                "set username and password_env (the password itself stays out of the file)",
            );
        }
        if partner.password.is_some() && partner.password_env.is_some() {
            issues.add(
                format!("{key}.password"),
                "both password and password_env are set",
                "keep only password_env",
            );
        }
        if let Some(tls) = &partner.tls
            && tls.client_cert_file.is_some() != tls.client_key_file.is_some()
        {
            issues.add(
                format!("{key}.tls.client_key_file"),
                "client_cert_file and client_key_file go together",
                "set both for mTLS, or neither",
            );
        }
        for (op_id, op) in &partner.operations {
            if !adapter.operations().iter().any(|o| o.id == op_id) {
                let ids: Vec<&str> = adapter.operations().iter().map(|o| o.id).collect();
                issues.add(
                    format!("{key}.operations.{op_id}"),
                    "is not an operation of this partner",
                    format!("use one of: {}", ids.join(", ")),
                );
            }
            check_timeout(
                issues,
                &format!("{key}.operations.{op_id}.timeout"),
                op.timeout,
            );
        }
    }
}

/// Checks the traffic keys of partner `key`.
fn validate_traffic(key: &str, partner: &PartnerConfig, redis: bool, issues: &mut Issues) {
    if partner.burst == 0 {
        issues.add(format!("{key}.burst"), "is 0", "use 1 or more");
    }
    if partner.limiter == LimiterKind::Redis && !redis {
        issues.add(
            format!("{key}.limiter"),
            "is \"redis\" but [redis] url is not set",
            "set [redis] url = \"redis://host:6379\", or use limiter = \"local\"",
        );
    }
    if partner.limiter == LimiterKind::Redis && partner.rate.is_none() {
        issues.add(
            format!("{key}.rate"),
            "the Redis limiter needs a rate",
            "set rate, e.g. \"20/s\"",
        );
    }
    for (name, value) in [
        ("expected_instances", partner.expected_instances),
        ("max_concurrency", partner.max_concurrency),
    ] {
        if value == 0 {
            issues.add(format!("{key}.{name}"), "is 0", "use 1 or more");
        }
    }
    if !(0.0..=1.0).contains(&partner.retry_budget) {
        issues.add(
            format!("{key}.retry_budget"),
            format!("{} is outside 0.0..=1.0", partner.retry_budget),
            "use 0.2 to allow at most 20% extra calls, 0 to never retry",
        );
    }
    if partner.max_partner_pause < Duration::from_secs(1)
        || partner.max_partner_pause > lienthong_adapter_kit::adapter::MAX_PARTNER_PAUSE
    {
        issues.add(
            format!("{key}.max_partner_pause"),
            format!("{:?} is outside [1s, 1h]", partner.max_partner_pause),
            "use a duration such as \"5m\"",
        );
    }
    let b = &partner.breaker;
    if !(b.failure_ratio > 0.0 && b.failure_ratio <= 1.0) {
        issues.add(
            format!("{key}.breaker.failure_ratio"),
            "must be in (0, 1]",
            "use 0.5",
        );
    }
    if b.window < Duration::from_secs(1)
        || b.open_for.is_zero()
        || b.open_for > Duration::from_secs(3600)
        || b.half_open_probes == 0
    {
        issues.add(
            format!("{key}.breaker"),
            "window must be at least 1s, open_for in (0, 1h] and half_open_probes at least 1",
            "use window = \"10s\", open_for = \"5s\", half_open_probes = 2",
        );
    }
    for (op, over) in &partner.operations {
        if over.burst.is_some() && over.rate.is_none() {
            issues.add(
                format!("{key}.operations.{op}.burst"),
                "is set without rate",
                "set rate too, or remove burst",
            );
        }
        if over.burst == Some(0) {
            issues.add(
                format!("{key}.operations.{op}.burst"),
                "is 0",
                "use 1 or more",
            );
        }
    }
}

fn check_timeout(issues: &mut Issues, key: &str, timeout: Option<Duration>) {
    if let Some(t) = timeout
        && (t.is_zero() || t > Duration::from_secs(300))
    {
        issues.add(
            key,
            format!("{t:?} is outside (0, 300s]"),
            "use a duration such as \"10s\"",
        );
    }
}

pub(super) fn is_http_url(s: &str) -> bool {
    match s.parse::<http::Uri>() {
        Ok(uri) => {
            matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.host().is_some_and(|h| !h.is_empty())
                && uri.query().is_none()
        }
        Err(_) => false,
    }
}
