//! End-to-end: the dispatcher that delivers applications calls the partner under the same
//! policies as lookups — the partner's quota, bulkhead, breaker and pauses — survives a
//! hostile `Retry-After`, stops within the grace period with a backlog, and leaves an
//! audit record of every partner call under the application's dossier.

#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::Full;
use hyper_util::rt::{TokioExecutor, TokioIo};
use lienthong_adapter_kit::sim::{FaultKind, Latency};
use lienthong_core::config::Rate;
use serde_json::{Value, json};

const LLTP: &str = "judicial-records";
const PATH: &str = "/v1/criminal-record-applications";

fn application(i: usize) -> Value {
    let mut body: Value = serde_json::from_str(include_str!(
        "../adapters/judicial-records/fixtures/application.json"
    ))
    .unwrap();
    body["dossier_code"] = json!(format!("000.00.82.H58-260401-{i:04}"));
    body["citizen_id"] = json!(format!("0820901{i:05}"));
    body.as_object_mut().unwrap().remove("callback_url");
    body
}

async fn submit(t: &common::TestBus, i: usize) -> Value {
    t.send(
        Method::POST,
        PATH,
        &[
            ("idempotency-key", &format!("d-{i}")),
            ("content-type", "application/json"),
        ],
        &application(i).to_string(),
    )
    .await
    .expect(202)
}

fn judicial(c: &mut lienthong_core::Config) -> &mut lienthong_core::config::PartnerConfig {
    c.partners.get_mut(LLTP).unwrap()
}

#[tokio::test]
async fn a_backlog_keeps_to_the_partners_quota_and_bulkhead() {
    let t = common::start_with(|c| {
        let partner = judicial(c);
        partner.rate = Some(Rate {
            count: 2,
            per: Duration::from_secs(1),
        });
        partner.max_concurrency = 1;
    })
    .await;
    let sim = t.sim(LLTP);
    // The partner allows a little more than the bus's quota, so that network jitter
    // between two calls a quota interval apart cannot put three in one of its windows.
    sim.set_quota(Some(3));
    sim.set_latency(Latency {
        median_ms: 100,
        p99_ms: 100,
    });
    for i in 0..10 {
        submit(&t, i).await;
    }
    tokio::time::sleep(Duration::from_secs(4)).await;
    let stats = sim.stats();
    assert_eq!(stats.throttled, 0, "the partner had to throttle: {stats:?}");
    assert!(stats.max_per_second <= 3, "{stats:?}");
    assert_eq!(stats.max_concurrent, 1, "{stats:?}");
    assert!(stats.requests >= 4, "the backlog moved: {stats:?}");
    t.stop().await;
}

#[tokio::test]
async fn an_open_breaker_stops_the_dispatcher_calling() {
    let t = common::start_with(|c| {
        let breaker = &mut judicial(c).breaker;
        breaker.min_calls = 2;
        breaker.open_for = Duration::from_secs(60);
    })
    .await;
    let sim = t.sim(LLTP);
    sim.inject_for(FaultKind::Http500, Duration::from_secs(3600));
    for i in 0..6 {
        submit(&t, 100 + i).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while sim.stats().requests < 2 {
        assert!(tokio::time::Instant::now() < deadline, "nothing was sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let opened = sim.stats().requests;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        sim.stats().requests,
        opened,
        "the dispatcher went on calling a partner whose breaker is open"
    );
    let partners = t.admin("/admin/partners").await.expect(200);
    let judicial = partners["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"] == LLTP)
        .unwrap();
    assert_eq!(judicial["breaker"], "open", "{partners}");
    t.stop().await;
}

/// A partner answering every request with `status`, `headers` and a JSON `body`; counts
/// what it receives.
async fn fixed_partner(
    status: StatusCode,
    headers: &'static [(&'static str, &'static str)],
    body: Value,
) -> (String, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let body = Bytes::from(body.to_string());
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let (counter, body) = (counter.clone(), body.clone());
            let service = hyper::service::service_fn(move |_request| {
                counter.fetch_add(1, Ordering::SeqCst);
                let mut response = Response::new(Full::new(body.clone()));
                *response.status_mut() = status;
                response.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    "application/json; charset=utf-8".parse().unwrap(),
                );
                for (name, value) in headers {
                    response.headers_mut().insert(*name, value.parse().unwrap());
                }
                async move { Ok::<_, std::convert::Infallible>(response) }
            });
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (url, received)
}

#[tokio::test]
async fn a_hostile_retry_after_on_a_submission_neither_hammers_nor_postpones_forever() {
    let (url, received) = fixed_partner(
        StatusCode::TOO_MANY_REQUESTS,
        &[("retry-after", "18446744073709551615")],
        json!({"statusCode": "03", "message": "Hệ thống đang quá tải"}),
    )
    .await;
    let t = common::start_with(|c| judicial(c).base_url = url).await;
    let accepted = submit(&t, 200).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        received.load(Ordering::SeqCst),
        1,
        "the submission was repeated at once"
    );
    let pool = common::store_pool(&t.config).await;
    let next: i64 = sqlx::query_scalar("SELECT next_attempt_at FROM applications WHERE id = $1")
        .bind(accepted["id"].as_str().unwrap())
        .fetch_one(&pool)
        .await
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    assert!(
        next > now && next <= now + 301_000,
        "next attempt at {next}, now {now}: not within the dispatcher's longest backoff"
    );
    let doc = t
        .get(accepted["status_url"].as_str().unwrap())
        .await
        .expect(200);
    assert_eq!(doc["status"], "queued", "{doc}");
    t.stop().await;
}

#[tokio::test]
async fn shutdown_with_a_backlog_ends_within_the_grace_period() {
    let t = common::start_with(|c| c.server.shutdown_grace = Duration::from_secs(1)).await;
    let sim = t.sim(LLTP);
    sim.inject_for(FaultKind::Hang, Duration::from_secs(3600));
    for i in 0..40 {
        submit(&t, 300 + i).await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while sim.stats().requests == 0 {
        assert!(tokio::time::Instant::now() < deadline, "nothing was sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = tokio::time::Instant::now();
    tokio::time::timeout(Duration::from_secs(10), t.stop())
        .await
        .unwrap_or_else(|_| panic!("shutdown still running after {:?}", started.elapsed()));
}

#[tokio::test]
async fn every_partner_call_of_the_dispatcher_is_audited_under_the_dossier() {
    let t = common::start().await;
    let accepted = submit(&t, 400).await;
    let url = accepted["status_url"].as_str().unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while t.get(url).await.json()["status"] != "issued" {
        assert!(tokio::time::Instant::now() < deadline, "never issued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let dossier = application(400)["dossier_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit = t
        .admin(&format!("/admin/audit?dossier={dossier}"))
        .await
        .expect(200);
    let records = audit["records"].as_array().unwrap();
    let calls: Vec<&Value> = records
        .iter()
        .filter(|r| r["partner_request_id"].is_string())
        .collect();
    let operations: Vec<&str> = records
        .iter()
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    assert!(
        records
            .iter()
            .any(|r| r["operation"] == "submitCriminalRecordApplication"
                && r["status"] == 202
                && r["partner_request_id"].is_null()),
        "the submission itself: {operations:?}"
    );
    assert_eq!(
        calls.first().map(|r| &r["operation"]),
        Some(&json!("submitCriminalRecordApplication")),
        "{operations:?}"
    );
    let polls: Vec<&&Value> = calls
        .iter()
        .filter(|r| r["operation"] == "getCriminalRecordApplication")
        .collect();
    assert!(!polls.is_empty(), "{operations:?}");
    for call in &calls {
        assert_eq!(call["client"], "demo");
        assert_eq!(call["dossier_code"], dossier.as_str());
        assert_eq!(call["partner"], LLTP);
        assert_eq!(call["outcome"], "ok", "{call}");
        assert_eq!(call["status"], 200, "{call}");
    }
    let sent = t.sim(LLTP).stats().requests;
    assert_eq!(calls.len() as u64, sent, "one record per partner call");
    t.stop().await;
}
