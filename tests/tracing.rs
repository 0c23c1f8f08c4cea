//! End-to-end: W3C trace context is continued from the caller and passed to the partner,
//! and spans reach an OTLP/HTTP collector without identifiers or secrets. Installs the
//! global telemetry subscriber, so it lives in its own test binary.

#![allow(clippy::unwrap_used)]

mod common;

use http::Method;
use lienthong_core::config::TelemetryConfig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_are_continued_propagated_and_exported() {
    let collector = common::Recorder::start().await;
    let config = TelemetryConfig {
        log_filter: "warn".into(),
        otlp_endpoint: Some(collector.url.clone()),
        service_name: "lienthong-test".into(),
        ..TelemetryConfig::default()
    };
    let telemetry = lienthong_core::telemetry::init(&config).unwrap();
    let t = common::start().await;
    let trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
    let incoming = format!("00-{trace_id}-00f067aa0ba902b7-01");
    let a = t
        .send(
            Method::GET,
            "/v1/enterprises/1200123459",
            &[
                ("traceparent", incoming.as_str()),
                ("x-dossier-code", "000.00.82.H58-260101-0001"),
            ],
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
    // The audit record leads from the dossier to the trace.
    let audit = t
        .admin("/admin/audit?dossier=000.00.82.H58-260101-0001")
        .await
        .expect(200);
    assert_eq!(audit["records"][0]["trace_id"], trace_id);
    t.stop().await;

    // Dropping the guard flushes the batch exporter (a blocking call).
    tokio::task::block_in_place(|| drop(telemetry));
    let exports = collector.requests();
    assert!(!exports.is_empty(), "no spans reached the collector");
    let mut all = Vec::new();
    for export in &exports {
        assert_eq!(export.path, "/v1/traces");
        assert_eq!(export.headers["content-type"], "application/x-protobuf");
        all.extend_from_slice(&export.body);
    }
    let contains = |needle: &str| all.windows(needle.len()).any(|w| w == needle.as_bytes());
    for expected in [
        "lienthong-test",
        "business-registry getEnterprise",
        "partner.request_id",
        // The four times of a partner call, and the cache status.
        "request_in_us",
        "sent_us",
        "answered_us",
        "response_out_us",
        "cache",
    ] {
        assert!(
            contains(expected),
            "{expected} missing from {}",
            String::from_utf8_lossy(&all)
        );
    }
    assert!(contains("/v1/enterprises/{enterprise_code}"));
    assert!(
        contains("000.00.82.H58-260101-0001"),
        "the dossier code is traced"
    );
    assert!(!contains("1200123459"), "an identifier reached the traces");
    assert!(!contains("demo-key"), "a secret reached the traces");
}
