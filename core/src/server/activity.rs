//! What one connection is doing: how many requests are in flight, since when none is, and
//! which protocol it speaks. The [`Watchdog`] turns that into the connection's next
//! deadline: hyper has none for a connection that never completes a request, nor for an
//! idle HTTP/2 connection.

use std::sync::Arc;
use std::time::Duration;

use http::Version;
use tokio::sync::watch;
use tokio::time::Instant;

/// What the connection has served so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Served {
    /// No request yet: protocol detection, HTTP/2 handshake, the first request's head.
    Nothing,
    /// HTTP/1 requests.
    Http1,
    /// HTTP/2 requests.
    Http2,
}

#[derive(Debug, Clone, Copy)]
struct State {
    in_flight: usize,
    /// When the last request in flight ended (or the connection opened).
    idle_since: Instant,
    served: Served,
}

/// How long a connection may stay with nothing in flight, by what it has served.
#[derive(Debug, Clone, Copy)]
pub(super) struct IdleLimits {
    /// From the first byte to the first request.
    pub(super) opening: Duration,
    /// Between HTTP/1 requests.
    pub(super) http1: Duration,
    /// Between HTTP/2 requests.
    pub(super) http2: Duration,
}

/// The requests' side: marks requests in flight.
#[derive(Debug, Clone)]
pub(super) struct Activity(Arc<watch::Sender<State>>);

/// One request in flight; its end is recorded when dropped.
#[derive(Debug)]
pub(super) struct InFlight(Arc<watch::Sender<State>>);

/// The connection's side: waits for its deadlines.
#[derive(Debug)]
pub(super) struct Watchdog {
    state: watch::Receiver<State>,
    limits: IdleLimits,
}

/// A tracker for a connection that opens now.
pub(super) fn track(limits: IdleLimits) -> (Activity, Watchdog) {
    let (sender, receiver) = watch::channel(State {
        in_flight: 0,
        idle_since: Instant::now(),
        served: Served::Nothing,
    });
    (
        Activity(Arc::new(sender)),
        Watchdog {
            state: receiver,
            limits,
        },
    )
}

impl Activity {
    /// A request in `version` starts.
    pub(super) fn begin(&self, version: Version) -> InFlight {
        self.0.send_modify(|s| {
            s.in_flight = s.in_flight.saturating_add(1);
            s.served = match version {
                Version::HTTP_2 => Served::Http2,
                _ => Served::Http1,
            };
        });
        InFlight(self.0.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|s| {
            s.in_flight = s.in_flight.saturating_sub(1);
            if s.in_flight == 0 {
                s.idle_since = Instant::now();
            }
        });
    }
}

impl State {
    /// When the connection's phase ends and its name, unless a request is in flight.
    fn deadline(&self, limits: &IdleLimits) -> Option<(Instant, &'static str)> {
        if self.in_flight > 0 {
            return None;
        }
        let (limit, phase) = match self.served {
            Served::Nothing => (limits.opening, "opening"),
            Served::Http1 => (limits.http1, "idle"),
            Served::Http2 => (limits.http2, "idle"),
        };
        Some((self.idle_since + limit, phase))
    }

    /// When a connection whose close began at `since` is dropped: `linger` after its last
    /// request ended, at the latest `grace` after `since`.
    fn settles_at(&self, since: Instant, linger: Duration, grace: Duration) -> Instant {
        let last = since + grace;
        match self.in_flight {
            0 => (self.idle_since.max(since) + linger).min(last),
            _ => last,
        }
    }
}

impl Watchdog {
    /// Resolves when the connection has had nothing in flight for longer than its phase
    /// allows, with the phase's name (`opening` or `idle`).
    pub(super) async fn expired(&mut self) -> &'static str {
        loop {
            let state = *self.state.borrow_and_update();
            let Some((deadline, phase)) = state.deadline(&self.limits) else {
                self.changed().await;
                continue;
            };
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return phase,
                _ = self.changed() => {}
            }
        }
    }

    /// Once a close has begun at `since`: resolves when nothing has been in flight for
    /// `linger` (the client had its chance to take the last answer), or at the latest
    /// `grace` after `since`.
    pub(super) async fn settled(&mut self, since: Instant, linger: Duration, grace: Duration) {
        loop {
            let until = self
                .state
                .borrow_and_update()
                .settles_at(since, linger, grace);
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return,
                _ = self.changed() => {}
            }
        }
    }

    /// Waits for a change; never resolves once every request's side is gone.
    async fn changed(&mut self) {
        if self.state.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: IdleLimits = IdleLimits {
        opening: Duration::from_secs(5),
        http1: Duration::from_secs(10),
        http2: Duration::from_secs(60),
    };

    fn state(in_flight: usize, served: Served, idle_since: Instant) -> State {
        State {
            in_flight,
            idle_since,
            served,
        }
    }

    #[test]
    fn the_deadline_depends_on_what_was_served_and_waits_for_requests_in_flight() {
        let t = Instant::now();
        let s = |in_flight, served| state(in_flight, served, t).deadline(&LIMITS);
        assert_eq!(s(0, Served::Nothing), Some((t + LIMITS.opening, "opening")));
        assert_eq!(s(0, Served::Http1), Some((t + LIMITS.http1, "idle")));
        assert_eq!(s(0, Served::Http2), Some((t + LIMITS.http2, "idle")));
        assert_eq!(s(1, Served::Http2), None);
    }

    #[test]
    fn requests_move_the_state() {
        let (activity, watchdog) = track(LIMITS);
        let opened = watchdog.state.borrow().idle_since;
        let request = activity.begin(Version::HTTP_2);
        let second = activity.begin(Version::HTTP_2);
        drop(request);
        assert_eq!(watchdog.state.borrow().deadline(&LIMITS), None);
        drop(second);
        let now = *watchdog.state.borrow();
        assert_eq!((now.in_flight, now.served), (0, Served::Http2));
        assert!(now.idle_since >= opened);
    }

    #[test]
    fn a_closing_connection_settles_after_its_linger_or_its_grace() {
        let since = Instant::now();
        let linger = Duration::from_secs(1);
        let grace = Duration::from_secs(30);
        let idle = state(0, Served::Http1, since - Duration::from_secs(100));
        assert_eq!(idle.settles_at(since, linger, grace), since + linger);
        let just_answered = state(0, Served::Http1, since + Duration::from_secs(2));
        assert_eq!(
            just_answered.settles_at(since, linger, grace),
            since + Duration::from_secs(3)
        );
        let stuck = state(1, Served::Http1, since);
        assert_eq!(stuck.settles_at(since, linger, grace), since + grace);
        let late = state(0, Served::Http1, since + grace);
        assert_eq!(late.settles_at(since, linger, grace), since + grace);
    }
}
