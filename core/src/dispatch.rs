//! The dispatcher: delivers stored applications to their partner and follows them until
//! a final state. Work is claimed from the store with a lease, so it survives crashes and
//! can be shared by several instances on one PostgreSQL. Transient failures (`03`,
//! throttling, 5xx, timeouts) are retried with jittered exponential backoff; submissions
//! repeat the same content so the partner's idempotency makes delivery exactly once.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use serde_json::{Map, Value, json};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tracing::Instrument;

use crate::adapter::{
    Applications, CallContext, FailureKind, Input, PartnerFailure, Progress, Submission,
};
use crate::applications::repo::{self, Application, Step};
use crate::applications::{Outbox, document_at};
use crate::backoff;
use crate::gateway::{Gateway, Partner};
use crate::store::now_ms;
use crate::upstream::UpstreamError;

/// Applications claimed per round.
const BATCH: i64 = 32;
/// How long a claim lasts before another worker may take the application over.
const LEASE: Duration = Duration::from_secs(120);
/// Longest wait between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Longest sleep between looks at the queue when nothing is due.
const IDLE: Duration = Duration::from_secs(1);

/// Runs the dispatcher until `stop` turns true.
pub(crate) fn spawn(
    outbox: Arc<Outbox>,
    gateway: Arc<ArcSwap<Gateway>>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let claimed =
                match repo::claim_due(&outbox.store, BATCH, LEASE.as_millis() as i64).await {
                    Ok(claimed) => claimed,
                    Err(error) => {
                        tracing::warn!(%error, "dispatcher cannot read the outbox");
                        Vec::new()
                    }
                };
            let full = claimed.len() as i64 == BATCH;
            let gateway = gateway.load_full();
            let mut work = JoinSet::new();
            for app in claimed {
                let outbox = outbox.clone();
                let gateway = gateway.clone();
                work.spawn(async move { advance(&outbox, &gateway, app).await });
            }
            while work.join_next().await.is_some() {}
            if full {
                continue;
            }
            let pause = match repo::next_due(&outbox.store).await {
                Ok(Some(due)) => {
                    Duration::from_millis((due - now_ms()).clamp(0, IDLE.as_millis() as i64) as u64)
                }
                _ => IDLE,
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = outbox.wake.notified() => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    })
}

/// One step for one application: submit it, or ask for its state.
async fn advance(outbox: &Outbox, gateway: &Gateway, app: Application) {
    let span = tracing::info_span!(
        "application step",
        otel.kind = "client",
        partner = %app.partner,
        application = %app.id,
        attempt = app.attempts,
        outcome = tracing::field::Empty,
    );
    async {
        let partner = gateway.partner(&app.partner);
        let started = Instant::now();
        let step = match partner {
            Some(partner) => {
                let step = step(partner, &app).await;
                let operation = partner.submit_policy().map_or("", |p| p.operation.id);
                let outcome = match (&step.last_error, step.active) {
                    (None, _) => "answered",
                    (Some(_), true) => "retry",
                    (Some(_), false) => "failed",
                };
                let metrics = &gateway.shared.metrics;
                metrics.partner_call(partner.name, operation, outcome, started.elapsed());
                step
            }
            None => retry(&app, "the partner is not configured on this instance", None),
        };
        tracing::Span::current().record("outcome", step.status.as_str());
        persist(outbox, &app, &step, partner).await;
    }
    .instrument(span)
    .await;
}

async fn persist(outbox: &Outbox, app: &Application, step: &Step, partner: Option<&Partner>) {
    let body = |version: i64, now: i64| {
        let mut doc = match partner {
            Some(p) => document_at(
                p.adapter.as_ref(),
                app,
                &step.status,
                step.partner_reference.as_deref(),
                &step.details,
                now,
            ),
            None => Map::new(),
        };
        doc.insert("event".into(), json!("status_changed"));
        doc.insert("version".into(), json!(version));
        Value::Object(doc).to_string()
    };
    match repo::apply(&outbox.store, app, step, body).await {
        Ok(true) => {}
        Ok(false) => tracing::info!("application taken over by another worker; step dropped"),
        Err(error) => {
            tracing::warn!(%error, "cannot record the application step; it will be retried")
        }
    }
}

async fn step(partner: &Partner, app: &Application) -> Step {
    let Some(hooks) = partner.adapter.applications() else {
        return failed(app, "the adapter has no application hooks".into());
    };
    let Some(policy) = partner.submit_policy() else {
        return failed(app, "the adapter declares no Submit operation".into());
    };
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let ctx = match partner.context(&request_id, app.dossier_code.as_deref()) {
        Ok(ctx) => ctx,
        Err(error) => return retry(app, &error, None),
    };
    let deadline = Instant::now() + policy.timeout;
    match &app.partner_reference {
        None => submit(partner, hooks, app, &ctx, deadline).await,
        Some(reference) => poll(partner, hooks, app, reference, &ctx, deadline).await,
    }
}

async fn submit(
    partner: &Partner,
    hooks: &dyn Applications,
    app: &Application,
    ctx: &CallContext<'_>,
    deadline: Instant,
) -> Step {
    let input = match serde_json::from_str(&app.input) {
        Ok(value) => Input::from_stored(value),
        Err(e) => return failed(app, format!("stored input is unreadable: {e}")),
    };
    let mut wire = match hooks.submit_request(&input, ctx) {
        Ok(wire) => wire,
        Err(e) => return failed(app, e.to_string()),
    };
    crate::telemetry::inject(&tracing::Span::current(), &mut wire.headers);
    match partner.upstream.send(wire, deadline).await {
        Err(e) => unreachable(app, &e),
        Ok(answer) => match hooks.submit_outcome(&answer) {
            Submission::Accepted { reference } => Step {
                status: "submitted".into(),
                partner_reference: Some(reference),
                details: app.details.clone(),
                active: true,
                next_attempt_at: now_ms(),
                last_error: None,
            },
            Submission::Refused { detail } => failed(app, detail),
            Submission::Failed(failure) => partner_failed(app, &failure),
        },
    }
}

async fn poll(
    partner: &Partner,
    hooks: &dyn Applications,
    app: &Application,
    reference: &str,
    ctx: &CallContext<'_>,
    deadline: Instant,
) -> Step {
    let mut wire = match hooks.status_request(reference, ctx) {
        Ok(wire) => wire,
        Err(e) => return failed(app, e.to_string()),
    };
    crate::telemetry::inject(&tracing::Span::current(), &mut wire.headers);
    match partner.upstream.send(wire, deadline).await {
        Err(e) => unreachable(app, &e),
        Ok(answer) => match hooks.status_outcome(&answer) {
            Progress::State(state) => Step {
                status: state.status.to_owned(),
                partner_reference: app.partner_reference.clone(),
                details: state.details,
                active: !state.is_final,
                next_attempt_at: now_ms() + partner.poll_interval.as_millis() as i64,
                last_error: None,
            },
            Progress::Unknown => retry(app, "the partner does not know this reference (yet)", None),
            Progress::Failed(failure) => partner_failed(app, &failure),
        },
    }
}

fn partner_failed(app: &Application, failure: &PartnerFailure) -> Step {
    match failure.kind {
        // Our request was malformed: repeating it cannot help.
        FailureKind::Rejected => failed(app, failure.detail.to_string()),
        FailureKind::Throttled { retry_after } | FailureKind::Unavailable { retry_after } => {
            retry(app, &failure.detail, retry_after)
        }
        FailureKind::Fault | FailureKind::Unauthorized | FailureKind::Malformed => {
            retry(app, &failure.detail, None)
        }
    }
}

fn unreachable(app: &Application, error: &UpstreamError) -> Step {
    match error {
        UpstreamError::Request(detail) => failed(app, detail.clone()),
        other => retry(app, &other.to_string(), None),
    }
}

/// Keeps the state, tries again after jittered exponential backoff (at least `at_least`).
fn retry(app: &Application, error: &str, at_least: Option<Duration>) -> Step {
    let attempt = u32::try_from(app.attempts).unwrap_or(u32::MAX);
    let wait = backoff::jittered(attempt, Duration::from_secs(1), MAX_BACKOFF)
        .max(at_least.unwrap_or_default());
    tracing::info!(
        error,
        wait_ms = wait.as_millis() as u64,
        "application step will be retried"
    );
    Step {
        status: app.status.clone(),
        partner_reference: app.partner_reference.clone(),
        details: app.details.clone(),
        active: true,
        next_attempt_at: now_ms() + wait.as_millis() as i64,
        last_error: Some(error.to_owned()),
    }
}

/// Ends the application as `failed` with `reason`.
fn failed(app: &Application, reason: String) -> Step {
    tracing::warn!(reason, "application failed");
    let mut details = app.details.clone();
    details.insert("failure_reason".into(), json!(reason));
    Step {
        status: "failed".into(),
        partner_reference: app.partner_reference.clone(),
        details,
        active: false,
        next_attempt_at: now_ms(),
        last_error: Some(reason),
    }
}
