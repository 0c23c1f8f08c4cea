//! Readiness: the configuration is loaded, the audit log can be written and the bus is
//! not in maintenance. Partners are probed too (a TCP connection to each), with results
//! kept 2 s when fine and 30 s when failing so a dead partner is not hammered; a partner
//! being down is reported but does not make the bus unready — the others still serve.
//! The audit check is kept 2 s either way. Checks run one at a time: concurrent callers
//! wait for the check under way and share its result, so a burst of probes from load
//! balancers causes one probe per partner, not one per caller.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::pipeline::gateway::Gateway;

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
    /// Held while a check runs.
    probing: tokio::sync::Mutex<()>,
}

/// The readiness report.
#[derive(Debug, Serialize)]
pub(crate) struct Readiness {
    /// `ready` or `not_ready`: all that callers without the admin token learn.
    pub(crate) status: &'static str,
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
        let ready = !maintenance && audit.ok;
        Readiness {
            status: if ready { "ready" } else { "not_ready" },
            ready,
            maintenance,
            audit,
            partners,
        }
    }

    /// The result of check `key` while it is fresh.
    fn known(&self, key: &str, failing_for: Duration) -> Option<Check> {
        self.checks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(key)
            .filter(|c| c.fresh(failing_for))
            .cloned()
    }

    /// The check `key`, run again when older than 2 s (or `failing_for` when it failed),
    /// by one caller at a time; those who waited take its result.
    async fn cached<F, Fut>(&self, key: &str, failing_for: Duration, run: F) -> Check
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(), String>>,
    {
        if let Some(check) = self.known(key, failing_for) {
            return check;
        }
        let _probing = self.probing.lock().await;
        if let Some(check) = self.known(key, failing_for) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_checks_share_one_probe() {
        let health = Arc::new(Health::default());
        let probes = Arc::new(AtomicUsize::new(0));
        let callers: Vec<_> = (0..50)
            .map(|_| {
                let (health, probes) = (health.clone(), probes.clone());
                tokio::spawn(async move {
                    health
                        .cached("partner:p", FAILING_FOR, || async move {
                            probes.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            Ok(())
                        })
                        .await
                })
            })
            .collect();
        for caller in callers {
            assert!(caller.await.unwrap().ok);
        }
        assert_eq!(probes.load(Ordering::SeqCst), 1);
    }
}
