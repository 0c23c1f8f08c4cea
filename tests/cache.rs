//! End-to-end: the answer cache. Concurrent misses share one partner call that belongs
//! to no single caller: each caller waits under its own deadline, and a call nobody
//! waits for any more is dropped.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use lienthong_core::sim::Latency;

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
