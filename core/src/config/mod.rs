//! Configuration: typed serde structs with `deny_unknown_fields`, loaded from TOML and
//! validated at start-up. Every problem names the file, the key, what is wrong and how to
//! fix it; all problems are reported at once.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use lienthong_adapter_kit::adapter::Adapter;

mod applications;
mod audit;
pub(crate) mod callbacks;
pub(crate) mod keys;
mod reading;
mod traffic;
mod transport;
mod webhooks;

pub use applications::ApplicationsConfig;
pub use audit::{AuditConfig, AuditFailure};
pub use traffic::{BreakerConfig, CacheConfig, LimiterKind, Rate, RedisConfig, StoreFailure};
pub use transport::ConnectionLimits;
pub use webhooks::WebhooksConfig;

/// The whole configuration of one bus instance.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The province this bus serves (mã tỉnh; `82` is Tiền Giang).
    #[serde(default = "default_province_code")]
    pub province_code: String,
    /// Listeners and request limits.
    #[serde(default)]
    pub server: ServerConfig,
    /// Logs and traces.
    #[serde(default)]
    pub telemetry: TelemetryConfig,
    /// Durable state: applications, webhooks.
    #[serde(default)]
    pub storage: StorageConfig,
    /// The answer cache.
    #[serde(default)]
    pub cache: CacheConfig,
    /// Redis, for cluster-wide quotas and the shared cache tier.
    #[serde(default)]
    pub redis: RedisConfig,
    /// The audit log.
    #[serde(default)]
    pub audit: AuditConfig,
    /// Applications to asynchronous partners: retention of their personal data.
    #[serde(default)]
    pub applications: ApplicationsConfig,
    /// Webhook deliveries to clients' `callback_url`s.
    #[serde(default)]
    pub webhooks: WebhooksConfig,
    /// Provincial applications allowed to call the API.
    #[serde(default)]
    pub clients: Vec<ClientConfig>,
    /// National services, by adapter name (e.g. `business-registry`).
    #[serde(default)]
    pub partners: BTreeMap<String, PartnerConfig>,
}

fn default_province_code() -> String {
    "82".into()
}

impl Default for Config {
    fn default() -> Self {
        Self {
            province_code: default_province_code(),
            server: ServerConfig::default(),
            telemetry: TelemetryConfig::default(),
            storage: StorageConfig::default(),
            cache: CacheConfig::default(),
            redis: RedisConfig::default(),
            audit: AuditConfig::default(),
            applications: ApplicationsConfig::default(),
            webhooks: WebhooksConfig::default(),
            clients: Vec::new(),
            partners: BTreeMap::new(),
        }
    }
}

/// Listeners and request limits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address of the unified API.
    pub listen: SocketAddr,
    /// Address of the admin listener (health, metrics); keep it off public networks.
    pub admin_listen: SocketAddr,
    /// Largest request body accepted; larger bodies get 413.
    pub max_body_bytes: usize,
    /// How long in-flight requests may take to finish after a shutdown signal.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// How long a client may take to send request headers (slow-client protection); also
    /// how long a connection may take from its first byte to its first request, and how
    /// long an HTTP/1 keep-alive connection may wait for its next request.
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// How long a new connection may stay silent before its first byte.
    #[serde(with = "humantime_serde")]
    pub first_byte_timeout: Duration,
    /// How long a TLS handshake may take.
    #[serde(with = "humantime_serde")]
    pub tls_handshake_timeout: Duration,
    /// How long a client may take to send a request body once its headers are in; 408 after.
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
    /// How often an HTTP/2 connection is pinged to check the client is still there.
    #[serde(with = "humantime_serde")]
    pub http2_keepalive_interval: Duration,
    /// How long an HTTP/2 ping may go unanswered before the connection is closed.
    #[serde(with = "humantime_serde")]
    pub http2_keepalive_timeout: Duration,
    /// How long an HTTP/2 connection with no request in flight stays open.
    #[serde(with = "humantime_serde")]
    pub http2_idle_timeout: Duration,
    /// Requests (streams) one HTTP/2 connection may have open at once.
    pub http2_max_concurrent_streams: u32,
    /// Connections the unified API serves at once; more are closed as they arrive.
    pub max_connections: u32,
    /// Connections the admin listener serves at once; more are closed as they arrive.
    pub admin_max_connections: u32,
    /// Failed authentications one source address may make at the steady rate (`"10/min"`);
    /// beyond it (and the burst) failures are answered 429. Correct keys always pass.
    pub auth_failure_rate: Rate,
    /// Failed authentications one source address may make at once before the rate applies.
    pub auth_failure_burst: u32,
    /// Serve the unified API over TLS with this certificate.
    pub tls: Option<ServerTls>,
    /// Environment variable holding the bearer token of the admin listener. A token (this
    /// or `admin_token_sha256`) is required when `admin_listen` is not a loopback address;
    /// `/healthz` and `/readyz` need none.
    pub admin_token_env: Option<String>,
    /// Hex SHA-256 of the admin listener's bearer token (the token itself stays out of the
    /// file).
    pub admin_token_sha256: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
            max_body_bytes: 256 * 1024,
            shutdown_grace: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(10),
            tls_handshake_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            http2_keepalive_interval: Duration::from_secs(20),
            http2_keepalive_timeout: Duration::from_secs(20),
            http2_idle_timeout: Duration::from_secs(60),
            http2_max_concurrent_streams: 100,
            max_connections: 4096,
            admin_max_connections: 64,
            auth_failure_rate: Rate {
                count: 10,
                per: Duration::from_secs(60),
            },
            auth_failure_burst: 20,
            tls: None,
            admin_token_env: None,
            admin_token_sha256: None,
        }
    }
}

/// Where durable state lives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Directory of the embedded SQLite database (used when `url` is not set).
    pub data_dir: PathBuf,
    /// `postgres://…` URL of a PostgreSQL database shared by every instance.
    pub url: Option<String>,
    /// Connections to PostgreSQL per instance.
    pub max_connections: u32,
    /// This instance's name among those sharing the database, stable across restarts: it
    /// holds the leases on applications in flight, and a restart releases its own at once.
    /// Default: the host name.
    pub instance_id: Option<String>,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            url: None,
            max_connections: 10,
            instance_id: None,
        }
    }
}

/// Server certificate and key (PEM files).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerTls {
    /// Certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// Private key of the leaf certificate.
    pub key_file: PathBuf,
}

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

/// One provincial application and what it may call.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Name used in logs, traces and the audit log.
    pub id: String,
    /// The key itself (for development; prefer `api_key_sha256` or `api_key_env`).
    pub api_key: Option<String>,
    /// Hex SHA-256 of the key: the key itself never needs to be stored.
    pub api_key_sha256: Option<String>,
    /// Name of an environment variable holding the key.
    pub api_key_env: Option<String>,
    /// Grants: `*`, a partner name, or `partner/operationId`.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Secret that signs this client's webhooks (development; prefer `webhook_secret_env`).
    pub webhook_secret: Option<String>,
    /// Name of an environment variable holding the webhook secret.
    pub webhook_secret_env: Option<String>,
    /// Hosts this client's callbacks may reach although they are not public https:
    /// `host` or `host:port` (http or https, any address the host resolves to but the
    /// bus's own listeners), or `https://host[:port]` (https only).
    #[serde(default)]
    pub webhook_hosts: Vec<String>,
    /// Whether `Cache-Control: no-cache` from this client bypasses the cache.
    #[serde(default)]
    pub may_bypass_cache: bool,
}

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

/// One configuration problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// Dotted key (or `line N` when only a position is known).
    pub key: String,
    /// What is wrong.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

/// All problems found in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file (or `<built-in>` for generated configs).
    pub file: String,
    /// Every problem found.
    pub issues: Vec<ConfigIssue>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, issue) in self.issues.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(
                f,
                "{}: {}: {}. Fix: {}",
                self.file, issue.key, issue.problem, issue.fix
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Collects issues while validating.
#[derive(Debug, Default)]
pub struct Issues(Vec<ConfigIssue>);

impl Issues {
    /// Records a problem with `key`.
    pub fn add(
        &mut self,
        key: impl Into<String>,
        problem: impl Into<String>,
        fix: impl Into<String>,
    ) {
        self.0.push(ConfigIssue {
            key: key.into(),
            problem: problem.into(),
            fix: fix.into(),
        });
    }

    /// Records `message`, which may end in `. Fix: …` (then that is the fix, else
    /// `fix`), as a problem with `key`.
    pub fn add_message(&mut self, key: impl Into<String>, message: &str, fix: &str) {
        match message.split_once(". Fix: ") {
            Some((problem, own_fix)) => self.add(key, problem, own_fix),
            None => self.add(key, message, fix),
        }
    }

    /// Records `issue`.
    pub fn push(&mut self, issue: ConfigIssue) {
        self.0.push(issue);
    }

    /// Records every issue of `error`.
    pub fn extend(&mut self, error: ConfigError) {
        self.0.extend(error.issues);
    }

    /// The issues recorded.
    pub(crate) fn into_vec(self) -> Vec<ConfigIssue> {
        self.0
    }

    /// `Ok` when nothing was recorded.
    pub fn finish(self, file: &str) -> Result<(), ConfigError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ConfigError {
                file: file.to_owned(),
                issues: self.0,
            })
        }
    }
}

impl Config {
    /// Reads and parses `path` (syntax and types only; see [`Config::validate`]).
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let file = path.display().to_string();
        Self::parse(&read_file(path)?, &file)
    }

    /// Reads `path` as far as it can ([`Config::load`] without stopping at a type
    /// error): the problems of its syntax and types, and the configuration of what
    /// remains once the entries at fault are set aside (`None` after a syntax error), so
    /// that the rest can be validated in the same run.
    pub fn load_partly(path: &Path) -> Result<(Option<Self>, Vec<ConfigIssue>), ConfigError> {
        Ok(reading::read(&read_file(path)?))
    }

    /// Parses TOML `text`; `file` names it in errors, which list every problem found.
    pub fn parse(text: &str, file: &str) -> Result<Self, ConfigError> {
        reading::parse(text, file)
    }

    /// Checks everything that types alone cannot: addresses, URLs, grants, references to
    /// partners and operations the `adapters` provide, credential sources.
    pub fn validate(&self, file: &str, adapters: &[&dyn Adapter]) -> Result<(), ConfigError> {
        let mut issues = Issues::default();
        self.validate_server(&mut issues);
        self.validate_clients(&mut issues, adapters);
        self.validate_partners(&mut issues, adapters);
        self.audit.validate(&mut issues);
        issues.finish(file)
    }

    fn validate_server(&self, issues: &mut Issues) {
        if self.province_code.len() != 2 || !self.province_code.bytes().all(|b| b.is_ascii_digit())
        {
            issues.add(
                "province_code",
                format!("`{}` is not a two-digit province code", self.province_code),
                "use the province's code, e.g. \"82\" for Tiền Giang",
            );
        }
        let s = &self.server;
        if s.listen == s.admin_listen && s.listen.port() != 0 {
            issues.add(
                "server.admin_listen",
                format!("is the same address as server.listen ({})", s.listen),
                "give the admin listener its own port, e.g. 127.0.0.1:9090",
            );
        }
        if !(1024..=64 * 1024 * 1024).contains(&s.max_body_bytes) {
            issues.add(
                "server.max_body_bytes",
                format!("{} is outside 1024..=67108864", s.max_body_bytes),
                "use a size such as 262144 (256 KiB)",
            );
        }
        if let Some(hash) = &s.admin_token_sha256
            && (hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            issues.add(
                "server.admin_token_sha256",
                "is not 64 hexadecimal characters",
                "use the output of: printf %s TOKEN | sha256sum",
            );
        }
        if s.admin_token_env.is_some() && s.admin_token_sha256.is_some() {
            issues.add(
                "server.admin_token_sha256",
                "both admin_token_env and admin_token_sha256 are set",
                "keep one",
            );
        }
        let has_token = s.admin_token_env.is_some() || s.admin_token_sha256.is_some();
        if !s.admin_listen.ip().is_loopback() && !has_token {
            issues.add(
                "server.admin_token_env",
                format!("the admin listener ({}) is not on a loopback address but has no token", s.admin_listen),
                "name an environment variable holding a long random token, or bind admin_listen to 127.0.0.1",
            );
        }
        if s.header_read_timeout.is_zero() {
            issues.add(
                "server.header_read_timeout",
                "is zero",
                "use a duration such as \"10s\"",
            );
        }
        transport::validate(s, issues);
        if let Some(url) = &self.storage.url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            issues.add(
                "storage.url",
                "is not a postgres:// URL",
                "give a PostgreSQL URL, or remove the key to use SQLite in storage.data_dir",
            );
        }
        traffic::validate_shared(&self.cache, &self.redis, issues);
        applications::validate(&self.applications, &self.storage, issues);
        self.webhooks.validate(issues);
        if !(1..=200).contains(&self.storage.max_connections) {
            issues.add(
                "storage.max_connections",
                "is outside 1..=200",
                "use a number such as 10",
            );
        }
        let t = &self.telemetry;
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

    fn validate_clients(&self, issues: &mut Issues, adapters: &[&dyn Adapter]) {
        let mut seen = std::collections::HashSet::new();
        for (i, client) in self.clients.iter().enumerate() {
            let key = format!("clients[{i}]");
            if client.id.trim().is_empty() {
                issues.add(
                    format!("{key}.id"),
                    "is empty",
                    "name the application, e.g. \"one-stop-shop\"",
                );
            } else if !seen.insert(client.id.as_str()) {
                issues.add(
                    format!("{key}.id"),
                    format!("`{}` is used twice", client.id),
                    "give every client its own id",
                );
            }
            let sources = [
                client.api_key.is_some(),
                client.api_key_sha256.is_some(),
                client.api_key_env.is_some(),
            ];
            if sources.iter().filter(|s| **s).count() != 1 {
                issues.add(
                    format!("{key}.api_key_sha256"),
                    "exactly one of api_key, api_key_sha256, api_key_env must be set",
                    "store the key's hex SHA-256 in api_key_sha256 (printf %s KEY | sha256sum)",
                );
            }
            if let Some(hash) = &client.api_key_sha256
                && (hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()))
            {
                issues.add(
                    format!("{key}.api_key_sha256"),
                    "is not 64 hexadecimal characters",
                    "use the output of: printf %s KEY | sha256sum",
                );
            }
            if client.webhook_secret.is_some() && client.webhook_secret_env.is_some() {
                issues.add(
                    format!("{key}.webhook_secret"),
                    "both webhook_secret and webhook_secret_env are set",
                    "keep only webhook_secret_env",
                );
            }
            callbacks::validate_client(client, &key, issues);
            if let Some(api_key) = &client.api_key
                && api_key.len() < 8
            {
                issues.add(
                    format!("{key}.api_key"),
                    "is shorter than 8 characters",
                    "use a long random key",
                );
            }
            for (j, grant) in client.allow.iter().enumerate() {
                if let Err(problem) = check_grant(grant, adapters) {
                    issues.add(
                        format!("{key}.allow[{j}]"),
                        problem,
                        "use \"*\", a partner name, or \"partner/operationId\" (see GET /v1/services)",
                    );
                }
            }
        }
        keys::refuse_shared_in_file(&self.clients, issues);
    }

    fn validate_partners(&self, issues: &mut Issues, adapters: &[&dyn Adapter]) {
        for (name, partner) in &self.partners {
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
            traffic::validate_partner(&key, partner, self.redis.url.is_some(), issues);
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

fn check_grant(grant: &str, adapters: &[&dyn Adapter]) -> Result<(), String> {
    if grant == "*" {
        return Ok(());
    }
    let (partner, op) = match grant.split_once('/') {
        Some((p, o)) => (p, Some(o)),
        None => (grant, None),
    };
    let adapter = adapters
        .iter()
        .find(|a| a.partner() == partner)
        .ok_or_else(|| format!("`{partner}` is not a known partner"))?;
    match op {
        Some(op) if !adapter.operations().iter().any(|o| o.id == op) => {
            Err(format!("`{op}` is not an operation of {partner}"))
        }
        _ => Ok(()),
    }
}

fn is_http_url(s: &str) -> bool {
    match s.parse::<http::Uri>() {
        Ok(uri) => {
            matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.host().is_some_and(|h| !h.is_empty())
                && uri.query().is_none()
        }
        Err(_) => false,
    }
}

/// The text of the file at `path`.
fn read_file(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: path.display().to_string(),
        issues: vec![ConfigIssue {
            key: "(file)".into(),
            problem: format!("cannot be read: {e}"),
            fix: "check the path given to --config and the file's permissions".into(),
        }],
    })
}

/// The keys of the issues validation finds in TOML `text` (no adapters known).
#[cfg(test)]
pub(crate) fn refused_keys(text: &str) -> Vec<String> {
    let config = Config::parse(text, "bus.toml").expect("the test's TOML parses");
    match config.validate("bus.toml", &[]) {
        Ok(()) => Vec::new(),
        Err(err) => err.issues.into_iter().map(|i| i.key).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_named_with_their_section() {
        let text = "[server]\nlisten = \"127.0.0.1:1\"\nlistn = 3\n";
        let err = Config::parse(text, "bus.toml").unwrap_err();
        assert_eq!(err.issues[0].key, "server.listn (line 3)");
        assert!(
            err.to_string()
                .starts_with("bus.toml: server.listn (line 3): unknown field")
        );
    }

    #[test]
    fn defaults_are_loopback_and_bounded() {
        let config = Config::parse("", "x").unwrap();
        assert_eq!(config.server.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.server.admin_listen.to_string(), "127.0.0.1:9090");
        assert!(config.clients.is_empty());
    }

    #[test]
    fn validation_reports_every_issue() {
        let text = r#"
            [server]
            listen = "127.0.0.1:9000"
            admin_listen = "127.0.0.1:9000"
            [[clients]]
            id = "a"
            api_key_sha256 = "nothex"
            allow = ["nowhere"]
            [partners.nowhere]
            base_url = "ftp://x"
            consumer_code = "H82"
        "#;
        assert_eq!(
            refused_keys(text),
            [
                "server.admin_listen",
                "clients[0].api_key_sha256",
                "clients[0].allow[0]",
                "partners.nowhere"
            ]
        );
    }
}
