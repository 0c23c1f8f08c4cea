//! The shared state of one running simulator: counters, pending faults, latency, quota.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use rand::RngExt;
use tokio::sync::watch;

use super::latency::Latency;
use super::quota::Quota;
use super::simulator::{FaultKind, SimStats, Simulator};
use crate::adapter::WireRequest;

/// What the accept loop, every request and the control endpoints share.
pub(super) struct SimState {
    pub(super) simulator: Arc<dyn Simulator>,
    pub(super) requests: AtomicU64,
    pub(super) faults_injected: AtomicU64,
    pub(super) throttled: AtomicU64,
    pub(super) in_flight: AtomicU64,
    pub(super) max_concurrent: AtomicU64,
    pub(super) quota: Mutex<Quota>,
    pub(super) by_path: Mutex<BTreeMap<String, u64>>,
    pub(super) pending_faults: Mutex<VecDeque<FaultKind>>,
    pub(super) fault_until: Mutex<Option<(FaultKind, Instant)>>,
    pub(super) recent: Mutex<VecDeque<WireRequest>>,
    pub(super) latency: Mutex<Latency>,
    pub(super) fault_rate: f64,
    pub(super) stopping: watch::Receiver<bool>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimState {
    pub(super) fn stats(&self) -> SimStats {
        SimStats {
            requests: self.requests.load(Ordering::Relaxed),
            by_path: lock(&self.by_path).clone(),
            faults_injected: self.faults_injected.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            max_per_second: lock(&self.quota).max_per_second,
            max_concurrent: self.max_concurrent.load(Ordering::Relaxed),
            partner: self.simulator.stats(),
        }
    }

    pub(super) fn set_quota(&self, per_second: Option<u32>) {
        lock(&self.quota).per_second = per_second;
    }

    pub(super) fn clear_faults(&self) {
        lock(&self.pending_faults).clear();
        *lock(&self.fault_until) = None;
    }

    pub(super) fn next_fault(&self) -> Option<FaultKind> {
        if let Some((kind, until)) = *lock(&self.fault_until)
            && Instant::now() < until
        {
            return Some(kind);
        }
        if let Some(kind) = lock(&self.pending_faults).pop_front() {
            return Some(kind);
        }
        (self.fault_rate > 0.0 && rand::rng().random::<f64>() < self.fault_rate)
            .then_some(FaultKind::Fault)
    }
}
