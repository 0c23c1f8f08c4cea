//! Durability of accepted applications: N applications are submitted while the partner is
//! down, the bus process is killed with SIGKILL, and a new process on the same store —
//! with the partner back — delivers every one exactly once and follows each to `issued`.
//! A restarted instance also sends again at once what it had in flight when it died.
//! Runs the real binary, on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use lienthong_adapter_judicial_records::JudicialRecordsSimulator;
use lienthong_adapter_kit::sim::{FaultKind, SimOptions, SimServer};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const N: usize = 20;

/// Starts `lienthong serve` on `config`; returns the child and its API address.
async fn serve(config: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lienthong"))
        .args(["serve", "--config"])
        .arg(config)
        .env("RUST_LOG", "lienthong_core::bus=info,warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (found, address) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut found = Some(found);
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("api=").nth(1)
                && let Some(found) = found.take()
            {
                let _ = found.send(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
        }
    });
    let addr = tokio::time::timeout(Duration::from_secs(60), address)
        .await
        .unwrap()
        .unwrap();
    (child, format!("http://{addr}"))
}

async fn request(method: &str, url: &str, key: Option<&str>, body: Option<&Value>) -> (u16, Value) {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http();
    let mut builder = http::Request::builder()
        .method(method)
        .uri(url)
        .header("authorization", "ApiKey demo-key")
        .header("content-type", "application/json");
    if let Some(key) = key {
        builder = builder.header("idempotency-key", key);
    }
    let body = body.map(Value::to_string).unwrap_or_default();
    let response = client
        .request(
            builder
                .body(http_body_util::Full::new(bytes::Bytes::from(body)))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status().as_u16();
    let bytes = http_body_util::BodyExt::collect(response.into_body())
        .await
        .unwrap()
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A configuration for one client (with a webhook secret) and the judicial-records
/// partner at `sim`, state in `dir` or in the `storage` database.
fn write_config(dir: &std::path::Path, storage: &str, sim: &str) -> std::path::PathBuf {
    let config = dir.join("bus.toml");
    let text = format!(
        r#"
[server]
listen = "127.0.0.1:0"
admin_listen = "127.0.0.1:0"
[storage]
data_dir = "{data}"
{storage}
[[clients]]
id = "demo"
api_key = "demo-key"
allow = ["*"]
webhook_secret = "{SECRET}"
webhook_hosts = ["127.0.0.1"]
[partners.judicial-records]
base_url = "{sim}"
consumer_code = "H82"
poll_interval = "50ms"
"#,
        data = dir.join("data").display(),
    );
    std::fs::write(&config, text).unwrap();
    config
}

const SECRET: &str = "durability-webhook-secret";

/// The judicial-records simulator on a free port, running in this process (so it
/// outlives the bus processes).
async fn judicial_records_simulator() -> SimServer {
    let settings = common::sim_settings();
    SimServer::start_local(
        Arc::new(JudicialRecordsSimulator::new(&settings)),
        SimOptions::default(),
    )
    .await
    .unwrap()
}

/// Submits applications `numbers` (keys `k<number>`); returns their status URLs.
async fn submit_all(api: &str, numbers: std::ops::Range<usize>) -> Vec<String> {
    let mut urls = Vec::new();
    for i in numbers {
        let (status, doc) = request(
            "POST",
            &format!("{api}/v1/criminal-record-applications"),
            Some(&format!("k{i}")),
            Some(&common_application(i)),
        )
        .await;
        assert_eq!(status, 202, "{doc}");
        urls.push(doc["status_url"].as_str().unwrap().to_owned());
    }
    urls
}

/// Waits up to `within` for every application at `urls` to be issued.
async fn wait_all_issued(api: &str, urls: &[String], within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    for url in urls {
        loop {
            let (_, doc) = request("GET", &format!("{api}{url}"), None, None).await;
            if doc["status"] == "issued" {
                break;
            }
            assert!(tokio::time::Instant::now() < deadline, "{url} stuck: {doc}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

async fn survives_sigkill(storage: &str) {
    let sim = judicial_records_simulator().await;
    // The partner is down (answers 03) until told otherwise.
    sim.inject_for(FaultKind::Unavailable, Duration::from_secs(3600));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), storage, &sim.base_url());
    let (mut first, api) = serve(&config).await;
    let urls = submit_all(&api, 0..N).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        sim.stats().faults_injected > 0,
        "the bus tried the partner while it was down"
    );
    first.start_kill().unwrap(); // SIGKILL
    first.wait().await.unwrap();

    sim.clear_faults();
    let (mut second, api) = serve(&config).await;
    wait_all_issued(&api, &urls, Duration::from_secs(60)).await;
    let stats = sim.stats();
    assert_eq!(
        stats.partner["applications"], N,
        "every application reached the partner exactly once: {stats:?}"
    );
    second.start_kill().unwrap();
    second.wait().await.unwrap();
    sim.shutdown().await;
}

/// Applications whose submission was in flight when the process died are sent again by
/// the restarted instance at once, not when their lease would have expired.
async fn resends_in_flight_at_once(storage: &str) {
    let sim = judicial_records_simulator().await;
    // The partner takes every request and never answers.
    sim.inject_for(FaultKind::Hang, Duration::from_secs(3600));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), storage, &sim.base_url());
    let (mut first, api) = serve(&config).await;
    let urls = submit_all(&api, 100..103).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while sim.stats().requests < 3 {
        assert!(tokio::time::Instant::now() < deadline, "not all were sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.start_kill().unwrap(); // SIGKILL, three submissions in flight
    first.wait().await.unwrap();

    sim.clear_faults();
    let (mut second, api) = serve(&config).await;
    // Well within the two-minute lease the dead process held.
    wait_all_issued(&api, &urls, Duration::from_secs(30)).await;
    assert_eq!(sim.stats().partner["applications"], 3);
    second.start_kill().unwrap();
    second.wait().await.unwrap();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_applications_are_resent_at_once_after_sigkill_on_sqlite() {
    resends_in_flight_at_once("").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_flight_applications_are_resent_at_once_after_sigkill_on_postgres() {
    let url = common::postgres_url().await;
    resends_in_flight_at_once(&format!("url = \"{url}\"")).await;
}

fn common_application(i: usize) -> Value {
    let mut body: Value = serde_json::from_str(include_str!(
        "../adapters/judicial-records/fixtures/application.json"
    ))
    .unwrap();
    body["dossier_code"] = Value::from(format!("000.00.82.H58-260102-{i:04}"));
    body["citizen_id"] = Value::from(format!("0820900{i:05}"));
    body.as_object_mut().unwrap().remove("callback_url");
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_survive_sigkill_on_sqlite() {
    survives_sigkill("").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_survive_sigkill_on_postgres() {
    let url = common::postgres_url().await;
    survives_sigkill(&format!("url = \"{url}\"")).await;
}

/// Webhook deliveries pending when the process dies are sent by the next one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_webhooks_survive_sigkill() {
    let sim = judicial_records_simulator().await;
    let hooks = common::Recorder::start().await;
    hooks
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "", &sim.base_url());

    let (mut first, api) = serve(&config).await;
    let mut body = common_application(0);
    body["callback_url"] = Value::from(format!("{}/hook", hooks.url));
    let (status, accepted) = request(
        "POST",
        &format!("{api}/v1/criminal-record-applications"),
        Some("k"),
        Some(&body),
    )
    .await;
    assert_eq!(status, 202, "{accepted}");
    let url = format!("{api}{}", accepted["status_url"].as_str().unwrap());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while request("GET", &url, None, None).await.1["status"] != "issued" {
        assert!(tokio::time::Instant::now() < deadline, "never issued");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    while hooks.requests().is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no delivery was attempted before the crash"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(hooks.accepted_json().is_empty());
    first.start_kill().unwrap();
    first.wait().await.unwrap();

    hooks
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    let (mut second, _) = serve(&config).await;
    hooks
        .wait_for(Duration::from_secs(60), |doc| doc["status"] == "issued")
        .await;
    for request in hooks.requests() {
        assert_eq!(
            request.headers["x-lienthong-signature"],
            lienthong_core::webhook::signature(SECRET.as_bytes(), &request.body).as_str()
        );
    }
    common::assert_webhooks_in_order(&hooks.accepted_json(), &accepted["id"]);
    second.start_kill().unwrap();
    second.wait().await.unwrap();
    sim.shutdown().await;
}
