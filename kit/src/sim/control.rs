//! The control endpoints under `/__sim/`: statistics, fault injection, latency, quota.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Method, Response, StatusCode};
use http_body_util::Full;
use serde::Deserialize;

use super::answer::{json, plain};
use super::latency::Latency;
use super::simulator::FaultKind;
use super::state::{SimState, lock};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultOrder {
    kind: FaultKind,
    #[serde(default = "one")]
    count: u32,
    for_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

/// Body of `PUT /__sim/quota`. `per_second` is required; `null` removes the quota.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaOrder {
    #[serde(deserialize_with = "Option::deserialize")]
    per_second: Option<u32>,
}
pub(super) fn control_endpoint(
    state: &SimState,
    method: &Method,
    what: &str,
    body: &[u8],
) -> Response<Full<Bytes>> {
    match (method, what) {
        (&Method::GET, "stats") => json(StatusCode::OK, &state.stats()),
        (&Method::POST, "faults") => match serde_json::from_slice::<FaultOrder>(body) {
            Ok(FaultOrder {
                kind,
                for_ms: Some(ms),
                ..
            }) => {
                *lock(&state.fault_until) =
                    Some((kind, Instant::now() + Duration::from_millis(ms)));
                plain(StatusCode::NO_CONTENT, "")
            }
            Ok(order) => {
                lock(&state.pending_faults)
                    .extend(std::iter::repeat_n(order.kind, order.count as usize));
                plain(StatusCode::NO_CONTENT, "")
            }
            Err(e) => plain(StatusCode::BAD_REQUEST, &format!("bad fault order: {e}")),
        },
        (&Method::DELETE, "faults") => {
            state.clear_faults();
            plain(StatusCode::NO_CONTENT, "")
        }
        (&Method::PUT, "latency") => match serde_json::from_slice::<Latency>(body) {
            Ok(latency) => {
                *lock(&state.latency) = latency;
                plain(StatusCode::NO_CONTENT, "")
            }
            Err(e) => plain(StatusCode::BAD_REQUEST, &format!("bad latency: {e}")),
        },
        (&Method::PUT, "quota") => match serde_json::from_slice::<QuotaOrder>(body) {
            Ok(order) => {
                state.set_quota(order.per_second);
                plain(StatusCode::NO_CONTENT, "")
            }
            Err(e) => plain(StatusCode::BAD_REQUEST, &format!("bad quota: {e}")),
        },
        _ => plain(StatusCode::NOT_FOUND, "unknown simulator control endpoint"),
    }
}
