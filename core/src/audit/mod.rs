//! The audit log: one record per answered request to a national-service operation (cache
//! hits and refusals included) — who asked, for which dossier, what, and what happened.
//! Input identifiers are kept only as a keyed digest (HMAC-SHA256), never in clear.
//!
//! Records are hash-chained ([`chain`]) and written by one batching writer: a request
//! hands its record over and waits for the commit, and everything queued meanwhile
//! commits in the same transaction (group commit), so throughput is not capped by the
//! store's commit latency. When the store cannot be written, the answer is withheld
//! (503 `audit-unavailable`) unless config says to answer unlogged.

pub mod chain;
pub mod query;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Instant;

use hmac::{Hmac, KeyInit, Mac};
use prometheus_client::metrics::histogram::Histogram;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::{mpsc, oneshot};

use crate::store::{Dialect, Store};

/// Most records one transaction commits.
const MAX_BATCH: usize = 1000;
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

struct Pending {
    record: Record,
    done: oneshot::Sender<Result<(), AuditError>>,
}

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
    pub(crate) stats: Arc<AuditStats>,
}

impl Audit {
    /// Starts the writer on `store`. `identifier_key` keys the input digests; without one,
    /// a key generated once and kept in the store is used.
    pub(crate) async fn start(
        store: Store,
        identifier_key: Option<Vec<u8>>,
        commit_time: Histogram,
    ) -> Result<Self, sqlx::Error> {
        let identifier_key = match identifier_key {
            Some(key) => key,
            None => stored_key(&store).await?,
        };
        let (queue, rx) = mpsc::channel(QUEUE);
        let stats = Arc::new(AuditStats {
            writable: AtomicBool::new(true),
            ..AuditStats::default()
        });
        tokio::spawn(writer(store, rx, stats.clone(), commit_time));
        Ok(Self {
            queue,
            identifier_key,
            stats,
        })
    }

    /// Hands `record` over and waits until it is committed.
    pub(crate) async fn record(&self, record: Record) -> Result<(), AuditError> {
        let (done, committed) = oneshot::channel();
        self.stats.queued.fetch_add(1, Ordering::Relaxed);
        let sent = self.queue.send(Pending { record, done }).await;
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

/// The digest key kept in the store, created on first use.
async fn stored_key(store: &Store) -> Result<Vec<u8>, sqlx::Error> {
    let mut fresh = [0u8; 32];
    rand::fill(&mut fresh);
    sqlx::query("INSERT INTO audit_keys (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING")
        .bind(hex::encode(fresh))
        .execute(&store.pool)
        .await?;
    let secret: String = sqlx::query_scalar("SELECT secret FROM audit_keys WHERE id = 1")
        .fetch_one(&store.pool)
        .await?;
    Ok(hex::decode(secret).unwrap_or_else(|_| fresh.to_vec()))
}

async fn writer(
    store: Store,
    mut rx: mpsc::Receiver<Pending>,
    stats: Arc<AuditStats>,
    commit_time: Histogram,
) {
    let insert = batch_insert_sql(store.dialect);
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        stats
            .queued
            .fetch_sub(batch.len() as i64, Ordering::Relaxed);
        let started = Instant::now();
        let records: Vec<&Record> = batch.iter().map(|p| &p.record).collect();
        let result = commit(&store, &insert, &records)
            .await
            .map_err(|e| AuditError(e.to_string()));
        commit_time.observe(started.elapsed().as_secs_f64());
        match &result {
            Ok(()) => {
                stats
                    .committed
                    .fetch_add(batch.len() as i64, Ordering::Relaxed);
                stats.writable.store(true, Ordering::Relaxed);
            }
            Err(error) => {
                stats.failed_commits.fetch_add(1, Ordering::Relaxed);
                stats.writable.store(false, Ordering::Relaxed);
                tracing::error!(%error, records = batch.len(), "audit commit failed");
            }
        }
        for pending in batch {
            let _ = pending.done.send(result.clone());
        }
    }
}

/// Locks the chain's head row (by writing it, so SQLite takes its write lock at once and
/// PostgreSQL instances queue on the row) and reads `columns` of it, in one statement.
pub(crate) async fn lock_head(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    columns: &str,
) -> Result<sqlx::any::AnyRow, sqlx::Error> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING {columns}"
    )))
    .fetch_one(&mut **tx)
    .await
}

/// Columns of `audit_records` with their SQL types, in [`chain::COLUMNS`] order.
const TYPED_COLUMNS: [(&str, &str); 17] = [
    ("seq", "BIGINT"),
    ("at", "BIGINT"),
    ("request_id", "TEXT"),
    ("trace_id", "TEXT"),
    ("client", "TEXT"),
    ("user_id", "TEXT"),
    ("dossier_code", "TEXT"),
    ("partner", "TEXT"),
    ("operation", "TEXT"),
    ("input_digest", "TEXT"),
    ("outcome", "TEXT"),
    ("status", "BIGINT"),
    ("cache", "TEXT"),
    ("latency_ms", "BIGINT"),
    ("partner_request_id", "TEXT"),
    ("prev_hash", "TEXT"),
    ("hash", "TEXT"),
];

/// One statement that inserts a whole batch given as a JSON array of rows (see `commit`).
fn batch_insert_sql(dialect: Dialect) -> String {
    format!(
        "INSERT INTO audit_records ({}) {}",
        chain::COLUMNS,
        dialect.select_json_rows(&TYPED_COLUMNS)
    )
}

/// Appends `records` to the chain in one transaction. The head row is locked first, so
/// instances sharing one PostgreSQL extend one chain in turn.
async fn commit(store: &Store, insert: &str, records: &[&Record]) -> Result<(), sqlx::Error> {
    let mut tx = store.pool.begin().await?;
    let head = lock_head(&mut tx, "seq, hash").await?;
    let mut seq: i64 = sqlx::Row::try_get(&head, "seq")?;
    let mut hash: String = sqlx::Row::try_get(&head, "hash")?;
    /// A row as the insert statement reads it (the shape of [`chain::StoredRecord`]).
    #[derive(Serialize)]
    struct Row<'a> {
        seq: i64,
        #[serde(flatten)]
        record: &'a Record,
        prev_hash: String,
        hash: String,
    }
    let mut rows = Vec::with_capacity(records.len());
    for record in records {
        seq += 1;
        let prev_hash = std::mem::take(&mut hash);
        hash = chain::link(&prev_hash, &chain::canonical(seq, record));
        rows.push(Row {
            seq,
            record,
            prev_hash,
            hash: hash.clone(),
        });
    }
    let rows = serde_json::to_string(&rows).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    sqlx::query(sqlx::AssertSqlSafe(insert))
        .bind(rows)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
