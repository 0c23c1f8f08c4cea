//! End-to-end traffic control across instances, through Redis: two bus instances share
//! one partner quota (the partner never throttles and never sees more than its quota per
//! second window), share cached answers, and keep serving on the local fallback when a
//! Redis dies mid-run — or refuse, when configured to.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use lienthong_adapter_business_registry::RegistrySimulator;
use lienthong_core::Config;
use lienthong_core::config::{LimiterKind, Rate, StoreFailure};
use tokio::process::{Child, Command};

const REGISTRY: &str = "business-registry";

/// The machine's Redis (scripts/test starts it), or `LIENTHONG_TEST_REDIS_URL`.
fn redis_url() -> String {
    std::env::var("LIENTHONG_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Points the bus at `url` with a key prefix no other test uses, and puts the registry's
/// quota (`rate`, `burst`) in Redis.
fn shared_quota(c: &mut Config, url: &str, rate: &str, burst: u32) {
    c.redis.url = Some(url.to_owned());
    c.redis.key_prefix = format!("lienthong-test-{}", uuid::Uuid::new_v4().simple());
    let partner = c.partners.get_mut(REGISTRY).unwrap();
    partner.rate = Some(rate.parse::<Rate>().unwrap());
    partner.burst = burst;
    partner.limiter = LimiterKind::Redis;
    partner.max_wait = Duration::from_secs(2);
    partner.max_concurrency = 256;
}

/// Paths of many different enterprises, so every request is a partner call.
fn enterprise_paths() -> Vec<String> {
    RegistrySimulator::new()
        .enterprise_codes()
        .map(|c| format!("/v1/enterprises/{c}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_never_exceed_the_partner_quota() {
    // The partner allows 20 calls per consumer per second; the bus keeps to 10/s with a
    // burst of 5, so calls leave at most 15 in any second. The rest of the partner's
    // allowance absorbs calls that the network (here: a loaded machine) delays after
    // their slot and delivers bunched; two instances counting apart would send 30.
    let t = common::start_with(|c| shared_quota(c, &redis_url(), "10/s", 5)).await;
    t.sim(REGISTRY).set_quota(Some(20));
    let dir = tempfile::tempdir().unwrap();
    let other = t.another(dir.path()).await;
    let apis = [t.api(), other.api_addr()];
    let paths = Arc::new(enterprise_paths());
    let next = Arc::new(AtomicU64::new(0));
    let ok = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let mut workers = Vec::new();
    for worker in 0..24 {
        let (paths, next, ok, stop, client) = (
            paths.clone(),
            next.clone(),
            ok.clone(),
            stop.clone(),
            client.clone(),
        );
        let api = apis[worker % 2];
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let i = next.fetch_add(1, Ordering::Relaxed) as usize % paths.len();
                let request = common::authorized_get(format!("http://{api}{}", paths[i]));
                if let Ok(response) = client.request(request).await {
                    if response.status().is_success() {
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    let _ = http_body_util::BodyExt::collect(response.into_body()).await;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.unwrap();
    }
    let stats = t.sim(REGISTRY).stats();
    assert_eq!(
        stats.throttled, 0,
        "the partner never had to throttle: {stats:?}"
    );
    assert!(
        stats.max_per_second <= 20,
        "at most quota + burst per window: {stats:?}"
    );
    // The quota was used, not starved: about 10/s over 10 s.
    assert!(
        ok.load(Ordering::Relaxed) >= 70,
        "{} answers",
        ok.load(Ordering::Relaxed)
    );
    other.shutdown().await;
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_share_cached_answers() {
    let secret = tempfile::tempdir().unwrap();
    let key_file = secret.path().join("cache.key");
    std::fs::write(&key_file, "a cache secret of 32 bytes or more").unwrap();
    let t = common::start_with(|c| {
        c.redis.url = Some(redis_url());
        c.redis.key_prefix = format!("lienthong-test-{}", uuid::Uuid::new_v4().simple());
        c.cache.shared = true;
        c.cache.key_file = Some(key_file);
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let other = t.another(dir.path()).await;
    t.get("/v1/enterprises/1200123459").await.expect(200);
    let url = format!("http://{}/v1/enterprises/1200123459", other.api_addr());
    let from_other = t
        .raw(
            http::Method::GET,
            &url,
            &[("authorization", format!("ApiKey {}", common::KEY))],
            "",
        )
        .await;
    assert_eq!(
        (from_other.status.as_u16(), from_other.header("x-cache")),
        (200, "hit")
    );
    assert_eq!(
        t.sim(REGISTRY).stats().requests,
        1,
        "the second instance used the shared answer"
    );
    other.shutdown().await;
    t.stop().await;
}

/// A Redis of this test's own on a free port, killed when dropped.
async fn own_redis() -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("redis-server is required (scripts/test installs it)");
    let url = format!("redis://127.0.0.1:{port}");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return (child, url);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("redis-server did not start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_keep_flowing_when_redis_dies() {
    let (mut redis, url) = own_redis().await;
    let t = common::start_with(|c| {
        shared_quota(c, &url, "50/s", 10);
        let partner = c.partners.get_mut(REGISTRY).unwrap();
        partner.on_store_failure = StoreFailure::Local;
        partner.expected_instances = 2;
    })
    .await;
    let paths = enterprise_paths();
    for path in &paths[..10] {
        t.get(path).await.expect(200);
    }
    let partners = t.admin("/admin/partners").await.json();
    assert_eq!(
        partners["partners"][0]["limiter_store_failures"], 0,
        "Redis counted the quota"
    );

    redis.start_kill().unwrap();
    redis.wait().await.unwrap();
    for path in &paths[10..40] {
        t.get(path).await.expect(200);
    }
    let partners = t.admin("/admin/partners").await.json();
    assert!(
        partners["partners"][0]["limiter_store_failures"]
            .as_u64()
            .unwrap()
            >= 30,
        "{partners}"
    );
    t.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deny_policy_refuses_while_the_store_is_down() {
    let (mut redis, url) = own_redis().await;
    redis.start_kill().unwrap();
    redis.wait().await.unwrap();
    let t = common::start_with(|c| {
        shared_quota(c, &url, "50/s", 10);
        c.partners.get_mut(REGISTRY).unwrap().on_store_failure = StoreFailure::Deny;
    })
    .await;
    let a = t.get("/v1/enterprises/1200123459").await;
    a.problem(503, "rate-limit-unavailable");
    assert_eq!(t.sim(REGISTRY).stats().requests, 0);
    t.stop().await;
}
