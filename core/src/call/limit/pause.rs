//! A partner's pause: set from its `Retry-After` (cut to `max_partner_pause`), kept here
//! and, for a quota shared through Redis, there for every instance; read and ended by
//! operators.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::{Backend, Limiter, millis};
use crate::infra::store::now_ms;

/// Extends (never shortens) a pause. KEYS: pause. ARGV: milliseconds, reason.
const PAUSE: &str = r"
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
end
return 1
";

/// The pause in force. KEYS: pause. Returns {ms left (negative: none), reason}.
const READ_PAUSE: &str = r"
return {redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1]) or ''}
";

/// Longest reason of a pause kept (it comes from the partner's answer).
const MAX_REASON_CHARS: usize = 200;

/// A pause in force, for operators.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub(crate) struct PauseState {
    /// Time left, in milliseconds.
    pub(crate) remaining_ms: u64,
    /// What the partner said when it asked for the pause.
    pub(crate) reason: String,
}

impl Limiter {
    /// Pauses calls for `period` (the partner's `Retry-After`, cut to `max_pause`) because
    /// the partner said `reason`.
    pub(crate) async fn pause(&self, period: Duration, reason: &str) {
        let period = millis(period.min(self.max_pause));
        let reason: String = reason.chars().take(MAX_REASON_CHARS).collect();
        let until = now_ms().saturating_add(period);
        if self.paused_until_ms.fetch_max(until, Ordering::Relaxed) < until {
            *self.reason() = reason.clone();
        }
        if let Backend::Shared {
            redis, pause_key, ..
        } = &self.backend
        {
            let script = redis::Script::new(PAUSE);
            let args = [period.to_string(), reason];
            if let Err(error) = redis.script::<i64>(&script, &[pause_key], &args).await {
                self.store_failed(&error.to_string());
            }
        }
    }

    /// Ends the pause in force, here and (for a shared quota) for every instance.
    pub(crate) async fn clear_pause(&self) -> Result<(), String> {
        self.paused_until_ms.store(0, Ordering::Relaxed);
        self.reason().clear();
        if let Backend::Shared {
            redis, pause_key, ..
        } = &self.backend
        {
            let mut delete = redis::cmd("DEL");
            delete.arg(pause_key);
            redis
                .command::<i64>(delete)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// The pause in force, if any: for a shared quota the one in Redis (this instance's
    /// own copy while Redis is out of reach).
    pub(crate) async fn pause_state(&self) -> Option<PauseState> {
        let shared = match &self.backend {
            Backend::Shared {
                redis, pause_key, ..
            } => redis
                .script::<(i64, String)>(&redis::Script::new(READ_PAUSE), &[pause_key], &[0])
                .await
                .ok()
                .map(|(left, reason)| PauseState {
                    remaining_ms: u64::try_from(left)
                        .unwrap_or(0)
                        .min(millis_u64(self.max_pause)),
                    reason,
                }),
            _ => None,
        };
        let state = shared.unwrap_or_else(|| PauseState {
            remaining_ms: u64::try_from(self.paused_until_ms.load(Ordering::Relaxed) - now_ms())
                .unwrap_or(0),
            reason: self.reason().clone(),
        });
        (state.remaining_ms > 0).then_some(state)
    }

    fn reason(&self) -> std::sync::MutexGuard<'_, String> {
        self.pause_reason
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `period` in whole milliseconds, saturating.
fn millis_u64(period: Duration) -> u64 {
    u64::try_from(period.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use tokio::time::Instant;

    use super::super::{LimitError, LimiterSpec};
    use super::*;

    fn unlimited(max_pause: Duration) -> Limiter {
        Limiter::new(LimiterSpec {
            policy: "p".into(),
            rate: None,
            burst: 1,
            max_wait: Duration::ZERO,
            max_pause,
            shared: None,
        })
    }

    async fn refused_for(limiter: &Limiter) -> Duration {
        match limiter
            .acquire(Instant::now() + Duration::from_secs(5))
            .await
        {
            Err(LimitError::Paused { retry_after }) => retry_after,
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_partner_pause_holds_calls() {
        let limiter = unlimited(Duration::from_secs(300));
        limiter.pause(Duration::from_secs(2), "busy").await;
        assert!(refused_for(&limiter).await > Duration::from_secs(1));
        let state = limiter.pause_state().await.unwrap();
        assert!(
            state.remaining_ms > 1000 && state.reason == "busy",
            "{state:?}"
        );
    }

    #[tokio::test]
    async fn pauses_are_capped_and_can_be_cleared() {
        let limiter = unlimited(Duration::from_secs(60));
        limiter
            .pause(Duration::MAX, "a year, says the partner")
            .await;
        let left = refused_for(&limiter).await;
        assert!(
            left <= Duration::from_secs(60) && left > Duration::from_secs(59),
            "{left:?}"
        );
        limiter.clear_pause().await.unwrap();
        assert_eq!(limiter.pause_state().await, None);
        limiter
            .acquire(Instant::now() + Duration::from_secs(5))
            .await
            .unwrap();
    }
}
