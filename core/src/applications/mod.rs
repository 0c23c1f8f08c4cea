//! Applications to asynchronous partners. A `Submit` operation stores the validated
//! application durably — committed before the answer — and the pipeline answers 202; the
//! dispatcher ([`dispatch`]) delivers it and follows it to a final state, and each status
//! change is sent to the client's callback ([`webhook`]). A `Status` operation reads it
//! back, for the client that submitted it only. This layer returns data; the pipeline
//! makes the HTTP answers.
//!
//! Idempotency: the same client, `Idempotency-Key` and body give the same application;
//! the same key with another body is 409. A dossier code belongs to the client that uses
//! it: one client's dossier has at most one application that an operator has not
//! retired ([`retire`]), and other clients' dossier codes are no concern of it. Personal
//! data is erased a while after the final state ([`retention`]).

pub(crate) mod dispatch;
pub(crate) mod in_force;
pub(crate) mod repo;
pub(crate) mod retention;
pub(crate) mod retire;
pub mod webhook;

use http::HeaderMap;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::Notify;

use crate::clients::Client;
use crate::infra::store::{Store, rfc3339};
pub(crate) use in_force::InForce;
use lienthong_adapter_kit::adapter::{Adapter, Input, OperationKind};
use repo::{Application, NewApplication, Stored};

/// Header naming the client's idempotency key for a submission.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Why a submission or status request could not be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ApplicationError {
    /// No `Idempotency-Key` header.
    #[error("the Idempotency-Key header is required for submissions")]
    MissingKey,
    /// A malformed `Idempotency-Key`.
    #[error("Idempotency-Key must be 1-255 visible ASCII characters")]
    BadKey,
    /// The key was used before with another body.
    #[error("this Idempotency-Key was already used with a different body")]
    KeyReused,
    /// The client's dossier already has an application (its id).
    #[error("this dossier already has your application {0}")]
    DossierTaken(String),
    /// No application with this id for this client.
    #[error("no application with this id")]
    NotFound,
    /// A `callback_url` was given but the client has no webhook secret to sign with.
    #[error("callback_url needs a webhook secret configured for this client")]
    NoWebhookSecret,
    /// The `callback_url` is one the client's webhook policy refuses.
    #[error("callback_url {0}")]
    CallbackRefused(webhook::Refusal),
    /// The store could not be used.
    #[error("the application store is unavailable: {0}")]
    Store(String),
}

impl From<sqlx::Error> for ApplicationError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.to_string())
    }
}

/// The durable queue of applications and the bell that wakes its dispatcher.
pub(crate) struct Outbox {
    pub(crate) store: Store,
    pub(crate) wake: Notify,
}

impl Outbox {
    pub(crate) fn new(store: Store) -> Self {
        Self {
            store,
            wake: Notify::new(),
        }
    }
}

/// What became of a submission.
#[derive(Debug)]
pub(crate) enum Submitted {
    /// Stored now (answered 202): its id and status, and its `status_url`.
    Created {
        /// `id`, `status` and `status_url`.
        summary: Value,
        /// Where to follow the application.
        status_url: String,
    },
    /// The same client, key and body stored it before (answered 200): its document.
    Existing(Map<String, Value>),
}

/// `Submit`: stores the application (or finds it stored by the same request before).
pub(crate) async fn submit(
    outbox: &Outbox,
    adapter: &dyn Adapter,
    operation: &str,
    client: &Client,
    headers: &HeaderMap,
    input: &Input,
) -> Result<Submitted, ApplicationError> {
    let key = idempotency_key(headers)?;
    let callback_url = input.field("callback_url");
    if let Some(url) = callback_url {
        if client.webhook_secret.is_none() {
            return Err(ApplicationError::NoWebhookSecret);
        }
        webhook::check_callback(url, &client.webhook_hosts)
            .map_err(ApplicationError::CallbackRefused)?;
    }
    let canonical = input.value().to_string();
    let hash = hex::encode(Sha256::digest(canonical.as_bytes()));
    let new = NewApplication {
        partner: adapter.partner(),
        operation,
        client: &client.id,
        idempotency_key: key,
        request_hash: &hash,
        dossier_code: input.field("dossier_code"),
        input: &canonical,
        callback_url,
    };
    match repo::create(&outbox.store, &new).await? {
        Stored::Created(app) => {
            outbox.wake.notify_one();
            let status_url = status_url(adapter, &app.id);
            let summary = json!({ "id": app.id, "status": app.status, "status_url": status_url });
            Ok(Submitted::Created {
                summary,
                status_url,
            })
        }
        Stored::Existing(app) => Ok(Submitted::Existing(document(adapter, &app))),
        Stored::KeyReused => Err(ApplicationError::KeyReused),
        Stored::DossierTaken(id) => Err(ApplicationError::DossierTaken(id)),
    }
}

/// `Status`: the document of the stored application `id`, if `client` submitted it.
pub(crate) async fn status(
    outbox: &Outbox,
    adapter: &dyn Adapter,
    client: &Client,
    id: &str,
) -> Result<Map<String, Value>, ApplicationError> {
    if !is_application_id(id) {
        return Err(ApplicationError::NotFound);
    }
    let app = repo::fetch(&outbox.store, id)
        .await?
        .filter(|app| app.client == *client.id && app.partner == adapter.partner())
        .ok_or(ApplicationError::NotFound)?;
    Ok(document(adapter, &app))
}

/// Whether `id` has the form of an application id (32 hex digits).
pub(crate) fn is_application_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn idempotency_key(headers: &HeaderMap) -> Result<&str, ApplicationError> {
    let value = headers
        .get(IDEMPOTENCY_KEY)
        .ok_or(ApplicationError::MissingKey)?;
    let key = value.to_str().map_err(|_| ApplicationError::BadKey)?.trim();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApplicationError::BadKey);
    }
    Ok(key)
}

/// The unified URL of application `id`: the adapter's `Status` path with the id filled in.
pub(crate) fn status_url(adapter: &dyn Adapter, id: &str) -> String {
    let template = adapter
        .operations()
        .iter()
        .find(|op| op.kind == OperationKind::Status)
        .map_or("", |op| op.path);
    match (template.find('{'), template.rfind('}')) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{id}{}", &template[..start], &template[end + 1..])
        }
        _ => format!("{template}/{id}"),
    }
}

/// The application as the unified API shows it (and webhooks send it).
pub(crate) fn document(adapter: &dyn Adapter, app: &Application) -> Map<String, Value> {
    document_at(
        adapter,
        app,
        &app.status,
        app.partner_reference.as_deref(),
        &app.details,
        app.updated_at,
    )
}

/// The document of `app` with a new status, reference and details, as of `updated_at`.
pub(crate) fn document_at(
    adapter: &dyn Adapter,
    app: &Application,
    status: &str,
    partner_reference: Option<&str>,
    details: &Map<String, Value>,
    updated_at: i64,
) -> Map<String, Value> {
    let mut doc = Map::new();
    doc.insert("id".into(), json!(app.id));
    doc.insert("status".into(), json!(status));
    doc.insert("dossier_code".into(), json!(app.dossier_code));
    doc.insert("partner_reference".into(), json!(partner_reference));
    for (key, value) in details {
        doc.entry(key.clone()).or_insert_with(|| value.clone());
    }
    doc.insert("created_at".into(), json!(rfc3339(app.created_at)));
    doc.insert("updated_at".into(), json!(rfc3339(updated_at)));
    doc.insert("status_url".into(), json!(status_url(adapter, &app.id)));
    doc.insert("result_expired".into(), json!(app.redacted_at.is_some()));
    if let Some((at, reason)) = &app.retired {
        doc.insert(
            "retired".into(),
            json!({ "at": rfc3339(*at), "reason": reason }),
        );
    }
    doc
}
