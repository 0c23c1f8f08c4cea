//! End-to-end traffic control on one instance: single-flight caching, stale answers during
//! an outage, negative caching, purge, bypass rights, deadlines, retries within a budget,
//! the circuit breaker, the bulkhead, the local quota and a partner's own throttling.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use futures::future::join_all;
use http::{Method, StatusCode};
use lienthong_adapter_business_registry::RegistrySimulator;
use lienthong_adapter_kit::sim::{FaultKind, Latency};
use lienthong_core::config::{OperationOverride, Rate};
use serde_json::json;

const REGISTRY: &str = "business-registry";
const ENTERPRISE: &str = "/v1/enterprises/1200123459";

/// `n` enterprise codes the registry knows.
fn codes(n: usize) -> Vec<String> {
    RegistrySimulator::new()
        .enterprise_codes()
        .take(n)
        .map(str::to_owned)
        .collect()
}

fn registry_op(c: &mut lienthong_core::Config, over: OperationOverride) {
    c.partners
        .get_mut(REGISTRY)
        .unwrap()
        .operations
        .insert("getEnterprise".into(), over);
}

#[tokio::test]
async fn concurrent_identical_requests_make_one_partner_call() {
    let t = common::start().await;
    t.sim(REGISTRY).set_latency(Latency {
        median_ms: 300,
        p99_ms: 300,
    });
    let answers = join_all((0..100).map(|_| t.get(ENTERPRISE))).await;
    for a in &answers {
        assert_eq!(a.status, StatusCode::OK);
        assert_eq!(a.header("x-cache"), "miss");
    }
    assert_eq!(
        t.sim(REGISTRY).stats().requests,
        1,
        "100 concurrent misses, one partner call"
    );
    let hit = t.get(ENTERPRISE).await;
    assert_eq!((hit.status, hit.header("x-cache")), (StatusCode::OK, "hit"));
    assert!(hit.header("age").parse::<u64>().is_ok());
    assert_eq!(hit.body, answers[0].body);
    t.stop().await;
}

#[tokio::test]
async fn outage_serves_stale_then_fails_and_the_breaker_opens_and_recovers() {
    let t = common::start_with(|c| {
        registry_op(
            c,
            OperationOverride {
                cache_ttl: Some(Duration::from_millis(300)),
                max_stale: Some(Duration::from_secs(2)),
                ..OperationOverride::default()
            },
        );
        let partner = c.partners.get_mut(REGISTRY).unwrap();
        partner.breaker.min_calls = 3;
        partner.breaker.open_for = Duration::from_millis(1500);
        partner.retry_budget = 0.0;
    })
    .await;
    let sim = t.sim(REGISTRY);
    let fresh = t.get(ENTERPRISE).await.expect(200);
    tokio::time::sleep(Duration::from_millis(400)).await;

    sim.inject_for(FaultKind::Fault, Duration::from_secs(600));
    for _ in 0..4 {
        let stale = t.get(ENTERPRISE).await;
        assert_eq!(
            (stale.status, stale.header("x-cache")),
            (StatusCode::OK, "stale")
        );
        assert_eq!(stale.json(), fresh);
    }
    let breaker = t.admin("/admin/partners").await.json();
    assert_eq!(breaker["partners"][0]["breaker"], "open", "{breaker}");
    let calls_while_open = sim.stats().requests;
    t.get(ENTERPRISE).await.expect(200);
    assert_eq!(
        sim.stats().requests,
        calls_while_open,
        "an open breaker does not call the partner"
    );

    // Past the stale window, the outage shows: the breaker answers 503 at once.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let failed = t.get(ENTERPRISE).await;
    assert!(
        [("503", "partner-circuit-open"), ("502", "partner-fault")]
            .iter()
            .any(|(s, slug)| failed.status.as_str() == *s
                && failed.json()["type"].as_str().unwrap().ends_with(slug)),
        "{}",
        String::from_utf8_lossy(&failed.body)
    );

    // The partner recovers; after open_for the probes close the breaker.
    sim.clear_faults();
    tokio::time::sleep(Duration::from_millis(1600)).await;
    for _ in 0..3 {
        t.fresh(ENTERPRISE).await.expect(200);
    }
    assert_eq!(
        t.admin("/admin/partners").await.json()["partners"][0]["breaker"],
        "closed"
    );
    t.stop().await;
}

#[tokio::test]
async fn not_found_is_cached_briefly_not_shareable_never() {
    let t = common::start().await;
    for _ in 0..3 {
        t.get("/v1/enterprises/9876543202")
            .await
            .problem(404, "record-not-found");
        t.get("/v1/enterprises/1200000016")
            .await
            .problem(403, "not-shareable");
    }
    assert_eq!(t.sim(REGISTRY).stats().requests, 1 + 3);
    let again = t.get("/v1/enterprises/9876543202").await;
    assert_eq!(again.header("x-cache"), "hit");
    t.stop().await;
}

#[tokio::test]
async fn purge_by_url_and_by_operation() {
    let t = common::start().await;
    let sim = t.sim(REGISTRY);
    t.get(ENTERPRISE).await.expect(200);
    t.get("/v1/enterprises/1200555554").await.expect(200);
    assert_eq!(t.get(ENTERPRISE).await.header("x-cache"), "hit");

    let purged = t
        .admin_post("/admin/cache/purge", &json!({ "url": ENTERPRISE }))
        .await
        .expect(200);
    assert_eq!(purged["purged"], "key");
    assert_eq!(t.get(ENTERPRISE).await.header("x-cache"), "miss");
    assert_eq!(
        t.get("/v1/enterprises/1200555554").await.header("x-cache"),
        "hit"
    );

    t.admin_post(
        "/admin/cache/purge",
        &json!({ "partner": REGISTRY, "operation": "getEnterprise" }),
    )
    .await
    .expect(200);
    assert_eq!(
        t.get("/v1/enterprises/1200555554").await.header("x-cache"),
        "miss"
    );
    assert_eq!(sim.stats().requests, 4);

    let usage = t.admin("/admin/cache").await.expect(200);
    assert!(
        usage["entries"].as_u64().unwrap() >= 1 && usage["bytes"].as_u64().unwrap() > 0,
        "{usage}"
    );
    t.admin_post(
        "/admin/cache/purge",
        &json!({ "url": "/v1/enterprises/0100109107" }),
    )
    .await
    .problem(400, "invalid-purge");
    t.admin_post("/admin/cache/purge", &json!({ "partner": "nowhere" }))
        .await
        .problem(400, "invalid-purge");
    t.stop().await;
}

#[tokio::test]
async fn no_cache_bypasses_only_for_clients_allowed_to() {
    let t = common::start_with(|c| c.clients.push(common::portal_client(&["*"]))).await;
    t.get(ENTERPRISE).await.expect(200);
    let portal = t
        .get_as_portal(ENTERPRISE, &[("cache-control", "no-cache")])
        .await;
    assert_eq!(portal.header("x-cache"), "hit");
    assert_eq!(t.fresh(ENTERPRISE).await.header("x-cache"), "bypass");
    assert_eq!(t.sim(REGISTRY).stats().requests, 2);
    t.stop().await;
}

#[tokio::test]
async fn request_timeout_header_shortens_the_deadline() {
    let t = common::start().await;
    t.sim(REGISTRY).inject(FaultKind::Hang, 1);
    let started = tokio::time::Instant::now();
    let a = t
        .send(Method::GET, ENTERPRISE, &[("request-timeout", "0.3")], "")
        .await;
    a.problem(504, "partner-timeout");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the operation's own 10 s deadline was used"
    );
    t.send(Method::GET, ENTERPRISE, &[("request-timeout", "soon")], "")
        .await
        .problem(400, "invalid-header");
    t.stop().await;
}

#[tokio::test]
async fn idempotent_calls_are_retried_within_the_budget() {
    // The breaker stays out of the way here.
    let t = common::start_with(|c| c.partners.get_mut(REGISTRY).unwrap().breaker.min_calls = 1000)
        .await;
    let sim = t.sim(REGISTRY);
    sim.inject(FaultKind::Fault, 1);
    let a = t.fresh(ENTERPRISE).await;
    assert_eq!(a.status, StatusCode::OK, "one failed attempt, then a retry");
    assert_eq!(sim.stats().requests, 2);

    // A lasting outage (for an answer not in the cache): retries stay within 20% of
    // calls (plus one in reserve).
    sim.inject_for(FaultKind::Fault, Duration::from_secs(600));
    let before = sim.stats().requests;
    for _ in 0..20 {
        t.fresh("/v1/enterprises/1200555554")
            .await
            .problem(502, "partner-fault");
    }
    let calls = sim.stats().requests - before;
    assert!(
        (20..=25).contains(&calls),
        "{calls} partner calls for 20 requests"
    );
    t.stop().await;
}

#[tokio::test]
async fn bulkhead_bounds_concurrent_calls() {
    let t = common::start_with(|c| {
        let partner = c.partners.get_mut(REGISTRY).unwrap();
        partner.max_concurrency = 1;
        partner.max_queue = 1;
    })
    .await;
    let latency = Latency {
        median_ms: 400,
        p99_ms: 400,
    };
    t.sim(REGISTRY).set_latency(latency);
    // Four different enterprises: four partner calls (one key would share one call).
    let paths: Vec<String> = codes(4)
        .iter()
        .map(|c| format!("/v1/enterprises/{c}"))
        .collect();
    let answers = join_all(paths.iter().map(|p| t.get(p))).await;
    let ok = answers
        .iter()
        .filter(|a| a.status == StatusCode::OK)
        .count();
    let refused = answers
        .iter()
        .filter(|a| a.status == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    assert_eq!(
        (ok, refused),
        (2, 2),
        "one in flight, one queued, the rest refused"
    );
    for a in answers.iter().filter(|a| a.status != StatusCode::OK) {
        a.problem(503, "partner-overloaded");
    }
    t.stop().await;
}

#[tokio::test]
async fn local_quota_answers_429_with_ratelimit_fields() {
    let t = common::start_with(|c| {
        let partner = c.partners.get_mut(REGISTRY).unwrap();
        partner.rate = Some("2/s".parse::<Rate>().unwrap());
        partner.max_wait = Duration::ZERO;
    })
    .await;
    let [first, second] = codes(2).try_into().unwrap();
    t.get(&format!("/v1/enterprises/{first}")).await.expect(200);
    let a = t.get(&format!("/v1/enterprises/{second}")).await;
    a.problem(429, "rate-limited");
    assert_eq!(a.header("retry-after"), "1");
    assert_eq!(
        a.header("ratelimit-policy"),
        "\"business-registry\";q=2;w=1"
    );
    assert_eq!(a.header("ratelimit"), "\"business-registry\";r=0;t=1");
    assert_eq!(t.sim(REGISTRY).stats().requests, 1);

    // Waiting is allowed up to max_wait: the next slot comes within it.
    t.stop().await;
    let t = common::start_with(|c| {
        let partner = c.partners.get_mut(REGISTRY).unwrap();
        partner.rate = Some("4/s".parse::<Rate>().unwrap());
        partner.max_wait = Duration::from_secs(1);
    })
    .await;
    for code in codes(3) {
        t.get(&format!("/v1/enterprises/{code}")).await.expect(200);
    }
    t.stop().await;
}

#[tokio::test]
async fn partner_throttling_pauses_further_calls() {
    let t = common::start().await;
    let sim = t.sim(REGISTRY);
    sim.inject(FaultKind::Busy, 1);
    t.fresh(ENTERPRISE).await.problem(503, "partner-throttled");
    let calls = sim.stats().requests;
    let paused = t.fresh(ENTERPRISE).await;
    paused.problem(503, "partner-throttled");
    assert_eq!(paused.header("retry-after"), "1");
    assert_eq!(sim.stats().requests, calls, "the pause holds calls back");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    t.fresh(ENTERPRISE).await.expect(200);
    t.stop().await;
}
