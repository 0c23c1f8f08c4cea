//! Configuration of traffic control: partner quotas, the cache, resilience and Redis.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use super::issues::Issues;

/// A quota: `count` calls per `per` (written `"20/s"`, `"600/min"`, `"5000/h"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Calls allowed per period.
    pub count: u32,
    /// The period.
    pub per: Duration,
}

impl Rate {
    /// Time between two calls at the steady rate.
    pub fn interval(&self) -> Duration {
        self.per / self.count.max(1)
    }
}

impl FromStr for Rate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (count, unit) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not of the form N/s, N/min or N/h"))?;
        let count: u32 = count
            .trim()
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("`{s}`: the count must be a positive whole number"))?;
        let per = match unit.trim() {
            "s" | "sec" | "second" => Duration::from_secs(1),
            "min" | "minute" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            other => return Err(format!("`{s}`: unknown period `{other}` (use s, min or h)")),
        };
        Ok(Self { count, per })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.per.as_secs() {
            60 => "min",
            3600 => "h",
            _ => "s",
        };
        write!(f, "{}/{unit}", self.count)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Where a partner's quota is counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LimiterKind {
    /// In this process (one instance).
    #[default]
    Local,
    /// In Redis, shared by every instance of the deployment.
    Redis,
}

/// What to do when the shared limiter's store cannot be reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreFailure {
    /// Count locally at quota ÷ `expected_instances`.
    #[default]
    Local,
    /// Refuse calls (503) until the store is back.
    Deny,
}

/// Circuit breaker of one partner.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BreakerConfig {
    /// Share of failed calls in the window that opens the breaker (0–1).
    pub failure_ratio: f64,
    /// Length of the sliding window.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// Calls needed in the window before the ratio counts.
    pub min_calls: u32,
    /// How long the breaker stays open before probing.
    #[serde(with = "humantime_serde")]
    pub open_for: Duration,
    /// Probe calls let through while half-open; all must succeed to close.
    pub half_open_probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_ratio: 0.5,
            window: Duration::from_secs(10),
            min_calls: 10,
            open_for: Duration::from_secs(5),
            half_open_probes: 2,
        }
    }
}

/// The answer cache.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    /// Memory the cache may use, in bytes (keys and answers).
    pub max_bytes: u64,
    /// Also keep answers in Redis, shared by every instance (`[redis]` needed, and the
    /// cache secret: `key_env` or `key_file`).
    pub shared: bool,
    /// Environment variable holding the cache secret (at least 32 bytes, the same on every
    /// instance): cache keys are keyed digests under it and entries shared through Redis
    /// carry a MAC under it. Without `key_env` and `key_file`, each process draws its own.
    pub key_env: Option<String>,
    /// File holding the cache secret (e.g. a container secret), instead of `key_env`.
    pub key_file: Option<std::path::PathBuf>,
}

impl Default for CacheConfig {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024 * 1024,
            shared: false,
            key_env: None,
            key_file: None,
        }
    }
}

/// Redis, for cluster-wide quotas and the shared cache tier.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisConfig {
    /// `redis://host:port/db`.
    pub url: Option<String>,
    /// Longest wait for one Redis call before the fallback applies.
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    /// Prefix of every key, so deployments sharing a Redis do not mix.
    pub key_prefix: String,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self {
            url: None,
            timeout: Duration::from_millis(50),
            key_prefix: "lienthong".into(),
        }
    }
}

/// Checks `[cache]` and `[redis]`.
pub(super) fn validate_shared(cache: &CacheConfig, redis: &RedisConfig, issues: &mut Issues) {
    if cache.max_bytes < 1024 * 1024 {
        issues.add(
            "cache.max_bytes",
            "is below 1 MiB",
            "use a size such as 67108864 (64 MiB)",
        );
    }
    if cache.shared && redis.url.is_none() {
        issues.add(
            "cache.shared",
            "needs [redis] url",
            "set [redis] url, or shared = false",
        );
    }
    match (&cache.key_env, &cache.key_file) {
        (None, None) if cache.shared => issues.add(
            "cache.key_env",
            "the shared tier needs a secret every instance shares, to key cache entries and authenticate them",
            "name an environment variable holding at least 32 random bytes, the same on every instance \
             (e.g. from `openssl rand -hex 32`), or give key_file",
        ),
        (Some(_), Some(_)) => issues.add(
            "cache.key_file",
            "both key_env and key_file are set",
            "keep one",
        ),
        (Some(name), None) if name.trim().is_empty() => issues.add(
            "cache.key_env",
            "is empty",
            "name the environment variable holding the cache secret",
        ),
        _ => {}
    }
    if let Some(url) = &redis.url
        && !(url.starts_with("redis://") || url.starts_with("rediss://"))
    {
        issues.add(
            "redis.url",
            "is not a redis:// URL",
            "use redis://host:6379/0",
        );
    }
    if redis.timeout.is_zero() || redis.timeout > Duration::from_secs(2) {
        issues.add(
            "redis.timeout",
            "is outside (0, 2s]",
            "use a short bound such as \"50ms\"",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_cache_needs_one_secret_source() {
        let redis = RedisConfig {
            url: Some("rediss://redis.example:6380/0".into()),
            ..RedisConfig::default()
        };
        let keys = |cache: &CacheConfig| {
            let mut issues = Issues::default();
            validate_shared(cache, &redis, &mut issues);
            issues
                .finish("bus.toml")
                .err()
                .map(|e| e.issues.into_iter().map(|i| i.key).collect::<Vec<_>>())
        };
        let mut cache = CacheConfig {
            shared: true,
            ..CacheConfig::default()
        };
        assert_eq!(keys(&cache), Some(vec!["cache.key_env".to_owned()]));
        cache.key_env = Some("LIENTHONG_CACHE_KEY".into());
        assert_eq!(keys(&cache), None);
        cache.key_file = Some("/run/secrets/cache".into());
        assert_eq!(keys(&cache), Some(vec!["cache.key_file".to_owned()]));
    }

    #[test]
    fn rates_parse_and_print() {
        let r: Rate = "20/s".parse().unwrap();
        assert_eq!(
            (r.count, r.per, r.interval()),
            (20, Duration::from_secs(1), Duration::from_millis(50))
        );
        assert_eq!("600/min".parse::<Rate>().unwrap().to_string(), "600/min");
        for bad in ["20", "0/s", "x/s", "5/day", "-1/s"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }
}
