//! [`CallError`]: why a partner call produced no record, whichever policy or step it
//! failed in.

use lienthong_adapter_kit::adapter::{EncodeError, FailureKind, PartnerFailure};

use crate::call::breaker::BreakerOpen;
use crate::call::bulkhead::BulkheadFull;
use crate::call::limit::LimitError;
use crate::call::upstream::UpstreamError;

/// Why a partner call produced no record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum CallError {
    /// The partner answered `01`.
    #[error("not found: {0}")]
    NotFound(String),
    /// The partner answered `02`.
    #[error("not shareable: {0}")]
    NotShareable(String),
    /// The partner failed or refused.
    #[error("partner failure: {}", .0.detail)]
    Partner(PartnerFailure),
    /// No answer came back.
    #[error(transparent)]
    Upstream(#[from] UpstreamError),
    /// The adapter could not build the request.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The bus itself failed (e.g. no randomness for a nonce).
    #[error("internal: {0}")]
    Internal(String),
    /// The partner's circuit breaker is open.
    #[error(transparent)]
    CircuitOpen(#[from] BreakerOpen),
    /// Too many calls to the partner are in flight or waiting.
    #[error(transparent)]
    Overloaded(#[from] BulkheadFull),
    /// The quota (or a pause the partner asked for) does not allow a call in time.
    #[error(transparent)]
    Limited(#[from] LimitError),
}

impl CallError {
    /// Short outcome name for traces.
    pub(crate) fn outcome(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::NotShareable(_) => "not_shareable",
            Self::Partner(f) => match f.kind {
                FailureKind::Fault => "fault",
                FailureKind::Rejected => "rejected",
                FailureKind::Unauthorized => "unauthorized",
                FailureKind::Throttled { .. } => "throttled",
                FailureKind::Unavailable { .. } => "unavailable",
                FailureKind::Malformed => "malformed",
            },
            Self::Upstream(UpstreamError::Timeout(_)) => "timeout",
            Self::Upstream(_) => "unreachable",
            Self::Encode(_) | Self::Internal(_) => "internal",
            Self::CircuitOpen(_) => "circuit_open",
            Self::Overloaded(_) => "overloaded",
            Self::Limited(LimitError::Paused { .. }) => "paused",
            Self::Limited(_) => "over_quota",
        }
    }

    /// Whether a stale cached answer may stand in: the partner could not answer, as
    /// opposed to answering "not found" or "not shareable", or the bus failing.
    pub(crate) fn may_serve_stale(&self) -> bool {
        !matches!(
            self,
            Self::NotFound(_) | Self::NotShareable(_) | Self::Encode(_) | Self::Internal(_)
        )
    }

    /// Whether the failure speaks against the partner's health (counted by the breaker).
    pub(crate) fn is_partner_failure(&self) -> bool {
        match self {
            Self::Partner(f) => matches!(
                f.kind,
                FailureKind::Fault | FailureKind::Unavailable { .. } | FailureKind::Malformed
            ),
            Self::Upstream(e) => !matches!(e, UpstreamError::Request(_)),
            _ => false,
        }
    }
}
