//! What the accept loop and each connection share: the [`Handler`] that answers, the
//! [`Body`] of every answer, the [`Peer`] a request came from and the [`ServeOptions`].

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use tokio_rustls::TlsAcceptor;

use crate::config::ConnectionLimits;
use crate::metrics::ConnectionMetrics;

/// Body type of every answer: whole, in memory.
pub(crate) type Body = Full<Bytes>;

/// Something that answers requests on a listener.
pub(crate) trait Handler: Send + Sync + 'static {
    /// Answers one request. Never fails: errors are answers too.
    fn handle(&self, request: Request<Incoming>) -> impl Future<Output = Response<Body>> + Send;
}

/// The address a request came from, in its extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Peer(pub(crate) SocketAddr);

/// How a listener serves connections.
#[derive(Clone)]
pub(crate) struct ServeOptions {
    /// The listener's name in metrics (`api`, `admin`).
    pub(crate) name: &'static str,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) limits: ConnectionLimits,
    pub(crate) shutdown_grace: Duration,
    pub(crate) metrics: ConnectionMetrics,
}
