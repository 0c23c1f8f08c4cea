//! Readiness: the configuration is loaded, the audit log can be written and the bus is
//! not in maintenance. Partners are probed too (a TCP connection to each), with results
//! kept 2 s when fine and 30 s when failing so a dead partner is not hammered; a partner
//! being down is reported but does not make the bus unready — the others still serve.
//! The audit check is kept 2 s either way.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::gateway::Gateway;

const FINE_FOR: Duration = Duration::from_secs(2);
const FAILING_FOR: Duration = Duration::from_secs(30);
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// The result of one probe.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Check {
    pub(crate) ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    #[serde(skip)]
    at: Option<Instant>,
}

impl Check {
    fn fresh(&self, failing_for: Duration) -> bool {
        let keep = if self.ok { FINE_FOR } else { failing_for };
        self.at.is_some_and(|at| at.elapsed() < keep)
    }

    fn from(result: Result<(), String>) -> Self {
        Self {
            ok: result.is_ok(),
            error: result.err(),
            at: Some(Instant::now()),
        }
    }
}

/// Maintenance mode and the probe cache of a bus instance.
#[derive(Default)]
pub(crate) struct Health {
    maintenance: AtomicBool,
    checks: Mutex<HashMap<String, Check>>,
}

/// The readiness report.
#[derive(Debug, Serialize)]
pub(crate) struct Readiness {
    pub(crate) ready: bool,
    pub(crate) maintenance: bool,
    pub(crate) audit: Check,
    pub(crate) partners: HashMap<String, Check>,
}

impl Health {
    /// Turns maintenance mode on or off.
    pub(crate) fn set_maintenance(&self, on: bool) {
        self.maintenance.store(on, Ordering::Relaxed);
        tracing::warn!(on, "maintenance mode");
    }

    /// Runs (or reuses) the checks.
    pub(crate) async fn readiness(&self, gateway: &Gateway) -> Readiness {
        let audit = self
            .cached("audit", FINE_FOR, || audit_writable(gateway))
            .await;
        let mut partners = HashMap::new();
        for partner in &gateway.partners {
            let url = partner.config.base_url.clone();
            let key = format!("partner:{}", partner.name);
            let check = self.cached(&key, FAILING_FOR, || probe(url)).await;
            partners.insert(partner.name.to_owned(), check);
        }
        let maintenance = self.maintenance.load(Ordering::Relaxed);
        Readiness {
            ready: !maintenance && audit.ok,
            maintenance,
            audit,
            partners,
        }
    }

    /// The check `key`, run again when older than 2 s (or `failing_for` when it failed).
    async fn cached<F, Fut>(&self, key: &str, failing_for: Duration, run: F) -> Check
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        let known = self
            .checks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .filter(|c| c.fresh(failing_for))
            .cloned();
        if let Some(check) = known {
            return check;
        }
        let check = Check::from(run().await);
        self.checks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key.to_owned(), check.clone());
        check
    }
}

/// The audit writer's last commit went through, and a write to the log's head succeeds.
async fn audit_writable(gateway: &Gateway) -> Result<(), String> {
    if !gateway.shared.audit.stats.writable.load(Ordering::Relaxed) {
        return Err("the last audit commit failed".into());
    }
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&gateway.shared.store.pool)
        .await
        .map(|_| ())
        .map_err(|e| format!("the audit log cannot be written: {e}"))
}

/// A TCP connection to the partner's host and port.
async fn probe(base_url: String) -> Result<(), String> {
    let uri: http::Uri = base_url.parse().map_err(|e| format!("{e}"))?;
    let host = uri
        .host()
        .ok_or("no host")?
        .trim_matches(|c| c == '[' || c == ']')
        .to_owned();
    let port = uri
        .port_u16()
        .unwrap_or(if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        });
    match tokio::time::timeout(
        PROBE_TIMEOUT,
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("{host}:{port}: {e}")),
        Err(_) => Err(format!(
            "{host}:{port}: no connection within {} s",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}
