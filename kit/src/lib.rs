//! Liên Thông adapter kit: everything an adapter needs, and nothing of the bus.
//!
//! - [`adapter`]: the contract ([`adapter::Adapter`], operations declared as data,
//!   [`adapter::Outcome`]) the core calls every adapter through;
//! - wire helpers: [`xml`] (a bounded, namespace-aware tree), [`soap`] (envelopes and
//!   faults), [`json`] (the strict JSON reader), [`text`] (NFC, dates, quoting received
//!   values), [`wire`] (the answer conventions the national partners share) and [`query`]
//!   (the one query-string rule every operation follows);
//! - [`sim`]: the harness every partner simulator runs in;
//! - with feature `testkit`: [`testkit`] (contract checks, round trips, schema checks) and
//!   [`mutate`] ([`fuzz_decoder!`], property tests of a decoder on mutated fixtures).
//!
//! The bus (`lienthong-core`) depends on this crate; this crate depends on no part of it,
//! so building and testing an adapter compiles no database, cache or telemetry client.

#![forbid(unsafe_code)]

pub mod adapter;
pub mod api;
#[cfg(test)]
mod fuzz;
pub mod json;
#[cfg(any(test, feature = "testkit"))]
pub mod mutate;
pub mod query;
pub mod sim;
pub mod soap;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod text;
pub mod wire;
pub mod xml;
