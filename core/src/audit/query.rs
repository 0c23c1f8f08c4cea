//! Reading the audit log: search by dossier, client and time; archiving old records
//! (retention) in short transactions, so that what remains stays verifiable and requests
//! are recorded while it runs.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};

use serde::Deserialize;
use sqlx::Row;

use super::chain::{self, COLUMNS, Checker, StoredRecord};
use crate::infra::store::Store;

/// What to look for; all given conditions must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Search {
    /// Records of this dossier.
    pub dossier: Option<String>,
    /// Records of this client.
    pub client: Option<String>,
    /// Records at or after this time (Unix ms).
    pub since: Option<i64>,
    /// At most this many records (default 100, at most 10,000).
    pub limit: Option<i64>,
}

/// The records matching `search`, oldest first.
pub async fn search(store: &Store, search: &Search) -> Result<Vec<StoredRecord>, sqlx::Error> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_records
         WHERE ($1 IS NULL OR dossier_code = $1) AND ($2 IS NULL OR client = $2)
           AND ($3 IS NULL OR at >= $3)
         ORDER BY seq LIMIT $4"
    )))
    .bind(search.dossier.clone())
    .bind(search.client.clone())
    .bind(search.since)
    .bind(search.limit.unwrap_or(100).clamp(1, 10_000))
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(chain::from_row).collect()
}

/// How an archiving run went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archived {
    /// Records written to the archive and removed.
    pub records: i64,
    /// The new anchor: the sequence number and hash of the last archived record.
    pub anchor: (i64, String),
}

/// Why archiving stopped.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] sqlx::Error),
    /// The archive file could not be written.
    #[error("archive file: {0}")]
    File(#[from] std::io::Error),
    /// The next records to archive do not verify; they were not archived.
    #[error(
        "record {seq} does not verify ({reason}); it and the records after it were not archived"
    )]
    Broken {
        /// First bad record.
        seq: i64,
        /// Why.
        reason: String,
    },
}

/// An archiving run that stopped on an error, after the batches in `done`.
#[derive(Debug, thiserror::Error)]
#[error("{error} ({} records were archived before it)", done.records)]
pub struct ArchiveStopped {
    /// What was archived (and removed) before the error; the file holds exactly these.
    pub done: Archived,
    /// What went wrong.
    #[source]
    pub error: ArchiveError,
}

/// Moves every record older than `before` (Unix ms) to `out` as JSON lines, `batch`
/// records per transaction. Each transaction locks the head, checks the next records from
/// the anchor, appends them to `out` and syncs it, removes them and moves the anchor to
/// the last one — so the head is held for one batch only, requests go on being recorded
/// meanwhile, and after every batch the records kept verify from the anchor and the
/// archive from its first line. Stops at the first record not older than `before`.
pub async fn archive(
    store: &Store,
    before: i64,
    out: &mut File,
    batch: i64,
) -> Result<Archived, ArchiveStopped> {
    let mut done = Archived {
        records: 0,
        anchor: (0, String::new()),
    };
    loop {
        let kept = out.metadata().map_err(|e| stopped(&done, e.into()))?.len();
        match archive_batch(store, before, out, batch.max(1)).await {
            Ok(Some(moved)) => {
                done.records += moved.records;
                done.anchor = moved.anchor;
            }
            Ok(None) => break,
            Err(error) => {
                // The file keeps exactly what was removed from the store.
                let _ = out.set_len(kept);
                let _ = out.seek(SeekFrom::End(0));
                return Err(stopped(&done, error));
            }
        }
    }
    if done.records == 0 {
        let head = chain::head(store)
            .await
            .map_err(|e| stopped(&done, e.into()))?;
        done.anchor = (head.anchor_seq, head.anchor_hash);
    }
    Ok(done)
}

fn stopped(done: &Archived, error: ArchiveError) -> ArchiveStopped {
    ArchiveStopped {
        done: done.clone(),
        error,
    }
}

/// One transaction of [`archive`]; `None` when no record is left to archive.
async fn archive_batch(
    store: &Store,
    before: i64,
    out: &mut File,
    batch: i64,
) -> Result<Option<Archived>, ArchiveError> {
    let mut tx = store.pool.begin().await?;
    let head = super::lock_head(&mut tx, "anchor_seq, anchor_hash").await?;
    let anchor_seq: i64 = head.try_get("anchor_seq")?;
    let anchor_hash: String = head.try_get("anchor_hash")?;
    let page = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM audit_records WHERE seq > $1 ORDER BY seq LIMIT $2"
    )))
    .bind(anchor_seq)
    .bind(batch)
    .fetch_all(&mut *tx)
    .await?;
    let mut checker = Checker::new(anchor_seq, anchor_hash);
    let mut lines = Vec::new();
    let mut last = anchor_seq;
    for row in &page {
        let record = chain::from_row(row)?;
        if record.record.at >= before {
            break;
        }
        if let Some(broken) = checker.check(&record) {
            return Err(ArchiveError::Broken {
                seq: broken.seq,
                reason: broken.reason,
            });
        }
        serde_json::to_writer(&mut lines, &record).map_err(std::io::Error::other)?;
        lines.push(b'\n');
        last = record.seq;
    }
    let records = checker.result(None).checked;
    if records == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    out.write_all(&lines)?;
    out.sync_data()?;
    sqlx::query("DELETE FROM audit_records WHERE seq <= $1")
        .bind(last)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE audit_head SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1")
        .bind(last)
        .bind(checker.last_hash())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(Archived {
        records,
        anchor: (last, checker.last_hash().to_owned()),
    }))
}
