//! End-to-end: the answer cache. Concurrent misses share one partner call that belongs
//! to no single caller: each caller waits under its own deadline, and a call nobody
//! waits for any more is dropped.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use lienthong_adapter_kit::sim::Latency;

const ENTERPRISE: &str = "/v1/enterprises/1200123459";

/// The value of `series` in the metrics text (0 when absent).
fn metric(text: &str, series: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(series))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

fn slow(t: &common::TestBus, ms: u64) {
    t.sim("business-registry").set_latency(Latency {
        median_ms: ms,
        p99_ms: ms,
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_deadline_of_one_caller_does_not_fail_the_others() {
    let t = common::start().await;
    slow(&t, 1500);
    let impatient = t.send(
        http::Method::GET,
        ENTERPRISE,
        &[("request-timeout", "1")],
        "",
    );
    let patient = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        t.get(ENTERPRISE).await
    };
    let (impatient, patient) = tokio::join!(impatient, patient);
    impatient.problem(504, "partner-timeout");
    let found = patient.expect(200);
    assert_eq!(found["enterprise_code"], "1200123459");
    assert_eq!(t.sim("business-registry").stats().requests, 1);
    // The shared call filled the cache.
    assert_eq!(t.get(ENTERPRISE).await.header("x-cache"), "hit");
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_nobody_waits_for_is_dropped() {
    let t = common::start().await;
    slow(&t, 3000);
    let gone = t
        .send(
            http::Method::GET,
            ENTERPRISE,
            &[("request-timeout", "0.5")],
            "",
        )
        .await;
    gone.problem(504, "partner-timeout");
    let text = String::from_utf8(t.admin("/metrics").await.body.to_vec()).unwrap();
    assert!(text.contains("lienthong_cache_flights "), "{text}");
    assert_eq!(metric(&text, "lienthong_cache_flights "), 0.0);
    t.stop().await;
}

/// The machine's Redis (scripts/test starts it), or `LIENTHONG_TEST_REDIS_URL`.
fn redis_url() -> String {
    std::env::var("LIENTHONG_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A bus sharing answers through Redis under a prefix of its own, keyed by the secret in
/// `key_file`.
async fn shared_bus(prefix: &str, key_file: &std::path::Path) -> common::TestBus {
    let (prefix, key_file) = (prefix.to_owned(), key_file.to_owned());
    common::start_with(move |c| {
        c.redis.url = Some(redis_url());
        c.redis.key_prefix = prefix;
        c.cache.shared = true;
        c.cache.key_file = Some(key_file);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_entries_are_keyed_by_the_secret_and_forgeries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("cache.key");
    std::fs::write(&key_file, "0123456789abcdef0123456789abcdef\n").unwrap();
    let prefix = format!("lienthong-test-{}", uuid::Uuid::new_v4().simple());
    let t = shared_bus(&prefix, &key_file).await;
    t.get(ENTERPRISE).await.expect(200);

    let client = redis::Client::open(redis_url()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}:cache:*"))
        .query_async(&mut redis)
        .await
        .unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let key = &keys[0];
    // Not the plain SHA-256 of the adapter's key (a dictionary of enterprise codes would
    // reverse that).
    let adapters = lienthong::partners::adapters();
    let registry = adapters
        .iter()
        .find(|a| a.partner() == "business-registry")
        .unwrap();
    let op = lienthong_adapter_kit::testkit::operation(registry.as_ref(), "getEnterprise");
    let input = lienthong_adapter_kit::testkit::TestRequest::param("enterprise_code", "1200123459")
        .validate(registry.as_ref(), op)
        .unwrap();
    let plain = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(
            registry.cache_key(op, &input).as_bytes(),
        ))
    };
    assert!(key.starts_with(&format!("{prefix}:cache:business-registry:getEnterprise:")));
    assert!(!key.ends_with(&plain), "{key} is the unkeyed digest");
    let stored: String = redis::cmd("GET")
        .arg(key)
        .query_async(&mut redis)
        .await
        .unwrap();

    // Whoever can write to Redis, but has not the secret, cannot plant an answer.
    let forged_body = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        br#"{"enterprise_code":"1200123459","name":{"vi":"Forged"}}"#,
    );
    let far = 4_102_444_800_000_i64;
    let forged = serde_json::json!({
        "found": forged_body, "links": null, "not_found": null,
        "stored_at": 0, "fresh_until": far, "stale_until": far,
    })
    .to_string();
    // The genuine entry's seal (`v1.<mac>.`) over another payload.
    let seal: String = stored
        .splitn(3, '.')
        .take(2)
        .map(|p| format!("{p}."))
        .collect();
    let tampered = format!("{seal}{forged}");
    for planted in [forged, tampered] {
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg(&planted)
            .query_async(&mut redis)
            .await
            .unwrap();
        let other_dir = tempfile::tempdir().unwrap();
        let other = t.another(other_dir.path()).await;
        let url = format!("http://{}{ENTERPRISE}", other.api_addr());
        let auth = [("authorization", format!("ApiKey {}", common::KEY))];
        let answer = t.raw(http::Method::GET, &url, &auth, "").await;
        let record = answer.expect(200);
        assert_ne!(record["name"]["vi"], "Forged", "a forged entry was served");
        assert_eq!(answer.header("x-cache"), "miss");
        let metrics = t
            .raw(
                http::Method::GET,
                &format!("http://{}/metrics", other.admin_addr()),
                &[],
                "",
            )
            .await;
        let text = String::from_utf8(metrics.body.to_vec()).unwrap();
        assert_eq!(
            metric(&text, "lienthong_cache_shared_refused_total "),
            1.0,
            "{text}"
        );
        other.shutdown().await;
    }
    t.stop().await;
}
