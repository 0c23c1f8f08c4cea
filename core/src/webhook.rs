//! Webhook deliveries: each status change of an application with a `callback_url` is
//! POSTed there, signed with HMAC-SHA256 of the body under the submitting client's
//! webhook secret (`X-Lienthong-Signature: sha256=<hex>`), and retried with jittered
//! backoff until a 2xx. Deliveries are rows committed with the status change, so a
//! restart loses none; per application they leave in version order.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use bytes::Bytes;
use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderValue, Method, Request, header};
use http_body_util::{BodyExt, Full, Limited};
use sha2::Sha256;
use sqlx::{AssertSqlSafe, Row};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::backoff;
use crate::gateway::Gateway;
use crate::store::{Store, now_ms};
use crate::upstream::{HttpClient, error_chain, http_client};

/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-lienthong-signature";
/// Header carrying the delivery id (receivers use it to drop duplicates).
pub const DELIVERY_HEADER: &str = "x-lienthong-delivery";

const BATCH: i64 = 32;
const LEASE: Duration = Duration::from_secs(60);
const TIMEOUT: Duration = Duration::from_secs(10);
const MAX_BACKOFF: Duration = Duration::from_secs(15 * 60);
const IDLE: Duration = Duration::from_millis(500);

struct Delivery {
    id: String,
    client: String,
    url: String,
    body: String,
    attempts: i64,
    lease_until: i64,
}

/// `sha256=<hex>` of `body` under `secret`.
pub fn signature(secret: &[u8], body: &[u8]) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Runs the deliverer until `stop` turns true.
pub(crate) fn spawn(
    store: Store,
    gateway: Arc<ArcSwap<Gateway>>,
    mut stop: watch::Receiver<bool>,
) -> Result<JoinHandle<()>, String> {
    let client = Arc::new(http_client(None)?);
    Ok(tokio::spawn(async move {
        loop {
            let due = match claim(&store).await {
                Ok(due) => due,
                Err(error) => {
                    tracing::warn!(%error, "webhook deliverer cannot read its queue");
                    Vec::new()
                }
            };
            let full = due.len() as i64 == BATCH;
            let gateway = gateway.load_full();
            let mut work = JoinSet::new();
            for delivery in due {
                let (store, client, gateway) = (store.clone(), client.clone(), gateway.clone());
                work.spawn(async move {
                    let outcome = deliver(&client, &gateway, &delivery).await;
                    if let Err(error) = record(&store, &delivery, outcome).await {
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
    }))
}

async fn claim(store: &Store) -> Result<Vec<Delivery>, sqlx::Error> {
    let now = now_ms();
    let rows = sqlx::query(AssertSqlSafe(format!(
        "UPDATE webhook_deliveries SET lease_until = $1, attempts = attempts + 1
         WHERE id IN (SELECT d.id FROM webhook_deliveries d
                      WHERE d.delivered_at IS NULL AND d.next_attempt_at <= $2 AND d.lease_until <= $2
                        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                                        WHERE e.application_id = d.application_id
                                          AND e.delivered_at IS NULL AND e.version < d.version)
                      ORDER BY d.next_attempt_at LIMIT $3{})
         RETURNING id, client, url, body, attempts, lease_until",
        store.dialect.skip_locked()
    )))
    .bind(now + LEASE.as_millis() as i64)
    .bind(now)
    .bind(BATCH)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Delivery {
                id: row.try_get("id")?,
                client: row.try_get("client")?,
                url: row.try_get("url")?,
                body: row.try_get("body")?,
                attempts: row.try_get("attempts")?,
                lease_until: row.try_get("lease_until")?,
            })
        })
        .collect()
}

/// POSTs one delivery; `Ok` on a 2xx answer.
async fn deliver(
    client: &HttpClient,
    gateway: &Gateway,
    delivery: &Delivery,
) -> Result<(), String> {
    let secret = gateway
        .clients
        .by_id(&delivery.client)
        .and_then(|c| c.webhook_secret.clone())
        .ok_or("the client has no webhook secret configured any more")?;
    let body = Bytes::from(delivery.body.clone());
    let request = Request::builder()
        .method(Method::POST)
        .uri(&delivery.url)
        .header(header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature(&secret, &body))
        .header(
            DELIVERY_HEADER,
            HeaderValue::from_str(&delivery.id).map_err(|e| e.to_string())?,
        )
        .header("x-lienthong-event", "status_changed")
        .body(Full::new(body))
        .map_err(|e| format!("invalid callback request: {e}"))?;
    let exchange = async {
        let response = client.request(request).await.map_err(|e| error_chain(&e))?;
        let status = response.status();
        // Read (a bounded amount of) the answer so the connection can be reused.
        let _ = Limited::new(response.into_body(), 64 * 1024)
            .collect()
            .await;
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("callback answered HTTP {status}"))
        }
    };
    tokio::time::timeout(TIMEOUT, exchange)
        .await
        .map_err(|_| format!("no answer within {} s", TIMEOUT.as_secs()))?
}

async fn record(
    store: &Store,
    delivery: &Delivery,
    outcome: Result<(), String>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    let (delivered_at, next, error) = match outcome {
        Ok(()) => (Some(now), now, None),
        Err(error) => {
            let attempt = u32::try_from(delivery.attempts).unwrap_or(u32::MAX);
            let wait = backoff::jittered(attempt, Duration::from_secs(1), MAX_BACKOFF);
            tracing::info!(delivery = %delivery.id, %error, wait_ms = wait.as_millis() as u64, "webhook delivery will be retried");
            (None, now + wait.as_millis() as i64, Some(error))
        }
    };
    sqlx::query(
        "UPDATE webhook_deliveries SET delivered_at = $1, next_attempt_at = $2, last_error = $3,
            lease_until = 0
         WHERE id = $4 AND lease_until = $5",
    )
    .bind(delivered_at)
    .bind(next)
    .bind(error)
    .bind(&delivery.id)
    .bind(delivery.lease_until)
    .execute(&store.pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        let sig = signature(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
