//! Single-flight: concurrent misses for one key share one partner call.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::OnceCell;

/// Calls in flight, by key.
pub(crate) struct Flights<T> {
    calls: Mutex<HashMap<String, Arc<OnceCell<T>>>>,
}

impl<T: Clone> Flights<T> {
    pub(crate) fn new() -> Self {
        Self {
            calls: Mutex::new(HashMap::new()),
        }
    }

    /// Runs `call` for `key` unless a call for `key` is already running, in which case
    /// its result is awaited instead. If the running call is cancelled, one of the
    /// waiters runs its own `call`.
    pub(crate) async fn run<F, Fut>(&self, key: &str, call: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let cell = self
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.to_owned())
            .or_insert_with(|| Arc::new(OnceCell::new()))
            .clone();
        let value = cell.get_or_init(call).await.clone();
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if calls
            .get(key)
            .is_some_and(|current| Arc::ptr_eq(current, &cell))
        {
            calls.remove(key);
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[tokio::test]
    async fn concurrent_calls_for_one_key_run_once() {
        let flights = Arc::new(Flights::<u32>::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (flights, runs) = (flights.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                flights
                    .run("k", || async {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        7
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), 7);
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        // Later calls run again.
        assert_eq!(flights.run("k", || async { 8 }).await, 8);
    }
}
