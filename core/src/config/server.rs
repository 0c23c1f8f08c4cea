//! `[server]`: the listeners, the admin token, and the connection phases: a deadline for
//! each, a cap on connections and HTTP/2 streams, and the budget of failed
//! authentications per source address.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::issues::Issues;
use super::traffic::Rate;

/// Listeners and request limits.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address of the unified API.
    pub listen: SocketAddr,
    /// Address of the admin listener (health, metrics); keep it off public networks.
    pub admin_listen: SocketAddr,
    /// Largest request body accepted; larger bodies get 413.
    pub max_body_bytes: usize,
    /// How long in-flight requests may take to finish after a shutdown signal.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// How long a client may take to send request headers (slow-client protection); also
    /// how long a connection may take from its first byte to its first request, and how
    /// long an HTTP/1 keep-alive connection may wait for its next request.
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// How long a new connection may stay silent before its first byte.
    #[serde(with = "humantime_serde")]
    pub first_byte_timeout: Duration,
    /// How long a TLS handshake may take.
    #[serde(with = "humantime_serde")]
    pub tls_handshake_timeout: Duration,
    /// How long a client may take to send a request body once its headers are in; 408 after.
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
    /// How often an HTTP/2 connection is pinged to check the client is still there.
    #[serde(with = "humantime_serde")]
    pub http2_keepalive_interval: Duration,
    /// How long an HTTP/2 ping may go unanswered before the connection is closed.
    #[serde(with = "humantime_serde")]
    pub http2_keepalive_timeout: Duration,
    /// How long an HTTP/2 connection with no request in flight stays open.
    #[serde(with = "humantime_serde")]
    pub http2_idle_timeout: Duration,
    /// Requests (streams) one HTTP/2 connection may have open at once.
    pub http2_max_concurrent_streams: u32,
    /// Connections the unified API serves at once; more are closed as they arrive.
    pub max_connections: u32,
    /// Connections the admin listener serves at once; more are closed as they arrive.
    pub admin_max_connections: u32,
    /// Failed authentications one source address may make at the steady rate (`"10/min"`);
    /// beyond it (and the burst) failures are answered 429. Correct keys always pass.
    pub auth_failure_rate: Rate,
    /// Failed authentications one source address may make at once before the rate applies.
    pub auth_failure_burst: u32,
    /// Serve the unified API over TLS with this certificate.
    pub tls: Option<ServerTls>,
    /// Environment variable holding the bearer token of the admin listener. A token (this
    /// or `admin_token_sha256`) is required when `admin_listen` is not a loopback address;
    /// `/healthz` and `/readyz` need none.
    pub admin_token_env: Option<String>,
    /// Hex SHA-256 of the admin listener's bearer token (the token itself stays out of the
    /// file).
    pub admin_token_sha256: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            admin_listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
            max_body_bytes: 256 * 1024,
            shutdown_grace: Duration::from_secs(30),
            header_read_timeout: Duration::from_secs(10),
            first_byte_timeout: Duration::from_secs(10),
            tls_handshake_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            http2_keepalive_interval: Duration::from_secs(20),
            http2_keepalive_timeout: Duration::from_secs(20),
            http2_idle_timeout: Duration::from_secs(60),
            http2_max_concurrent_streams: 100,
            max_connections: 4096,
            admin_max_connections: 64,
            auth_failure_rate: Rate {
                count: 10,
                per: Duration::from_secs(60),
            },
            auth_failure_burst: 20,
            tls: None,
            admin_token_env: None,
            admin_token_sha256: None,
        }
    }
}

/// Server certificate and key (PEM files).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerTls {
    /// Certificate chain, leaf first.
    pub cert_file: PathBuf,
    /// Private key of the leaf certificate.
    pub key_file: PathBuf,
}

impl ServerConfig {
    /// Checks the listeners, the body limit, the admin token and the deadlines.
    pub(super) fn validate(&self, issues: &mut Issues) {
        let s = self;
        if s.listen == s.admin_listen && s.listen.port() != 0 {
            issues.add(
                "server.admin_listen",
                format!("is the same address as server.listen ({})", s.listen),
                "give the admin listener its own port, e.g. 127.0.0.1:9090",
            );
        }
        if !(1024..=64 * 1024 * 1024).contains(&s.max_body_bytes) {
            issues.add(
                "server.max_body_bytes",
                format!("{} is outside 1024..=67108864", s.max_body_bytes),
                "use a size such as 262144 (256 KiB)",
            );
        }
        if let Some(hash) = &s.admin_token_sha256
            && (hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            issues.add(
                "server.admin_token_sha256",
                "is not 64 hexadecimal characters",
                "use the output of: printf %s TOKEN | sha256sum",
            );
        }
        if s.admin_token_env.is_some() && s.admin_token_sha256.is_some() {
            issues.add(
                "server.admin_token_sha256",
                "both admin_token_env and admin_token_sha256 are set",
                "keep one",
            );
        }
        let has_token = s.admin_token_env.is_some() || s.admin_token_sha256.is_some();
        if !s.admin_listen.ip().is_loopback() && !has_token {
            issues.add(
                "server.admin_token_env",
                format!("the admin listener ({}) is not on a loopback address but has no token", s.admin_listen),
                "name an environment variable holding a long random token, or bind admin_listen to 127.0.0.1",
            );
        }
        if s.header_read_timeout.is_zero() {
            issues.add(
                "server.header_read_timeout",
                "is zero",
                "use a duration such as \"10s\"",
            );
        }
        validate_transport(s, issues);
    }
}

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
fn validate_transport(s: &ServerConfig, issues: &mut Issues) {
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
