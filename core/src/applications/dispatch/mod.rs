//! The dispatcher: delivers stored applications to their partner and follows them until
//! a final state. Work is claimed from the store with a lease in the name of this
//! instance, so it survives crashes and can be shared by several instances on one
//! PostgreSQL; at start-up an instance releases the leases it held before, so what it had
//! in flight when it stopped or died is taken up again at once.
//!
//! Every submission and poll goes through the partner's policies like a lookup (quota,
//! bulkhead, breaker, the partner's own pauses; see [`crate::call`]) and is audited under
//! the application's dossier. Transient failures (`03`, throttling, 5xx, timeouts) are
//! retried on a durable schedule with jittered exponential backoff; submissions repeat
//! the same content so the partner's idempotency makes delivery exactly once. On
//! shutdown the dispatcher stops claiming, and steps still in flight when the grace
//! period ends are abandoned to the next start of this instance.

mod outcome;
mod step;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::applications::in_force::InForce;
use crate::applications::{Outbox, repo};
use crate::audit::Audit;
use crate::infra::store::now_ms;
use crate::metrics::Metrics;
use step::Services;

/// Applications claimed per round.
const BATCH: i64 = 32;
/// How long a claim lasts before another worker may take the application over.
const LEASE: Duration = Duration::from_secs(120);
/// Longest sleep between looks at the queue when nothing is due.
const IDLE: Duration = Duration::from_secs(1);

/// Who runs the dispatcher, and how long its steps may go on after a stop.
pub(crate) struct Dispatcher {
    pub(crate) outbox: Arc<Outbox>,
    /// The partners as configured now.
    pub(crate) in_force: Arc<dyn InForce>,
    pub(crate) audit: Arc<Audit>,
    pub(crate) metrics: Arc<Metrics>,
    /// The instance's identity, in whose name leases are held.
    pub(crate) instance: String,
    /// How long steps in flight may take to finish once `stop` turns true.
    pub(crate) grace: Duration,
}

/// Runs the dispatcher until `stop` turns true.
pub(crate) fn spawn(dispatcher: Dispatcher, mut stop: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let Dispatcher {
            outbox,
            in_force,
            audit,
            metrics,
            instance,
            grace,
        } = dispatcher;
        let services = Arc::new(Services {
            outbox: outbox.clone(),
            audit,
            metrics,
        });
        match repo::reclaim(&outbox.store, &instance).await {
            Ok(0) => {}
            Ok(released) => tracing::info!(
                released,
                instance,
                "applications this instance had in flight are due again"
            ),
            Err(error) => tracing::warn!(%error, "cannot release this instance's old leases"),
        }
        let lease_ms = i64::try_from(LEASE.as_millis()).unwrap_or(i64::MAX);
        while !*stop.borrow() {
            let claimed = match repo::claim_due(&outbox.store, &instance, BATCH, lease_ms).await {
                Ok(claimed) => claimed,
                Err(error) => {
                    tracing::warn!(%error, "dispatcher cannot read the outbox");
                    Vec::new()
                }
            };
            let full = i64::try_from(claimed.len()).is_ok_and(|n| n == BATCH);
            let mut work = JoinSet::new();
            for app in claimed {
                let (services, partner) = (services.clone(), in_force.partner(&app.partner));
                work.spawn(async move { step::advance(&services, partner, app).await });
            }
            let stopped = tokio::select! {
                () = drain(&mut work) => false,
                _ = stop.wait_for(|s| *s) => true,
            };
            if stopped {
                finish_within(grace, work).await;
                return;
            }
            if full {
                continue;
            }
            let pause = match repo::next_due(&outbox.store).await {
                Ok(Some(due)) => {
                    let idle = i64::try_from(IDLE.as_millis()).unwrap_or(i64::MAX);
                    let wait = due.saturating_sub(now_ms()).clamp(0, idle);
                    Duration::from_millis(u64::try_from(wait).unwrap_or(0))
                }
                _ => IDLE,
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = outbox.wake.notified() => {}
                _ = stop.wait_for(|s| *s) => {}
            }
        }
    })
}

/// Waits for every step of `work` to end.
async fn drain(work: &mut JoinSet<()>) {
    while work.join_next().await.is_some() {}
}

/// Lets the steps in flight end within `grace`, then abandons the rest: their leases stay
/// with this instance, which takes them up again when it starts.
async fn finish_within(grace: Duration, mut work: JoinSet<()>) {
    if tokio::time::timeout(grace, drain(&mut work)).await.is_err() {
        tracing::warn!(
            abandoned = work.len(),
            "application steps still in flight at the end of the grace period were abandoned; \
             they are taken up again when this instance starts"
        );
        work.shutdown().await;
    }
}
