//! Webhook deliveries: each status change of an application with a `callback_url` is
//! POSTed there, signed as the Standard Webhooks specification defines (see
//! `signing`). Deliveries are rows committed with the status change, so a restart loses
//! none; per application they leave in version order.
//!
//! A callback may reach only what the client's policy allows (see `hosts`): checked at
//! submission as far as the URL shows, and again at every attempt on the addresses its
//! host resolves to then, which are the ones connected to (see `send`). A failing
//! delivery is retried with jittered exponential backoff until `[webhooks] retry_horizon`
//! after it was queued, then becomes a dead letter that no longer holds back the later
//! deliveries of its application; operators list and replay dead letters through the
//! admin API. A delivered body is deleted; a dead letter is kept for
//! `dead_letter_retention`.

mod address;
mod hosts;
mod queue;
mod send;
pub(crate) mod settings;
mod signing;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, header};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

pub use address::AddressClass;
use hosts::AllowedHost;
pub use hosts::Refusal;
pub use queue::ReplayError;
pub(crate) use queue::{dead_letter_count, dead_letters, replay};
pub use signing::{signature, standard_signature};

use crate::applications::in_force::InForce;
use crate::call::backoff;
use crate::clients::Client;
use crate::infra::store::{Store, now_ms};
use queue::Delivery;
use send::{Destination, Failure};
pub(crate) use settings::Settings;

/// Standard Webhooks: the delivery's id, the same on every attempt (receivers drop
/// duplicates by it).
pub const ID_HEADER: &str = "webhook-id";
/// Standard Webhooks: the Unix time (seconds) of this attempt.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// Standard Webhooks: `v1,<base64 HMAC-SHA256>` of `{id}.{timestamp}.{body}`.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// Deprecated: `sha256=<hex HMAC-SHA256 of the body>`; use [`SIGNATURE_HEADER`].
pub const LEGACY_SIGNATURE_HEADER: &str = "x-lienthong-signature";
/// Deprecated: the delivery id; use [`ID_HEADER`].
pub const DELIVERY_HEADER: &str = "x-lienthong-delivery";

const BATCH: i64 = 32;
/// How long a claim lasts; longer than the longest attempt (`timeout` is at most 60 s).
const LEASE: Duration = Duration::from_secs(120);
/// Wait before the first retry (never more than `max_retry_wait`).
const FIRST_RETRY: Duration = Duration::from_secs(1);
const IDLE: Duration = Duration::from_millis(500);
const USER_AGENT: &str = concat!("lienthong/", env!("CARGO_PKG_VERSION"));

/// Checks a `callback_url` at submission against the client's `webhook_hosts`.
pub(crate) fn check_callback(url: &str, allowed: &[AllowedHost]) -> Result<(), Refusal> {
    hosts::check(url, allowed).map(|_| ())
}

/// Runs the deliverer until `stop` turns true; callbacks never reach `own_listeners`.
pub(crate) fn spawn(
    store: Store,
    in_force: Arc<dyn InForce>,
    own_listeners: Vec<SocketAddr>,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let own: Arc<[SocketAddr]> = own_listeners.into();
    tokio::spawn(async move {
        loop {
            let settings = in_force.webhooks();
            let now = now_ms();
            let cutoff = now.saturating_sub(millis(settings.dead_letter_retention));
            if let Err(error) = queue::forget_dead_before(&store, cutoff).await {
                tracing::warn!(%error, "cannot delete expired webhook dead letters");
            }
            let due = match queue::claim(&store, now, millis(LEASE), BATCH).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::warn!(%error, "webhook deliverer cannot read its queue");
                    Vec::new()
                }
            };
            let full = due.len() as i64 == BATCH;
            let mut work = JoinSet::new();
            for delivery in due {
                let client = in_force.client(&delivery.client);
                let (store, settings, own) = (store.clone(), settings.clone(), own.clone());
                work.spawn(async move {
                    let outcome = attempt(client.as_deref(), &settings, &own, &delivery).await;
                    let next = next_step(&settings, &delivery, now_ms(), outcome);
                    if let Err(error) = record(&store, &delivery, next).await {
                        tracing::warn!(%error, "cannot record a webhook delivery; it will be retried");
                    }
                });
            }
            while work.join_next().await.is_some() {}
            if !full {
                tokio::select! {
                    _ = tokio::time::sleep(IDLE) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
            }
        }
    })
}

/// One attempt of `delivery` to `client` (as configured now) under `settings`.
async fn attempt(
    client: Option<&Client>,
    settings: &Settings,
    own: &[SocketAddr],
    delivery: &Delivery,
) -> Result<(), Failure> {
    let client =
        client.ok_or_else(|| Failure::Other("the client is no longer configured".into()))?;
    let key = client.webhook_secret.as_deref().ok_or_else(|| {
        Failure::Other("the client has no webhook secret configured any more".into())
    })?;
    let body = Bytes::from(delivery.body.clone());
    let timestamp = now_ms() / 1000;
    let header = |value: String| {
        HeaderValue::try_from(value).map_err(|e| Failure::Other(format!("bad header: {e}")))
    };
    let mut headers = HeaderMap::new();
    let fields: [(HeaderName, HeaderValue); 7] = [
        (
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ),
        (header::USER_AGENT, HeaderValue::from_static(USER_AGENT)),
        (
            HeaderName::from_static(ID_HEADER),
            header(delivery.id.clone())?,
        ),
        (
            HeaderName::from_static(TIMESTAMP_HEADER),
            header(timestamp.to_string())?,
        ),
        (
            HeaderName::from_static(SIGNATURE_HEADER),
            header(standard_signature(key, &delivery.id, timestamp, &body))?,
        ),
        (
            HeaderName::from_static(LEGACY_SIGNATURE_HEADER),
            header(signature(key, &body))?,
        ),
        (
            HeaderName::from_static(DELIVERY_HEADER),
            header(delivery.id.clone())?,
        ),
    ];
    headers.extend(fields);
    headers.insert(
        "x-lienthong-event",
        HeaderValue::from_static("status_changed"),
    );
    let destination = Destination {
        url: &delivery.url,
        allowed: &client.webhook_hosts,
        own_listeners: own,
        tls: &settings.tls,
    };
    let timeout = settings.timeout;
    tokio::time::timeout(timeout, send::post(&destination, headers, body))
        .await
        .map_err(|_| Failure::Other(format!("no answer within {timeout:?}")))?
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    Delivered,
    RetryAt { at: i64, error: String },
    Dead { error: String },
}

/// Delivered on success; a dead letter when the receiver is gone or the retry horizon
/// has passed; else the next attempt after jittered backoff, never later than the horizon.
fn next_step(
    settings: &Settings,
    delivery: &Delivery,
    now: i64,
    outcome: Result<(), Failure>,
) -> Next {
    let error = match outcome {
        Ok(()) => return Next::Delivered,
        Err(failure @ Failure::Gone) => {
            return Next::Dead {
                error: failure.to_string(),
            };
        }
        Err(failure) => failure.to_string(),
    };
    let horizon = delivery
        .created_at
        .saturating_add(millis(settings.retry_horizon));
    if now >= horizon {
        return Next::Dead { error };
    }
    let attempt = u32::try_from(delivery.attempts).unwrap_or(u32::MAX);
    let base = FIRST_RETRY.min(settings.max_retry_wait);
    let wait = backoff::jittered(attempt, base, settings.max_retry_wait);
    Next::RetryAt {
        at: now.saturating_add(millis(wait)).min(horizon),
        error,
    }
}

async fn record(store: &Store, delivery: &Delivery, next: Next) -> Result<(), sqlx::Error> {
    match next {
        Next::Delivered => queue::delivered(store, delivery, now_ms()).await,
        Next::RetryAt { at, error } => {
            tracing::info!(delivery = %delivery.id, %error, attempt = delivery.attempts, "webhook delivery will be retried");
            queue::retry_at(store, delivery, at, &error).await
        }
        Next::Dead { error } => {
            tracing::warn!(delivery = %delivery.id, %error, attempts = delivery.attempts, "webhook delivery moved to the dead letters");
            queue::dead_letter(store, delivery, now_ms(), &error).await
        }
    }
}

/// `duration` in whole milliseconds, saturating.
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WebhooksConfig;

    fn settings() -> Settings {
        let config = WebhooksConfig {
            max_retry_wait: Duration::from_secs(60),
            retry_horizon: Duration::from_secs(3600),
            ..WebhooksConfig::default()
        };
        Settings::from_config(&config).unwrap()
    }

    fn delivery(attempts: i64) -> Delivery {
        Delivery {
            id: "d".into(),
            client: "c".into(),
            url: "https://hooks.example.gov.vn/".into(),
            body: "{}".into(),
            attempts,
            lease_until: 0,
            created_at: 1_000_000,
        }
    }

    fn failed() -> Result<(), Failure> {
        Err(Failure::Other("the receiver answered HTTP 500".into()))
    }

    #[test]
    fn failures_back_off_within_the_cap_and_never_past_the_horizon() {
        let s = settings();
        let created = 1_000_000;
        let Next::RetryAt { at, .. } = next_step(&s, &delivery(1), created, failed()) else {
            panic!("the first failure is retried");
        };
        assert!((created + 500..=created + 1000).contains(&at), "{at}");
        let late = created + 3_599_000;
        let Next::RetryAt { at, .. } = next_step(&s, &delivery(30), late, failed()) else {
            panic!("retried until the horizon");
        };
        assert_eq!(at, created + 3_600_000, "capped at the horizon");
        let Next::RetryAt { at, .. } = next_step(&s, &delivery(30), created, failed()) else {
            panic!("retried");
        };
        assert!(at <= created + 60_000, "capped at max_retry_wait: {at}");
    }

    #[test]
    fn past_the_horizon_or_gone_is_a_dead_letter_and_success_is_delivered() {
        let s = settings();
        let horizon = 1_000_000 + 3_600_000;
        assert!(matches!(
            next_step(&s, &delivery(9), horizon, failed()),
            Next::Dead { .. }
        ));
        assert!(matches!(
            next_step(&s, &delivery(1), 1_000_001, Err(Failure::Gone)),
            Next::Dead { .. }
        ));
        assert_eq!(
            next_step(&s, &delivery(9), horizon + 5, Ok(())),
            Next::Delivered
        );
    }
}
