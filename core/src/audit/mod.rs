//! The audit log: one record per answered request to a national-service operation (cache
//! hits and refusals included) — who asked, for which dossier, what, and what happened.
//! Input identifiers are kept only as a keyed digest (HMAC-SHA256), never in clear.
//!
//! Records are hash-chained ([`chain`]) and written by one batching writer: a request
//! hands its record over and waits for the commit, and everything queued meanwhile
//! commits in the same transaction (group commit), so throughput is not capped by the
//! store's commit latency ([`writer`], each commit bounded in time). When the store
//! cannot be written, the answer is withheld (503 `audit-unavailable`) unless config says
//! to answer unlogged.
//!
//! The keys live outside the store ([`keys`]): the digest key, and the Ed25519 key that
//! signs checkpoints of the chain's head into a separate file ([`checkpoint`]), so that
//! write access to the database is not enough to rewrite history unnoticed.

pub mod chain;
pub mod checkpoint;
mod head;
pub mod keys;
pub mod query;
pub(crate) mod request_id;
mod writer;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use prometheus_client::metrics::histogram::Histogram;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::Config;
use crate::infra::store::Store;
use checkpoint::CheckpointSink;
use head::ChainHead;
pub use request_id::RequestId;
pub(crate) use writer::lock_head;
use writer::{Pending, Writer};

/// Records that may wait for the writer before callers wait to hand theirs over.
const QUEUE: usize = 16 * 1024;

/// One audited request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// When it was answered (Unix ms).
    pub at: i64,
    /// The request id.
    pub request_id: String,
    /// The trace id, to find the request's trace.
    pub trace_id: Option<String>,
    /// The calling application.
    pub client: Option<String>,
    /// The official (`X-User-Id`).
    pub user_id: Option<String>,
    /// The dossier (`X-Dossier-Code`, or the application's).
    pub dossier_code: Option<String>,
    /// The national service.
    pub partner: String,
    /// The operation id.
    pub operation: String,
    /// Keyed digest of the input's identifying fields.
    pub input_digest: Option<String>,
    /// `ok`, or the problem's short name.
    pub outcome: String,
    /// HTTP status of the answer.
    pub status: i64,
    /// `hit`, `miss`, `stale`, `bypass` for cacheable operations.
    pub cache: Option<String>,
    /// Time to answer, in milliseconds.
    pub latency_ms: i64,
    /// The request id sent to the partner (`MaYeuCau`), when it was called.
    pub partner_request_id: Option<String>,
}

/// The audit store could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the audit log cannot be written: {0}")]
pub struct AuditError(pub String);

/// Counters and gauges of the writer, for operators.
#[derive(Debug, Default)]
pub(crate) struct AuditStats {
    pub(crate) queued: AtomicI64,
    pub(crate) committed: AtomicI64,
    pub(crate) failed_commits: AtomicI64,
    pub(crate) writable: AtomicBool,
}

/// The audit log of a bus instance.
pub(crate) struct Audit {
    queue: mpsc::Sender<Pending>,
    identifier_key: Vec<u8>,
    commit_timeout: Duration,
    pub(crate) stats: Arc<AuditStats>,
    /// Turns true at shutdown: the checkpoint sink signs the last head and stops.
    stop: watch::Sender<bool>,
    checkpoints: Mutex<Option<JoinHandle<()>>>,
}

impl Audit {
    /// Starts the writer on `store` (and the checkpoint sink `config` names): reads the
    /// keys from outside the store, moving a key older versions kept in it out first.
    pub(crate) async fn start(
        config: &Config,
        store: Store,
        commit_time: Histogram,
    ) -> Result<Self, String> {
        let audit = &config.audit;
        let identifier_key = keys::identifier_key(audit, &config.storage, &store).await?;
        let sink = match (&audit.checkpoint_key_file, &audit.checkpoint_file) {
            (Some(key), Some(file)) => {
                checkpoint::check_writable(file, true)?;
                Some(CheckpointSink {
                    key: keys::read_signing_key(key)
                        .map_err(|e| format!("audit.checkpoint_key_file: {e}"))?,
                    instance: config.telemetry.service_name.clone(),
                    file: file.clone(),
                    every: audit.checkpoint_every,
                    interval: audit.checkpoint_interval,
                })
            }
            _ => None,
        };
        let (queue, rx) = mpsc::channel(QUEUE);
        let stats = Arc::new(AuditStats {
            writable: AtomicBool::new(true),
            ..AuditStats::default()
        });
        let (heads, latest) = watch::channel(ChainHead::default());
        let writer = Writer {
            store,
            stats: stats.clone(),
            commit_time,
            commit_timeout: audit.commit_timeout,
            heads,
        };
        tokio::spawn(writer.run(rx));
        let (stop, stopped) = watch::channel(false);
        Ok(Self {
            queue,
            identifier_key,
            commit_timeout: audit.commit_timeout,
            stats,
            stop,
            checkpoints: Mutex::new(sink.map(|sink| sink.spawn(latest, stopped))),
        })
    }

    /// At shutdown, once nothing records any more: the last checkpoint is signed.
    pub(crate) async fn finish(&self) {
        let _ = self.stop.send(true);
        let sink = self
            .checkpoints
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(sink) = sink {
            let _ = sink.await;
        }
    }

    /// Hands `record` over and waits until it is committed.
    pub(crate) async fn record(&self, record: Record) -> Result<(), AuditError> {
        let (done, committed) = oneshot::channel();
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        let deadline = Instant::now() + self.commit_timeout;
        let pending = Pending {
            record,
            done,
            deadline,
        };
        let sent = self.queue.send(pending).await;
        if sent.is_err() {
            self.stats.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(AuditError("the audit writer has stopped".into()));
        }
        committed
            .await
            .unwrap_or_else(|_| Err(AuditError("the audit writer has stopped".into())))
    }

    /// Keyed digest of `fields` of `input` (hex HMAC-SHA256 over their canonical JSON),
    /// `None` when the operation declares no identifying fields.
    pub(crate) fn digest(&self, fields: &[&str], input: &Value) -> Option<String> {
        if fields.is_empty() {
            return None;
        }
        let mut picked = serde_json::Map::new();
        for field in fields {
            picked.insert(
                (*field).to_owned(),
                input.get(*field).cloned().unwrap_or(Value::Null),
            );
        }
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.identifier_key)
            .expect("HMAC accepts keys of any length");
        mac.update(Value::Object(picked).to_string().as_bytes());
        Some(hex::encode(mac.finalize().into_bytes()))
    }
}
