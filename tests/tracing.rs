//! End-to-end: W3C trace context is continued from the caller and passed to the partner.
//! Installs the global telemetry subscriber, so it lives in its own test binary.

#![allow(clippy::unwrap_used)]

mod common;

use http::Method;
use lienthong_core::config::TelemetryConfig;

#[tokio::test]
async fn traceparent_is_continued_and_propagated() {
    let config = TelemetryConfig {
        log_filter: "warn".into(),
        ..TelemetryConfig::default()
    };
    let _telemetry = lienthong_core::telemetry::init(&config).unwrap();
    let t = common::start().await;
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let incoming = format!("00-{trace_id}-00f067aa0ba902b7-01");
    let a = t
        .send(
            Method::GET,
            "/v1/enterprises/1200123459",
            &[("traceparent", incoming.as_str())],
            "",
        )
        .await;
    assert_eq!(a.status, http::StatusCode::OK);
    let answered = a.header("traceparent");
    assert!(
        answered.starts_with(&format!("00-{trace_id}-")),
        "{answered}"
    );
    assert_ne!(answered, incoming, "the bus answers with its own span id");

    let received = t.sim("business-registry").recent_requests();
    let sent = received[0].headers["traceparent"].to_str().unwrap();
    assert!(sent.starts_with(&format!("00-{trace_id}-")), "{sent}");
    assert_ne!(sent, answered, "the partner call is a child span");

    // Without a caller trace the bus starts one and still answers with it.
    let b = t.get("/v1/enterprises/1200123459").await;
    assert_eq!(b.header("traceparent").len(), 55);
    t.stop().await;
}
