//! A fake partner on 127.0.0.1:0 that answers what a test tells it to: canned hostile
//! bodies and headers, bodies that are huge, endless or dripped a byte per second,
//! connections closed without an answer, or the real simulator's answer.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::stream::{self, StreamExt};
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper_util::rt::{TokioExecutor, TokioIo};
use lienthong_adapter_kit::adapter::{WireRequest, WireResponse};
use lienthong_adapter_kit::sim::Simulator;

/// What the fake partner answers.
#[derive(Clone)]
pub(crate) enum Hostility {
    /// The wrapped simulator's own answer.
    Valid,
    /// Exactly this answer.
    Canned(WireResponse),
    /// `total` bytes of `x`, with or without `Content-Length`.
    Huge { total: usize, content_length: bool },
    /// Chunks without end, as fast as the bus reads them.
    Endless,
    /// The simulator's answer, one byte per second.
    Drip,
    /// The connection closes once the request is read, without an answer.
    Close,
}

impl Hostility {
    /// `body` with HTTP `status` and `content_type`.
    pub(crate) fn body(status: u16, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        let status = StatusCode::from_u16(status).unwrap();
        Self::Canned(WireResponse::new(status, content_type, body))
    }

    /// An XML `body` answered with HTTP 200.
    pub(crate) fn xml(body: impl Into<Bytes>) -> Self {
        Self::body(200, "text/xml; charset=utf-8", body)
    }

    /// A JSON `body` answered with HTTP 200.
    pub(crate) fn json(body: impl Into<Bytes>) -> Self {
        Self::body(200, "application/json; charset=utf-8", body)
    }

    /// `answer` with `Retry-After: value`.
    pub(crate) fn retry_after(mut answer: WireResponse, value: &str) -> Self {
        answer.headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_str(value).unwrap(),
        );
        Self::Canned(answer)
    }
}

type Body = BoxBody<Bytes, Infallible>;

struct State {
    simulator: Box<dyn Simulator>,
    standing: Mutex<Hostility>,
    next: Mutex<VecDeque<Hostility>>,
    requests: AtomicUsize,
    last: Mutex<Option<WireRequest>>,
}

/// A running fake partner.
pub(crate) struct HostilePartner {
    pub(crate) url: String,
    state: Arc<State>,
}

impl HostilePartner {
    /// Starts a fake partner that answers like `simulator` until told otherwise.
    pub(crate) async fn start(simulator: impl Simulator) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(State {
            simulator: Box::new(simulator),
            standing: Mutex::new(Hostility::Valid),
            next: Mutex::new(VecDeque::new()),
            requests: AtomicUsize::new(0),
            last: Mutex::new(None),
        });
        let serving = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = serving.clone();
                let service = hyper::service::service_fn(move |request| {
                    let state = state.clone();
                    async move { answer(&state, request).await }
                });
                tokio::spawn(async move {
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { url, state }
    }

    /// Answers every request with `hostility` from now on.
    pub(crate) fn always(&self, hostility: Hostility) {
        *self.state.standing.lock().unwrap() = hostility;
        self.state.next.lock().unwrap().clear();
    }

    /// Answers the next requests with `first`, in order, then as before.
    pub(crate) fn next(&self, first: impl IntoIterator<Item = Hostility>) {
        self.state.next.lock().unwrap().extend(first);
    }

    /// The last request received.
    pub(crate) fn last_request(&self) -> WireRequest {
        self.state.last.lock().unwrap().clone().unwrap()
    }

    /// Requests received so far.
    pub(crate) fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
}

async fn answer(state: &State, request: Request<Incoming>) -> Result<Response<Body>, String> {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    let wire = WireRequest {
        method: parts.method,
        path: parts
            .uri
            .path_and_query()
            .map_or("/".to_owned(), |pq| pq.to_string()),
        headers: parts.headers,
        body,
    };
    *state.last.lock().unwrap() = Some(wire.clone());
    let next = state.next.lock().unwrap().pop_front();
    let hostility = next.unwrap_or_else(|| state.standing.lock().unwrap().clone());
    let response = match hostility {
        Hostility::Valid => whole(state.simulator.handle(&wire)),
        Hostility::Canned(answer) => whole(answer),
        Hostility::Huge {
            total,
            content_length,
        } => {
            let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
            let chunks = total.div_ceil(chunk.len());
            let frames = stream::iter(0..chunks).map(move |i| {
                let len = (total - i * chunk.len()).min(chunk.len());
                Ok(Frame::data(chunk.slice(..len)))
            });
            let mut response = streamed(frames);
            if content_length {
                response
                    .headers_mut()
                    .insert(http::header::CONTENT_LENGTH, total.into());
            }
            response
        }
        Hostility::Endless => {
            let chunk = Bytes::from(vec![b' '; 64 * 1024]);
            streamed(stream::repeat_with(move || Ok(Frame::data(chunk.clone()))))
        }
        Hostility::Drip => {
            let answer = state.simulator.handle(&wire).body;
            let frames = stream::iter(0..answer.len()).then(move |i| {
                let byte = answer.slice(i..=i);
                async move {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Ok(Frame::data(byte))
                }
            });
            streamed(frames)
        }
        Hostility::Close => return Err("closed without an answer".into()),
    };
    Ok(response)
}

fn whole(answer: WireResponse) -> Response<Body> {
    let mut response = Response::new(Full::new(answer.body).boxed());
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    response
}

fn streamed(
    frames: impl futures::Stream<Item = Result<Frame<Bytes>, Infallible>> + Send + Sync + 'static,
) -> Response<Body> {
    let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}
