//! End-to-end: the unified API in front of the business-registry simulator, every status
//! the pipeline can answer.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use http::{Method, StatusCode};
use lienthong_adapter_kit::sim::FaultKind;
use lienthong_core::config::OperationOverride;

const REGISTRY: &str = "business-registry";

#[tokio::test]
async fn found_enterprise_is_canonical_json() {
    let t = common::start().await;
    let a = t
        .send(
            Method::GET,
            "/v1/enterprises/1200123459",
            &[("x-dossier-code", "000.00.82.H58-260101-0001")],
            "",
        )
        .await;
    a.expect(200);
    assert_eq!(a.header("content-type"), "application/json");
    assert_eq!(a.header("x-request-id").len(), 32);
    let e = a.json();
    assert_eq!(e["enterprise_code"], "1200123459");
    assert_eq!(e["status"]["code"], "active");
    assert!(e["name"]["en"].as_str().is_some_and(|n| !n.is_empty()));
    assert_eq!(e["legal_representatives"].as_array().unwrap().len(), 1);
    let lines = e["business_lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines.iter().filter(|l| l["primary"] == true).count(), 1);
    let registered = e["registered_on"].as_str().unwrap();
    assert!(
        lienthong_adapter_kit::text::parse_iso_date(registered).is_some(),
        "{registered}"
    );

    // What the partner received: one SOAP call carrying the consumer code and dossier code.
    let received = t.sim(REGISTRY).recent_requests();
    assert_eq!(received.len(), 1);
    let body = String::from_utf8_lossy(&received[0].body);
    assert!(
        body.contains(">H82<") && body.contains(">000.00.82.H58-260101-0001<"),
        "{body}"
    );
    assert_eq!(
        received[0].headers["soapaction"],
        "\"urn:dkkd:GetEnterpriseInfo\""
    );
    t.stop().await;
}

#[tokio::test]
async fn suspended_enterprise_and_branch() {
    let t = common::start().await;
    let s = t.get("/v1/enterprises/1200555554").await.json();
    assert_eq!(s["status"]["code"], "suspended");
    for key in ["suspended_from", "suspended_until"] {
        assert!(
            lienthong_adapter_kit::text::parse_iso_date(s["status"][key].as_str().unwrap())
                .is_some()
        );
    }
    let b = t.get("/v1/enterprises/1200123459-001").await;
    assert_eq!(b.status, StatusCode::OK);
    assert_eq!(b.json()["enterprise_code"], "1200123459-001");
    t.stop().await;
}

#[tokio::test]
async fn invalid_code_is_refused_before_any_partner_call() {
    let t = common::start().await;
    for code in ["0100109107", "12001234", "120012345x", "1200123459-01"] {
        let doc = t
            .get(&format!("/v1/enterprises/{code}"))
            .await
            .problem(400, "invalid-input");
        assert_eq!(doc["partner"], REGISTRY);
        assert_eq!(doc["errors"][0]["field"], "enterprise_code");
    }
    assert_eq!(t.sim(REGISTRY).stats().requests, 0);
    t.stop().await;
}

#[tokio::test]
async fn credentials_are_required_and_checked() {
    let t = common::start().await;
    let url = format!("http://{}/v1/enterprises/1200123459", t.api());
    let none = t.raw(Method::GET, &url, &[], "").await;
    none.problem(401, "unauthorized");
    assert_eq!(
        none.header("www-authenticate"),
        "ApiKey realm=\"lienthong\""
    );
    let wrong = t
        .raw(
            Method::GET,
            &url,
            &[("authorization", "ApiKey wrong-key".into())],
            "",
        )
        .await;
    wrong.problem(401, "unauthorized");
    let scheme = t
        .raw(
            Method::GET,
            &url,
            &[("authorization", "Bearer demo-key".into())],
            "",
        )
        .await;
    scheme.problem(401, "unauthorized");
    assert_eq!(t.sim(REGISTRY).stats().requests, 0);
    t.stop().await;
}

#[tokio::test]
async fn access_rights_are_enforced_per_client() {
    let t = common::start_with(|c| c.clients.push(common::portal_client(&[]))).await;
    let doc = t
        .get_as_portal("/v1/enterprises/1200123459", &[])
        .await
        .problem(403, "access-denied");
    assert_eq!(doc["partner"], REGISTRY);
    let services = t.get_as_portal("/v1/services", &[]).await.json();
    assert_eq!(services["services"].as_array().unwrap().len(), 0);
    assert_eq!(t.sim(REGISTRY).stats().requests, 0);
    t.stop().await;

    let t = common::start_with(|c| {
        c.clients
            .push(common::portal_client(&["business-registry/getEnterprise"]))
    })
    .await;
    assert_eq!(
        t.get_as_portal("/v1/enterprises/1200123459", &[])
            .await
            .status,
        StatusCode::OK
    );
    let services = t.get_as_portal("/v1/services", &[]).await.json();
    assert_eq!(
        services["services"][0]["operations"][0]["id"],
        "getEnterprise"
    );
    t.stop().await;
}

#[tokio::test]
async fn partner_outcomes_not_found_and_not_shareable() {
    let t = common::start().await;
    let doc = t
        .get("/v1/enterprises/9876543202")
        .await
        .problem(404, "record-not-found");
    assert_eq!(doc["partner"], REGISTRY);
    let doc = t
        .get("/v1/enterprises/1200000016")
        .await
        .problem(403, "not-shareable");
    assert_eq!(doc["partner"], REGISTRY);
    assert_eq!(t.sim(REGISTRY).stats().requests, 2);
    t.stop().await;
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let t = common::start().await;
    t.get("/v1/nothing-here")
        .await
        .problem(404, "no-such-operation");
    let a = t
        .send(Method::DELETE, "/v1/enterprises/1200123459", &[], "")
        .await;
    a.problem(405, "method-not-allowed");
    assert_eq!(a.header("allow"), "GET");
    t.get("/v1/enterprises/%FF")
        .await
        .problem(400, "invalid-path");
    t.stop().await;
}

#[tokio::test]
async fn partner_faults_map_to_gateway_errors() {
    let t = common::start().await;
    let sim = t.sim(REGISTRY);
    let cases = [
        (FaultKind::Fault, 502, "partner-fault"),
        (FaultKind::Http500, 502, "partner-fault"),
        (FaultKind::Malformed, 502, "partner-malformed-answer"),
        (FaultKind::Busy, 503, "partner-throttled"),
    ];
    for (kind, status, slug) in cases {
        // Every attempt fails (retries included); the cache is bypassed.
        sim.inject_for(kind, Duration::from_secs(60));
        let a = t.fresh("/v1/enterprises/1200123459").await;
        sim.clear_faults();
        let doc = a.problem(status, slug);
        assert_eq!(doc["partner"], REGISTRY, "{kind:?}");
        if status == 503 {
            assert_eq!(a.header("retry-after"), "1");
        }
    }
    t.stop().await;
}

#[tokio::test]
async fn hanging_partner_times_out_with_504() {
    let t = common::start_with(|c| {
        let partner = c.partners.get_mut(REGISTRY).unwrap();
        partner.operations.insert(
            "getEnterprise".into(),
            OperationOverride {
                timeout: Some(Duration::from_millis(300)),
                ..OperationOverride::default()
            },
        );
    })
    .await;
    t.sim(REGISTRY).inject(FaultKind::Hang, 1);
    let doc = t
        .get("/v1/enterprises/1200123459")
        .await
        .problem(504, "partner-timeout");
    assert_eq!(doc["partner"], REGISTRY);
    t.stop().await;
}

#[tokio::test]
async fn unreachable_partner_is_502() {
    let t = common::start_with(|c| {
        // A port nothing listens on.
        c.partners.get_mut(REGISTRY).unwrap().base_url = "http://127.0.0.1:9".into();
    })
    .await;
    t.get("/v1/enterprises/1200123459")
        .await
        .problem(502, "partner-unreachable");
    t.stop().await;
}

#[tokio::test]
async fn oversized_body_is_413() {
    let t = common::start_with(|c| c.server.max_body_bytes = 1024).await;
    let big = "x".repeat(4096);
    let a = t
        .send(Method::GET, "/v1/enterprises/1200123459", &[], &big)
        .await;
    a.problem(413, "payload-too-large");
    assert_eq!(t.sim(REGISTRY).stats().requests, 0);
    t.stop().await;
}

#[tokio::test]
async fn malformed_caller_headers_are_400() {
    let t = common::start().await;
    let a = t
        .send(
            Method::GET,
            "/v1/enterprises/1200123459",
            &[("x-dossier-code", "bad code!")],
            "",
        )
        .await;
    a.problem(400, "invalid-header");
    t.stop().await;
}

#[tokio::test]
async fn request_ids_are_honoured_or_minted() {
    let t = common::start().await;
    let a = t
        .send(
            Method::GET,
            "/v1/enterprises/1200123459",
            &[("x-request-id", "dossier-42.a")],
            "",
        )
        .await;
    assert_eq!(a.header("x-request-id"), "dossier-42.a");
    let b = t
        .send(
            Method::GET,
            "/v1/nothing",
            &[("x-request-id", "no spaces allowed")],
            "",
        )
        .await;
    let minted = b.header("x-request-id");
    assert_eq!(minted.len(), 32);
    assert_eq!(b.json()["request_id"], minted);
    t.stop().await;
}

#[tokio::test]
async fn catalogue_and_admin_health() {
    let t = common::start().await;
    let services = t.get("/v1/services").await.json();
    assert_eq!(services["services"][0]["partner"], REGISTRY);
    let url = format!("http://{}/healthz", t.bus.admin_addr());
    assert_eq!(
        t.raw(Method::GET, &url, &[], "").await.status,
        StatusCode::OK
    );
    assert_eq!(t.admin("/readyz").await.expect(200)["ready"], true);
    t.stop().await;
}

#[tokio::test]
async fn oversized_partner_answer_is_refused() {
    let t = common::start_with(|c| c.partners.get_mut(REGISTRY).unwrap().max_response_bytes = 1024)
        .await;
    let doc = t
        .get("/v1/enterprises/1200123459")
        .await
        .problem(502, "partner-exchange-failed");
    assert!(
        doc["detail"].as_str().unwrap().contains("1024 bytes"),
        "{doc}"
    );
    t.stop().await;
}

#[tokio::test]
async fn interrupted_partner_is_503_for_as_long_as_it_lasts() {
    let t = common::start().await;
    let sim = t.sim(REGISTRY);
    sim.inject_for(FaultKind::Unavailable, Duration::from_secs(60));
    for _ in 0..2 {
        let a = t.get("/v1/enterprises/1200123459").await;
        a.problem(503, "partner-unavailable");
        assert_eq!(a.header("retry-after"), "1");
    }
    sim.clear_faults();
    assert_eq!(
        t.get("/v1/enterprises/1200123459").await.status,
        StatusCode::OK
    );
    t.stop().await;
}
