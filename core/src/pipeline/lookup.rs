//! Stage: the partner call of a lookup ([`OperationKind::Call`]), through the cache when
//! the operation is cacheable. A lookup owns everything its call needs, so that through
//! the cache's single-flight the call can outlive the request that started it: it then
//! runs under the operation's deadline, and every request waiting for it under its own.
//!
//! [`OperationKind::Call`]: lienthong_adapter_kit::adapter::OperationKind::Call

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;
use tracing::{Instrument, Span};

use crate::cache::{CacheStatus, Cached};
use crate::call::partner::Partner;
use crate::call::{self, CallError, CallReport};
use crate::pipeline::caller::CallerContext;
use crate::pipeline::gateway::Shared;
use crate::pipeline::respond;
use lienthong_adapter_kit::adapter::Input;

/// One lookup: the operation (by its index among the partner's), the input and who asks.
pub(crate) struct Lookup {
    pub(crate) partner: Arc<Partner>,
    pub(crate) operation: usize,
    pub(crate) input: Input,
    pub(crate) caller: CallerContext,
    /// When the request came in (Unix µs), for the trace.
    pub(crate) received_us: i64,
    pub(crate) shared: Arc<Shared>,
    /// The request's path and query, for the `Link` header of paged answers.
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    /// What the request that started the call learns about it.
    pub(crate) report: Arc<Mutex<CallReport>>,
}

/// What a lookup answered, and how the cache served it (for cacheable operations).
pub(crate) struct Looked {
    pub(crate) answer: Result<Cached, CallError>,
    pub(crate) cache: Option<(CacheStatus, Option<Duration>)>,
}

impl Lookup {
    /// Calls the partner by `deadline`; the found record becomes the answer's body.
    async fn fetch(self, deadline: Instant) -> Result<Cached, CallError> {
        let policy = self
            .partner
            .operations
            .get(self.operation)
            .ok_or_else(|| CallError::Internal("the operation is not configured".into()))?;
        let request = call::Call {
            partner: &self.partner,
            policy,
            dossier_code: self.caller.dossier_code.as_deref(),
            deadline,
            received_us: self.received_us,
            report: &self.report,
            metrics: &self.shared.metrics,
        };
        let exchange = call::AdapterExchange {
            adapter: self.partner.adapter.as_ref(),
            operation: policy.operation,
            input: &self.input,
        };
        let record = match call::call(request, &exchange).await {
            Ok(record) => record,
            Err(CallError::NotFound(detail)) => return Ok(Cached::NotFound { detail }),
            Err(error) => return Err(error),
        };
        let links = match policy.operation.paged {
            true => respond::page_links(&self.path, &self.query, &record),
            false => None,
        };
        let body = serde_json::to_vec(&record).map_err(|e| CallError::Internal(e.to_string()))?;
        Ok(Cached::Found {
            body: Bytes::from(body),
            links,
        })
    }

    /// Runs the lookup for a caller who waits until `caller_deadline`. Not cacheable
    /// (`cache_key` is `None`): the call runs here, by that deadline. Cacheable: through
    /// the cache, where a miss joins or starts the shared call, which runs by the
    /// operation's own deadline; `bypass` skips reading the cache.
    pub(crate) async fn run(
        self,
        cache_key: Option<String>,
        bypass: bool,
        caller_deadline: Instant,
    ) -> Looked {
        let policy = self
            .partner
            .operations
            .get(self.operation)
            .map(|p| (p.timeout, p.cache));
        let (Some(key), Some((timeout, Some(cache_policy)))) = (cache_key, policy) else {
            return Looked {
                answer: self.fetch(caller_deadline).await,
                cache: None,
            };
        };
        let operation_deadline = Instant::now() + timeout;
        let shared = self.shared.clone();
        let span = Span::current();
        let served = shared
            .cache
            .serve(&key, cache_policy, bypass, caller_deadline, move || {
                self.fetch(operation_deadline).instrument(span)
            })
            .await;
        Looked {
            answer: served.answer,
            cache: Some((served.status, served.age)),
        }
    }
}
