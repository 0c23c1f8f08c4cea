//! Retiring an application: an operator ends the hold a final application (failed,
//! rejected, withdrawn or issued) has on its dossier, so that its client may submit the
//! dossier again (with a new `Idempotency-Key`). The record stays, marked retired with the
//! operator's reason; the retirement is written to the audit log before it takes effect.

use sqlx::AssertSqlSafe;
use tokio::time::Instant;

use super::is_application_id;
use super::repo::{self, Application};
use crate::audit::RequestId;
use crate::audit::{self, Audit, AuditError};
use crate::infra::store::{Store, now_ms, rfc3339};

/// Operation name of retirements in the audit log.
pub(crate) const OPERATION: &str = "retireApplication";
/// Client name of retirements in the audit log: they are made on the admin listener.
pub(crate) const OPERATOR: &str = "operator";
/// Longest reason accepted, in characters.
pub(crate) const MAX_REASON_CHARS: usize = 500;

/// Why an application was not retired.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RetireError {
    /// The order itself is unusable.
    #[error("{0}")]
    BadOrder(String),
    /// No application with this id.
    #[error("no application with this id")]
    NotFound,
    /// The application is not in a final state yet.
    #[error(
        "the application is still {0}; only applications in a final state (failed, rejected, \
         withdrawn, issued) may be retired"
    )]
    InProgress(String),
    /// An operator retired it before.
    #[error("the application was already retired at {0}")]
    AlreadyRetired(String),
    /// The retirement could not be audited, so it was not made.
    #[error(transparent)]
    Unaudited(AuditError),
    /// The store could not be used.
    #[error("the application store is unavailable: {0}")]
    Store(String),
}

impl From<sqlx::Error> for RetireError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.to_string())
    }
}

/// Retires application `id` for `reason` (1 to [`MAX_REASON_CHARS`] characters) and
/// returns it as it now is.
pub(crate) async fn retire(
    store: &Store,
    audit: &Audit,
    id: &str,
    reason: &str,
) -> Result<Application, RetireError> {
    let started = Instant::now();
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
        return Err(RetireError::BadOrder(format!(
            "reason must be 1-{MAX_REASON_CHARS} characters saying why the application is retired"
        )));
    }
    if !is_application_id(id) {
        return Err(RetireError::NotFound);
    }
    let app = repo::fetch(store, id).await?.ok_or(RetireError::NotFound)?;
    refuse_unless_retirable(&app)?;
    audit
        .record(audit::Record {
            at: now_ms(),
            request_id: RequestId::generate().as_str().to_owned(),
            trace_id: None,
            client: Some(OPERATOR.to_owned()),
            user_id: None,
            dossier_code: app.dossier_code.clone(),
            partner: app.partner.clone(),
            operation: OPERATION.to_owned(),
            input_digest: None,
            outcome: "retired".to_owned(),
            status: 200,
            cache: None,
            latency_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            partner_request_id: None,
        })
        .await
        .map_err(RetireError::Unaudited)?;
    let row = sqlx::query(AssertSqlSafe(format!(
        "UPDATE applications SET retired_at = $1, retired_reason = $2
         WHERE id = $3 AND active = 0 AND retired_at IS NULL
         RETURNING {}",
        repo::COLUMNS
    )))
    .bind(now_ms())
    .bind(reason)
    .bind(id)
    .fetch_optional(&store.pool)
    .await?;
    match row {
        Some(row) => Ok(repo::from_row(&row)?),
        // Retired by a concurrent order meanwhile.
        None => {
            let app = repo::fetch(store, id).await?.ok_or(RetireError::NotFound)?;
            refuse_unless_retirable(&app)?;
            Err(RetireError::Store(
                "the application changed meanwhile".into(),
            ))
        }
    }
}

fn refuse_unless_retirable(app: &Application) -> Result<(), RetireError> {
    if let Some((at, _)) = &app.retired {
        return Err(RetireError::AlreadyRetired(rfc3339(*at)));
    }
    if app.active {
        return Err(RetireError::InProgress(app.status.clone()));
    }
    Ok(())
}
