//! Retention of personal data in applications: once an application has been in a final
//! state for `applications.retention`, its stored input (the applicant's identity and
//! history) and everything the partner returned (the certificate and its PDF, dates,
//! reasons) are erased. What remains — status, dossier code, partner reference, times,
//! the request hash that idempotent repeats are compared with — names no person; the
//! status answer then says `"result_expired": true`.
//!
//! A sweep runs a few times per retention period (at least every five minutes), erasing
//! a bounded batch per statement.

use std::time::Duration;

use sqlx::AssertSqlSafe;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::infra::store::{Store, now_ms};

/// Applications erased per statement.
const BATCH: i64 = 100;
/// Statements per sweep at most; what is left waits for the next sweep.
const MAX_BATCHES: usize = 50;
/// Shortest and longest time between sweeps.
const MIN_EVERY: Duration = Duration::from_secs(1);
const MAX_EVERY: Duration = Duration::from_secs(300);

/// Sweeps `store` until `stop` turns true.
pub(crate) fn spawn(
    store: Store,
    retention: Duration,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let every = (retention / 4).clamp(MIN_EVERY, MAX_EVERY);
    tokio::spawn(async move {
        while !*stop.borrow() {
            match sweep(&store, retention).await {
                Ok(0) => {}
                Ok(erased) => tracing::info!(
                    erased,
                    "personal data of applications past their retention erased"
                ),
                Err(error) => tracing::warn!(%error, "retention sweep failed; it runs again"),
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                _ = stop.wait_for(|s| *s) => {}
            }
        }
    })
}

/// Erases what is due of applications final for longer than `retention`; returns how
/// many were erased.
pub(crate) async fn sweep(store: &Store, retention: Duration) -> Result<u64, sqlx::Error> {
    let now = now_ms();
    let cutoff = now.saturating_sub(i64::try_from(retention.as_millis()).unwrap_or(i64::MAX));
    let statement = format!(
        "UPDATE applications
         SET input = '{{}}', details = '{{}}', last_error = NULL, redacted_at = $1
         WHERE id IN (SELECT id FROM applications
                      WHERE active = 0 AND redacted_at IS NULL AND updated_at <= $2
                      ORDER BY updated_at LIMIT $3{})",
        store.dialect.skip_locked()
    );
    let mut erased = 0;
    for _ in 0..MAX_BATCHES {
        let done = sqlx::query(AssertSqlSafe(statement.as_str()))
            .bind(now)
            .bind(cutoff)
            .bind(BATCH)
            .execute(&store.pool)
            .await?
            .rows_affected();
        erased += done;
        if done < BATCH.unsigned_abs() {
            break;
        }
    }
    Ok(erased)
}
