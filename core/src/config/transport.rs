//! Configuration of the connection phases: a deadline for each, a cap on connections and
//! HTTP/2 streams, and the budget of failed authentications per source address.

use std::time::Duration;

use super::{Issues, ServerConfig};

/// The deadlines and caps one listener applies to its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// From accept to the first byte.
    pub first_byte_timeout: Duration,
    /// The TLS handshake (when the listener has TLS).
    pub tls_handshake_timeout: Duration,
    /// HTTP/1 headers; also from the first byte to the first request, and an idle HTTP/1
    /// keep-alive connection.
    pub header_read_timeout: Duration,
    /// Interval of HTTP/2 keep-alive pings.
    pub http2_keepalive_interval: Duration,
    /// How long a ping may go unanswered.
    pub http2_keepalive_timeout: Duration,
    /// An HTTP/2 connection with no request in flight.
    pub http2_idle_timeout: Duration,
    /// Open streams per HTTP/2 connection.
    pub http2_max_concurrent_streams: u32,
    /// Connections served at once.
    pub max_connections: u32,
}

impl ServerConfig {
    /// The limits of the unified API's connections.
    pub fn connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            first_byte_timeout: self.first_byte_timeout,
            tls_handshake_timeout: self.tls_handshake_timeout,
            header_read_timeout: self.header_read_timeout,
            http2_keepalive_interval: self.http2_keepalive_interval,
            http2_keepalive_timeout: self.http2_keepalive_timeout,
            http2_idle_timeout: self.http2_idle_timeout,
            http2_max_concurrent_streams: self.http2_max_concurrent_streams,
            max_connections: self.max_connections,
        }
    }

    /// The limits of the admin listener's connections: the same deadlines, its own cap.
    pub fn admin_connection_limits(&self) -> ConnectionLimits {
        ConnectionLimits {
            max_connections: self.admin_max_connections,
            ..self.connection_limits()
        }
    }
}

const HOUR: Duration = Duration::from_secs(3600);

/// Checks the keys of this module (`header_read_timeout` is checked with the listeners).
pub(super) fn validate(s: &ServerConfig, issues: &mut Issues) {
    for (key, value, max, example) in [
        ("first_byte_timeout", s.first_byte_timeout, HOUR, "10s"),
        (
            "tls_handshake_timeout",
            s.tls_handshake_timeout,
            HOUR,
            "10s",
        ),
        ("body_read_timeout", s.body_read_timeout, HOUR, "30s"),
        (
            "http2_keepalive_interval",
            s.http2_keepalive_interval,
            HOUR,
            "20s",
        ),
        (
            "http2_keepalive_timeout",
            s.http2_keepalive_timeout,
            HOUR,
            "20s",
        ),
        ("http2_idle_timeout", s.http2_idle_timeout, 24 * HOUR, "60s"),
    ] {
        if value.is_zero() || value > max {
            issues.add(
                format!("server.{key}"),
                format!("{value:?} is outside (0, {max:?}]"),
                format!("use a duration such as \"{example}\""),
            );
        }
    }
    for (key, value, max, example) in [
        (
            "http2_max_concurrent_streams",
            s.http2_max_concurrent_streams,
            10_000,
            100,
        ),
        ("max_connections", s.max_connections, 1_000_000, 4096),
        (
            "admin_max_connections",
            s.admin_max_connections,
            100_000,
            64,
        ),
        ("auth_failure_burst", s.auth_failure_burst, 100_000, 20),
    ] {
        if !(1..=max).contains(&value) {
            issues.add(
                format!("server.{key}"),
                format!("{value} is outside 1..={max}"),
                format!("use a number such as {example}"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn zero_or_absurd_limits_are_refused_with_their_key() {
        for (line, key) in [
            ("first_byte_timeout = \"0s\"", "server.first_byte_timeout"),
            ("http2_idle_timeout = \"30d\"", "server.http2_idle_timeout"),
            ("max_connections = 0", "server.max_connections"),
            ("auth_failure_burst = 0", "server.auth_failure_burst"),
        ] {
            let keys = crate::config::refused_keys(&format!("[server]\n{line}\n"));
            assert_eq!(keys, [key], "{line}");
        }
    }

    #[test]
    fn defaults_bound_every_phase() {
        let config = Config::parse("", "x").unwrap();
        assert!(config.validate("x", &[]).is_ok());
        let limits = config.server.admin_connection_limits();
        assert_eq!(limits.max_connections, 64);
        assert_eq!(limits.first_byte_timeout, config.server.first_byte_timeout);
    }
}
