//! The harness every partner simulator runs in: an HTTP server that adds a latency
//! distribution (the slow dedicated network), injected faults and request statistics
//! around a pure [`Simulator`].
//!
//! Control endpoints (served beside the partner's own paths):
//! - `GET /__sim/stats`: requests received, per path, faults injected, the most requests
//!   one consumer sent in a second and the most answered at once;
//! - `POST /__sim/faults` `{"kind": "fault|busy|unavailable|http_500|malformed|hang",
//!   "count": N}` answers the next `N` requests with that fault, or with `"for_ms": T`
//!   every request for the next `T` ms; `DELETE /__sim/faults` clears them;
//! - `PUT /__sim/latency` `{"median_ms": M, "p99_ms": P}`: change the latency;
//! - `PUT /__sim/quota` `{"per_second": N}` (or `null`: no quota): change the quota.
//!
//! Quota: like the real partners, a simulator may throttle each consumer (its code, see
//! [`Simulator::consumer`]) to a number of requests per fixed one-second window aligned on
//! wall-clock seconds. A request over the quota is answered with the partner's own
//! throttling answer ([`PartnerFault::Busy`], `Retry-After` = seconds to the next window)
//! and never reaches [`Simulator::handle`]. The quota is checked first, when a request
//! arrives: a throttled request consumes no injected fault, and injected faults apply
//! only to requests within the quota. Throttled requests count in their window too.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::adapter::{Credentials, WireRequest, WireResponse};

/// A partner simulator: answers wire requests exactly as the partner's published
/// interface says. Pure; latency and generic faults are added by [`SimServer`].
pub trait Simulator: Send + Sync + 'static {
    /// The partner this simulates (same name as its adapter).
    fn partner(&self) -> &'static str;

    /// Answers one request. `request.path` includes the query string.
    fn handle(&self, request: &WireRequest) -> WireResponse;

    /// The partner's own error answer in its format (a SOAP Fault, a JSON error body).
    fn fault(&self, fault: PartnerFault) -> WireResponse;

    /// The code of the consumer that sent `request` (`MaDonVi`), which the quota is
    /// counted by; `None` when the request names none (it then counts under `""`).
    /// Default: the `X-Ma-Don-Vi` header of REST partners, trimmed. Called on every
    /// request before [`Simulator::handle`], so it must be cheap and change nothing.
    fn consumer(&self, request: &WireRequest) -> Option<String> {
        request
            .headers
            .get(CONSUMER_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// Partner-specific counters for `GET /__sim/stats` (e.g. applications created).
    /// Default: none.
    fn stats(&self) -> serde_json::Value {
        serde_json::Value::Null
    }

    /// The account the simulator accepts, for partners that need credentials (the demo
    /// configures it). Default: none.
    fn accepted_credentials(&self) -> Option<Credentials> {
        None
    }
}

/// Errors a simulator produces in its partner's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerFault {
    /// An internal error of the partner (SOAP `Server`/`Receiver` fault, code `99`, 5xx).
    Fault,
    /// The partner throttles the consumer and asks it to wait `retry_after_secs`.
    Busy {
        /// Seconds for the `Retry-After` header.
        retry_after_secs: u64,
    },
    /// Result code `03`: temporarily interrupted, retry later.
    Unavailable,
}

/// The header that names the consumer at REST partners.
const CONSUMER_HEADER: &str = "x-ma-don-vi";

/// What national partners say in their generic error answer ([`PartnerFault::Fault`]).
pub const ERROR_TEXT: &str = "Lỗi hệ thống, vui lòng thử lại sau";
/// What national partners say when they throttle a consumer ([`PartnerFault::Busy`]),
/// unless their interface says otherwise.
pub const OVERLOADED_TEXT: &str = "Hệ thống đang quá tải, vui lòng thử lại sau";
/// What national partners say with result code `03` ([`PartnerFault::Unavailable`]).
pub const INTERRUPTED_TEXT: &str = "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau";

/// A fault the harness can be told to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The partner's own fault answer ([`PartnerFault::Fault`]).
    Fault,
    /// The partner's throttling answer ([`PartnerFault::Busy`], `Retry-After: 1`).
    Busy,
    /// The partner's "temporarily interrupted" answer ([`PartnerFault::Unavailable`]).
    Unavailable,
    /// A bare HTTP 500 with an HTML body, as a broken proxy would send.
    Http500,
    /// The normal answer cut in half.
    Malformed,
    /// Never answer (until the simulator stops).
    Hang,
}

/// Log-normal latency given by its median and 99th percentile; zero means none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Latency {
    /// Median added delay in milliseconds.
    pub median_ms: u64,
    /// 99th-percentile added delay in milliseconds (≥ median).
    pub p99_ms: u64,
}

impl Latency {
    /// A sample from the distribution.
    pub fn sample(&self) -> Duration {
        if self.median_ms == 0 {
            return Duration::ZERO;
        }
        let median = self.median_ms as f64;
        let p99 = (self.p99_ms.max(self.median_ms)) as f64;
        // z of the 99th percentile of the standard normal.
        let sigma = (p99 / median).ln() / 2.326_348;
        let mut rng = rand::rng();
        let (u1, u2): (f64, f64) = (rng.random::<f64>().max(f64::MIN_POSITIVE), rng.random());
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let ms = (median.ln() + sigma * z).exp().min(60_000.0);
        Duration::from_micros((ms * 1000.0) as u64)
    }
}

/// Partner-specific knobs handed to simulator factories.
#[derive(Debug, Clone)]
pub struct SimSettings {
    /// How long one processing step takes at asynchronous partners (an application moves
    /// one state per step).
    pub step: Duration,
}

impl Default for SimSettings {
    fn default() -> Self {
        Self {
            step: Duration::from_secs(3),
        }
    }
}

/// How a simulator behaves beyond its dataset.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// Added latency per request.
    pub latency: Latency,
    /// Probability (0..=1) that a request is answered with the partner's fault.
    pub fault_rate: f64,
    /// The most requests one consumer may make per fixed one-second window; over it the
    /// partner's throttling answer. `None`: no quota.
    pub quota: Option<u32>,
}

/// Counters a simulator keeps about what it received.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimStats {
    /// Partner requests received (control endpoints excluded).
    pub requests: u64,
    /// Requests per path (query excluded).
    pub by_path: BTreeMap<String, u64>,
    /// Requests answered with an injected fault.
    pub faults_injected: u64,
    /// Requests answered with the throttling answer because their consumer was over the
    /// quota.
    pub throttled: u64,
    /// The most requests one consumer sent in one fixed one-second window (throttled ones
    /// included), over the simulator's life.
    pub max_per_second: u64,
    /// The most partner requests being answered at once, over the simulator's life.
    pub max_concurrent: u64,
    /// The simulator's own counters ([`Simulator::stats`]).
    pub partner: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultOrder {
    kind: FaultKind,
    #[serde(default = "one")]
    count: u32,
    for_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

/// Body of `PUT /__sim/quota`. `per_second` is required; `null` removes the quota.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaOrder {
    #[serde(deserialize_with = "Option::deserialize")]
    per_second: Option<u32>,
}

/// Length of a quota window in milliseconds; windows start on wall-clock seconds.
const WINDOW_MS: u64 = 1000;

/// Requests per consumer in the current fixed window, and the quota they are held to.
/// Only the current window is kept, plus the largest count seen.
#[derive(Debug, Default)]
struct Quota {
    per_second: Option<u32>,
    window: u64,
    counts: HashMap<String, u64>,
    max_per_second: u64,
}

impl Quota {
    /// Counts one request of `consumer` arriving at `now`. When it is over the quota, the
    /// `Retry-After` to answer with: seconds to the next window, rounded up, at least 1.
    fn admit(&mut self, consumer: String, now: SystemTime) -> Option<u64> {
        let millis = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let window = millis / WINDOW_MS;
        if window != self.window {
            self.window = window;
            self.counts.clear();
        }
        let count = self.counts.entry(consumer).or_default();
        *count += 1;
        self.max_per_second = self.max_per_second.max(*count);
        let over = self.per_second.is_some_and(|q| *count > u64::from(q));
        over.then(|| (WINDOW_MS - millis % WINDOW_MS).div_ceil(1000).max(1))
    }
}

struct SimState {
    simulator: Arc<dyn Simulator>,
    requests: AtomicU64,
    faults_injected: AtomicU64,
    throttled: AtomicU64,
    in_flight: AtomicU64,
    max_concurrent: AtomicU64,
    quota: Mutex<Quota>,
    by_path: Mutex<BTreeMap<String, u64>>,
    pending_faults: Mutex<VecDeque<FaultKind>>,
    fault_until: Mutex<Option<(FaultKind, Instant)>>,
    recent: Mutex<VecDeque<WireRequest>>,
    latency: Mutex<Latency>,
    fault_rate: f64,
    stopping: watch::Receiver<bool>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

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

impl SimState {
    fn stats(&self) -> SimStats {
        SimStats {
            requests: self.requests.load(Ordering::Relaxed),
            by_path: lock(&self.by_path).clone(),
            faults_injected: self.faults_injected.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            max_per_second: lock(&self.quota).max_per_second,
            max_concurrent: self.max_concurrent.load(Ordering::Relaxed),
            partner: self.simulator.stats(),
        }
    }

    fn set_quota(&self, per_second: Option<u32>) {
        lock(&self.quota).per_second = per_second;
    }

    fn clear_faults(&self) {
        lock(&self.pending_faults).clear();
        *lock(&self.fault_until) = None;
    }

    fn next_fault(&self) -> Option<FaultKind> {
        if let Some((kind, until)) = *lock(&self.fault_until)
            && Instant::now() < until
        {
            return Some(kind);
        }
        if let Some(kind) = lock(&self.pending_faults).pop_front() {
            return Some(kind);
        }
        (self.fault_rate > 0.0 && rand::rng().random::<f64>() < self.fault_rate)
            .then_some(FaultKind::Fault)
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

fn control_endpoint(
    state: &SimState,
    method: &Method,
    what: &str,
    body: &[u8],
) -> Response<Full<Bytes>> {
    match (method, what) {
        (&Method::GET, "stats") => json(StatusCode::OK, &state.stats()),
        (&Method::POST, "faults") => match serde_json::from_slice::<FaultOrder>(body) {
            Ok(FaultOrder {
                kind,
                for_ms: Some(ms),
                ..
            }) => {
                *lock(&state.fault_until) =
                    Some((kind, Instant::now() + Duration::from_millis(ms)));
                plain(StatusCode::NO_CONTENT, "")
            }
            Ok(order) => {
                lock(&state.pending_faults)
                    .extend(std::iter::repeat_n(order.kind, order.count as usize));
                plain(StatusCode::NO_CONTENT, "")
            }
            Err(e) => plain(StatusCode::BAD_REQUEST, &format!("bad fault order: {e}")),
        },
        (&Method::DELETE, "faults") => {
            state.clear_faults();
            plain(StatusCode::NO_CONTENT, "")
        }
        (&Method::PUT, "latency") => match serde_json::from_slice::<Latency>(body) {
            Ok(latency) => {
                *lock(&state.latency) = latency;
                plain(StatusCode::NO_CONTENT, "")
            }
            Err(e) => plain(StatusCode::BAD_REQUEST, &format!("bad latency: {e}")),
        },
        (&Method::PUT, "quota") => match serde_json::from_slice::<QuotaOrder>(body) {
            Ok(order) => {
                state.set_quota(order.per_second);
                plain(StatusCode::NO_CONTENT, "")
            }
            Err(e) => plain(StatusCode::BAD_REQUEST, &format!("bad quota: {e}")),
        },
        _ => plain(StatusCode::NOT_FOUND, "unknown simulator control endpoint"),
    }
}

fn to_response(answer: WireResponse) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(answer.body));
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    response
}

fn with_type(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    with_type(
        status,
        "text/plain; charset=utf-8",
        Bytes::from(text.to_owned()),
    )
}

fn html(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    with_type(
        status,
        "text/html; charset=utf-8",
        Bytes::from_static(text.as_bytes()),
    )
}

fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    with_type(status, "application/json", Bytes::from(body))
}

/// SplitMix64 (Steele, Lea, Flood 2014): the fixed-seed generator behind simulator
/// datasets. Tiny and fully specified, so a dataset drawn from it is the same on every
/// build and in every version of this crate, whatever other crates' random-number
/// algorithms become; every method below draws in a documented way, and changing one
/// would change every dataset (adapters pin theirs with fingerprint tests).
///
/// It is predictable by design: use it for simulated data only, never for anything that
/// needs secrecy (nonces, tokens, keys come from the OS CSPRNG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 bits: the state advances by `0x9e3779b97f4a7c15` and is mixed by two
    /// multiply-xorshift rounds.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`: one draw, reduced modulo `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64().checked_rem(n).unwrap_or(0)
    }

    /// A number in `low..=high`, of the bounds' type: `low` plus [`SplitMix64::below`] the
    /// span. `low` when `high` < `low`.
    pub fn between<N>(&mut self, low: N, high: N) -> N
    where
        N: Copy + Into<u64> + TryFrom<u64>,
    {
        let (from, to) = (low.into(), high.into());
        let drawn = from + self.below(to.saturating_sub(from).saturating_add(1));
        N::try_from(drawn).unwrap_or(low)
    }

    /// True with probability `percent`/100: one draw below 100.
    pub fn percent(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// An index in `0..len`: one draw below `len`.
    pub fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).unwrap_or_default()
    }

    /// One item of `items` ([`SplitMix64::index`]); `None`, drawing nothing, when `items`
    /// is empty.
    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> Option<&'t T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.index(items.len()))
    }

    /// The index of one of `items`, each chosen in proportion to its `weight`: one draw
    /// below the total weight. 0 when nothing weighs anything (after one draw all the
    /// same).
    pub fn weighted_index<T>(&mut self, items: &[T], weight: impl Fn(&T) -> u64) -> usize {
        let total = items
            .iter()
            .fold(0u64, |total, item| total.saturating_add(weight(item)));
        let mut roll = self.below(total.max(1));
        for (i, item) in items.iter().enumerate() {
            let weight = weight(item);
            if roll < weight {
                return i;
            }
            roll -= weight;
        }
        0
    }

    /// One value of a table of `(value, weight)` pairs ([`SplitMix64::weighted_index`]);
    /// `None` when the table is empty.
    pub fn weighted<'t, T>(&mut self, items: &'t [(T, u64)]) -> Option<&'t T> {
        let index = self.weighted_index(items, |(_, weight)| *weight);
        items.get(index).map(|(value, _)| value)
    }
}

#[cfg(test)]
mod tests {
    use hyper_util::client::legacy::Client;
    use hyper_util::client::legacy::connect::HttpConnector;
    use serde_json::{Value, json};

    use super::*;

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

    #[test]
    fn quota_counts_each_consumer_in_fixed_windows() {
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        let mut quota = Quota {
            per_second: Some(2),
            ..Quota::default()
        };
        assert_eq!(quota.admit("H82".into(), at(5_000)), None);
        assert_eq!(quota.admit("H82".into(), at(5_400)), None);
        assert_eq!(quota.admit("H82".into(), at(5_999)), Some(1));
        assert_eq!(quota.admit("H82".into(), at(5_999)), Some(1));
        // Other consumers, and requests naming none, have their own counts.
        assert_eq!(quota.admit("H83".into(), at(5_999)), None);
        assert_eq!(quota.admit(String::new(), at(5_999)), None);
        assert_eq!(quota.admit(String::new(), at(5_999)), None);
        assert_eq!(quota.admit(String::new(), at(5_999)), Some(1));
        // A new window starts from zero and forgets the previous one.
        assert_eq!(quota.admit("H82".into(), at(6_000)), None);
        assert_eq!(quota.counts.len(), 1);
        assert_eq!(quota.max_per_second, 4);
        // Without a quota nothing is throttled, but the counts go on.
        quota.per_second = None;
        for _ in 0..5 {
            assert_eq!(quota.admit("H82".into(), at(6_500)), None);
        }
        assert_eq!(quota.max_per_second, 6);
        quota.per_second = Some(0);
        assert_eq!(quota.admit("H84".into(), at(7_000)), Some(1));
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

    #[test]
    fn splitmix64_draws_the_reference_sequence() {
        let mut rng = SplitMix64::new(0);
        // Reference values of SplitMix64 seeded with 0.
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
        let mut a = SplitMix64::new(7);
        let mut b = SplitMix64::new(7);
        assert_eq!(a.between(10u64, 20), 10 + b.next_u64() % 11);
        assert_eq!(a.percent(30), b.next_u64() % 100 < 30);
        assert_eq!(
            a.pick(&["x", "y", "z"]),
            ["x", "y", "z"].get((b.next_u64() % 3) as usize)
        );
        assert_eq!(a.pick::<u8>(&[]), None);
        assert_eq!(a.below(0), 0);
        b.next_u64();
        assert_eq!(a.between(5u8, 3), 5);
        b.next_u64();
        assert_eq!(a, b);
        let table = [("never", 0), ("always", 5)];
        assert_eq!(a.weighted(&table), Some(&"always"));
        assert_eq!(a.weighted::<u8>(&[]), None);
    }

    #[test]
    fn latency_samples_centre_on_the_median() {
        let latency = Latency {
            median_ms: 100,
            p99_ms: 400,
        };
        let mut samples: Vec<Duration> = (0..2001).map(|_| latency.sample()).collect();
        samples.sort();
        let median = samples[1000].as_millis();
        assert!((70..=140).contains(&median), "median {median} ms");
        assert_eq!(Latency::default().sample(), Duration::ZERO);
    }
}
