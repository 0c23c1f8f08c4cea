//! The harness every partner simulator runs in: an HTTP server that adds a latency
//! distribution (the slow dedicated network), injected faults and request statistics
//! around a pure [`Simulator`].
//!
//! Control endpoints (served beside the partner's own paths):
//! - `GET /__sim/stats`: requests received, per path, faults injected, the most requests
//!   one consumer sent in a second and the most answered at once;
//! - `POST /__sim/faults` `{"kind": "fault|busy|unavailable|http_500|malformed|hang",
//!   "count": N}` answers the next `N` requests with that fault, or with `"for_ms": T`
//!   every request for the next `T` ms; `DELETE /__sim/faults` clears them;
//! - `PUT /__sim/latency` `{"median_ms": M, "p99_ms": P}`: change the latency;
//! - `PUT /__sim/quota` `{"per_second": N}` (or `null`: no quota): change the quota.
//!
//! Quota: like the real partners, a simulator may throttle each consumer (its code, see
//! [`Simulator::consumer`]) to a number of requests per fixed one-second window aligned on
//! wall-clock seconds. A request over the quota is answered with the partner's own
//! throttling answer ([`PartnerFault::Busy`], `Retry-After` = seconds to the next window)
//! and never reaches [`Simulator::handle`]. The quota is checked first, when a request
//! arrives: a throttled request consumes no injected fault, and injected faults apply
//! only to requests within the quota. Throttled requests count in their window too.

mod answer;
mod control;
mod latency;
mod quota;
mod server;
mod simulator;
mod splitmix;
mod state;

pub use latency::Latency;
pub use server::SimServer;
pub use simulator::{
    ERROR_TEXT, FaultKind, INTERRUPTED_TEXT, OVERLOADED_TEXT, PartnerFault, SimOptions,
    SimSettings, SimStats, Simulator,
};
pub use splitmix::SplitMix64;
