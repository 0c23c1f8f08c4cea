//! Liên Thông core: the server, the request pipeline and its stages, the upstream client,
//! the adapter contract, error mapping, telemetry and configuration.
//!
//! Adapters depend on this crate for [`adapter::Adapter`], [`sim::Simulator`] and the
//! wire helpers ([`xml`], [`soap`], [`text`]); the binary wires adapters into a running bus.

#![forbid(unsafe_code)]

pub mod adapter;
pub mod sim;
pub mod soap;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod text;
pub mod xml;
