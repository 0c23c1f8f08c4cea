//! Hot reload: the configuration file is read again, validated in full, and only then
//! swapped in atomically. Requests in flight finish on the configuration they started
//! with; no connection is dropped; partners whose configuration did not change keep their
//! connection pools, quotas and breakers. An invalid file is refused with its reasons and
//! the running configuration keeps serving.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;
use bytes::Bytes;

use crate::config::{Config, ConfigError};
use crate::pipeline::gateway::{Gateway, Shared};
use lienthong_adapter_kit::adapter::Adapter;

/// Why a reload did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The bus runs on a configuration built in code (the demo).
    #[error("this bus was started without a configuration file; there is nothing to reload")]
    NoFile,
    /// The new configuration is invalid; the running one keeps serving.
    #[error("{0}")]
    Invalid(#[from] ConfigError),
}

/// Everything needed to build a new gateway.
pub(crate) struct Reloader {
    pub(crate) path: Option<PathBuf>,
    pub(crate) adapters: Vec<Arc<dyn Adapter>>,
    pub(crate) openapi: Bytes,
    pub(crate) shared: Arc<Shared>,
    pub(crate) gateway: Arc<ArcSwap<Gateway>>,
    pub(crate) current: Mutex<Config>,
}

impl Reloader {
    /// Reads, validates and swaps in the configuration file. Returns the changes that
    /// only a restart applies.
    pub(crate) fn reload(&self) -> Result<Vec<String>, ReloadError> {
        let path = self.path.as_ref().ok_or(ReloadError::NoFile)?;
        let config = Config::load(path)?;
        let previous = self.gateway.load_full();
        let gateway = Gateway::build(
            &config,
            &path.display().to_string(),
            &self.adapters,
            self.openapi.clone(),
            self.shared.clone(),
            Some(&previous),
        )?;
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let pending = restart_needed(&current, &config);
        self.gateway.store(Arc::new(gateway));
        *current = config;
        tracing::info!(file = %path.display(), restart_needed = ?pending, "configuration reloaded");
        Ok(pending)
    }
}

/// Sections whose changes a running bus cannot apply.
fn restart_needed(old: &Config, new: &Config) -> Vec<String> {
    let mut pending = Vec::new();
    let s = (&old.server, &new.server);
    let listeners = s.0.listen != s.1.listen
        || s.0.admin_listen != s.1.admin_listen
        || s.0.tls != s.1.tls
        || s.0.admin_connection_limits() != s.1.admin_connection_limits()
        || s.0.connection_limits() != s.1.connection_limits()
        || (s.0.auth_failure_rate, s.0.auth_failure_burst)
            != (s.1.auth_failure_rate, s.1.auth_failure_burst)
        || s.0.shutdown_grace != s.1.shutdown_grace
        || s.0.admin_token_env != s.1.admin_token_env
        || s.0.admin_token_sha256 != s.1.admin_token_sha256;
    for (changed, section) in [
        (
            listeners,
            "server (listeners, TLS, connection limits, admin token)",
        ),
        (old.storage != new.storage, "storage"),
        (old.cache != new.cache, "cache"),
        (old.redis != new.redis, "redis"),
        (old.audit != new.audit, "audit"),
        (old.applications != new.applications, "applications"),
        (old.telemetry != new.telemetry, "telemetry"),
    ] {
        if changed {
            pending.push(format!("[{section}] changed: takes effect after a restart"));
        }
    }
    pending
}
