//! One connection, phase by phase, each under a deadline:
//!
//! 1. accept → first byte: `first_byte_timeout`;
//! 2. the TLS handshake, when the listener has TLS: `tls_handshake_timeout`;
//! 3. first byte → first request (protocol detection, the HTTP/2 handshake, the request
//!    head): `header_read_timeout`; hyper also bounds each HTTP/1 head by it;
//! 4. between requests: `header_read_timeout` for HTTP/1 keep-alive, `http2_idle_timeout`
//!    for HTTP/2, whose peer must also answer keep-alive pings;
//!
//! the request body is bounded by the pipeline (`body_read_timeout`). When a deadline
//! passes, or the bus stops, the connection is closed gracefully; one that does not finish
//! closing is dropped once nothing has been in flight for [`LINGER`], or after the
//! shutdown grace period.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::Request;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;

use super::activity::{self, IdleLimits};
use super::handler::{Handler, Peer, ServeOptions};
use crate::config::ConnectionLimits;

/// How long a closing connection with nothing in flight is kept, so that its client can
/// read the last answer.
const LINGER: Duration = Duration::from_secs(1);

/// The protocol settings of every connection of a listener.
pub(super) fn builder(limits: &ConnectionLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.http2_keepalive_interval)
        .keep_alive_timeout(limits.http2_keepalive_timeout)
        .max_concurrent_streams(limits.http2_max_concurrent_streams);
    builder
}

/// A connection's place among the `max_connections` a listener serves; counted in the
/// metrics while held.
pub(super) struct Place {
    _permit: OwnedSemaphorePermit,
    options: Arc<ServeOptions>,
}

impl Place {
    /// A free place, if any.
    pub(super) fn take(places: &Arc<Semaphore>, options: &Arc<ServeOptions>) -> Option<Self> {
        let permit = places.clone().try_acquire_owned().ok()?;
        options.metrics.opened(options.name);
        Some(Self {
            _permit: permit,
            options: options.clone(),
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        self.options.metrics.ended(self.options.name);
    }
}

/// An accepted connection.
pub(super) struct Connection {
    pub(super) peer: Peer,
    pub(super) place: Place,
    pub(super) builder: Arc<auto::Builder<TokioExecutor>>,
    pub(super) stop: watch::Receiver<bool>,
}

/// Why a phase did not finish.
enum Cut {
    /// Its deadline passed.
    Deadline,
    /// The bus is stopping.
    Stop,
}

impl Connection {
    /// Serves the connection until it closes or a deadline passes.
    pub(super) async fn serve<H: Handler>(mut self, stream: TcpStream, handler: Arc<H>) {
        let limits = self.place.options.limits;
        let first_byte = async {
            let mut byte = [0u8; 1];
            matches!(stream.peek(&mut byte).await, Ok(n) if n > 0)
        };
        match self.phase(limits.first_byte_timeout, first_byte).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(cut) => return self.cut(cut, "first_byte"),
        }
        match self.place.options.tls.clone() {
            None => self.drive(stream, handler).await,
            Some(acceptor) => {
                let handshake = acceptor.accept(stream);
                match self.phase(limits.tls_handshake_timeout, handshake).await {
                    Ok(Ok(tls)) => self.drive(tls, handler).await,
                    Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
                    Err(cut) => self.cut(cut, "tls_handshake"),
                }
            }
        }
    }

    /// Runs `phase` until `limit` passes or the bus stops.
    async fn phase<T>(
        &mut self,
        limit: Duration,
        phase: impl Future<Output = T>,
    ) -> Result<T, Cut> {
        tokio::select! {
            done = tokio::time::timeout(limit, phase) => done.map_err(|_| Cut::Deadline),
            _ = self.stop.wait_for(|s| *s) => Err(Cut::Stop),
        }
    }

    fn cut(&self, cut: Cut, phase: &'static str) {
        if let Cut::Deadline = cut {
            let options = &self.place.options;
            options.metrics.deadline(options.name, phase);
        }
    }

    /// Serves HTTP on `io` until the connection ends, a deadline passes or the bus stops.
    async fn drive<I, H>(self, io: I, handler: Arc<H>)
    where
        I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        H: Handler,
    {
        let Self {
            peer,
            place,
            builder,
            mut stop,
        } = self;
        let options = &place.options;
        let (activity, mut watchdog) = activity::track(IdleLimits {
            opening: options.limits.header_read_timeout,
            http1: options.limits.header_read_timeout,
            http2: options.limits.http2_idle_timeout,
        });
        let service = service_fn(move |mut request: Request<Incoming>| {
            let in_flight = activity.begin(request.version());
            request.extensions_mut().insert(peer);
            let handler = handler.clone();
            async move {
                let response = handler.handle(request).await;
                drop(in_flight);
                Ok::<_, Infallible>(response)
            }
        });
        let connection = builder.serve_connection(TokioIo::new(io), service);
        tokio::pin!(connection);
        let closing = tokio::select! {
            ended = connection.as_mut() => return log_end(ended),
            _ = stop.wait_for(|s| *s) => Instant::now(),
            phase = watchdog.expired() => {
                options.metrics.deadline(options.name, phase);
                Instant::now()
            }
        };
        connection.as_mut().graceful_shutdown();
        tokio::select! {
            ended = connection.as_mut() => log_end(ended),
            _ = watchdog.settled(closing, LINGER, options.shutdown_grace) => {
                tracing::debug!("a closing connection did not finish; dropped");
            }
        }
    }
}

fn log_end<E: std::fmt::Display>(ended: Result<(), E>) {
    if let Err(error) = ended {
        tracing::debug!(%error, "connection ended with an error");
    }
}
