//! Helpers of the webhook tests: applications with a callback, short retry settings, the
//! dead-letter listing and direct reads of the store.

use std::time::Duration;

use http::Method;
use lienthong_core::config::Config;
use serde_json::{Value, json};

use super::{Answer, TestBus};

const PATH: &str = "/v1/criminal-record-applications";
/// A client secret in the specification's serialisation (32 random bytes).
pub const SECRET: &str = "whsec_C2rbmPn7Yt4dzPZ0MqWkzr8XwLoWRx6ZcB2K3t2a8Kk=";

/// Application `n` (its own dossier and citizen id) with `callback_url`.
pub fn application(n: usize, callback_url: &str) -> Value {
    let mut body: Value = serde_json::from_str(include_str!(
        "../../adapters/judicial-records/fixtures/application.json"
    ))
    .unwrap();
    let fields = json!({
        "dossier_code": format!("000.00.82.H58-260301-{n:04}"),
        "citizen_id": format!("0820930{n:05}"),
        "callback_url": callback_url,
    });
    body.as_object_mut()
        .unwrap()
        .extend(fields.as_object().unwrap().clone());
    body
}

pub async fn submit(t: &TestBus, n: usize, callback_url: &str) -> Answer {
    let headers = [
        ("idempotency-key", format!("webhooks-{n}")),
        ("content-type", "application/json".into()),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = application(n, callback_url).to_string();
    t.send(Method::POST, PATH, &headers, &body).await
}

/// The demo client may call back to 127.0.0.1 (over http).
pub fn allow_loopback(c: &mut Config) {
    c.clients[0].webhook_hosts = vec!["127.0.0.1".into()];
}

/// Deliveries give up after two seconds, retrying at most every 200 ms.
pub fn short_retries(c: &mut Config) {
    c.webhooks.retry_horizon = Duration::from_secs(2);
    c.webhooks.max_retry_wait = Duration::from_millis(200);
}

pub async fn dead_letters(t: &TestBus) -> Vec<Value> {
    let doc = t.admin("/admin/webhooks/dead-letters").await.expect(200);
    doc["dead_letters"].as_array().unwrap().clone()
}

/// Waits for a dead letter of application `id` and returns it.
pub async fn dead_letter_of(t: &TestBus, id: &Value) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(letter) = dead_letters(t)
            .await
            .into_iter()
            .find(|l| l["application_id"] == *id)
        {
            return letter;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no dead letter for {id}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn store(config: &Config) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = config.storage.url.clone().unwrap_or_else(|| {
        let file = config.storage.data_dir.join("lienthong.db");
        format!("sqlite://{}", file.display())
    });
    sqlx::AnyPool::connect(&url).await.unwrap()
}
