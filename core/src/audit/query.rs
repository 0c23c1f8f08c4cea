//! Reading the audit log: search by dossier, client and time; archiving old records
//! (retention) so that what remains stays verifiable.

use std::io::Write;

use serde::Deserialize;
use sqlx::Row;

use super::chain::{self, COLUMNS, Checker, StoredRecord};
use crate::store::Store;

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
    /// The records to archive do not verify; nothing was removed.
    #[error("record {seq} does not verify ({reason}); nothing was archived")]
    Broken {
        /// First bad record.
        seq: i64,
        /// Why.
        reason: String,
    },
}

/// Writes every record older than `before` (Unix ms) to `out` as JSON lines, after checking
/// them, then removes them and moves the anchor to the last one — in one transaction,
/// so the records kept still verify from the anchor and the archive from its first line.
pub async fn archive(
    store: &Store,
    before: i64,
    out: &mut impl Write,
) -> Result<Archived, ArchiveError> {
    let mut tx = store.pool.begin().await?;
    let head = super::lock_head(&mut tx, "anchor_seq, anchor_hash").await?;
    let anchor_seq: i64 = head.try_get("anchor_seq")?;
    let anchor_hash: String = head.try_get("anchor_hash")?;
    let mut checker = Checker::new(anchor_seq, anchor_hash);
    let mut last = anchor_seq;
    loop {
        let page = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM audit_records WHERE seq > $1 AND at < $2 ORDER BY seq LIMIT 1000"
        )))
        .bind(last)
        .bind(before)
        .fetch_all(&mut *tx)
        .await?;
        if page.is_empty() {
            break;
        }
        for row in &page {
            let record = chain::from_row(row)?;
            if let Some(broken) = checker.check(&record) {
                return Err(ArchiveError::Broken {
                    seq: broken.seq,
                    reason: broken.reason,
                });
            }
            serde_json::to_writer(&mut *out, &record).map_err(std::io::Error::other)?;
            out.write_all(b"\n")?;
            last = record.seq;
        }
    }
    out.flush()?;
    let archived = checker.result(None).checked;
    if archived > 0 {
        sqlx::query("DELETE FROM audit_records WHERE seq <= $1")
            .bind(last)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE audit_head SET anchor_seq = $1, anchor_hash = $2 WHERE id = 1")
            .bind(last)
            .bind(checker.last_hash())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Archived {
        records: archived,
        anchor: (last, checker.last_hash().to_owned()),
    })
}
