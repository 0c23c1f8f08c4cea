//! Shared harness for end-to-end tests: simulators and a bus on 127.0.0.1:0, and a small
//! HTTP client.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

pub mod audit;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use lienthong::{demo, openapi, partners};
use lienthong_adapter_kit::sim::Latency;
use lienthong_adapter_kit::sim::{SimOptions, SimServer, SimSettings};
use lienthong_core::Bus;
use lienthong_core::config::Config;

pub mod hooks;

pub const KEY: &str = demo::DEMO_KEY;

/// A bus with every partner's simulator.
pub struct TestBus {
    pub bus: Bus,
    pub sims: Vec<SimServer>,
    /// The adapters the bus serves (a restart serves the same).
    adapters: Vec<std::sync::Arc<dyn lienthong_adapter_kit::adapter::Adapter>>,
    pub config: Config,
    /// The file the bus reloads from, when it was started from one.
    pub config_file: Option<std::path::PathBuf>,
    client: Client<HttpConnector, Full<Bytes>>,
    _data: tempfile::TempDir,
}

/// One answer, body read whole.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_default()
    }

    /// Asserts `status` (showing the body when it differs) and returns the JSON body.
    pub fn expect(&self, status: u16) -> serde_json::Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        self.json()
    }

    /// Asserts a problem document with `status` and `slug`; returns it.
    pub fn problem(&self, status: u16, slug: &str) -> serde_json::Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), "application/problem+json");
        let doc = self.json();
        assert_eq!(
            doc["type"],
            format!("urn:lienthong:problem:{slug}"),
            "{doc}"
        );
        assert_eq!(doc["status"], status);
        assert_eq!(doc["request_id"], self.header("x-request-id"));
        assert!(doc["detail"].as_str().is_some_and(|d| !d.is_empty()));
        doc
    }
}

/// Simulator settings for tests: asynchronous partners move one state every 50 ms.
pub fn sim_settings() -> SimSettings {
    SimSettings {
        step: Duration::from_millis(50),
    }
}

/// One simulator per partner on free ports.
pub async fn simulators() -> Vec<SimServer> {
    let mut sims = Vec::new();
    for partner in partners::all() {
        sims.push(
            SimServer::start_local((partner.simulator)(&sim_settings()), SimOptions::default())
                .await
                .unwrap(),
        );
    }
    sims
}

/// The demo on free loopback ports with its state in `data_dir`.
pub fn demo_options(data_dir: &std::path::Path) -> demo::DemoOptions {
    demo::DemoOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        admin_listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.to_owned(),
        latency: Latency::default(),
        sim_settings: sim_settings(),
    }
}

/// The demo configuration on free ports, edited by `adjust`.
pub async fn start_with(adjust: impl FnOnce(&mut Config)) -> TestBus {
    start_with_sims(simulators().await, adjust).await
}

/// A bus in front of `sims` with the demo configuration, edited by `adjust`.
pub async fn start_with_sims(sims: Vec<SimServer>, adjust: impl FnOnce(&mut Config)) -> TestBus {
    start_with_adapters(sims, partners::adapters(), adjust).await
}

/// A bus serving `adapters` (the configured ones) in front of `sims`, with the demo
/// configuration edited by `adjust`.
pub async fn start_with_adapters(
    sims: Vec<SimServer>,
    adapters: Vec<std::sync::Arc<dyn lienthong_adapter_kit::adapter::Adapter>>,
    adjust: impl FnOnce(&mut Config),
) -> TestBus {
    let data = tempfile::tempdir().unwrap();
    let mut config = demo::config(&demo_options(data.path()), &sims);
    adjust(&mut config);
    launch(sims, adapters, config, None, data).await
}

/// Starts the bus serving `adapters` on `config` (reloading from `file`, when given).
async fn launch(
    sims: Vec<SimServer>,
    adapters: Vec<std::sync::Arc<dyn lienthong_adapter_kit::adapter::Adapter>>,
    config: Config,
    config_file: Option<std::path::PathBuf>,
    data: tempfile::TempDir,
) -> TestBus {
    TestBus {
        bus: start_bus(&config, config_file.as_deref(), &adapters).await,
        sims,
        adapters,
        config,
        config_file,
        client: Client::builder(TokioExecutor::new()).build_http(),
        _data: data,
    }
}

async fn start_bus(
    config: &Config,
    file: Option<&std::path::Path>,
    adapters: &[std::sync::Arc<dyn lienthong_adapter_kit::adapter::Adapter>],
) -> Bus {
    Bus::start(config, file, adapters, openapi::json().unwrap())
        .await
        .unwrap()
}

/// A bus in front of `sims` started from a configuration file (so it can reload), whose
/// text `toml` writes for a data directory.
pub async fn start_from_file(
    sims: Vec<SimServer>,
    toml: impl FnOnce(&std::path::Path) -> String,
) -> TestBus {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("bus.toml");
    std::fs::write(&file, toml(&data.path().join("data"))).unwrap();
    let config = Config::load(&file).unwrap();
    launch(sims, partners::adapters(), config, Some(file), data).await
}

pub async fn start() -> TestBus {
    start_with(|_| {}).await
}

impl TestBus {
    pub fn sim(&self, partner: &str) -> &SimServer {
        self.sims.iter().find(|s| s.partner() == partner).unwrap()
    }

    pub fn api(&self) -> SocketAddr {
        self.bus.api_addr()
    }

    /// Sends a request to the API with the demo key plus `headers`.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let mut all = vec![("authorization", format!("ApiKey {KEY}"))];
        all.extend(headers.iter().map(|(k, v)| (*k, v.to_string())));
        self.raw(method, &format!("http://{}{path}", self.api()), &all, body)
            .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, &[], "").await
    }

    /// `GET path` bypassing the cache (`Cache-Control: no-cache`; the demo client may).
    pub async fn fresh(&self, path: &str) -> Answer {
        self.send(Method::GET, path, &[("cache-control", "no-cache")], "")
            .await
    }

    /// `GET path` as the `portal` client (see [`portal_client`]) with extra `headers`.
    pub async fn get_as_portal(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut all = vec![("authorization", format!("ApiKey {PORTAL_KEY}"))];
        all.extend(headers.iter().map(|(k, v)| (*k, v.to_string())));
        self.raw(
            Method::GET,
            &format!("http://{}{path}", self.api()),
            &all,
            "",
        )
        .await
    }

    /// Sends exactly the given headers.
    pub async fn raw(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> Answer {
        let mut request = Request::builder().method(method).uri(url);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = tokio::time::timeout(Duration::from_secs(30), self.client.request(request))
            .await
            .expect("answer within 30 s")
            .unwrap();
        let (parts, body) = response.into_parts();
        Answer {
            status: parts.status,
            headers: parts.headers,
            body: body.collect().await.unwrap().to_bytes(),
        }
    }

    /// Another bus instance on the same configuration (and simulators), with its own
    /// listeners, data directory and instance id; `dir` must outlive it.
    pub async fn another(&self, dir: &std::path::Path) -> Bus {
        let mut config = self.config.clone();
        config.server.listen = "127.0.0.1:0".parse().unwrap();
        config.server.admin_listen = "127.0.0.1:0".parse().unwrap();
        config.storage.data_dir = dir.to_owned();
        config.storage.instance_id = Some(format!("another-{}", uuid::Uuid::new_v4().simple()));
        Bus::start(
            &config,
            None,
            &partners::adapters(),
            openapi::json().unwrap(),
        )
        .await
        .unwrap()
    }

    /// `GET path` on the admin listener.
    pub async fn admin(&self, path: &str) -> Answer {
        let url = format!("http://{}{path}", self.bus.admin_addr());
        self.raw(Method::GET, &url, &[], "").await
    }

    /// `POST path` with a JSON body on the admin listener.
    pub async fn admin_post(&self, path: &str, body: &serde_json::Value) -> Answer {
        let url = format!("http://{}{path}", self.bus.admin_addr());
        self.raw(
            Method::POST,
            &url,
            &[("content-type", "application/json".into())],
            &body.to_string(),
        )
        .await
    }

    /// Stops the bus and starts a new one on the same configuration and store.
    pub async fn restart(self) -> Self {
        self.bus.shutdown().await;
        let bus = start_bus(&self.config, self.config_file.as_deref(), &self.adapters).await;
        Self { bus, ..self }
    }

    pub async fn stop(self) {
        self.bus.shutdown().await;
        for sim in self.sims {
            sim.shutdown().await;
        }
    }
}

/// `GET url` with the demo key.
pub fn authorized_get(url: String) -> Request<Full<Bytes>> {
    Request::get(url)
        .header("authorization", format!("ApiKey {KEY}"))
        .body(Full::new(Bytes::new()))
        .unwrap()
}

/// Sends `request` with `client` and asserts an HTTP/2 200 whose body is the enterprise.
pub async fn assert_http2_enterprise<C>(
    client: &Client<C, Full<Bytes>>,
    request: Request<Full<Bytes>>,
) where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let response = client.request(request).await.unwrap();
    assert_eq!(response.version(), http::Version::HTTP_2);
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["enterprise_code"], "1200123459");
}

/// A fresh PostgreSQL schema for one test: the URL selects it through `search_path`.
/// Schemas of earlier runs older than an hour are dropped on the way.
pub async fn postgres_url() -> String {
    let base = std::env::var("LIENTHONG_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432/test".into());
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&base).await.unwrap_or_else(|e| {
        panic!("PostgreSQL at {base} is required (scripts/test starts it): {e}")
    });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let stale: Vec<String> = sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'lt\\_test\\_%'",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    for schema in stale {
        let born: u64 = schema
            .split('_')
            .nth(2)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        if born + 3600 < now {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&admin)
            .await;
        }
    }
    let schema = format!("lt_test_{now}_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-c%20search_path%3D{schema}")
}

/// The `field` of each entry of a problem's `errors`.
pub fn error_fields(problem: &serde_json::Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// One request a [`Recorder`] received, with the status it answered.
#[derive(Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub answered: u16,
}

/// A local HTTP server that records every request (a webhook receiver, an OTLP collector).
/// It answers 302 to `redirect_to` while that is set; 500 to the next `fail_next`
/// requests, to everything while `failing` and to JSON bodies whose `status` is
/// `fail_status`; 204 otherwise. It counts the connections it accepts.
pub struct Recorder {
    pub url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<Recorded>>>,
    pub fail_next: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    pub failing: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub fail_status: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    pub redirect_to: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    connections: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Recorder {
    pub async fn start() -> Self {
        use std::sync::atomic::Ordering::SeqCst;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let recorder = Recorder {
            url: format!("http://{}", listener.local_addr().unwrap()),
            requests: Default::default(),
            fail_next: Default::default(),
            failing: Default::default(),
            fail_status: Default::default(),
            redirect_to: Default::default(),
            connections: Default::default(),
        };
        let (requests, fail_next, failing) = (
            recorder.requests.clone(),
            recorder.fail_next.clone(),
            recorder.failing.clone(),
        );
        let (fail_status, redirect_to, connections) = (
            recorder.fail_status.clone(),
            recorder.redirect_to.clone(),
            recorder.connections.clone(),
        );
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                connections.fetch_add(1, SeqCst);
                let (requests, fail_next, failing) =
                    (requests.clone(), fail_next.clone(), failing.clone());
                let (fail_status, redirect_to) = (fail_status.clone(), redirect_to.clone());
                let service =
                    hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                        let (requests, fail_next, failing) =
                            (requests.clone(), fail_next.clone(), failing.clone());
                        let (fail_status, redirect_to) = (fail_status.clone(), redirect_to.clone());
                        async move {
                            let (parts, body) = request.into_parts();
                            let body = body.collect().await.unwrap().to_bytes();
                            let status = serde_json::from_slice::<serde_json::Value>(&body)
                                .ok()
                                .and_then(|doc| doc["status"].as_str().map(str::to_owned));
                            let fail = failing.load(SeqCst)
                                || fail_next
                                    .fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1))
                                    .is_ok()
                                || status.is_some_and(|s| {
                                    fail_status.lock().unwrap().as_deref() == Some(s.as_str())
                                });
                            let location = redirect_to.lock().unwrap().clone();
                            let answered = match (&location, fail) {
                                (Some(_), _) => 302,
                                (None, true) => 500,
                                (None, false) => 204,
                            };
                            requests.lock().unwrap().push(Recorded {
                                path: parts.uri.path().to_owned(),
                                headers: parts.headers,
                                body,
                                answered,
                            });
                            let mut response = http::Response::new(Full::new(Bytes::new()));
                            *response.status_mut() = StatusCode::from_u16(answered).unwrap();
                            if let Some(location) = location {
                                response
                                    .headers_mut()
                                    .insert("location", location.parse().unwrap());
                            }
                            Ok::<_, std::convert::Infallible>(response)
                        }
                    });
                tokio::spawn(async move {
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        recorder
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.url.rsplit(':').next().unwrap().parse().unwrap()
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    /// Bodies (as JSON) of the requests answered with success.
    pub fn accepted_json(&self) -> Vec<serde_json::Value> {
        self.requests()
            .iter()
            .filter(|r| r.answered < 300)
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }

    /// Waits up to `timeout` for an accepted body satisfying `done`.
    pub async fn wait_for(&self, timeout: Duration, done: impl Fn(&serde_json::Value) -> bool) {
        let deadline = tokio::time::Instant::now() + timeout;
        while !self.accepted_json().iter().any(&done) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "the awaited request never arrived"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// Asserts webhook bodies of application `id`: status changes in strictly increasing
/// version order, from `submitted` to `issued`.
pub fn assert_webhooks_in_order(received: &[serde_json::Value], id: &serde_json::Value) {
    let versions: Vec<i64> = received
        .iter()
        .map(|doc| doc["version"].as_i64().unwrap())
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "deliveries out of order or repeated: {versions:?}"
    );
    let statuses: Vec<&str> = received
        .iter()
        .map(|doc| doc["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.first(), Some(&"submitted"), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&"issued"), "{statuses:?}");
    assert!(
        received
            .iter()
            .all(|doc| doc["id"] == *id && doc["event"] == "status_changed")
    );
}

/// The API key of the second client tests add (`portal`).
pub const PORTAL_KEY: &str = "portal-key-123";

/// A second client, `portal`, with the grants `allow` and no other rights.
pub fn portal_client(allow: &[&str]) -> lienthong_core::config::ClientConfig {
    lienthong_core::config::ClientConfig {
        id: "portal".into(),
        api_key: Some(PORTAL_KEY.into()),
        allow: allow.iter().map(|g| g.to_string()).collect(),
        ..Default::default()
    }
}

/// A connection to the store a bus started on `config` uses (its SQLite file or its
/// PostgreSQL schema), to look at what it wrote.
pub async fn store_pool(config: &Config) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    let url = match &config.storage.url {
        Some(url) => url.clone(),
        None => format!(
            "sqlite://{}",
            config.storage.data_dir.join("lienthong.db").display()
        ),
    };
    sqlx::AnyPool::connect(&url).await.unwrap()
}
