//! The retry rule of partner calls: one rule per failure kind, the same for every partner.
//!
//! | failure | retried | least wait before the next attempt |
//! |---|---|---|
//! | partner fault (SOAP fault, `99`, HTTP 5xx) | yes | none |
//! | `03`: temporarily interrupted | yes | its `Retry-After` (capped by `max_partner_pause`) |
//! | truncated or otherwise unreadable answer | yes | none |
//! | connection closed before an answer, reset, protocol error | yes | none |
//! | cannot connect | yes | none |
//! | answer over `max_response_bytes` | no: it would be as large again | — |
//! | no answer before the deadline | no: the deadline has passed | — |
//! | throttled (HTTP 429, `Server.Busy`, `bh:QuaTai`) | no: the partner is paused for its `Retry-After` instead | — |
//! | rejected (client fault, HTTP 4xx), credentials refused | no: the same request fails again | — |
//! | not found, not shareable | no: these are answers | — |
//! | breaker open, bulkhead full, over quota, paused | no: refused before any exchange | — |
//!
//! A failure that may be retried is retried only when the operation is idempotent, the
//! wait (jittered exponential backoff from 100 ms up to 2 s, and at least the least wait
//! above) ends before the call's deadline, and the partner's retry budget has a token.

use std::time::Duration;

use tokio::time::Instant;

use crate::call::backoff;
use crate::call::error::CallError;
use crate::call::upstream::UpstreamError;
use lienthong_adapter_kit::adapter::FailureKind;

/// First wait between attempts of one call, and the most.
const BASE: Duration = Duration::from_millis(100);
const CAP: Duration = Duration::from_secs(2);

/// For failures worth another attempt, the least time to wait first.
fn least_wait(error: &CallError) -> Option<Duration> {
    match error {
        CallError::Partner(failure) => match failure.kind {
            FailureKind::Fault | FailureKind::Malformed => Some(Duration::ZERO),
            FailureKind::Unavailable { retry_after } => Some(retry_after.unwrap_or_default()),
            FailureKind::Throttled { .. } | FailureKind::Rejected | FailureKind::Unauthorized => {
                None
            }
        },
        CallError::Upstream(UpstreamError::Connect(_) | UpstreamError::Exchange(_)) => {
            Some(Duration::ZERO)
        }
        CallError::Upstream(
            UpstreamError::Timeout(_) | UpstreamError::TooLarge { .. } | UpstreamError::Request(_),
        )
        | CallError::NotFound(_)
        | CallError::NotShareable(_)
        | CallError::Encode(_)
        | CallError::Internal(_)
        | CallError::CircuitOpen(_)
        | CallError::Overloaded(_)
        | CallError::Limited(_) => None,
    }
}

/// How long to wait before attempt `attempt + 1` after `error`, when the rule allows it
/// for an operation that is (or is not) `idempotent` and must end by `deadline`. The
/// retry budget is the caller's to spend.
pub(crate) fn wait_before_retry(
    error: &CallError,
    idempotent: bool,
    attempt: u32,
    deadline: Instant,
) -> Option<Duration> {
    if !idempotent {
        return None;
    }
    let wait = backoff::jittered(attempt, BASE, CAP).max(least_wait(error)?);
    Instant::now()
        .checked_add(wait)
        .is_some_and(|at| at < deadline)
        .then_some(wait)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter_kit::adapter::PartnerFailure;

    fn partner(kind: FailureKind) -> CallError {
        CallError::Partner(PartnerFailure::new(kind, "x"))
    }

    fn retried(error: &CallError, idempotent: bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        wait_before_retry(error, idempotent, 1, deadline).is_some()
    }

    #[test]
    fn transient_failures_of_idempotent_calls_are_retried() {
        let transient = [
            partner(FailureKind::Fault),
            partner(FailureKind::Malformed),
            partner(FailureKind::Unavailable { retry_after: None }),
            CallError::Upstream(UpstreamError::Exchange("closed".into())),
            CallError::Upstream(UpstreamError::Connect("refused".into())),
        ];
        for error in &transient {
            assert!(retried(error, true), "{error:?}");
            assert!(!retried(error, false), "not idempotent: {error:?}");
        }
    }

    #[test]
    fn other_failures_are_not_retried() {
        let lasting = [
            partner(FailureKind::Throttled { retry_after: None }),
            partner(FailureKind::Rejected),
            partner(FailureKind::Unauthorized),
            CallError::Upstream(UpstreamError::Timeout(Duration::from_secs(1))),
            CallError::Upstream(UpstreamError::TooLarge { limit: 1 }),
            CallError::NotFound(String::new()),
        ];
        for error in &lasting {
            assert!(!retried(error, true), "{error:?}");
        }
    }

    #[test]
    fn the_wait_honours_retry_after_and_the_deadline() {
        let interrupted = partner(FailureKind::Unavailable {
            retry_after: Some(Duration::from_secs(3)),
        });
        let soon = Instant::now() + Duration::from_secs(2);
        assert_eq!(wait_before_retry(&interrupted, true, 1, soon), None);
        let later = Instant::now() + Duration::from_secs(10);
        assert_eq!(
            wait_before_retry(&interrupted, true, 1, later),
            Some(Duration::from_secs(3))
        );
        let forever = partner(FailureKind::Unavailable {
            retry_after: Some(Duration::MAX),
        });
        assert_eq!(wait_before_retry(&forever, true, 1, later), None);
    }
}
