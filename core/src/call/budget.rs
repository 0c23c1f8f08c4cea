//! Retry budget of one partner: each first attempt earns `ratio` of a retry, each retry
//! spends one, so retries never add more than `ratio` extra calls over time (plus a small
//! reserve that lets a quiet partner retry at all).

use std::sync::{Mutex, PoisonError};

/// Retries a partner may still spend.
pub(crate) struct RetryBudget {
    ratio: f64,
    tokens: Mutex<f64>,
}

/// Retries available to a partner that has not been called yet.
const RESERVE: f64 = 1.0;
/// Most retries that can be saved up.
const CAP: f64 = 10.0;

impl RetryBudget {
    pub(crate) fn new(ratio: f64) -> Self {
        Self {
            ratio: ratio.clamp(0.0, 1.0),
            tokens: Mutex::new(if ratio > 0.0 { RESERVE } else { 0.0 }),
        }
    }

    /// A first attempt was made.
    pub(crate) fn earn(&self) {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        *tokens = (*tokens + self.ratio).min(CAP);
    }

    /// Takes one retry if the budget allows.
    pub(crate) fn spend(&self) -> bool {
        let mut tokens = self.tokens.lock().unwrap_or_else(PoisonError::into_inner);
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_stay_within_the_ratio() {
        let budget = RetryBudget::new(0.2);
        let mut retries = 0;
        for _ in 0..100 {
            budget.earn();
            if budget.spend() {
                retries += 1;
            }
        }
        assert!((19..=21).contains(&retries), "{retries}");
        assert!(!RetryBudget::new(0.0).spend());
    }
}
