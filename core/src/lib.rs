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
pub mod adapter;
mod admin;
pub mod api;
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
#[cfg(test)]
mod fuzz;
mod gateway;
mod health;
pub mod host;
pub mod identity;
pub mod json;
pub mod json_body;
pub mod limit;
mod lookup;
mod metrics;
#[cfg(any(test, feature = "testkit"))]
pub mod mutate;
pub mod openapi;
pub mod pipeline;
pub mod problem;
pub mod problem_types;
mod query;
mod redis;
pub mod reload;
pub mod request_id;
mod respond;
mod retry;
pub mod route;
mod server;
pub mod sim;
pub mod soap;
pub mod store;
pub mod telemetry;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod text;
mod tls;
mod traffic;
pub mod upstream;
pub mod webhook;
pub mod wire;
pub mod xml;

pub use bus::{Bus, StartError, shutdown_signal};
pub use config::Config;
pub use gateway::Gateway;
