//! SQL of the webhook queue. Deliveries are rows of `webhook_deliveries`, claimed with a
//! lease; per application they leave in version order. A delivered row keeps its place
//! (for that order) but loses its body. A delivery that keeps failing past the retry
//! horizon moves to `webhook_dead_letters`, where it no longer holds back the later
//! deliveries of its application, until an operator replays it or its retention ends.

use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use crate::infra::store::{Store, rfc3339};

/// One claimed delivery.
pub(crate) struct Delivery {
    pub(crate) id: String,
    pub(crate) client: String,
    pub(crate) url: String,
    pub(crate) body: String,
    pub(crate) attempts: i64,
    pub(crate) lease_until: i64,
    pub(crate) created_at: i64,
}

/// Claims up to `limit` due deliveries for `lease_ms`: per application only the lowest
/// version not yet delivered.
pub(crate) async fn claim(
    store: &Store,
    now: i64,
    lease_ms: i64,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "UPDATE webhook_deliveries SET lease_until = $1, attempts = attempts + 1
         WHERE id IN (SELECT d.id FROM webhook_deliveries d
                      WHERE d.delivered_at IS NULL AND d.next_attempt_at <= $2 AND d.lease_until <= $2
                        AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                                        WHERE e.application_id = d.application_id
                                          AND e.delivered_at IS NULL AND e.version < d.version)
                      ORDER BY d.next_attempt_at LIMIT $3{})
         RETURNING id, client, url, body, attempts, lease_until, created_at",
        store.dialect.skip_locked()
    )))
    .bind(now.saturating_add(lease_ms))
    .bind(now)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Delivery {
                id: row.try_get("id")?,
                client: row.try_get("client")?,
                url: row.try_get("url")?,
                body: row.try_get("body")?,
                attempts: row.try_get("attempts")?,
                lease_until: row.try_get("lease_until")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// Marks `delivery` delivered and deletes its body (it holds personal data).
pub(crate) async fn delivered(
    store: &Store,
    delivery: &Delivery,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET delivered_at = $1, body = '', last_error = NULL,
            lease_until = 0
         WHERE id = $2 AND lease_until = $3",
    )
    .bind(now)
    .bind(&delivery.id)
    .bind(delivery.lease_until)
    .execute(&store.pool)
    .await?;
    Ok(())
}

/// Schedules the next attempt of `delivery` at `at`.
pub(crate) async fn retry_at(
    store: &Store,
    delivery: &Delivery,
    at: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE webhook_deliveries SET next_attempt_at = $1, last_error = $2, lease_until = 0
         WHERE id = $3 AND lease_until = $4",
    )
    .bind(at)
    .bind(error)
    .bind(&delivery.id)
    .bind(delivery.lease_until)
    .execute(&store.pool)
    .await?;
    Ok(())
}

/// Moves `delivery` to the dead letters with its last `error`.
pub(crate) async fn dead_letter(
    store: &Store,
    delivery: &Delivery,
    now: i64,
    error: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = store.pool.begin().await?;
    let moved = sqlx::query(
        "INSERT INTO webhook_dead_letters (id, application_id, version, client, url, body,
            attempts, last_error, created_at, dead_at)
         SELECT id, application_id, version, client, url, body, attempts, $1, created_at, $2
         FROM webhook_deliveries WHERE id = $3 AND lease_until = $4",
    )
    .bind(error)
    .bind(now)
    .bind(&delivery.id)
    .bind(delivery.lease_until)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 1 {
        sqlx::query("DELETE FROM webhook_deliveries WHERE id = $1")
            .bind(&delivery.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Deletes the dead letters that died before `cutoff` (their retention is over).
pub(crate) async fn forget_dead_before(store: &Store, cutoff: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM webhook_dead_letters WHERE dead_at < $1")
        .bind(cutoff)
        .execute(&store.pool)
        .await?;
    Ok(done.rows_affected())
}

/// Number of dead letters.
pub(crate) async fn dead_letter_count(store: &Store) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM webhook_dead_letters")
        .fetch_one(&store.pool)
        .await
}

/// A dead letter as the admin API lists it: no body, and of the URL only its host.
#[derive(Debug, Serialize)]
pub(crate) struct DeadLetter {
    id: String,
    application_id: String,
    version: i64,
    client: String,
    url_host: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: String,
    dead_at: String,
}

/// Up to `limit` dead letters, oldest first, of `client` when given.
pub(crate) async fn dead_letters(
    store: &Store,
    client: Option<&str>,
    limit: i64,
) -> Result<Vec<DeadLetter>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, application_id, version, client, url, attempts, last_error, created_at,
            dead_at
         FROM webhook_dead_letters WHERE (CAST($1 AS TEXT) IS NULL OR client = $1)
         ORDER BY dead_at, id LIMIT $2",
    )
    .bind(client)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let url: String = row.try_get("url")?;
            Ok(DeadLetter {
                id: row.try_get("id")?,
                application_id: row.try_get("application_id")?,
                version: row.try_get("version")?,
                client: row.try_get("client")?,
                url_host: url
                    .parse::<http::Uri>()
                    .ok()
                    .and_then(|u| u.host().map(str::to_owned))
                    .unwrap_or_default(),
                attempts: row.try_get("attempts")?,
                last_error: row.try_get("last_error")?,
                created_at: rfc3339(row.try_get("created_at")?),
                dead_at: rfc3339(row.try_get("dead_at")?),
            })
        })
        .collect()
}

/// Why a replay did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplayError {
    /// No delivery has this id (or its dead letter's retention is over).
    #[error("no webhook delivery has this id")]
    NotFound,
    /// The delivery exists but is not a dead letter (pending or delivered).
    #[error("this webhook delivery is not a dead letter: it is pending or was delivered")]
    NotDead,
    /// The store could not be used.
    #[error("the webhook store is unavailable: {0}")]
    Store(String),
}

impl From<sqlx::Error> for ReplayError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.to_string())
    }
}

/// Queues dead letter `id` again, due at once, with a new retry horizon from `now`. It
/// keeps its id, so receivers recognise a delivery they may have seen.
pub(crate) async fn replay(store: &Store, id: &str, now: i64) -> Result<(), ReplayError> {
    let mut tx = store.pool.begin().await?;
    let moved = sqlx::query(
        "INSERT INTO webhook_deliveries (id, application_id, version, client, url, body,
            attempts, next_attempt_at, lease_until, delivered_at, last_error, created_at)
         SELECT id, application_id, version, client, url, body, 0, $1, 0, NULL, last_error, $1
         FROM webhook_dead_letters WHERE id = $2
         ON CONFLICT DO NOTHING",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let removed = sqlx::query("DELETE FROM webhook_dead_letters WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if moved.rows_affected() == 1 && removed.rows_affected() == 1 {
        tx.commit().await?;
        return Ok(());
    }
    tx.rollback().await?;
    let pending: Option<String> =
        sqlx::query_scalar("SELECT id FROM webhook_deliveries WHERE id = $1")
            .bind(id)
            .fetch_optional(&store.pool)
            .await?;
    Err(match pending {
        Some(_) => ReplayError::NotDead,
        None => ReplayError::NotFound,
    })
}
