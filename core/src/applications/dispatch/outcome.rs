//! What one step makes of an application: its next state and when it is due again.
//! Times that come from partners (`Retry-After`) or config are capped, and every sum with
//! the clock saturates, so no answer can make a step due in the past or in centuries.

use std::time::Duration;

use serde_json::json;

use crate::applications::repo::{Application, Step};
use crate::call::CallError;
use crate::call::backoff;
use crate::call::limit::LimitError;
use crate::call::upstream::UpstreamError;
use crate::infra::store::now_ms;
use lienthong_adapter_kit::adapter::{ApplicationState, FailureKind, PartnerFailure};

/// A step and the outcome its audit record names.
pub(super) type Taken = (Step, &'static str);

/// Why a submission fails when the partner answers it with another client's reference.
pub(super) const FOREIGN_REFERENCE: &str = "the partner already holds an application with \
    this dossier code sent for another provincial application (the province sends every \
    application under one consumer code, so a dossier code must be unique in the province); \
    correct the dossier code and submit again with a new Idempotency-Key";

/// Longest wait between retries, whatever the partner asks for.
const MAX_BACKOFF: Duration = Duration::from_secs(300);
/// Shortest wait of a step put off by the bus's own policies.
const MIN_DEFER: Duration = Duration::from_millis(100);
/// Wait of a step put off without a time (bulkhead full, quota store unreachable).
const DEFER: Duration = Duration::from_secs(1);

/// The partner accepted the application under `reference`: poll it next.
pub(super) fn accepted(app: &Application, reference: String) -> Step {
    Step {
        status: "submitted".into(),
        partner_reference: Some(reference),
        details: app.details.clone(),
        active: true,
        next_attempt_at: now_ms(),
        last_error: None,
        attempted: true,
    }
}

/// The partner reported `state`: poll again after `poll_interval` unless it is final.
pub(super) fn progressed(
    app: &Application,
    state: ApplicationState,
    poll_interval: Duration,
) -> Step {
    Step {
        status: state.status.to_owned(),
        partner_reference: app.partner_reference.clone(),
        details: state.details,
        active: !state.is_final,
        next_attempt_at: due_in(poll_interval),
        last_error: None,
        attempted: true,
    }
}

/// The call failed with `error`: end, retry later, or put the step off.
pub(super) fn after(app: &Application, error: &CallError) -> Step {
    let reason = error.to_string();
    match error {
        CallError::Partner(failure) => partner_failed(app, failure),
        CallError::Upstream(UpstreamError::Request(detail)) => failed(app, detail.clone()),
        CallError::Encode(e) => failed(app, e.to_string()),
        CallError::CircuitOpen(open) => defer(app, &reason, open.retry_after),
        CallError::Limited(
            LimitError::OverQuota { retry_after, .. } | LimitError::Paused { retry_after },
        ) => defer(app, &reason, *retry_after),
        CallError::Limited(LimitError::StoreUnavailable) | CallError::Overloaded(_) => {
            defer(app, &reason, DEFER)
        }
        CallError::Upstream(_)
        | CallError::Internal(_)
        | CallError::NotFound(_)
        | CallError::NotShareable(_) => retry(app, &reason, None),
    }
}

fn partner_failed(app: &Application, failure: &PartnerFailure) -> Step {
    match failure.kind {
        // Our request was malformed: repeating it cannot help.
        FailureKind::Rejected => failed(app, failure.detail.to_string()),
        FailureKind::Throttled { retry_after } | FailureKind::Unavailable { retry_after } => {
            retry(app, &failure.detail, retry_after)
        }
        FailureKind::Fault | FailureKind::Unauthorized | FailureKind::Malformed => {
            retry(app, &failure.detail, None)
        }
    }
}

/// Keeps the state, tries again after jittered exponential backoff, and at least
/// `at_least` (capped, like the backoff, at [`MAX_BACKOFF`]).
pub(super) fn retry(app: &Application, error: &str, at_least: Option<Duration>) -> Step {
    let attempt = u32::try_from(app.attempts).unwrap_or(u32::MAX);
    let at_least = at_least.unwrap_or_default().min(MAX_BACKOFF);
    let wait = backoff::jittered(attempt, Duration::from_secs(1), MAX_BACKOFF).max(at_least);
    tracing::info!(
        error,
        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        "application step will be retried"
    );
    Step {
        last_error: Some(error.to_owned()),
        ..unchanged(app, due_in(wait))
    }
}

/// Keeps the state and puts the step off for about `wait` (capped): the bus's own
/// policies did not let it reach the partner, so it does not count as an attempt.
fn defer(app: &Application, reason: &str, wait: Duration) -> Step {
    let wait = backoff::spread(wait.clamp(MIN_DEFER, MAX_BACKOFF));
    tracing::debug!(
        reason,
        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
        "application step put off"
    );
    Step {
        last_error: Some(reason.to_owned()),
        attempted: false,
        ..unchanged(app, due_in(wait))
    }
}

/// Ends the application as `failed` with `reason`.
pub(super) fn failed(app: &Application, reason: String) -> Step {
    tracing::warn!(reason, "application failed");
    let mut details = app.details.clone();
    details.insert("failure_reason".into(), json!(reason));
    Step {
        status: "failed".into(),
        partner_reference: app.partner_reference.clone(),
        details,
        active: false,
        next_attempt_at: now_ms(),
        last_error: Some(reason),
        attempted: true,
    }
}

/// `app` as it is, due again at `next_attempt_at`.
fn unchanged(app: &Application, next_attempt_at: i64) -> Step {
    Step {
        status: app.status.clone(),
        partner_reference: app.partner_reference.clone(),
        details: app.details.clone(),
        active: true,
        next_attempt_at,
        last_error: None,
        attempted: true,
    }
}

/// The time (Unix ms) `wait` from now, saturating.
fn due_in(wait: Duration) -> i64 {
    now_ms().saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queued() -> Application {
        Application {
            id: "a".into(),
            partner: "p".into(),
            client: "c".into(),
            request_hash: String::new(),
            dossier_code: None,
            input: "{}".into(),
            callback_url: None,
            status: "queued".into(),
            partner_reference: None,
            details: serde_json::Map::new(),
            version: 1,
            active: true,
            attempts: 40,
            lease_until: 0,
            created_at: 0,
            updated_at: 0,
            retired: None,
            redacted_at: None,
        }
    }

    #[test]
    fn a_partners_wait_is_capped_and_never_lands_in_the_past() {
        let throttled = PartnerFailure::new(
            FailureKind::Throttled {
                retry_after: Some(Duration::from_secs(u64::MAX)),
            },
            "busy",
        );
        let before = now_ms();
        let step = after(&queued(), &CallError::Partner(throttled));
        let cap = i64::try_from(MAX_BACKOFF.as_millis()).unwrap();
        assert!(step.active && step.attempted);
        assert!(
            (before..=now_ms() + cap).contains(&step.next_attempt_at),
            "{}",
            step.next_attempt_at
        );
        assert_eq!(due_in(Duration::MAX), i64::MAX);
    }

    #[test]
    fn the_bus_own_refusals_put_the_step_off_without_counting_an_attempt() {
        let before = now_ms();
        let open = CallError::CircuitOpen(crate::call::breaker::BreakerOpen {
            retry_after: Duration::from_secs(2),
        });
        let step = after(&queued(), &open);
        assert!(step.active && !step.attempted);
        assert!((before + 2000..=now_ms() + 4000).contains(&step.next_attempt_at));
        assert_eq!(step.status, "queued");
    }
}
