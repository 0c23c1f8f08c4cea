//! The partner call: the one path every exchange with a partner takes, with the call
//! policies around it:
//! bulkhead slot → for each attempt: breaker → quota slot(s) → encode → upstream →
//! decode. Transient failures of idempotent operations are retried by the rule of
//! [`crate::call::retry`] within the deadline and the partner's retry budget; a partner's own
//! throttling pauses further calls to it for its `Retry-After` (at most its
//! `max_partner_pause`).
//!
//! One path serves every [`Exchange`] with a partner: the lookups of the unified API
//! ([`AdapterExchange`]) and the dispatcher's submissions and polls of applications.

pub(crate) mod backoff;
pub(crate) mod breaker;
pub(crate) mod budget;
pub(crate) mod bulkhead;
pub(crate) mod error;
pub(crate) mod limit;
pub(crate) mod partner;
pub(crate) mod retry;
pub(crate) mod traffic;
pub(crate) mod upstream;

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;
use tracing::{Instrument, Span, field};

pub(crate) use error::CallError;
use partner::{OperationPolicy, Partner};

use crate::metrics::Metrics;
use lienthong_adapter_kit::adapter::{
    Adapter, CallContext, EncodeError, FailureKind, Input, Operation, Outcome, PartnerFailure,
    WireRequest, WireResponse,
};

/// One exchange with a partner as the policies see it: the wire request of each attempt
/// and how its answer reads.
pub(crate) trait Exchange: Sync {
    /// What an understood answer gives.
    type Answer;
    /// The outcome name of an understood answer, for traces and metrics.
    const ANSWERED: &'static str;
    /// The wire request of one attempt.
    fn request(&self, context: &CallContext<'_>) -> Result<WireRequest, EncodeError>;
    /// Reads the answer. A partner failure is an error, so that the breaker, pauses and
    /// retries see it.
    fn read(&self, answer: &WireResponse) -> Result<Self::Answer, CallError>;
}

/// A lookup: a `Call` operation's input, encoded and decoded by its adapter.
pub(crate) struct AdapterExchange<'a> {
    pub(crate) adapter: &'a dyn Adapter,
    pub(crate) operation: &'a Operation,
    pub(crate) input: &'a Input,
}

impl Exchange for AdapterExchange<'_> {
    type Answer = Value;
    const ANSWERED: &'static str = "found";

    fn request(&self, context: &CallContext<'_>) -> Result<WireRequest, EncodeError> {
        self.adapter.encode(self.operation, self.input, context)
    }

    fn read(&self, answer: &WireResponse) -> Result<Value, CallError> {
        match self.adapter.decode(self.operation, answer) {
            Outcome::Found(record) => Ok(record),
            Outcome::NotFound { detail } => Err(CallError::NotFound(detail)),
            Outcome::NotShareable { detail } => Err(CallError::NotShareable(detail)),
            Outcome::Failed(failure) => Err(CallError::Partner(failure)),
        }
    }
}

/// One call to make: to which partner and operation, for which dossier, by when.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    pub(crate) partner: &'a Partner,
    pub(crate) policy: &'a OperationPolicy,
    /// The dossier the call is made for, sent to partners that take one.
    pub(crate) dossier_code: Option<&'a str>,
    pub(crate) deadline: Instant,
    /// When the request came in (Unix µs), for the trace.
    pub(crate) received_us: i64,
    /// What the caller learns about the call: the partner request id, the span.
    pub(crate) report: &'a Mutex<CallReport>,
    /// Where exchanges are counted.
    pub(crate) metrics: &'a Metrics,
}

/// What the pipeline learns about a call it made.
#[derive(Default)]
pub(crate) struct CallReport {
    /// The request id of the last attempt sent (`MaYeuCau`), for the audit log.
    pub(crate) request_id: Option<String>,
    /// The HTTP status of the partner's last answer, when one came.
    pub(crate) answer_status: Option<u16>,
    /// The call's span, kept open until the answer goes out so it can carry that time.
    pub(crate) span: Option<Span>,
}

/// Wall-clock time in Unix microseconds, the unit of the times spans carry.
pub(crate) fn unix_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// Makes `exchange` with the partner under its policies and returns what it answered.
pub(crate) async fn call<E: Exchange>(
    call: Call<'_>,
    exchange: &E,
) -> Result<E::Answer, CallError> {
    let Call {
        partner,
        policy,
        deadline,
        ..
    } = call;
    let span = tracing::info_span!(
        "partner call",
        otel.name = %format_args!("{} {}", partner.name, policy.operation.id),
        otel.kind = "client",
        partner = partner.name,
        operation = policy.operation.id,
        budget_ms = deadline.saturating_duration_since(Instant::now()).as_millis() as u64,
        request_in_us = call.received_us,
        sent_us = field::Empty,
        answered_us = field::Empty,
        response_out_us = field::Empty,
        attempts = field::Empty,
        outcome = field::Empty,
    );
    call.report
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .span = Some(span.clone());
    let started = Instant::now();
    let result = with_policies(call, exchange).instrument(span.clone()).await;
    let outcome = match &result {
        Ok(_) => E::ANSWERED,
        Err(e) => e.outcome(),
    };
    span.record("outcome", outcome);
    tracing::debug!(parent: &span, elapsed_ms = started.elapsed().as_millis() as u64, "partner call finished");
    result
}

async fn with_policies<E: Exchange>(call: Call<'_>, exchange: &E) -> Result<E::Answer, CallError> {
    let Call {
        partner,
        policy,
        deadline,
        ..
    } = call;
    let traffic = &partner.traffic;
    let _slot = traffic.bulkhead.enter(deadline).await?;
    traffic.budget.earn();
    let mut attempt: u32 = 1;
    loop {
        Span::current().record("attempts", attempt);
        let admission = traffic.breaker.admit()?;
        if let Some(limiter) = &policy.limiter {
            limiter.acquire(deadline).await?;
        }
        traffic.limiter.acquire(deadline).await?;
        let result = attempt_once(call, exchange).await;
        admission.record(
            result
                .as_ref()
                .err()
                .is_some_and(CallError::is_partner_failure),
        );
        let error = match result {
            Ok(record) => return Ok(record),
            Err(error) => error,
        };
        if error.may_serve_stale() {
            traffic.note_error(policy.operation.id, &error);
        }
        if let CallError::Partner(PartnerFailure {
            kind: FailureKind::Throttled { retry_after },
            detail,
        }) = &error
        {
            traffic
                .limiter
                .pause(retry_after.unwrap_or(Duration::from_secs(1)), detail)
                .await;
            return Err(error);
        }
        let idempotent = policy.operation.idempotent;
        let Some(wait) = retry::wait_before_retry(&error, idempotent, attempt, deadline)
            .filter(|_| traffic.budget.spend())
        else {
            return Err(error);
        };
        tracing::info!(attempt, %error, wait_ms = wait.as_millis() as u64, "retrying the partner call");
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

/// One attempt of `exchange` with the partner, in its own span.
async fn attempt_once<E: Exchange>(call: Call<'_>, exchange: &E) -> Result<E::Answer, CallError> {
    let Call {
        partner,
        policy,
        dossier_code,
        deadline,
        report,
        metrics,
        ..
    } = call;
    let request_id = uuid::Uuid::new_v4().simple().to_string();
    {
        let mut report = report.lock().unwrap_or_else(PoisonError::into_inner);
        report.request_id = Some(request_id.clone());
        report.answer_status = None;
    }
    let call_span = Span::current();
    let span = tracing::info_span!(
        "partner attempt",
        otel.kind = "client",
        partner.request_id = %request_id,
        http.response.status_code = field::Empty,
        request_bytes = field::Empty,
        response_bytes = field::Empty,
        sent_us = field::Empty,
        answered_us = field::Empty,
    );
    let started = Instant::now();
    let result = async {
        let context = partner
            .context(&request_id, dossier_code)
            .map_err(CallError::Internal)?;
        let mut wire = exchange.request(&context)?;
        let span = Span::current();
        crate::infra::telemetry::inject(&span, &mut wire.headers);
        span.record("request_bytes", wire.body.len());
        let sent = unix_micros();
        span.record("sent_us", sent);
        call_span.record("sent_us", sent);
        let answer = partner.upstream.send(wire, deadline).await?;
        let answered = unix_micros();
        span.record("answered_us", answered);
        call_span.record("answered_us", answered);
        span.record("http.response.status_code", answer.status.as_u16());
        span.record("response_bytes", answer.body.len());
        report
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .answer_status = Some(answer.status.as_u16());
        match exchange.read(&answer) {
            Err(CallError::Partner(failure)) => Err(CallError::Partner(
                failure.with_pause_capped(partner.config.max_partner_pause),
            )),
            read => read,
        }
    }
    .instrument(span)
    .await;
    let outcome = result
        .as_ref()
        .map_or_else(CallError::outcome, |_| E::ANSWERED);
    metrics.partner_call(
        partner.name,
        policy.operation.id,
        outcome,
        started.elapsed(),
    );
    result
}
