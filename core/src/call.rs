//! Stage: the partner call. Builds the per-attempt context (request id, nonce, clock),
//! asks the adapter for the wire request, sends it through the partner's upstream client
//! under the operation's deadline and decodes the answer.

use serde_json::Value;
use tokio::time::Instant;
use tracing::{Instrument, Span, field};

use crate::adapter::{EncodeError, FailureKind, Input, Outcome, PartnerFailure};
use crate::caller::CallerContext;
use crate::gateway::{OperationPolicy, Partner};
use crate::upstream::UpstreamError;

/// Why a partner call produced no record.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
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
        }
    }
}

/// Calls the partner once for `input` and returns the found record.
pub(crate) async fn call(
    partner: &Partner,
    policy: &OperationPolicy,
    input: &Input,
    caller: &CallerContext,
) -> Result<Value, CallError> {
    let deadline = Instant::now() + policy.timeout;
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    let span = tracing::info_span!(
        "partner call",
        otel.name = %format_args!("{} {}", partner.name, policy.operation.id),
        otel.kind = "client",
        partner = partner.name,
        operation = policy.operation.id,
        partner.request_id = %request_id,
        timeout_ms = policy.timeout.as_millis() as u64,
        http.response.status_code = field::Empty,
        request_bytes = field::Empty,
        response_bytes = field::Empty,
        outcome = field::Empty,
    );
    let started = Instant::now();
    let result = attempt(partner, policy, input, caller, &request_id, deadline)
        .instrument(span.clone())
        .await;
    let outcome = match &result {
        Ok(_) => "found",
        Err(e) => e.outcome(),
    };
    span.record("outcome", outcome);
    tracing::debug!(parent: &span, elapsed_ms = started.elapsed().as_millis() as u64, "partner call finished");
    result
}

async fn attempt(
    partner: &Partner,
    policy: &OperationPolicy,
    input: &Input,
    caller: &CallerContext,
    request_id: &str,
    deadline: Instant,
) -> Result<Value, CallError> {
    let context = partner
        .context(request_id, caller.dossier_code.as_deref())
        .map_err(CallError::Internal)?;
    let mut wire = partner.adapter.encode(policy.operation, input, &context)?;
    let span = Span::current();
    crate::telemetry::inject(&span, &mut wire.headers);
    span.record("request_bytes", wire.body.len());
    let answer = partner.upstream.send(wire, deadline).await?;
    span.record("http.response.status_code", answer.status.as_u16());
    span.record("response_bytes", answer.body.len());
    match partner.adapter.decode(policy.operation, &answer) {
        Outcome::Found(record) => Ok(record),
        Outcome::NotFound { detail } => Err(CallError::NotFound(detail)),
        Outcome::NotShareable { detail } => Err(CallError::NotShareable(detail)),
        Outcome::Failed(failure) => Err(CallError::Partner(failure)),
    }
}
