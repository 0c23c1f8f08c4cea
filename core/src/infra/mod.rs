//! Infrastructure the layers above run on: the store (SQLite or PostgreSQL), the Redis
//! connection, TLS configurations and telemetry (logs and traces).

pub(crate) mod redis;
pub mod store;
pub mod telemetry;
pub(crate) mod tls;
