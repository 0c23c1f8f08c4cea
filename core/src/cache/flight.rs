//! Single-flight: concurrent misses for one key share one partner call. The call runs in
//! a task of its own, detached from every caller (it carries the operation's deadline,
//! not any caller's). Each caller waits under its own deadline; one that gives up or is
//! cancelled leaves the call to the others. When the last one has gone the call is
//! stopped and its entry removed, so the map holds only keys someone waits for.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, PoisonError};

use tokio::sync::watch;
use tokio::task::AbortHandle;
use tokio::time::Instant;

/// Why a waiter got no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abandoned {
    /// The waiter's own deadline passed first.
    Expired,
    /// The call stopped without a result (it panicked).
    Lost,
}

/// One call in flight and who waits for it.
struct Flight<T> {
    id: u64,
    waiters: usize,
    result: watch::Receiver<Option<T>>,
    task: AbortHandle,
}

/// Calls in flight, by key.
pub(crate) struct Flights<T> {
    calls: Mutex<Calls<T>>,
}

struct Calls<T> {
    by_key: HashMap<String, Flight<T>>,
    next_id: u64,
}

impl<T: Clone + Send + Sync + 'static> Flights<T> {
    pub(crate) fn new() -> Self {
        Self {
            calls: Mutex::new(Calls {
                by_key: HashMap::new(),
                next_id: 0,
            }),
        }
    }

    /// The result of the call for `key`: the one in flight, or else `call()` started in a
    /// task of its own. Waits until `deadline` at most.
    pub(crate) async fn run<F, Fut>(
        &self,
        key: &str,
        deadline: Instant,
        call: F,
    ) -> Result<T, Abandoned>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T> + Send + 'static,
    {
        let (id, mut result) = self.join(key, call);
        let _waiting = Waiting {
            flights: self,
            key,
            id,
        };
        match tokio::time::timeout_at(deadline, result.wait_for(Option::is_some)).await {
            Ok(Ok(value)) => value.clone().ok_or(Abandoned::Lost),
            Ok(Err(_)) => Err(Abandoned::Lost),
            Err(_) => Err(Abandoned::Expired),
        }
    }

    /// Joins the flight for `key`, starting it when there is none.
    fn join<F, Fut>(&self, key: &str, call: F) -> (u64, watch::Receiver<Option<T>>)
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T> + Send + 'static,
    {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(flight) = calls.by_key.get_mut(key) {
            flight.waiters += 1;
            return (flight.id, flight.result.clone());
        }
        let (sender, result) = watch::channel(None);
        let running = call();
        let task = tokio::spawn(async move {
            let value = running.await;
            sender.send_replace(Some(value));
        })
        .abort_handle();
        let id = calls.next_id;
        calls.next_id = calls.next_id.wrapping_add(1);
        calls.by_key.insert(
            key.to_owned(),
            Flight {
                id,
                waiters: 1,
                result: result.clone(),
                task,
            },
        );
        (id, result)
    }

    /// One waiter of flight `id` has gone; the last one stops the call.
    fn leave(&self, key: &str, id: u64) {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(flight) = calls.by_key.get_mut(key).filter(|f| f.id == id) else {
            return;
        };
        flight.waiters = flight.waiters.saturating_sub(1);
        if flight.waiters == 0
            && let Some(flight) = calls.by_key.remove(key)
        {
            flight.task.abort();
        }
    }

    /// Keys with a call someone waits for.
    pub(crate) fn len(&self) -> usize {
        self.calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .by_key
            .len()
    }
}

/// A waiter's place in a flight, given up when dropped (answered, expired or cancelled).
struct Waiting<'a, T: Clone + Send + Sync + 'static> {
    flights: &'a Flights<T>,
    key: &'a str,
    id: u64,
}

impl<T: Clone + Send + Sync + 'static> Drop for Waiting<'_, T> {
    fn drop(&mut self) {
        self.flights.leave(self.key, self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn later(ms: u64) -> Instant {
        Instant::now() + Duration::from_millis(ms)
    }

    #[tokio::test]
    async fn concurrent_calls_for_one_key_run_once() {
        let flights = Arc::new(Flights::<u32>::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (flights, runs) = (flights.clone(), runs.clone());
            tasks.push(tokio::spawn(async move {
                flights
                    .run("k", later(5000), || async move {
                        runs.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        7
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(task.await.unwrap(), Ok(7));
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(flights.len(), 0);
        // Later calls run again.
        assert_eq!(flights.run("k", later(5000), || async { 8 }).await, Ok(8));
    }

    #[tokio::test]
    async fn a_flight_whose_every_waiter_is_cancelled_leaves_no_entry() {
        let flights = Arc::new(Flights::<u32>::new());
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let flights = flights.clone();
                tokio::spawn(async move {
                    flights
                        .run("k", later(60_000), std::future::pending::<u32>)
                        .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(flights.len(), 1);
        for waiter in &waiters {
            waiter.abort();
        }
        for waiter in waiters {
            assert!(waiter.await.unwrap_err().is_cancelled());
        }
        assert_eq!(flights.len(), 0, "the cancelled flight's entry leaked");
    }

    #[tokio::test]
    async fn each_waiter_applies_its_own_deadline() {
        let flights = Arc::new(Flights::<u32>::new());
        let slow = || async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            9
        };
        let impatient = flights.run("k", later(50), slow);
        let patient = flights.run("k", later(5000), slow);
        let (impatient, patient) = tokio::join!(impatient, patient);
        assert_eq!((impatient, patient), (Err(Abandoned::Expired), Ok(9)));
        assert_eq!(flights.len(), 0);
    }

    #[tokio::test]
    async fn a_call_that_panics_is_lost_to_its_waiters() {
        let flights = Flights::<u32>::new();
        let result = flights
            .run("k", later(5000), || async {
                panic!("partner call panicked")
            })
            .await;
        assert_eq!(result, Err(Abandoned::Lost));
        assert_eq!(flights.len(), 0);
    }
}
