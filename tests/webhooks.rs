//! End-to-end: webhooks cannot be turned against the bus or its network (no plain http or
//! non-public address unless the operator lists the host, names resolved and checked at
//! each attempt, redirects not followed, never the bus's own listeners); they are signed
//! as the Standard Webhooks specification says; a failing one is retried up to a horizon,
//! then dead-lettered without holding back the later ones, listed and replayed through
//! the admin API; delivered bodies are deleted from the store. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, Method};
use lienthong_core::config::Config;
use serde_json::{Value, json};
use sha2::Sha256;

use common::{Recorder, TestBus};

const PATH: &str = "/v1/criminal-record-applications";
/// A client secret in the specification's serialisation (32 random bytes).
const SECRET: &str = "whsec_C2rbmPn7Yt4dzPZ0MqWkzr8XwLoWRx6ZcB2K3t2a8Kk=";

/// Application `n` (its own dossier and citizen id) with `callback_url`.
fn application(n: usize, callback_url: &str) -> Value {
    let mut body: Value = serde_json::from_str(include_str!(
        "../adapters/judicial-records/fixtures/application.json"
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

async fn submit(t: &TestBus, n: usize, callback_url: &str) -> common::Answer {
    let headers = [
        ("idempotency-key", format!("webhooks-{n}")),
        ("content-type", "application/json".into()),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = application(n, callback_url).to_string();
    t.send(Method::POST, PATH, &headers, &body).await
}

/// The demo client may call back to 127.0.0.1 (over http).
fn allow_loopback(c: &mut Config) {
    c.clients[0].webhook_hosts = vec!["127.0.0.1".into()];
}

/// Deliveries give up after two seconds, retrying at most every 200 ms.
fn short_retries(c: &mut Config) {
    c.webhooks.retry_horizon = Duration::from_secs(2);
    c.webhooks.max_retry_wait = Duration::from_millis(200);
}

async fn dead_letters(t: &TestBus) -> Vec<Value> {
    let doc = t.admin("/admin/webhooks/dead-letters").await.expect(200);
    doc["dead_letters"].as_array().unwrap().clone()
}

/// Waits for a dead letter of application `id` and returns it.
async fn dead_letter_of(t: &TestBus, id: &Value) -> Value {
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

async fn store(config: &Config) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = config.storage.url.clone().unwrap_or_else(|| {
        let file = config.storage.data_dir.join("lienthong.db");
        format!("sqlite://{}", file.display())
    });
    sqlx::AnyPool::connect(&url).await.unwrap()
}

/// Verifies a delivery as the Standard Webhooks libraries do: the key is the base64
/// after `whsec_`; one of the space-separated `v1,` signatures must be the base64
/// HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}`.
fn verify(secret: &str, id: &str, timestamp: &str, body: &[u8], signatures: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .unwrap();
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let expected = STANDARD.encode(mac.finalize().into_bytes());
    signatures
        .split(' ')
        .any(|s| s.split_once(',') == Some(("v1", expected.as_str())))
}

/// The status `GET /v1/services` gets with the key of the client only the file knows.
async fn sentinel(t: &TestBus) -> u16 {
    let url = format!("http://{}/v1/services", t.api());
    let headers = [("authorization", "ApiKey sentinel-key-123".to_owned())];
    t.raw(Method::GET, &url, &headers, "").await.status.as_u16()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).unwrap().to_str().unwrap()
}

#[tokio::test]
async fn plain_http_and_literal_non_public_addresses_are_refused_at_submission() {
    let t = common::start_with(|c| c.webhooks.timeout = Duration::from_millis(500)).await;
    // Each refusal names the field and says why and how to fix it.
    let refused = [
        ("http://hooks.example.invalid/cb", "must use https"),
        ("https://127.0.0.1/cb", "a loopback address"),
        ("https://10.0.0.5/cb", "a private address"),
        ("https://172.20.1.1/cb", "a private address"),
        ("https://192.168.1.10/cb", "a private address"),
        (
            "https://169.254.169.254/latest/meta-data/",
            "a link-local address",
        ),
        ("https://100.64.0.1/cb", "carrier-grade NAT"),
        ("https://0.0.0.0/cb", "never reach"),
        ("https://224.0.0.1/cb", "never reach"),
        ("https://[::1]/cb", "a loopback address"),
        (
            "https://[::ffff:127.0.0.1]/cb",
            "127.0.0.1, a loopback address",
        ),
        ("https://[fd00::1]/cb", "a private address"),
        ("https://[fe80::1]/cb", "a link-local address"),
        ("https://2130706433/cb", "usual notation"),
    ];
    for (n, (url, why)) in refused.iter().enumerate() {
        let doc = submit(&t, n, url).await.problem(400, "invalid-input");
        assert_eq!(common::error_fields(&doc), ["/callback_url"], "{url}");
        let detail = doc["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains(why), "{url}: {detail}");
        let listable = !why.contains("never") && !why.contains("notation");
        assert_eq!(
            detail.contains("webhook_hosts"),
            listable,
            "{url}: {detail}"
        );
    }
    submit(&t, 91, "https://hooks.example.invalid/cb")
        .await
        .expect(202);
    t.stop().await;

    let t = common::start_with(|c| {
        c.webhooks.timeout = Duration::from_millis(500);
        c.clients[0].webhook_hosts = vec!["hooks.example.invalid".into(), "10.0.0.5:8443".into()];
    })
    .await;
    submit(&t, 92, "http://hooks.example.invalid/cb")
        .await
        .expect(202);
    submit(&t, 93, "http://10.0.0.5:8443/cb").await.expect(202);
    submit(&t, 94, "http://10.0.0.5:8444/cb")
        .await
        .problem(400, "invalid-input");
    t.stop().await;
}

#[tokio::test]
async fn a_name_resolving_to_loopback_is_refused_at_delivery_unless_listed() {
    let hooks = Recorder::start().await;
    let t = common::start_with(short_retries).await;
    let url = format!("https://localhost:{}/hook", hooks.port());
    let accepted = submit(&t, 1, &url).await.expect(202);
    let letter = dead_letter_of(&t, &accepted["id"]).await;
    let error = letter["last_error"].as_str().unwrap();
    assert!(error.contains("loopback"), "{error}");
    assert_eq!(letter["url_host"], "localhost");
    assert_eq!(hooks.connections(), 0, "a connection reached the receiver");
    t.stop().await;

    let t = common::start_with(|c| c.clients[0].webhook_hosts = vec!["localhost".into()]).await;
    let url = format!("http://localhost:{}/hook", hooks.port());
    submit(&t, 2, &url).await.expect(202);
    hooks
        .wait_for(Duration::from_secs(30), |doc| doc["status"] == "issued")
        .await;
    t.stop().await;
}

#[tokio::test]
async fn callbacks_never_reach_the_bus_itself() {
    let sims = common::simulators().await;
    let lltp = sims
        .iter()
        .find(|s| s.partner() == "judicial-records")
        .unwrap()
        .base_url();
    let t = common::start_from_file(sims, |data| {
        format!(
            r#"
[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
[storage]
data_dir = "{}"
[webhooks]
retry_horizon = "1s"
max_retry_wait = "100ms"
[[clients]]
id = "demo"
api_key = "{}"
allow = ["*"]
webhook_secret = "{SECRET}"
webhook_hosts = ["127.0.0.1", "localhost"]
[partners.judicial-records]
base_url = "{lltp}"
consumer_code = "H82"
poll_interval = "50ms"
"#,
            data.display(),
            common::KEY
        )
    })
    .await;
    // A client only the file on disk knows: its key works once the bus has reloaded.
    let file = t.config_file.clone().unwrap();
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(
        "[[clients]]\nid = \"sentinel\"\napi_key = \"sentinel-key-123\"\nallow = [\"*\"]\n",
    );
    std::fs::write(&file, text).unwrap();

    let admin = t.bus.admin_addr().port();
    let api = t.bus.api_addr().port();
    let targets = [
        format!("http://127.0.0.1:{admin}/admin/reload"),
        format!("http://localhost:{admin}/admin/reload"),
        format!("http://127.0.0.1:{api}/v1/services"),
    ];
    for (n, url) in targets.iter().enumerate() {
        let accepted = submit(&t, 10 + n, url).await.expect(202);
        let letter = dead_letter_of(&t, &accepted["id"]).await;
        let error = letter["last_error"].as_str().unwrap();
        assert!(error.contains("listener of this bus"), "{url}: {error}");
    }
    assert_eq!(sentinel(&t).await, 401, "a callback made the bus reload");

    // The observation works: a reload asked for by an operator does let the sentinel in.
    let reload = format!("http://{}/admin/reload", t.bus.admin_addr());
    assert_eq!(t.raw(Method::POST, &reload, &[], "").await.status, 200);
    assert_eq!(sentinel(&t).await, 200);
    t.stop().await;
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let elsewhere = Recorder::start().await;
    let hooks = Recorder::start().await;
    *hooks.redirect_to.lock().unwrap() = Some(format!("{}/stolen", elsewhere.url));
    let t = common::start_with(|c| {
        allow_loopback(c);
        short_retries(c);
    })
    .await;
    let accepted = submit(&t, 1, &format!("{}/hook", hooks.url))
        .await
        .expect(202);
    let letter = dead_letter_of(&t, &accepted["id"]).await;
    let error = letter["last_error"].as_str().unwrap();
    assert!(error.contains("302"), "{error}");
    assert!(hooks.requests().iter().all(|r| r.answered == 302));
    assert!(!hooks.requests().is_empty());
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
    t.stop().await;
}

#[test]
fn the_verifier_agrees_with_the_reference_libraries() {
    // The "sign function works" vector of the Standard Webhooks reference libraries.
    assert!(verify(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265330",
        br#"{"test": 2432232314}"#,
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    ));
    assert!(!verify(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265331",
        br#"{"test": 2432232314}"#,
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    ));
}

#[tokio::test]
async fn deliveries_carry_standard_webhooks_signatures() {
    let hooks = Recorder::start().await;
    hooks
        .fail_next
        .store(2, std::sync::atomic::Ordering::SeqCst);
    let t = common::start_with(|c| {
        allow_loopback(c);
        c.clients[0].webhook_secret = Some(SECRET.into());
    })
    .await;
    let accepted = submit(&t, 1, &format!("{}/hook", hooks.url))
        .await
        .expect(202);
    hooks
        .wait_for(Duration::from_secs(30), |doc| doc["status"] == "issued")
        .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let requests = hooks.requests();
    for r in &requests {
        let (id, timestamp) = (
            header(&r.headers, "webhook-id"),
            header(&r.headers, "webhook-timestamp"),
        );
        let signatures = header(&r.headers, "webhook-signature");
        assert!(
            verify(SECRET, id, timestamp, &r.body, signatures),
            "{signatures}"
        );
        let mut tampered = r.body.to_vec();
        tampered.push(b' ');
        assert!(!verify(SECRET, id, timestamp, &tampered, signatures));
        let age = now - timestamp.parse::<i64>().unwrap();
        assert!(
            (0..300).contains(&age),
            "the timestamp is the attempt's: {age} s old"
        );
        assert!(!id.contains('.'));
    }
    // The two failed attempts and the first success are one delivery: one webhook-id.
    let ids: Vec<&str> = requests
        .iter()
        .map(|r| header(&r.headers, "webhook-id"))
        .collect();
    assert_eq!(requests[0].answered, 500);
    assert!(ids[..3].iter().all(|id| *id == ids[0]), "{ids:?}");
    let mut distinct = ids[2..].to_vec();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        ids.len() - 2,
        "one id per status change: {ids:?}"
    );
    common::assert_webhooks_in_order(&hooks.accepted_json(), &accepted["id"]);
    t.stop().await;
}

async fn dead_letters_are_replayed_and_hold_nothing_back(
    adjust: Box<dyn FnOnce(&mut Config) + Send>,
) {
    let hooks = Recorder::start().await;
    *hooks.fail_status.lock().unwrap() = Some("submitted".into());
    let t = common::start_with(|c| {
        adjust(c);
        allow_loopback(c);
        short_retries(c);
    })
    .await;
    let accepted = submit(&t, 1, &format!("{}/hook", hooks.url))
        .await
        .expect(202);
    let id = accepted["id"].clone();

    // The receiver refuses the first status change for longer than the horizon; the later
    // ones still arrive, in order.
    hooks
        .wait_for(Duration::from_secs(30), |doc| doc["status"] == "issued")
        .await;
    let received = hooks.accepted_json();
    let versions: Vec<i64> = received
        .iter()
        .map(|d| d["version"].as_i64().unwrap())
        .collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    assert!(
        received
            .iter()
            .all(|d| d["id"] == id && d["status"] != "submitted")
    );
    let letter = dead_letter_of(&t, &id).await;
    assert_eq!(dead_letters(&t).await.len(), 1);
    assert_eq!(letter["version"].as_i64().unwrap(), versions[0] - 1);
    assert_eq!(letter["client"], "demo");
    assert_eq!(letter["url_host"], "127.0.0.1");
    assert!(letter["attempts"].as_i64().unwrap() >= 2, "{letter}");
    assert!(
        letter["last_error"].as_str().unwrap().contains("HTTP 500"),
        "{letter}"
    );
    assert!(
        letter.get("body").is_none() && letter.get("url").is_none(),
        "{letter}"
    );
    let metrics = String::from_utf8(t.admin("/metrics").await.body.to_vec()).unwrap();
    assert!(
        metrics.contains("lienthong_webhook_dead_letters 1"),
        "{metrics}"
    );

    // Delivered bodies are gone from the store; the dead letter keeps its own for a replay.
    let db = store(&t.config).await;
    let bodies: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM webhook_deliveries WHERE application_id = $1 AND delivered_at IS NOT NULL",
    )
    .bind(id.as_str().unwrap())
    .fetch_all(&db)
    .await
    .unwrap();
    assert_eq!(bodies.len(), received.len());
    assert!(bodies.iter().all(String::is_empty), "{bodies:?}");
    let kept: String = sqlx::query_scalar("SELECT body FROM webhook_dead_letters WHERE id = $1")
        .bind(letter["id"].as_str().unwrap())
        .fetch_one(&db)
        .await
        .unwrap();
    assert!(kept.contains("\"submitted\""), "{kept}");

    // Dead letters survive a restart and are replayed through the admin API.
    let t = t.restart().await;
    assert_eq!(dead_letters(&t).await.len(), 1);
    *hooks.fail_status.lock().unwrap() = None;
    let replay = format!("/admin/webhooks/{}/replay", letter["id"].as_str().unwrap());
    let answer = t.admin_post(&replay, &json!({})).await.expect(202);
    assert_eq!(answer["status"], "queued");
    hooks
        .wait_for(Duration::from_secs(30), |doc| doc["status"] == "submitted")
        .await;
    assert!(dead_letters(&t).await.is_empty());
    let replayed: Vec<_> = hooks
        .requests()
        .into_iter()
        .filter(|r| r.body.windows(11).any(|w| w == b"\"submitted\""))
        .collect();
    assert!(
        replayed
            .iter()
            .all(|r| header(&r.headers, "webhook-id") == letter["id"])
    );
    t.admin_post(&replay, &json!({}))
        .await
        .problem(409, "webhook-delivery-not-dead");
    t.admin_post(
        &format!("/admin/webhooks/{}/replay", "0".repeat(32)),
        &json!({}),
    )
    .await
    .problem(404, "no-such-webhook-delivery");
    let emptied: String = sqlx::query_scalar("SELECT body FROM webhook_deliveries WHERE id = $1")
        .bind(letter["id"].as_str().unwrap())
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(emptied, "", "the replayed body is deleted once delivered");
    db.close().await;
    t.stop().await;
}

#[tokio::test]
async fn dead_letters_are_replayed_and_hold_nothing_back_on_sqlite() {
    dead_letters_are_replayed_and_hold_nothing_back(Box::new(|_| {})).await;
}

#[tokio::test]
async fn dead_letters_are_replayed_and_hold_nothing_back_on_postgres() {
    let url = common::postgres_url().await;
    dead_letters_are_replayed_and_hold_nothing_back(Box::new(move |c| c.storage.url = Some(url)))
        .await;
}

#[tokio::test]
async fn dead_letters_are_deleted_after_their_retention() {
    let hooks = Recorder::start().await;
    hooks
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let t = common::start_with(|c| {
        allow_loopback(c);
        short_retries(c);
        c.webhooks.dead_letter_retention = Duration::from_secs(1);
    })
    .await;
    let accepted = submit(&t, 1, &format!("{}/hook", hooks.url))
        .await
        .expect(202);
    let letter = dead_letter_of(&t, &accepted["id"]).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while dead_letters(&t)
        .await
        .iter()
        .any(|l| l["id"] == letter["id"])
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the dead letter was kept"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let replay = format!("/admin/webhooks/{}/replay", letter["id"].as_str().unwrap());
    t.admin_post(&replay, &json!({}))
        .await
        .problem(404, "no-such-webhook-delivery");
    t.stop().await;
}

#[tokio::test]
async fn bad_dead_letter_queries_are_refused() {
    let t = common::start().await;
    for query in ["limit=0", "limit=abc", "limit=1001", "body=1"] {
        t.admin(&format!("/admin/webhooks/dead-letters?{query}"))
            .await
            .problem(400, "invalid-webhook-query");
    }
    t.admin_post("/admin/webhooks/not-an-id/replay", &json!({}))
        .await
        .problem(404, "no-such-webhook-delivery");
    t.stop().await;
}
