//! Liên Thông core: the bus that serves the unified API in front of the national
//! services. Adapters and their wire helpers live in `lienthong-adapter-kit`; the binary
//! wires adapters into a [`Bus`].
//!
//! # Layers
//!
//! Top to bottom; a module imports only from the layers below it (a test of the
//! crate, `core/tests/layers.rs`, fails on any import cycle between the folders and files
//! of this crate):
//!
//! 1. `bus` — wiring: start, reload, shutdown.
//! 2. `admin` — the admin listener: health, reload, metrics exposition, purge, pause,
//!    webhooks and applications for operators.
//! 3. `pipeline` — the request stages and their order, the gateway (the runtime state one
//!    configuration produces) and `problem`, the one place errors become HTTP answers.
//! 4. `applications` — the outbox of asynchronous submissions, its dispatcher and the
//!    webhook deliverer; it returns data, never HTTP answers, and reads the configuration
//!    in force through a narrow view the gateway implements.
//! 5. `cache` — cached answers (in memory and shared), single-flight.
//! 6. `call` — the one path every partner exchange takes and the call policies around it:
//!    upstream client, quota, pauses, breaker, bulkhead, retry budget, backoff, retries.
//! 7. [`audit`] and `clients` — the hash-chained audit log; the configured clients with
//!    their grants and key digests.
//! 8. `server` — accept loop, connection phases, the `Handler` trait and answer `Body`.
//! 9. `infra` — store, Redis, TLS, telemetry; `metrics` — the metric families.
//! 10. [`config`] — typed configuration and its validation.
//!
//! # Stage order
//!
//! Every unified-API request passes these stages, in the order `pipeline` runs them; any
//! stage may stop it with its error, which `problem` turns into an answer:
//!
//! request id → `Host` → catalogue (`/openapi.json`, public) → identity (failures
//! throttled per source address) → route (`/v1/services` answers here) → access grants →
//! caller headers → query → [`Status` operations: the stored application, answered] →
//! media type and body (JSON, strictly, for POST and PUT) → input validation (the
//! adapter's) → [`Submit` operations: stored durably, answered 202] → cache → partner
//! call under the call policies (encode → upstream → decode) → respond. Every request
//! that reached an operation is recorded in the audit log before it is answered.

#![forbid(unsafe_code)]

mod admin;
mod applications;
pub mod audit;
mod bus;
mod cache;
mod call;
mod clients;
pub mod config;
mod infra;
mod metrics;
pub mod openapi;
mod pipeline;
mod server;

pub use applications::webhook;
pub use bus::{Bus, StartError, load_checked, preflight, shutdown_signal};
pub use config::Config;
pub use infra::{store, telemetry};
