//! The HTTP server a simulator runs in: latency, quota and injected faults around the
//! pure [`Simulator`].

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::answer::{html, plain, to_response};
use super::control::control_endpoint;
use super::latency::Latency;
use super::quota::Quota;
use super::simulator::{FaultKind, PartnerFault, SimOptions, SimStats, Simulator};
use super::state::{SimState, lock};
use crate::adapter::{Credentials, WireRequest};

/// A running simulator on a TCP listener.
pub struct SimServer {
    addr: SocketAddr,
    state: Arc<SimState>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// How many of the latest requests a simulator keeps for inspection.
const RECENT_REQUESTS: usize = 64;

/// Largest request body a simulator reads.
const MAX_SIM_BODY: usize = 1024 * 1024;

impl SimServer {
    /// Serves `simulator` on `listener` until [`SimServer::shutdown`].
    pub fn start(
        simulator: Arc<dyn Simulator>,
        listener: TcpListener,
        options: SimOptions,
    ) -> std::io::Result<Self> {
        let addr = listener.local_addr()?;
        let (stop, stopping) = watch::channel(false);
        let state = Arc::new(SimState {
            simulator,
            requests: AtomicU64::new(0),
            faults_injected: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            max_concurrent: AtomicU64::new(0),
            quota: Mutex::new(Quota {
                per_second: options.quota,
                ..Quota::default()
            }),
            by_path: Mutex::new(BTreeMap::new()),
            pending_faults: Mutex::new(VecDeque::new()),
            fault_until: Mutex::new(None),
            recent: Mutex::new(VecDeque::with_capacity(RECENT_REQUESTS)),
            latency: Mutex::new(options.latency),
            fault_rate: options.fault_rate.clamp(0.0, 1.0),
            stopping,
        });
        let task = tokio::spawn(accept_loop(listener, state.clone()));
        Ok(Self {
            addr,
            state,
            stop,
            task,
        })
    }

    /// Binds `127.0.0.1:0` and serves `simulator` there (for tests and the demo).
    pub async fn start_local(
        simulator: Arc<dyn Simulator>,
        options: SimOptions,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        Self::start(simulator, listener, options)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://addr`, the base URL to configure for the partner.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The partner this server simulates.
    pub fn partner(&self) -> &'static str {
        self.state.simulator.partner()
    }

    /// The account the simulator accepts, if its partner needs credentials.
    pub fn accepted_credentials(&self) -> Option<Credentials> {
        self.state.simulator.accepted_credentials()
    }

    /// What the simulator has received so far.
    pub fn stats(&self) -> SimStats {
        self.state.stats()
    }

    /// The latest requests received (up to 64), oldest first: what the partner saw.
    pub fn recent_requests(&self) -> Vec<WireRequest> {
        lock(&self.state.recent).iter().cloned().collect()
    }

    /// Answers the next `count` requests with `kind`.
    pub fn inject(&self, kind: FaultKind, count: u32) {
        lock(&self.state.pending_faults).extend(std::iter::repeat_n(kind, count as usize));
    }

    /// Answers every request with `kind` for the next `period`.
    pub fn inject_for(&self, kind: FaultKind, period: Duration) {
        *lock(&self.state.fault_until) = Some((kind, Instant::now() + period));
    }

    /// Drops faults not yet injected.
    pub fn clear_faults(&self) {
        self.state.clear_faults();
    }

    /// Changes the latency distribution.
    pub fn set_latency(&self, latency: Latency) {
        *lock(&self.state.latency) = latency;
    }

    /// Changes the quota: the most requests one consumer may make per one-second window
    /// (`None`: no quota). Requests already counted in the current window still count.
    pub fn set_quota(&self, per_second: Option<u32>) {
        self.state.set_quota(per_second);
    }

    /// Stops accepting, releases hanging requests and waits for the accept loop to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
async fn accept_loop(listener: TcpListener, state: Arc<SimState>) {
    let mut stopping = state.stopping.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopping.wait_for(|s| *s) => return,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let state = state.clone();
        let mut stopping = state.stopping.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(serve(&state, req).await) }
            });
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = connection => {}
                _ = stopping.wait_for(|s| *s) => {}
            }
        });
    }
}

async fn serve(state: &SimState, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_SIM_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large"),
    };
    let path = parts.uri.path().to_owned();
    if let Some(control) = path.strip_prefix("/__sim/") {
        return control_endpoint(state, &parts.method, control, &body);
    }
    state.requests.fetch_add(1, Ordering::Relaxed);
    *lock(&state.by_path).entry(path).or_default() += 1;
    let _answering = Answering::enter(state);
    let request = WireRequest {
        method: parts.method,
        path: parts
            .uri
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |pq| pq.as_str().to_owned()),
        headers: parts.headers,
        body,
    };
    let consumer = state.simulator.consumer(&request).unwrap_or_default();
    let throttled = lock(&state.quota).admit(consumer, SystemTime::now());
    if throttled.is_some() {
        state.throttled.fetch_add(1, Ordering::Relaxed);
    }

    let delay = lock(&state.latency).sample();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    {
        let mut recent = lock(&state.recent);
        if recent.len() == RECENT_REQUESTS {
            recent.pop_front();
        }
        recent.push_back(request.clone());
    }
    if let Some(retry_after_secs) = throttled {
        return to_response(
            state
                .simulator
                .fault(PartnerFault::Busy { retry_after_secs }),
        );
    }
    let fault = state.next_fault();
    if fault.is_some() {
        state.faults_injected.fetch_add(1, Ordering::Relaxed);
    }
    let answer = match fault {
        None => state.simulator.handle(&request),
        Some(FaultKind::Fault) => state.simulator.fault(PartnerFault::Fault),
        Some(FaultKind::Busy) => state.simulator.fault(PartnerFault::Busy {
            retry_after_secs: 1,
        }),
        Some(FaultKind::Unavailable) => state.simulator.fault(PartnerFault::Unavailable),
        Some(FaultKind::Http500) => {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<html><body>500 Internal Server Error</body></html>",
            );
        }
        Some(FaultKind::Malformed) => {
            let mut answer = state.simulator.handle(&request);
            answer.body = answer.body.slice(..answer.body.len() / 2);
            answer
        }
        Some(FaultKind::Hang) => {
            let mut stopping = state.stopping.clone();
            let _ = stopping.wait_for(|s| *s).await;
            return plain(StatusCode::SERVICE_UNAVAILABLE, "simulator stopping");
        }
    };
    to_response(answer)
}

/// Counts a partner request as being answered until dropped (however the answer ends).
struct Answering<'a>(&'a SimState);

impl<'a> Answering<'a> {
    fn enter(state: &'a SimState) -> Self {
        let now = state.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        state.max_concurrent.fetch_max(now, Ordering::Relaxed);
        Self(state)
    }
}

impl Drop for Answering<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::time::UNIX_EPOCH;

    use http::{Method, header};
    use hyper_util::client::legacy::Client;
    use hyper_util::client::legacy::connect::HttpConnector;
    use serde_json::{Value, json};

    use super::*;
    use crate::adapter::WireResponse;

    /// Answers `200 ok` and counts the requests that reach it; throttles with a 429.
    #[derive(Default)]
    struct Counting {
        handled: AtomicU64,
    }

    impl Simulator for Counting {
        fn partner(&self) -> &'static str {
            "counting"
        }

        fn handle(&self, _request: &WireRequest) -> WireResponse {
            self.handled.fetch_add(1, Ordering::Relaxed);
            WireResponse::new(StatusCode::OK, "text/plain", "ok")
        }

        fn fault(&self, fault: PartnerFault) -> WireResponse {
            match fault {
                PartnerFault::Busy { retry_after_secs } => {
                    WireResponse::new(StatusCode::TOO_MANY_REQUESTS, "text/plain", "busy")
                        .with_retry_after(retry_after_secs)
                }
                _ => WireResponse::new(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "fault"),
            }
        }

        fn stats(&self) -> Value {
            json!({ "handled": self.handled.load(Ordering::Relaxed) })
        }
    }

    type TestClient = Client<HttpConnector, Full<Bytes>>;

    /// Status, `Retry-After` and body of one request to `server`.
    async fn send(
        client: &TestClient,
        server: &SimServer,
        method: Method,
        path: &str,
        consumer: Option<&str>,
        body: &str,
    ) -> (StatusCode, Option<String>, String) {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", server.base_url()));
        if let Some(consumer) = consumer {
            request = request.header("X-Ma-Don-Vi", consumer);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = client.request(request).await.unwrap();
        let status = response.status();
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap().to_owned());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            retry_after,
            String::from_utf8(body.to_vec()).unwrap(),
        )
    }

    /// Waits until just after the next wall-clock second, so that the requests that follow
    /// fall in one quota window.
    async fn next_window() {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        let left = Duration::from_secs(1) - Duration::from_nanos(u64::from(since.subsec_nanos()));
        tokio::time::sleep(left + Duration::from_millis(10)).await;
    }

    #[tokio::test]
    async fn the_quota_throttles_each_consumer_per_window_and_changes_at_runtime() {
        let simulator = Arc::new(Counting::default());
        let options = SimOptions {
            quota: Some(2),
            ..SimOptions::default()
        };
        let server = SimServer::start_local(simulator.clone(), options)
            .await
            .unwrap();
        let client: TestClient = Client::builder(TokioExecutor::new()).build_http();
        let get = |consumer| send(&client, &server, Method::GET, "/x", consumer, "");

        next_window().await;
        assert_eq!(get(Some("H82")).await.0, StatusCode::OK);
        assert_eq!(get(Some("H82")).await.0, StatusCode::OK);
        // A pending injected fault waits: the throttled request never reaches the partner.
        server.inject(FaultKind::Fault, 1);
        let (status, retry_after, body) = get(Some("H82")).await;
        assert_eq!(
            (status, retry_after.as_deref(), body.as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("1"), "busy")
        );
        assert_eq!(get(Some("H83")).await.0, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(get(None).await.0, StatusCode::OK);
        let stats = server.stats();
        assert_eq!(
            (stats.requests, stats.throttled, stats.max_per_second),
            (5, 1, 3)
        );
        assert_eq!(
            (stats.faults_injected, &stats.partner),
            (1, &json!({ "handled": 3 }))
        );

        next_window().await;
        assert_eq!(get(Some("H82")).await.0, StatusCode::OK);

        let put = |body| send(&client, &server, Method::PUT, "/__sim/quota", None, body);
        assert_eq!(put(r#"{"per_second": 0}"#).await.0, StatusCode::NO_CONTENT);
        assert_eq!(get(Some("H82")).await.0, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            put(r#"{"per_second": null}"#).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(get(Some("H82")).await.0, StatusCode::OK);
        for refused in [
            "{}",
            r#"{"per_second": -1}"#,
            r#"{"per_second": 1, "x": 2}"#,
        ] {
            assert_eq!(put(refused).await.0, StatusCode::BAD_REQUEST, "{refused}");
        }
        server.set_quota(Some(0));
        assert_eq!(get(Some("H85")).await.0, StatusCode::TOO_MANY_REQUESTS);

        let (status, _, body) = send(&client, &server, Method::GET, "/__sim/stats", None, "").await;
        assert_eq!(status, StatusCode::OK);
        let stats: SimStats = serde_json::from_str(&body).unwrap();
        assert_eq!((stats.requests, stats.throttled), (9, 3));
        assert_eq!(stats.partner, json!({ "handled": 5 }));
        server.shutdown().await;
    }
}
