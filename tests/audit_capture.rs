//! The audit log records every answered access: submissions under the dossier the
//! application carries, requests whose client went away before the answer, and requests
//! whose handling panicked.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::audit::{application, on_both_stores, records, store_pool};
use http::Method;
use lienthong::partners;
use lienthong_adapter_kit::adapter::{
    Adapter, Input, InvalidInput, Operation, OperationKind, UnifiedRequest,
};
use lienthong_adapter_kit::sim::Latency;
use lienthong_core::config::PartnerConfig;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::time::Instant;

const APPLICATIONS: &str = "/v1/criminal-record-applications";

async fn submit(
    t: &common::TestBus,
    key: &str,
    headers: &[(&str, &str)],
    dossier: &str,
) -> common::Answer {
    let mut all = vec![
        ("idempotency-key", key),
        ("content-type", "application/json"),
    ];
    all.extend_from_slice(headers);
    t.send(
        Method::POST,
        APPLICATIONS,
        &all,
        &application(dossier).to_string(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_submission_is_recorded_under_the_dossier_of_its_application() {
    let t = common::start().await;
    let carried = "000.00.82.H58-260101-0301";
    let other = "000.00.82.H58-260101-0399";

    let refused = submit(&t, "k-1", &[("x-dossier-code", other)], carried).await;
    let problem = refused.problem(400, "dossier-code-mismatch");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(carried) && detail.contains(other),
        "{detail}"
    );

    submit(&t, "k-2", &[("x-dossier-code", carried)], carried)
        .await
        .expect(202);
    submit(&t, "k-3", &[], "000.00.82.H58-260101-0302")
        .await
        .expect(202);

    // The dispatcher may already have delivered an application: its record (under the
    // same dossier) carries the partner's request id; the API's records of submissions
    // carry none.
    let recorded = records(&t, "").await;
    let seen: Vec<(&str, &str)> = recorded
        .iter()
        .filter(|r| r["partner_request_id"].is_null())
        .map(|r| {
            (
                r["dossier_code"].as_str().unwrap(),
                r["outcome"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (carried, "dossier-code-mismatch"),
            (carried, "ok"),
            ("000.00.82.H58-260101-0302", "ok"),
        ]
    );
    assert!(
        records(&t, &format!("&dossier={other}")).await.is_empty(),
        "the header's dossier was recorded instead of the application's"
    );
    t.stop().await;
}

/// Sends `request` on a new connection and resets it (RST) at once, without reading.
async fn send_and_reset(api: std::net::SocketAddr, request: &str) {
    let mut stream = TcpStream::connect(api).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.set_zero_linger().unwrap();
    drop(stream);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_whose_client_reset_the_connection_is_still_recorded() {
    on_both_stores(async |store| {
        let t = common::start_with(store).await;
        for i in 0..20 {
            let body = application(&format!("000.00.82.H58-260101-{:04}", 500 + i)).to_string();
            let request = format!(
                "POST {APPLICATIONS} HTTP/1.1\r\nHost: bus\r\nAuthorization: ApiKey {}\r\n\
                 Idempotency-Key: reset-{i}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                common::KEY,
                body.len()
            );
            send_and_reset(t.api(), &request).await;
        }
        // Every application the bus accepted has its record, whether or not anyone waited.
        let pool = store_pool(&t).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let stored: Vec<String> =
                sqlx::query_scalar("SELECT dossier_code FROM applications ORDER BY dossier_code")
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let recorded: Vec<String> = records(&t, "")
                .await
                .iter()
                .filter(|r| r["outcome"] == "ok" && r["status"] == 202)
                .map(|r| r["dossier_code"].as_str().unwrap().to_owned())
                .collect();
            let unrecorded: Vec<&String> =
                stored.iter().filter(|d| !recorded.contains(d)).collect();
            if !stored.is_empty() && unrecorded.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "applications accepted without an audit record: {unrecorded:?} of {stored:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        pool.close().await;
        t.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lookup_whose_client_left_is_recorded_when_the_partner_answers() {
    let t = common::start().await;
    let slow = Latency {
        median_ms: 800,
        p99_ms: 800,
    };
    t.sim("business-registry").set_latency(slow);
    let request = format!(
        "GET /v1/enterprises/1200123459 HTTP/1.1\r\nHost: bus\r\nAuthorization: ApiKey {}\r\n\
         X-Request-Id: client-left-1\r\n\r\n",
        common::KEY
    );
    let mut stream = TcpStream::connect(t.api()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(stream);

    let deadline = Instant::now() + Duration::from_secs(20);
    let record = loop {
        let found = records(&t, "").await;
        if let Some(record) = found.iter().find(|r| r["request_id"] == "client-left-1") {
            break record.clone();
        }
        assert!(
            Instant::now() < deadline,
            "no record of the abandoned lookup"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        (record["outcome"].as_str(), record["status"].as_i64()),
        (Some("ok"), Some(200))
    );
    assert!(record["partner_request_id"].is_string(), "{record}");
    assert_eq!(t.sim("business-registry").stats().requests, 1);
    t.stop().await;
}

/// A partner whose validation panics on the code `boom` (and refuses every other).
struct Panicking;

static PANICKING_OPERATIONS: [Operation; 1] = [Operation {
    id: "getPanic",
    method: Method::GET,
    path: "/v1/panics/{code}",
    idempotent: true,
    timeout: Duration::from_secs(1),
    cache: None,
    identifiers: &["code"],
    kind: OperationKind::Call,
    paged: false,
    query: &[],
}];

impl Adapter for Panicking {
    fn partner(&self) -> &'static str {
        "panicking"
    }

    fn operations(&self) -> &'static [Operation] {
        &PANICKING_OPERATIONS
    }

    fn validate(
        &self,
        _op: &Operation,
        request: &UnifiedRequest<'_>,
    ) -> Result<Input, InvalidInput> {
        match request.params.first() {
            Some((_, code)) if code == "boom" => panic!("a defect in validation"),
            _ => Err(InvalidInput::one("code", "only boom is known here")),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_answers_500_and_is_recorded() {
    let mut adapters = partners::adapters();
    adapters.push(Arc::new(Panicking));
    let t = common::start_with_adapters(common::simulators().await, adapters, |c| {
        c.partners.insert(
            "panicking".into(),
            PartnerConfig::new("http://127.0.0.1:9", "H82"),
        );
    })
    .await;
    let answer = t
        .send(
            Method::GET,
            "/v1/panics/boom",
            &[("x-request-id", "panic-1")],
            "",
        )
        .await;
    let problem = answer.problem(500, "internal");
    assert_eq!(problem["request_id"], "panic-1");
    // The process goes on serving, on the same connection pool and on new ones.
    t.get("/v1/panics/other")
        .await
        .problem(400, "invalid-input");
    t.get("/v1/enterprises/1200123459").await.expect(200);

    let recorded = records(&t, "").await;
    let panicked = recorded
        .iter()
        .find(|r| r["request_id"] == "panic-1")
        .unwrap();
    assert_eq!(
        (
            panicked["outcome"].as_str(),
            panicked["status"].as_i64(),
            panicked["partner"].as_str()
        ),
        (Some("internal"), Some(500), Some("panicking"))
    );
    assert_eq!(recorded.len(), 3);
    t.stop().await;
}
