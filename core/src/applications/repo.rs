//! SQL of the application outbox. Rows are claimed with a lease so a crashed or slow
//! worker's rows return to the queue, and every change is written only by the holder of
//! the current lease. A status change and its webhook delivery commit together.

use serde_json::{Map, Value};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::infra::store::{Store, now_ms};

/// One stored application.
#[derive(Debug, Clone)]
pub(crate) struct Application {
    pub(crate) id: String,
    pub(crate) partner: String,
    pub(crate) client: String,
    pub(crate) request_hash: String,
    pub(crate) dossier_code: Option<String>,
    pub(crate) input: String,
    pub(crate) callback_url: Option<String>,
    pub(crate) status: String,
    pub(crate) partner_reference: Option<String>,
    pub(crate) details: Map<String, Value>,
    pub(crate) version: i64,
    /// Whether the dispatcher still works on it (not yet in a final state).
    pub(crate) active: bool,
    pub(crate) attempts: i64,
    pub(crate) lease_until: i64,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
    /// When an operator retired it, and why.
    pub(crate) retired: Option<(i64, String)>,
    /// When its input and the partner's results were erased (retention).
    pub(crate) redacted_at: Option<i64>,
}

pub(crate) const COLUMNS: &str = "id, partner, client, request_hash, dossier_code, input, \
    callback_url, status, partner_reference, details, version, active, attempts, lease_until, \
    created_at, updated_at, retired_at, retired_reason, redacted_at";

pub(crate) fn from_row(row: &AnyRow) -> Result<Application, sqlx::Error> {
    let details: String = row.try_get("details")?;
    let retired_at: Option<i64> = row.try_get("retired_at")?;
    let retired_reason: Option<String> = row.try_get("retired_reason")?;
    Ok(Application {
        id: row.try_get("id")?,
        partner: row.try_get("partner")?,
        client: row.try_get("client")?,
        request_hash: row.try_get("request_hash")?,
        dossier_code: row.try_get("dossier_code")?,
        input: row.try_get("input")?,
        callback_url: row.try_get("callback_url")?,
        status: row.try_get("status")?,
        partner_reference: row.try_get("partner_reference")?,
        details: serde_json::from_str(&details).unwrap_or_default(),
        version: row.try_get("version")?,
        active: row.try_get::<i64, _>("active")? != 0,
        attempts: row.try_get("attempts")?,
        lease_until: row.try_get("lease_until")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        retired: retired_at.map(|at| (at, retired_reason.unwrap_or_default())),
        redacted_at: row.try_get("redacted_at")?,
    })
}

/// A new application as accepted by the Submit stage.
pub(crate) struct NewApplication<'a> {
    pub(crate) partner: &'a str,
    pub(crate) operation: &'a str,
    pub(crate) client: &'a str,
    pub(crate) idempotency_key: &'a str,
    pub(crate) request_hash: &'a str,
    pub(crate) dossier_code: Option<&'a str>,
    pub(crate) input: &'a str,
    pub(crate) callback_url: Option<&'a str>,
}

/// What storing a new application led to.
pub(crate) enum Stored {
    /// Stored now.
    Created(Application),
    /// The same client sent the same key and the same body before.
    Existing(Application),
    /// The same client sent the same key with another body.
    KeyReused,
    /// The same client has another application for this dossier (not retired).
    DossierTaken(String),
}

/// Stores `new` durably (committed before this returns) unless the client already used
/// the key, or has an application for the dossier that is not retired.
pub(crate) async fn create(store: &Store, new: &NewApplication<'_>) -> Result<Stored, sqlx::Error> {
    let now = now_ms();
    let id = uuid::Uuid::now_v7().simple().to_string();
    let inserted = sqlx::query(
        "INSERT INTO applications (id, partner, operation, client, idempotency_key, request_hash,
            dossier_code, input, callback_url, status, partner_reference, details, version, active,
            attempts, next_attempt_at, lease_until, last_error, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', NULL, '{}', 1, 1, 0, $10, 0, NULL,
            $10, $10)
         ON CONFLICT DO NOTHING",
    )
    .bind(&id)
    .bind(new.partner)
    .bind(new.operation)
    .bind(new.client)
    .bind(new.idempotency_key)
    .bind(new.request_hash)
    .bind(new.dossier_code)
    .bind(new.input)
    .bind(new.callback_url)
    .bind(now)
    .execute(&store.pool)
    .await?;
    if inserted.rows_affected() == 1 {
        return Ok(Stored::Created(
            fetch(store, &id).await?.ok_or(sqlx::Error::RowNotFound)?,
        ));
    }
    let by_key = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM applications WHERE client = $1 AND idempotency_key = $2"
    )))
    .bind(new.client)
    .bind(new.idempotency_key)
    .fetch_optional(&store.pool)
    .await?;
    if let Some(row) = by_key {
        let existing = from_row(&row)?;
        return Ok(if existing.request_hash == new.request_hash {
            Stored::Existing(existing)
        } else {
            Stored::KeyReused
        });
    }
    let by_dossier: Option<String> = sqlx::query_scalar(
        "SELECT id FROM applications
         WHERE client = $1 AND partner = $2 AND dossier_code = $3 AND retired_at IS NULL",
    )
    .bind(new.client)
    .bind(new.partner)
    .bind(new.dossier_code)
    .fetch_optional(&store.pool)
    .await?;
    by_dossier
        .map(Stored::DossierTaken)
        .ok_or(sqlx::Error::RowNotFound)
}

/// The application `id`, whoever owns it.
pub(crate) async fn fetch(store: &Store, id: &str) -> Result<Option<Application>, sqlx::Error> {
    sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM applications WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&store.pool)
    .await?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// Claims up to `limit` active applications that are due, for `lease_ms`, in the name of
/// the instance `owner`.
pub(crate) async fn claim_due(
    store: &Store,
    owner: &str,
    limit: i64,
    lease_ms: i64,
) -> Result<Vec<Application>, sqlx::Error> {
    let now = now_ms();
    let rows = sqlx::query(AssertSqlSafe(format!(
        "UPDATE applications SET lease_until = $1, lease_owner = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM applications
                      WHERE active = 1 AND next_attempt_at <= $3 AND lease_until <= $3
                      ORDER BY next_attempt_at LIMIT $4{})
         RETURNING {COLUMNS}",
        store.dialect.skip_locked()
    )))
    .bind(now.saturating_add(lease_ms))
    .bind(owner)
    .bind(now)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Releases the leases the instance `owner` holds, so what it had in flight before it
/// stopped or died is due at once; called before its dispatcher starts. Returns how many.
pub(crate) async fn reclaim(store: &Store, owner: &str) -> Result<u64, sqlx::Error> {
    let released = sqlx::query(
        "UPDATE applications SET lease_until = 0
         WHERE lease_owner = $1 AND active = 1 AND lease_until > 0",
    )
    .bind(owner)
    .execute(&store.pool)
    .await?;
    Ok(released.rows_affected())
}

/// Whether the partner's `reference` may be attached to an application of `client`: it is
/// recorded for the first client it was handed to, and refused to every other one.
pub(crate) async fn claim_reference(
    store: &Store,
    partner: &str,
    reference: &str,
    client: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query(
        "INSERT INTO application_references (partner, reference, client) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(partner)
    .bind(reference)
    .bind(client)
    .execute(&store.pool)
    .await?;
    let holder: String = sqlx::query_scalar(
        "SELECT client FROM application_references WHERE partner = $1 AND reference = $2",
    )
    .bind(partner)
    .bind(reference)
    .fetch_one(&store.pool)
    .await?;
    Ok(holder == client)
}

/// When the earliest active application falls due (ms), if any.
pub(crate) async fn next_due(store: &Store) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM applications WHERE active = 1")
        .fetch_one(&store.pool)
        .await
}

/// The outcome of one dispatch step, applied by [`apply`].
#[derive(Debug)]
pub(crate) struct Step {
    pub(crate) status: String,
    pub(crate) partner_reference: Option<String>,
    pub(crate) details: Map<String, Value>,
    pub(crate) active: bool,
    pub(crate) next_attempt_at: i64,
    pub(crate) last_error: Option<String>,
    /// Whether the partner was tried; a step put off by the bus's own policies (quota,
    /// breaker, bulkhead, pause) does not count towards the backoff.
    pub(crate) attempted: bool,
}

/// Writes `step` for `app` if this worker still holds the lease; when the status or
/// details changed, bumps the version and, for applications with a callback, queues the
/// webhook `body(version)` in the same transaction. Returns whether the write happened.
pub(crate) async fn apply(
    store: &Store,
    app: &Application,
    step: &Step,
    body: impl FnOnce(i64, i64) -> String,
) -> Result<bool, sqlx::Error> {
    let now = now_ms();
    let changed = step.status != app.status
        || step.details != app.details
        || step.partner_reference != app.partner_reference;
    let version = app.version + i64::from(changed);
    let details = Value::Object(step.details.clone()).to_string();
    let mut tx = store.pool.begin().await?;
    let updated = sqlx::query(
        "UPDATE applications SET status = $1, partner_reference = $2, details = $3, version = $4,
            active = $5, next_attempt_at = $6, lease_until = 0, last_error = $7,
            attempts = CASE WHEN $8 = 1 THEN 0 WHEN $9 = 0 THEN attempts - 1 ELSE attempts END,
            updated_at = $10
         WHERE id = $11 AND lease_until = $12",
    )
    .bind(&step.status)
    .bind(&step.partner_reference)
    .bind(&details)
    .bind(version)
    .bind(i64::from(step.active))
    .bind(step.next_attempt_at)
    .bind(&step.last_error)
    .bind(i64::from(changed))
    .bind(i64::from(step.attempted))
    .bind(if changed { now } else { app.updated_at })
    .bind(&app.id)
    .bind(app.lease_until)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        return Ok(false);
    }
    if let (true, Some(url)) = (changed, &app.callback_url) {
        sqlx::query(
            "INSERT INTO webhook_deliveries (id, application_id, version, client, url, body,
                attempts, next_attempt_at, lease_until, delivered_at, last_error, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, 0, NULL, NULL, $7)
             ON CONFLICT DO NOTHING",
        )
        .bind(uuid::Uuid::now_v7().simple().to_string())
        .bind(&app.id)
        .bind(version)
        .bind(&app.client)
        .bind(url)
        .bind(body(version, now))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Active applications, and the creation time (Unix ms) of the oldest.
pub(crate) async fn depth(store: &Store) -> Result<(i64, Option<i64>), sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM applications WHERE active = 1",
    )
    .fetch_one(&store.pool)
    .await?;
    Ok((row.try_get("n")?, row.try_get("oldest")?))
}
