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

use crate::store::Store;

/// Most records one transaction commits.
const MAX_BATCH: usize = 1000;
/// Rows per INSERT statement.
const ROWS_PER_INSERT: usize = 100;
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
        let result = commit(&store, &records)
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

/// Locks the chain's head row (writing first, so SQLite takes its write lock at once and
/// PostgreSQL instances queue on the row) and reads `columns` of it.
pub(crate) async fn lock_head(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    columns: &str,
) -> Result<sqlx::any::AnyRow, sqlx::Error> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut **tx)
        .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {columns} FROM audit_head WHERE id = 1"
    )))
    .fetch_one(&mut **tx)
    .await
}

/// Appends `records` to the chain in one transaction. The head row is locked first, so
/// instances sharing one PostgreSQL extend one chain in turn.
async fn commit(store: &Store, records: &[&Record]) -> Result<(), sqlx::Error> {
    let mut tx = store.pool.begin().await?;
    let head = lock_head(&mut tx, "seq, hash").await?;
    let mut seq: i64 = sqlx::Row::try_get(&head, "seq")?;
    let mut hash: String = sqlx::Row::try_get(&head, "hash")?;
    for chunk in records.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO audit_records (seq, at, request_id, trace_id, client, user_id, \
             dossier_code, partner, operation, input_digest, outcome, status, cache, latency_ms, \
             partner_request_id, prev_hash, hash) VALUES ",
        );
        for row in 0..chunk.len() {
            if row > 0 {
                sql.push_str(", ");
            }
            let params: Vec<String> = (1..=17).map(|i| format!("${}", row * 17 + i)).collect();
            sql.push('(');
            sql.push_str(&params.join(", "));
            sql.push(')');
        }
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql));
        for record in chunk {
            seq += 1;
            let prev = std::mem::take(&mut hash);
            hash = chain::link(&prev, &chain::canonical(seq, record));
            insert = insert
                .bind(seq)
                .bind(record.at)
                .bind(record.request_id.clone())
                .bind(record.trace_id.clone())
                .bind(record.client.clone())
                .bind(record.user_id.clone())
                .bind(record.dossier_code.clone())
                .bind(record.partner.clone())
                .bind(record.operation.clone())
                .bind(record.input_digest.clone())
                .bind(record.outcome.clone())
                .bind(record.status)
                .bind(record.cache.clone())
                .bind(record.latency_ms)
                .bind(record.partner_request_id.clone())
                .bind(prev)
                .bind(hash.clone());
        }
        insert.execute(&mut *tx).await?;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
