//! The batching writer: takes the records requests hand over, and commits everything
//! queued meanwhile in one transaction (group commit). Each commit is bounded by
//! `audit.commit_timeout`, and a record that waited longer than that for the writer is
//! not written: its request is told so (and `on_failure` applies), so a stuck store
//! neither wedges the writer nor lets a request wait without bound.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use prometheus_client::metrics::histogram::Histogram;
use serde::Serialize;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use super::head::ChainHead;
use super::{AuditError, AuditStats, Record, chain};
use crate::infra::store::{Dialect, Store};

/// Most records one transaction commits.
const MAX_BATCH: usize = 1000;

/// A record waiting for its commit.
pub(super) struct Pending {
    pub(super) record: Record,
    pub(super) done: oneshot::Sender<Result<(), AuditError>>,
    /// After this, the record is no longer written.
    pub(super) deadline: Instant,
}

/// What the writer needs besides its queue.
pub(super) struct Writer {
    pub(super) store: Store,
    pub(super) stats: Arc<AuditStats>,
    pub(super) commit_time: Histogram,
    pub(super) commit_timeout: Duration,
    /// The head after each commit (read by the checkpointer).
    pub(super) heads: watch::Sender<ChainHead>,
}

impl Writer {
    /// Commits batches until every sender is gone.
    pub(super) async fn run(self, mut rx: mpsc::Receiver<Pending>) {
        let insert = batch_insert_sql(self.store.dialect);
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            self.stats
                .queued
                .fetch_sub(batch.len() as i64, Ordering::Relaxed);
            let now = Instant::now();
            let (batch, late): (Vec<_>, Vec<_>) = batch.into_iter().partition(|p| p.deadline > now);
            if !late.is_empty() {
                tracing::error!(
                    records = late.len(),
                    "audit records waited longer than audit.commit_timeout and are not written"
                );
                let error = AuditError("the record could not be committed in time".into());
                for pending in late {
                    let _ = pending.done.send(Err(error.clone()));
                }
            }
            if !batch.is_empty() {
                self.commit_batch(&insert, batch).await;
            }
        }
    }

    async fn commit_batch(&self, insert: &str, batch: Vec<Pending>) {
        let started = Instant::now();
        let records: Vec<&Record> = batch.iter().map(|p| &p.record).collect();
        let committed = tokio::time::timeout(
            self.commit_timeout,
            commit(&self.store, insert, &records, self.commit_timeout),
        )
        .await;
        let result = match committed {
            Ok(Ok(head)) => {
                self.heads.send_replace(head);
                Ok(())
            }
            Ok(Err(error)) => Err(AuditError(error.to_string())),
            Err(_) => Err(AuditError(format!(
                "the commit took longer than audit.commit_timeout ({} ms)",
                self.commit_timeout.as_millis()
            ))),
        };
        self.commit_time.observe(started.elapsed().as_secs_f64());
        match &result {
            Ok(()) => {
                self.stats
                    .committed
                    .fetch_add(batch.len() as i64, Ordering::Relaxed);
                self.stats.writable.store(true, Ordering::Relaxed);
            }
            Err(error) => {
                self.stats.failed_commits.fetch_add(1, Ordering::Relaxed);
                self.stats.writable.store(false, Ordering::Relaxed);
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

/// Appends `records` to the chain in one transaction and returns the new head. The head
/// row is locked first, so instances sharing one PostgreSQL extend one chain in turn; on
/// PostgreSQL the server also gives up on the transaction after `timeout`, so that a
/// commit abandoned by the writer does not keep its connection.
async fn commit(
    store: &Store,
    insert: &str,
    records: &[&Record],
    timeout: Duration,
) -> Result<ChainHead, sqlx::Error> {
    let mut tx = store.pool.begin().await?;
    if store.dialect == Dialect::Postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SET LOCAL statement_timeout = {}",
            timeout.as_millis()
        )))
        .execute(&mut *tx)
        .await?;
    }
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
    tx.commit().await?;
    Ok(ChainHead { seq, hash })
}
