//! One delivery attempt. The callback URL is checked again against the client's current
//! policy, its host is resolved once, every address it resolves to is checked (class,
//! and never one of the bus's own listeners), and the connection goes to one of those
//! checked addresses — so a name that changes between check and connect (DNS
//! rebinding) cannot redirect it. TLS still verifies the certificate against the URL's
//! host (SNI). One HTTP/1.1 request per connection; redirects are never followed.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full, Limited};
use hyper_util::rt::TokioIo;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_rustls::TlsConnector;

use super::address::is_own_listener;
use super::hosts::{self, AllowedHost, Host, Refusal, Target};
use crate::call::upstream::error_chain;

/// Most addresses of one name that are checked and tried.
const MAX_ADDRESSES: usize = 16;
/// Most bytes of a receiver's answer that are read (and dropped).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Why an attempt failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The policy refuses the destination: no connection was made.
    Refused(Refusal),
    /// The receiver answered 410 Gone: it wants no more deliveries.
    Gone,
    /// Anything else (name not resolved, connection, TLS, a non-2xx answer).
    Other(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Refused(refusal) => write!(f, "refused: the callback URL {refusal}"),
            Self::Gone => f.write_str("the receiver answered HTTP 410 Gone"),
            Self::Other(detail) => f.write_str(detail),
        }
    }
}

/// Where and how one attempt goes.
pub(crate) struct Destination<'a> {
    pub(crate) url: &'a str,
    pub(crate) allowed: &'a [AllowedHost],
    pub(crate) own_listeners: &'a [SocketAddr],
    pub(crate) tls: &'a Arc<rustls::ClientConfig>,
}

/// POSTs `body` with `headers` to the destination; `Ok` on a 2xx answer.
pub(crate) async fn post(
    destination: &Destination<'_>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(), Failure> {
    let target = hosts::check(destination.url, destination.allowed).map_err(Failure::Refused)?;
    let addresses = resolve(&target).await?;
    for address in &addresses {
        hosts::check_address(address.ip(), target.listed).map_err(Failure::Refused)?;
        if is_own_listener(*address, destination.own_listeners) {
            return Err(Failure::Refused(Refusal::OwnListener(*address)));
        }
    }
    let stream = connect(&addresses).await?;
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(target.path.as_str())
        .body(Full::new(body))
        .map_err(|e| Failure::Other(format!("invalid callback request: {e}")))?;
    *request.headers_mut() = headers;
    let host = HeaderValue::from_str(&target.authority)
        .map_err(|_| Failure::Refused(Refusal::Unusable))?;
    request.headers_mut().insert(header::HOST, host);
    let status = if target.https {
        let name = match &target.host {
            Host::Name(name) => ServerName::try_from(name.clone())
                .map_err(|e| Failure::Other(format!("no TLS name for `{name}`: {e}")))?,
            Host::Ip(ip) => ServerName::IpAddress((*ip).into()),
        };
        let tls = TlsConnector::from(destination.tls.clone())
            .connect(name, stream)
            .await
            .map_err(|e| Failure::Other(format!("TLS with the receiver failed: {e}")))?;
        exchange(tls, request).await?
    } else {
        exchange(stream, request).await?
    };
    match status {
        s if s.is_success() => Ok(()),
        StatusCode::GONE => Err(Failure::Gone),
        s if s.is_redirection() => Err(Failure::Other(format!(
            "the receiver answered HTTP {s}; redirects are not followed, so give the final URL"
        ))),
        s => Err(Failure::Other(format!("the receiver answered HTTP {s}"))),
    }
}

/// The addresses of the target's host: the literal one, or what the name resolves to.
async fn resolve(target: &Target) -> Result<Vec<SocketAddr>, Failure> {
    let name = match &target.host {
        Host::Ip(ip) => return Ok(vec![SocketAddr::new(*ip, target.port)]),
        Host::Name(name) => name,
    };
    let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), target.port))
        .await
        .map_err(|e| Failure::Other(format!("cannot resolve `{name}`: {e}")))?
        .take(MAX_ADDRESSES)
        .collect();
    if found.is_empty() {
        return Err(Failure::Other(format!("`{name}` resolves to no address")));
    }
    Ok(found)
}

/// A connection to the first of `addresses` (all checked) that accepts one.
async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, Failure> {
    let mut last = String::new();
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok(stream);
            }
            Err(e) => last = format!("cannot connect to {address}: {e}"),
        }
    }
    Err(Failure::Other(last))
}

/// Sends `request` over `io` (HTTP/1.1) and reads a bounded amount of the answer.
async fn exchange<S>(io: S, request: Request<Full<Bytes>>) -> Result<StatusCode, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let failed = |e: hyper::Error| Failure::Other(format!("exchange failed: {}", error_chain(&e)));
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(failed)?;
    // Dropped with this future (the attempt's deadline), which ends the connection.
    let mut driver = JoinSet::new();
    driver.spawn(connection);
    let response = sender.send_request(request).await.map_err(failed)?;
    let status = response.status();
    let _ = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
        .collect()
        .await;
    Ok(status)
}
