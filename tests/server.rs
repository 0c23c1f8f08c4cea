//! End-to-end: protocol and lifecycle of the server — HTTP/2, graceful shutdown.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use lienthong_adapter_kit::sim::Latency;

#[tokio::test]
async fn serves_http2_with_prior_knowledge() {
    let t = common::start().await;
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new())
        .http2_only(true)
        .build_http();
    let url = format!("http://{}/v1/enterprises/1200123459", t.api());
    common::assert_http2_enterprise(&client, common::authorized_get(url)).await;
    t.stop().await;
}

#[tokio::test]
async fn shutdown_lets_in_flight_requests_finish() {
    let t = common::start().await;
    t.sim("business-registry").set_latency(Latency {
        median_ms: 700,
        p99_ms: 700,
    });
    let api = t.api();
    let common::TestBus { bus, sims, .. } = t;
    let in_flight = tokio::spawn(async move {
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
        let url = format!("http://{api}/v1/enterprises/1200123459");
        client
            .request(common::authorized_get(url))
            .await
            .map(|r| r.status())
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    bus.shutdown().await;
    assert_eq!(in_flight.await.unwrap().unwrap(), StatusCode::OK);
    // The listener is closed: new connections are refused.
    assert!(tokio::net::TcpStream::connect(api).await.is_err());
    for sim in sims {
        sim.shutdown().await;
    }
}
