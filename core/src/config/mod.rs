//! Configuration: typed serde structs with `deny_unknown_fields`, loaded from TOML and
//! validated at start-up, one module per section with its validation beside its types.
//! Every problem names the file, the key, what is wrong and how to fix it; all problems
//! are reported at once (see [`reading`] for the file's syntax and types).

use std::collections::BTreeMap;
use std::path::Path;

use lienthong_adapter_kit::adapter::Adapter;
use serde::Deserialize;

mod applications;
mod audit;
pub(crate) mod callbacks;
pub(crate) mod clients;
mod issues;
mod partners;
mod reading;
mod server;
mod storage;
mod telemetry;
mod traffic;
mod webhooks;

pub use applications::ApplicationsConfig;
pub use audit::{AuditConfig, AuditFailure};
pub use clients::ClientConfig;
pub use issues::{ConfigError, ConfigIssue, Issues};
pub use partners::{OperationOverride, PartnerConfig, PartnerTls};
pub use server::{ConnectionLimits, ServerConfig, ServerTls};
pub use storage::StorageConfig;
pub use telemetry::{LogFormat, TelemetryConfig};
pub use traffic::{BreakerConfig, CacheConfig, LimiterKind, Rate, RedisConfig, StoreFailure};
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
        if self.province_code.len() != 2 || !self.province_code.bytes().all(|b| b.is_ascii_digit())
        {
            issues.add(
                "province_code",
                format!("`{}` is not a two-digit province code", self.province_code),
                "use the province's code, e.g. \"82\" for Tiền Giang",
            );
        }
        self.server.validate(&mut issues);
        self.storage.validate(&mut issues);
        traffic::validate_shared(&self.cache, &self.redis, &mut issues);
        applications::validate(&self.applications, &self.storage, &mut issues);
        self.webhooks.validate(&mut issues);
        self.telemetry.validate(&mut issues);
        clients::validate(&self.clients, adapters, &mut issues);
        partners::validate(
            &self.partners,
            self.redis.url.is_some(),
            adapters,
            &mut issues,
        );
        self.audit.validate(&mut issues);
        issues.finish(file)
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
