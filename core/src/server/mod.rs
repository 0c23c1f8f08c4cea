//! Accepting connections: HTTP/1.1 and HTTP/2 (h2c, or ALPN over optional TLS) on hyper,
//! with graceful shutdown — on a stop signal the listener closes, in-flight requests
//! finish (up to a grace period), idle connections are closed.
//!
//! Every phase of a connection has a deadline (see [`connection`]), and a listener serves
//! at most `max_connections` at once: a connection beyond that is closed as it arrives,
//! while those already served go on.

mod activity;
mod connection;
mod handler;

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinHandle;

pub(crate) use handler::{Body, Handler, Peer, ServeOptions};

/// Serves `handler` on `listener` until `stop` turns true, then drains.
pub(crate) fn spawn<H: Handler>(
    listener: TcpListener,
    handler: Arc<H>,
    options: ServeOptions,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let capacity = options.limits.max_connections;
        let places = Arc::new(Semaphore::new(capacity as usize));
        let options = Arc::new(options);
        let builder = Arc::new(connection::builder(&options.limits));
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = stop.wait_for(|s| *s) => break,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and similar: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let Some(place) = connection::Place::take(&places, &options) else {
                options.metrics.refused(options.name);
                drop(stream);
                continue;
            };
            let _ = stream.set_nodelay(true);
            let connection = connection::Connection {
                peer: Peer(peer),
                place,
                builder: builder.clone(),
                stop: stop.clone(),
            };
            tokio::spawn(connection.serve(stream, handler.clone()));
        }
        drop(listener);
        // Every connection holds its place until it ends.
        tokio::select! {
            _ = places.acquire_many(capacity) => {}
            _ = tokio::time::sleep(options.shutdown_grace) => {
                tracing::warn!("shutdown grace period over; closing remaining connections");
            }
        }
    })
}
