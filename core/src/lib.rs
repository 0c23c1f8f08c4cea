//! Liên Thông core: the server, the request pipeline and its stages, the upstream client,
//! the adapter contract, error mapping, telemetry and configuration.
//!
//! Adapters depend on this crate for [`adapter::Adapter`], [`sim::Simulator`] and the
//! wire helpers ([`xml`], [`soap`], [`text`]); the binary wires adapters into a [`Bus`].
//!
//! Pipeline stages, in the order [`pipeline`] runs them: [`request_id`], [`host`],
//! `catalogue`, [`identity`] (through [`auth_guard`]), [`route`], [`access`], [`caller`],
//! `query`, [`body`] and [`json_body`], validation (the adapter's),
//! [`call`] (encode, [`upstream`], decode), `respond`. Errors become answers in [`problem`].

#![forbid(unsafe_code)]

pub mod access;
mod admin;
pub mod applications;
pub mod audit;
pub mod auth_guard;
mod backoff;
pub mod body;
pub mod breaker;
mod budget;
pub mod bulkhead;
mod bus;
pub mod cache;
pub mod call;
pub mod caller;
mod catalogue;
pub mod config;
mod dispatch;
mod gateway;
mod health;
pub mod host;
pub mod identity;
pub mod json_body;
pub mod limit;
mod lookup;
mod metrics;
pub mod pipeline;
pub mod problem;
mod redis;
pub mod reload;
pub mod request_id;
mod respond;
mod retry;
pub mod route;
mod server;
pub mod store;
pub mod telemetry;
mod tls;
mod traffic;
pub mod upstream;
pub mod webhook;

pub use bus::{Bus, StartError, shutdown_signal};
pub use config::Config;
pub use gateway::Gateway;
