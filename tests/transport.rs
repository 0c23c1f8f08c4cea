//! End-to-end: the transport edge against hostile clients — a deadline for every phase of
//! a connection, a cap on connections and HTTP/2 streams, the `Host` rule of HTTP/1.1,
//! and failed authentications throttled per source address. Raw sockets play the client.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use lienthong_core::config::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// How long any test waits for something that must happen at all.
const PATIENCE: Duration = Duration::from_secs(10);

const ENTERPRISE: &str = "/v1/enterprises/1200123459";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Short deadlines for every phase, so that each test sees them pass.
fn short_deadlines(c: &mut Config) {
    c.server.first_byte_timeout = ms(300);
    c.server.header_read_timeout = ms(500);
    c.server.body_read_timeout = ms(500);
    c.server.http2_idle_timeout = ms(500);
}

/// Reads until the bus closes the connection or `PATIENCE` passes: what arrived, and
/// whether the connection was closed.
async fn read_until_closed(stream: &mut TcpStream) -> (Vec<u8>, bool) {
    let deadline = Instant::now() + PATIENCE;
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => return (received, false),
            Ok(Ok(0)) | Ok(Err(_)) => return (received, true),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

/// Sends raw bytes on a new connection and returns the answer read until the bus closes.
async fn exchange(t: &common::TestBus, bytes: &[u8]) -> String {
    let mut stream = TcpStream::connect(t.api()).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let (received, closed) = read_until_closed(&mut stream).await;
    assert!(closed, "the connection stayed open");
    String::from_utf8_lossy(&received).into_owned()
}

/// Connections of the API closed because the deadline of `phase` passed.
async fn closed_by_deadline(t: &common::TestBus, phase: &str) -> f64 {
    let prefix =
        format!("lienthong_connection_deadlines_total{{listener=\"api\",phase=\"{phase}\"}}");
    metric(t, &prefix).await
}

/// Sends `bytes` and asserts the bus closes the connection without an answer, counted
/// under the deadline of `phase`.
async fn assert_closed_unanswered(t: &common::TestBus, bytes: &[u8], phase: &str) {
    let answer = exchange(t, bytes).await;
    assert!(answer.is_empty(), "{answer}");
    assert_eq!(closed_by_deadline(t, phase).await, 1.0);
}

/// The value of a metric line starting with `prefix` (name and labels).
async fn metric(t: &common::TestBus, prefix: &str) -> f64 {
    let text = String::from_utf8(t.admin("/metrics").await.body.to_vec()).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(prefix))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_first_byte_timeout() {
    let t = common::start_with(short_deadlines).await;
    let mut stream = TcpStream::connect(t.api()).await.unwrap();
    let (received, closed) = read_until_closed(&mut stream).await;
    assert!(
        closed && received.is_empty(),
        "a silent socket was kept open"
    );
    assert_eq!(closed_by_deadline(&t, "first_byte").await, 1.0);
    t.stop().await;
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_closed_at_its_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let (cert_file, key_file) = (dir.path().join("api.crt"), dir.path().join("api.key"));
    std::fs::write(&cert_file, certified.cert.pem()).unwrap();
    std::fs::write(&key_file, certified.signing_key.serialize_pem()).unwrap();
    let t = common::start_with(|c| {
        c.server.tls = Some(lienthong_core::config::ServerTls {
            cert_file,
            key_file,
        });
        c.server.tls_handshake_timeout = ms(300);
    })
    .await;
    // The header of a ClientHello record, then nothing.
    assert_closed_unanswered(&t, &[0x16, 0x03, 0x01, 0x00, 0x80], "tls_handshake").await;
    t.stop().await;
}

#[tokio::test]
async fn a_connection_stuck_in_protocol_detection_is_closed() {
    let t = common::start_with(short_deadlines).await;
    // The first 16 bytes of the HTTP/2 preface: neither HTTP/1 nor HTTP/2 yet.
    assert_closed_unanswered(&t, b"PRI * HTTP/2.0\r\n", "opening").await;
    t.stop().await;
}

#[tokio::test]
async fn a_slow_body_is_answered_408_within_the_body_deadline() {
    let t = common::start_with(short_deadlines).await;
    let head = format!(
        "POST /v1/criminal-record-applications HTTP/1.1\r\nHost: bus\r\n\
         Authorization: ApiKey {}\r\nIdempotency-Key: slow-body-1\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"",
        common::KEY
    );
    let answer = exchange(&t, head.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(
        answer.contains("urn:lienthong:problem:request-timeout"),
        "{answer}"
    );
    t.stop().await;
}

#[tokio::test]
async fn a_short_body_that_is_never_read_does_not_hold_the_connection() {
    let t = common::start_with(short_deadlines).await;
    // An application's status is answered from the store, without reading the body.
    let head = format!(
        "GET /v1/criminal-record-applications/unknown HTTP/1.1\r\nHost: bus\r\n\
         Authorization: ApiKey {}\r\nContent-Length: 100\r\n\r\n{{\"",
        common::KEY
    );
    let answer = exchange(&t, head.as_bytes()).await;
    assert!(answer.starts_with("HTTP/1.1 404 "), "{answer}");
    t.stop().await;
}

#[tokio::test]
async fn an_idle_http1_keep_alive_connection_is_closed() {
    let t = common::start_with(short_deadlines).await;
    let answer = exchange(&t, b"GET /openapi.json HTTP/1.1\r\nHost: bus\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    t.stop().await;
}

/// An HTTP/2 connection (hyper's client) that made one request: its sender, kept so the
/// client does not close it, and a future that ends with the connection.
async fn http2_connection_after_one_request(
    t: &common::TestBus,
) -> (
    hyper::client::conn::http2::SendRequest<Full<Bytes>>,
    impl Future<Output = Result<(), hyper::Error>>,
) {
    let stream = TcpStream::connect(t.api()).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .unwrap();
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _ = done_tx.send(connection.await);
    });
    let request = Request::get(format!("http://{}/openapi.json", t.api()))
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap();
    (sender, async move { done_rx.await.unwrap() })
}

#[tokio::test]
async fn an_idle_http2_connection_is_closed() {
    let t = common::start_with(|c| {
        short_deadlines(c);
        c.server.header_read_timeout = Duration::from_secs(30);
    })
    .await;
    let (_sender, ended) = http2_connection_after_one_request(&t).await;
    let ended = tokio::time::timeout(PATIENCE, ended).await;
    assert!(ended.is_ok(), "an idle HTTP/2 connection was kept open");
    t.stop().await;
}

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;

/// An HTTP/2 frame with an empty payload.
fn empty_frame(kind: u8, flags: u8) -> [u8; 9] {
    [0, 0, 0, kind, flags, 0, 0, 0, 0]
}

/// The next frame (type, flags, payload), or `None` once the bus closed the connection.
async fn read_frame(stream: &mut TcpStream) -> Option<(u8, u8, Vec<u8>)> {
    let mut header = [0u8; 9];
    stream.read_exact(&mut header).await.ok()?;
    let length = u32::from_be_bytes([0, header[0], header[1], header[2]]) as usize;
    let mut payload = vec![0u8; length];
    stream.read_exact(&mut payload).await.ok()?;
    Some((header[3], header[4], payload))
}

/// A raw HTTP/2 connection past the preface, and the bus's first SETTINGS payload.
async fn http2_preface(t: &common::TestBus) -> (TcpStream, Vec<u8>) {
    let mut stream = TcpStream::connect(t.api()).await.unwrap();
    stream.write_all(PREFACE).await.unwrap();
    stream.write_all(&empty_frame(SETTINGS, 0)).await.unwrap();
    let (kind, _, payload) = tokio::time::timeout(PATIENCE, read_frame(&mut stream))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kind, SETTINGS);
    (stream, payload)
}

#[tokio::test]
async fn http2_advertises_the_configured_stream_limit() {
    let t = common::start_with(|c| c.server.http2_max_concurrent_streams = 7).await;
    let (_stream, settings) = http2_preface(&t).await;
    let max_streams = settings.chunks_exact(6).find_map(|entry| {
        (entry[..2] == [0, 3]).then(|| u32::from_be_bytes([entry[2], entry[3], entry[4], entry[5]]))
    });
    assert_eq!(max_streams, Some(7));
    t.stop().await;
}

#[tokio::test]
async fn http2_pings_the_client_and_closes_when_pings_go_unanswered() {
    let t = common::start_with(|c| {
        c.server.header_read_timeout = Duration::from_secs(30);
        c.server.http2_idle_timeout = Duration::from_secs(30);
        c.server.http2_keepalive_interval = ms(200);
        c.server.http2_keepalive_timeout = ms(300);
    })
    .await;
    let (mut stream, _) = http2_preface(&t).await;
    stream.write_all(&empty_frame(SETTINGS, 0x1)).await.unwrap();
    let mut pinged = false;
    let closed = tokio::time::timeout(PATIENCE, async {
        while let Some((kind, flags, _)) = read_frame(&mut stream).await {
            pinged |= kind == PING && flags & 0x1 == 0;
        }
    })
    .await;
    assert!(pinged, "the bus sent no keep-alive ping");
    assert!(closed.is_ok(), "a client that never answers pings was kept");
    t.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_are_closed_while_the_others_are_served() {
    let t = common::start_with(|c| c.server.max_connections = 3).await;
    let mut served = Vec::new();
    for _ in 0..3 {
        let stream = TcpStream::connect(t.api()).await.unwrap();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        served.push(sender);
    }
    let lookup = || {
        Request::get(ENTERPRISE)
            .header("host", "bus")
            .header("authorization", format!("ApiKey {}", common::KEY))
            .body(Full::new(Bytes::new()))
            .unwrap()
    };
    for sender in &mut served {
        assert_eq!(sender.send_request(lookup()).await.unwrap().status(), 200);
    }
    let over = exchange(&t, b"GET /openapi.json HTTP/1.1\r\nHost: bus\r\n\r\n").await;
    assert!(
        over.is_empty(),
        "a connection over the cap was served: {over}"
    );
    for sender in &mut served {
        let response = sender.send_request(lookup()).await.unwrap();
        assert_eq!(response.status(), 200);
    }
    assert_eq!(
        metric(&t, "lienthong_connections_refused_total{listener=\"api\"}").await,
        1.0
    );
    assert_eq!(
        metric(&t, "lienthong_connections_open{listener=\"api\"}").await,
        3.0
    );
    // A connection that ends frees its place.
    served.pop();
    let deadline = Instant::now() + PATIENCE;
    loop {
        let answer = exchange(
            &t,
            b"GET /openapi.json HTTP/1.1\r\nHost: bus\r\nConnection: close\r\n\r\n",
        )
        .await;
        if answer.starts_with("HTTP/1.1 200 ") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the freed place was never reused"
        );
        tokio::time::sleep(ms(50)).await;
    }
    t.stop().await;
}

/// The answer to `GET ENTERPRISE` in `version` with these raw header lines.
async fn lookup_with_headers(t: &common::TestBus, version: &str, lines: &str) -> String {
    let request = format!(
        "GET {ENTERPRISE} {version}\r\nAuthorization: ApiKey {}\r\nConnection: close\r\n{lines}\r\n",
        common::KEY
    );
    exchange(t, request.as_bytes()).await
}

#[tokio::test]
async fn http1_1_needs_exactly_one_valid_host() {
    let t = common::start().await;
    for lines in ["", "Host: bus\r\nHost: other\r\n", "Host: bad host\r\n"] {
        let answer = lookup_with_headers(&t, "HTTP/1.1", lines).await;
        assert!(answer.starts_with("HTTP/1.1 400 "), "{lines:?}: {answer}");
        assert!(
            answer.contains("urn:lienthong:problem:invalid-host"),
            "{answer}"
        );
    }
    let answer = lookup_with_headers(&t, "HTTP/1.1", "Host: bus.example:8080\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200 "), "{answer}");
    // HTTP/1.0 may omit Host.
    let answer = lookup_with_headers(&t, "HTTP/1.0", "").await;
    assert!(answer.starts_with("HTTP/1.0 200 "), "{answer}");
    t.stop().await;
}

#[tokio::test]
async fn failed_keys_are_throttled_per_source_while_correct_keys_pass() {
    let t = common::start_with(|c| {
        c.server.auth_failure_burst = 5;
        c.server.auth_failure_rate = "1/h".parse().unwrap();
    })
    .await;
    let url = format!("http://{}{ENTERPRISE}", t.api());
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for i in 0..2000 {
        let key = vec![("authorization", format!("ApiKey wrong-key-{i:05}"))];
        let answer = t.raw(Method::GET, &url, &key, "").await;
        *statuses.entry(answer.status.as_u16()).or_default() += 1;
        if i == 1999 {
            let doc = answer.problem(429, "auth-throttled");
            let retry_after: u64 = answer.header("retry-after").parse().unwrap();
            assert!((1..=3600).contains(&retry_after), "{retry_after}");
            assert_eq!(doc["retry_after"], retry_after);
        }
        if i % 500 == 0 {
            // The client with the right key, from the same address, is never refused.
            t.get(ENTERPRISE).await.expect(200);
        }
    }
    assert_eq!(statuses, [(401, 5), (429, 1995)].into_iter().collect());
    assert_eq!(
        metric(&t, "lienthong_auth_failures_total{reason=\"unknown\"}").await,
        2000.0
    );
    assert_eq!(metric(&t, "lienthong_auth_throttled_total").await, 1995.0);
    t.stop().await;
}
