//! Metrics of the edge: connections per listener (open, refused at the cap, closed by a
//! deadline) and failed authentications. Labels come from fixed sets: the listener
//! (`api`, `admin`), the phase, the failure reason — never an address or a key.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// Labels of connection metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ListenerLabels {
    listener: &'static str,
}

/// Labels of connections closed by a deadline.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeadlineLabels {
    listener: &'static str,
    phase: &'static str,
}

/// Labels of failed authentications.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

/// Connection metrics, shared by every listener.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnectionMetrics {
    open: Family<ListenerLabels, Gauge>,
    refused: Family<ListenerLabels, Counter>,
    deadlines: Family<DeadlineLabels, Counter>,
}

impl ConnectionMetrics {
    /// A connection of `listener` is now served.
    pub(crate) fn opened(&self, listener: &'static str) {
        self.open.get_or_create(&ListenerLabels { listener }).inc();
    }

    /// A served connection of `listener` ended.
    pub(crate) fn ended(&self, listener: &'static str) {
        self.open.get_or_create(&ListenerLabels { listener }).dec();
    }

    /// A connection was closed at accept because `listener` serves its maximum.
    pub(crate) fn refused(&self, listener: &'static str) {
        self.refused
            .get_or_create(&ListenerLabels { listener })
            .inc();
    }

    /// A connection was closed because the deadline of `phase` passed.
    pub(crate) fn deadline(&self, listener: &'static str, phase: &'static str) {
        self.deadlines
            .get_or_create(&DeadlineLabels { listener, phase })
            .inc();
    }
}

/// Failed authentications.
#[derive(Clone, Debug, Default)]
pub(crate) struct AuthMetrics {
    failures: Family<ReasonLabels, Counter>,
    throttled: Counter,
}

impl AuthMetrics {
    /// A request failed authentication for `reason`.
    pub(crate) fn failed(&self, reason: &'static str) {
        self.failures.get_or_create(&ReasonLabels { reason }).inc();
    }

    /// A failed authentication was answered 429: its source is over its budget.
    pub(crate) fn throttled(&self) {
        self.throttled.inc();
    }
}

/// Registers the edge metrics in `registry`.
pub(super) fn register(registry: &mut Registry) -> (ConnectionMetrics, AuthMetrics) {
    let connections = ConnectionMetrics::default();
    registry.register(
        "connections_open",
        "Connections being served, by listener",
        connections.open.clone(),
    );
    registry.register(
        "connections_refused",
        "Connections closed as they arrived because the listener serves max_connections",
        connections.refused.clone(),
    );
    registry.register(
        "connection_deadlines",
        "Connections closed because a phase took too long: first_byte, tls_handshake, opening (first byte to first request), idle",
        connections.deadlines.clone(),
    );
    let auth = AuthMetrics::default();
    registry.register(
        "auth_failures",
        "Requests with missing, malformed or unknown credentials, by reason",
        auth.failures.clone(),
    );
    registry.register(
        "auth_throttled",
        "Failed authentications answered 429 because their source address is over its budget",
        auth.throttled.clone(),
    );
    (connections, auth)
}
