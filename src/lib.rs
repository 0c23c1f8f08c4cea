//! The `lienthong` binary's wiring: which partners exist, the OpenAPI document, the
//! simulators runner and the zero-setup demo. The pipeline itself lives in
//! `lienthong-core`; translation lives in the adapter crates.

#![forbid(unsafe_code)]

pub mod audit;
pub mod demo;
pub mod openapi;
pub mod partners;
pub mod simulators;
