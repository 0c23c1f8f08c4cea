//! Metrics in the Prometheus text format (`GET /metrics` on the admin listener), all named
//! `lienthong_…`. Label values come from bounded sets only: declared operation ids,
//! configured client and partner names, HTTP statuses, fixed outcome names.
//!
//! Events (requests, partner calls, audit commits) are counted when they happen; state
//! (breakers, in-flight calls, cache, quotas, outbox, audit queue) is read at each scrape.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

mod edge;

pub(crate) use edge::{AuthMetrics, ConnectionMetrics};

/// Labels of answered requests.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub(crate) operation: String,
    pub(crate) status: u16,
    pub(crate) client: String,
}

/// Labels of calls to partners.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct PartnerLabels {
    pub(crate) partner: String,
    pub(crate) operation: String,
    pub(crate) outcome: String,
}

/// The state read at a scrape, one entry per partner unless said otherwise.
#[derive(Debug, Default, Clone)]
pub(crate) struct Snapshot {
    pub(crate) partners: Vec<PartnerState>,
    pub(crate) cache: [(&'static str, u64); 4],
    pub(crate) cache_evictions: u64,
    pub(crate) cache_bytes: u64,
    pub(crate) cache_entries: u64,
    pub(crate) cache_flights: u64,
    pub(crate) cache_shared_refused: u64,
    pub(crate) outbox_depth: i64,
    pub(crate) outbox_oldest_seconds: i64,
    pub(crate) audit_queue: i64,
    pub(crate) audit_failed_commits: i64,
    pub(crate) webhook_dead_letters: i64,
}

/// One partner's traffic state.
#[derive(Debug, Default, Clone)]
pub(crate) struct PartnerState {
    pub(crate) partner: String,
    /// 0 closed, 1 half open, 2 open.
    pub(crate) breaker: i64,
    pub(crate) in_flight: i64,
    /// (decision, count): allowed, delayed, rejected, store_failure.
    pub(crate) limiter: [(&'static str, u64); 4],
}

#[derive(Debug, Default)]
struct State(Mutex<Snapshot>);

/// One metric family: one descriptor, one value per label set.
fn family<M: EncodeMetric, L: EncodeLabelSet>(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    values: Vec<(L, M)>,
) -> Result<(), std::fmt::Error> {
    let Some(metric_type) = values.first().map(|(_, m)| m.metric_type()) else {
        return Ok(());
    };
    let mut metric_encoder = encoder.encode_descriptor(name, help, None, metric_type)?;
    for (labels, metric) in &values {
        metric.encode(metric_encoder.encode_family(labels)?)?;
    }
    Ok(())
}

fn single<M: EncodeMetric>(
    encoder: &mut DescriptorEncoder<'_>,
    name: &str,
    help: &str,
    metric: M,
) -> Result<(), std::fmt::Error> {
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

impl Collector for State {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let partner = |p: &PartnerState| [("partner", p.partner.clone())];
        family(
            &mut encoder,
            "breaker_state",
            "Circuit breaker: 0 closed, 1 half open, 2 open",
            s.partners
                .iter()
                .map(|p| (partner(p), ConstGauge::new(p.breaker)))
                .collect(),
        )?;
        family(
            &mut encoder,
            "partner_in_flight",
            "Calls to the partner in flight",
            s.partners
                .iter()
                .map(|p| (partner(p), ConstGauge::new(p.in_flight)))
                .collect(),
        )?;
        family(
            &mut encoder,
            "limiter_decisions",
            "Quota decisions: allowed at once, delayed, rejected, or counted locally because the shared store failed",
            s.partners
                .iter()
                .flat_map(|p| {
                    p.limiter.iter().map(|(decision, count)| {
                        (
                            [
                                ("partner", p.partner.clone()),
                                ("decision", (*decision).to_owned()),
                            ],
                            ConstCounter::new(*count),
                        )
                    })
                })
                .collect(),
        )?;
        family(
            &mut encoder,
            "cache_requests",
            "Cacheable answers by cache result",
            s.cache
                .iter()
                .map(|(result, count)| ([("result", *result)], ConstCounter::new(*count)))
                .collect(),
        )?;
        single(
            &mut encoder,
            "cache_evictions",
            "Answers evicted to stay within the cache's size",
            ConstCounter::new(s.cache_evictions),
        )?;
        single(
            &mut encoder,
            "cache_bytes",
            "Bytes held by the cache",
            ConstGauge::new(s.cache_bytes as i64),
        )?;
        single(
            &mut encoder,
            "cache_entries",
            "Answers held by the cache",
            ConstGauge::new(s.cache_entries as i64),
        )?;
        single(
            &mut encoder,
            "cache_flights",
            "Shared partner calls of cache misses that callers wait for",
            ConstGauge::new(i64::try_from(s.cache_flights).unwrap_or(i64::MAX)),
        )?;
        single(
            &mut encoder,
            "cache_shared_refused",
            "Entries of the shared tier ignored because their seal did not check",
            ConstCounter::new(s.cache_shared_refused),
        )?;
        single(
            &mut encoder,
            "outbox_depth",
            "Applications not yet in a final state",
            ConstGauge::new(s.outbox_depth),
        )?;
        single(
            &mut encoder,
            "outbox_oldest_age_seconds",
            "Age of the oldest application not yet final",
            ConstGauge::new(s.outbox_oldest_seconds),
        )?;
        single(
            &mut encoder,
            "audit_queue_depth",
            "Audit records waiting to be committed",
            ConstGauge::new(s.audit_queue),
        )?;
        single(
            &mut encoder,
            "audit_failed_commits",
            "Audit commits that failed",
            ConstCounter::new(s.audit_failed_commits as u64),
        )?;
        single(
            &mut encoder,
            "webhook_dead_letters",
            "Webhook deliveries that failed past the retry horizon, kept for a replay",
            ConstGauge::new(s.webhook_dead_letters),
        )?;
        Ok(())
    }
}

/// The bus's metrics.
#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    state: Arc<State>,
    pub(crate) requests: Family<RequestLabels, Counter>,
    pub(crate) partner_calls: Family<PartnerLabels, Histogram>,
    pub(crate) audit_commit: Histogram,
    pub(crate) connections: ConnectionMetrics,
    pub(crate) auth: AuthMetrics,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let mut registry = Registry::with_prefix("lienthong");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Answered requests by operation, status and client",
            requests.clone(),
        );
        let partner_calls = Family::<PartnerLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 16))
        });
        registry.register(
            "partner_call_duration_seconds",
            "Time of each exchange with a partner, by outcome",
            partner_calls.clone(),
        );
        let audit_commit = Histogram::new(exponential_buckets(0.0005, 2.0, 14));
        registry.register(
            "audit_commit_duration_seconds",
            "Time to commit one batch of audit records",
            audit_commit.clone(),
        );
        let (connections, auth) = edge::register(&mut registry);
        let state = Arc::new(State::default());
        registry.register_collector(Box::new(state.clone()));
        Self {
            registry,
            state,
            requests,
            partner_calls,
            audit_commit,
            connections,
            auth,
        }
    }

    /// Counts an exchange with a partner.
    pub(crate) fn partner_call(
        &self,
        partner: &str,
        operation: &str,
        outcome: &str,
        elapsed: Duration,
    ) {
        self.partner_calls
            .get_or_create(&PartnerLabels {
                partner: partner.to_owned(),
                operation: operation.to_owned(),
                outcome: outcome.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// The text exposition with `snapshot` as the current state.
    pub(crate) fn render(&self, snapshot: Snapshot) -> String {
        *self.state.0.lock().unwrap_or_else(PoisonError::into_inner) = snapshot;
        let mut text = String::new();
        if encode(&mut text, &self.registry).is_err() {
            text.clear();
        }
        text
    }
}
