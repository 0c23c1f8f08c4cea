//! Everything [`Bus::start`](super::Bus::start) refuses before it opens a socket or a
//! database: the configuration's own validation, then what the configuration names
//! outside itself — environment variables named by `*_env` keys, key, certificate and CA
//! files, the cache secret, the syntax of the Redis and PostgreSQL URLs. `lienthong
//! check` runs the same function, so it refuses exactly what `serve` would refuse before
//! binding, and reports every problem at once. Whether the store and Redis answer is
//! known only once they are connected to (at start, then on `/health/ready`).

use std::path::Path;
use std::sync::Arc;

use lienthong_adapter_kit::adapter::Adapter;

use crate::applications::webhook::settings::Settings;
use crate::audit::keys;
use crate::cache::CacheSecret;
use crate::call::partner;
use crate::clients::{self, Clients};
use crate::config::{Config, ConfigError, Issues, ServerConfig};
use crate::infra::{redis, store, tls};

/// How to fix a cache secret `CacheSecret::load` refuses.
pub(super) const CACHE_SECRET_FIX: &str = "give the same secret of at least 32 random bytes to every instance (e.g. from `openssl rand -hex 32`)";

/// Reads the configuration at `path` and checks it as [`preflight`] does, in one run:
/// the problems of its syntax and types, and those of everything that could be read.
pub fn load_checked(path: &Path, adapters: &[Arc<dyn Adapter>]) -> Result<Config, ConfigError> {
    let file = path.display().to_string();
    let (config, mut issues) = Config::load_partly(path)?;
    if let Some(config) = &config
        && let Err(error) = preflight(config, &file, adapters)
    {
        issues.extend(error.issues);
    }
    match config {
        Some(config) if issues.is_empty() => Ok(config),
        _ => Err(ConfigError { file, issues }),
    }
}

/// Checks `config` (read from `file`) against `adapters` and the environment, reporting
/// every problem found.
pub fn preflight(
    config: &Config,
    file: &str,
    adapters: &[Arc<dyn Adapter>],
) -> Result<(), ConfigError> {
    let env = |name: &str| std::env::var(name).ok();
    let mut issues = Issues::default();
    let refs: Vec<&dyn Adapter> = adapters.iter().map(|a| a.as_ref()).collect();
    if let Err(error) = config.validate(file, &refs) {
        issues.extend(error);
    }
    if let Err(problem) = admin_token(&config.server, &env) {
        issues.add_message(
            "server.admin_token_env",
            &problem,
            "export the variable before starting",
        );
    }
    if let Some(server_tls) = &config.server.tls
        && let Err(problem) = tls::server_config(server_tls)
    {
        issues.add(
            "server.tls",
            problem,
            "point cert_file and key_file at readable PEM files",
        );
    }
    Clients::from_config(&config.clients, &env, &mut issues);
    for adapter in adapters {
        let name = adapter.partner();
        if let Some(partner_config) = config.partners.get(name) {
            partner::credentials(name, partner_config, &env, &mut issues);
            partner::upstream(name, partner_config, &mut issues);
        }
    }
    if let Err(issue) = Settings::from_config(&config.webhooks) {
        issues.push(issue);
    }
    if let Err(problem) = CacheSecret::load(&config.cache, &env) {
        let key = match config.cache.key_env {
            Some(_) => "cache.key_env",
            None => "cache.key_file",
        };
        let problem = problem.trim_start_matches(&format!("{key}: "));
        issues.add(key, problem, CACHE_SECRET_FIX);
    }
    if let Some(url) = &config.redis.url
        && let Err(problem) = redis::client(url)
    {
        let problem = problem.trim_start_matches("redis.url: ");
        issues.add("redis.url", problem, "give it as redis://host:port/db");
    }
    if let Some(url) = &config.storage.url
        && let Err(problem) = store::check_postgres_url(url)
    {
        issues.add(
            "storage.url",
            format!("is not a usable PostgreSQL URL: {problem}"),
            "give it as postgres://user:password@host:5432/database",
        );
    }
    keys::check_files(&config.audit, &config.storage, &mut issues);
    issues.finish(file)
}

/// The digest of the admin bearer token: from the variable `admin_token_env` names, or
/// the configured hex digest; `None` when neither is configured.
pub(super) fn admin_token(
    server: &ServerConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<[u8; 32]>, String> {
    match (&server.admin_token_env, &server.admin_token_sha256) {
        (Some(var), _) => env(var)
            .filter(|t| !t.is_empty())
            .map(|token| Some(clients::digest(token.as_bytes())))
            .ok_or_else(|| format!("environment variable {var} is not set")),
        (None, Some(hash)) => {
            let mut digest = [0u8; 32];
            hex::decode_to_slice(hash, &mut digest)
                .map_err(|_| "server.admin_token_sha256 is not hex".to_owned())?;
            Ok(Some(digest))
        }
        (None, None) => Ok(None),
    }
}
