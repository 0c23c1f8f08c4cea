//! Call policy: bulkhead. At most `max_concurrency` calls to one partner are in flight; up to
//! `max_queue` more wait for a slot (within their deadline); beyond that calls are
//! refused at once, so a slow partner cannot tie up the whole bus.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// No slot for the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BulkheadFull {
    /// The queue of waiting calls is full.
    #[error("{0} calls already wait for this partner")]
    QueueFull(usize),
    /// The deadline passed while waiting.
    #[error("no free slot before the deadline")]
    Timeout,
}

/// A partner's concurrency limit.
pub(crate) struct Bulkhead {
    slots: Arc<Semaphore>,
    max_queue: usize,
    waiting: AtomicUsize,
    capacity: usize,
}

/// Decrements the waiting count however the wait ends.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Bulkhead {
    pub(crate) fn new(max_concurrency: u32, max_queue: u32) -> Self {
        let capacity = max_concurrency.max(1) as usize;
        Self {
            slots: Arc::new(Semaphore::new(capacity)),
            max_queue: max_queue as usize,
            waiting: AtomicUsize::new(0),
            capacity,
        }
    }

    /// A slot, held until the permit is dropped.
    pub(crate) async fn enter(
        &self,
        deadline: Instant,
    ) -> Result<OwnedSemaphorePermit, BulkheadFull> {
        if let Ok(permit) = self.slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let queued = self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        if queued >= self.max_queue {
            return Err(BulkheadFull::QueueFull(queued));
        }
        match tokio::time::timeout_at(deadline, self.slots.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(BulkheadFull::Timeout),
        }
    }

    /// Calls in flight now.
    pub(crate) fn in_flight(&self) -> usize {
        self.capacity - self.slots.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn queue_is_bounded_and_slots_are_returned() {
        let bulkhead = Bulkhead::new(1, 1);
        let deadline = Instant::now() + Duration::from_secs(5);
        let held = bulkhead.enter(deadline).await.unwrap();
        assert_eq!(bulkhead.in_flight(), 1);
        let soon = Instant::now() + Duration::from_millis(50);
        let (queued, refused) = tokio::join!(bulkhead.enter(soon), async {
            tokio::task::yield_now().await;
            bulkhead.enter(soon).await
        });
        assert_eq!(queued.unwrap_err(), BulkheadFull::Timeout);
        assert!(matches!(refused.unwrap_err(), BulkheadFull::QueueFull(_)));
        drop(held);
        assert!(bulkhead.enter(deadline).await.is_ok());
    }
}
