//! What a partner simulator is ([`Simulator`]), the faults it answers in its partner's
//! format and the options and counters of the harness around it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::latency::Latency;
use crate::adapter::{Credentials, WireRequest, WireResponse};

/// A partner simulator: answers wire requests exactly as the partner's published
/// interface says. Pure; latency and generic faults are added by [`SimServer`].
pub trait Simulator: Send + Sync + 'static {
    /// The partner this simulates (same name as its adapter).
    fn partner(&self) -> &'static str;

    /// Answers one request. `request.path` includes the query string.
    fn handle(&self, request: &WireRequest) -> WireResponse;

    /// The partner's own error answer in its format (a SOAP Fault, a JSON error body).
    fn fault(&self, fault: PartnerFault) -> WireResponse;

    /// The code of the consumer that sent `request` (`MaDonVi`), which the quota is
    /// counted by; `None` when the request names none (it then counts under `""`).
    /// Default: the `X-Ma-Don-Vi` header of REST partners, trimmed. Called on every
    /// request before [`Simulator::handle`], so it must be cheap and change nothing.
    fn consumer(&self, request: &WireRequest) -> Option<String> {
        request
            .headers
            .get(CONSUMER_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    /// Partner-specific counters for `GET /__sim/stats` (e.g. applications created).
    /// Default: none.
    fn stats(&self) -> serde_json::Value {
        serde_json::Value::Null
    }

    /// The account the simulator accepts, for partners that need credentials (the demo
    /// configures it). Default: none.
    fn accepted_credentials(&self) -> Option<Credentials> {
        None
    }
}

/// Errors a simulator produces in its partner's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartnerFault {
    /// An internal error of the partner (SOAP `Server`/`Receiver` fault, code `99`, 5xx).
    Fault,
    /// The partner throttles the consumer and asks it to wait `retry_after_secs`.
    Busy {
        /// Seconds for the `Retry-After` header.
        retry_after_secs: u64,
    },
    /// Result code `03`: temporarily interrupted, retry later.
    Unavailable,
}

/// The header that names the consumer at REST partners.
const CONSUMER_HEADER: &str = "x-ma-don-vi";

/// What national partners say in their generic error answer ([`PartnerFault::Fault`]).
pub const ERROR_TEXT: &str = "Lỗi hệ thống, vui lòng thử lại sau";
/// What national partners say when they throttle a consumer ([`PartnerFault::Busy`]),
/// unless their interface says otherwise.
pub const OVERLOADED_TEXT: &str = "Hệ thống đang quá tải, vui lòng thử lại sau";
/// What national partners say with result code `03` ([`PartnerFault::Unavailable`]).
pub const INTERRUPTED_TEXT: &str = "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau";

/// A fault the harness can be told to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The partner's own fault answer ([`PartnerFault::Fault`]).
    Fault,
    /// The partner's throttling answer ([`PartnerFault::Busy`], `Retry-After: 1`).
    Busy,
    /// The partner's "temporarily interrupted" answer ([`PartnerFault::Unavailable`]).
    Unavailable,
    /// A bare HTTP 500 with an HTML body, as a broken proxy would send.
    Http500,
    /// The normal answer cut in half.
    Malformed,
    /// Never answer (until the simulator stops).
    Hang,
}
/// Partner-specific knobs handed to simulator factories.
#[derive(Debug, Clone)]
pub struct SimSettings {
    /// How long one processing step takes at asynchronous partners (an application moves
    /// one state per step).
    pub step: Duration,
}

impl Default for SimSettings {
    fn default() -> Self {
        Self {
            step: Duration::from_secs(3),
        }
    }
}

/// How a simulator behaves beyond its dataset.
#[derive(Debug, Clone, Default)]
pub struct SimOptions {
    /// Added latency per request.
    pub latency: Latency,
    /// Probability (0..=1) that a request is answered with the partner's fault.
    pub fault_rate: f64,
    /// The most requests one consumer may make per fixed one-second window; over it the
    /// partner's throttling answer. `None`: no quota.
    pub quota: Option<u32>,
}

/// Counters a simulator keeps about what it received.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimStats {
    /// Partner requests received (control endpoints excluded).
    pub requests: u64,
    /// Requests per path (query excluded).
    pub by_path: BTreeMap<String, u64>,
    /// Requests answered with an injected fault.
    pub faults_injected: u64,
    /// Requests answered with the throttling answer because their consumer was over the
    /// quota.
    pub throttled: u64,
    /// The most requests one consumer sent in one fixed one-second window (throttled ones
    /// included), over the simulator's life.
    pub max_per_second: u64,
    /// The most partner requests being answered at once, over the simulator's life.
    pub max_concurrent: u64,
    /// The simulator's own counters ([`Simulator::stats`]).
    pub partner: serde_json::Value,
}
