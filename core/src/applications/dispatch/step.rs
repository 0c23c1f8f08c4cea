//! One step of one application: submit it, or ask the partner for its state — an
//! [`Exchange`] made under the partner's policies — then write the step and its audit
//! record.

use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Map, Value, json};
use tokio::time::Instant;
use tracing::Instrument;

use super::outcome::{self, Taken};
use crate::applications::repo::{self, Application, Step};
use crate::applications::{Outbox, document_at};
use crate::audit::{self, Audit, RequestId};
use crate::call::partner::Partner;
use crate::call::{self, Call, CallError, CallReport, Exchange};
use crate::infra::store::now_ms;
use crate::infra::telemetry;
use crate::metrics::Metrics;
use lienthong_adapter_kit::adapter::{
    ApplicationState, Applications, CallContext, EncodeError, Input, OperationKind, Progress,
    Submission, WireRequest, WireResponse,
};

/// What every step uses besides the partner: the outbox, the audit log, the metrics.
pub(super) struct Services {
    pub(super) outbox: Arc<Outbox>,
    pub(super) audit: Arc<Audit>,
    pub(super) metrics: Arc<Metrics>,
}

/// Runs one step for `app` with its partner as configured now, and records it.
pub(super) async fn advance(services: &Services, partner: Option<Arc<Partner>>, app: Application) {
    let span = tracing::info_span!(
        "application step",
        otel.kind = "client",
        partner = %app.partner,
        application = %app.id,
        attempt = app.attempts,
        outcome = tracing::field::Empty,
    );
    async {
        let partner = partner.as_deref();
        let step = match partner {
            Some(partner) => deliver(services, partner, &app).await,
            None => outcome::retry(&app, "the partner is not configured on this instance", None),
        };
        tracing::Span::current().record("outcome", step.status.as_str());
        persist(&services.outbox, &app, &step, partner).await;
    }
    .instrument(span)
    .await;
}

async fn persist(outbox: &Outbox, app: &Application, step: &Step, partner: Option<&Partner>) {
    let body = |version: i64, now: i64| {
        let mut doc = match partner {
            Some(p) => document_at(
                p.adapter.as_ref(),
                app,
                &step.status,
                step.partner_reference.as_deref(),
                &step.details,
                now,
            ),
            None => Map::new(),
        };
        doc.insert("event".into(), json!("status_changed"));
        doc.insert("version".into(), json!(version));
        Value::Object(doc).to_string()
    };
    match repo::apply(&outbox.store, app, step, body).await {
        Ok(true) => {}
        Ok(false) => tracing::info!("application taken over by another worker; step dropped"),
        Err(error) => {
            tracing::warn!(%error, "cannot record the application step; it will be retried")
        }
    }
}

/// Submits `app`, or polls it once it has the partner's reference; audits the call when
/// an attempt was made (not when the bus's own policies held it back).
async fn deliver(services: &Services, partner: &Partner, app: &Application) -> Step {
    let Some(hooks) = partner.adapter.applications() else {
        return outcome::failed(app, "the adapter has no application hooks".into());
    };
    let kind = match app.partner_reference {
        None => OperationKind::Submit,
        Some(_) => OperationKind::Status,
    };
    let Some(policy) = partner.policy_of(kind) else {
        return outcome::failed(app, format!("the adapter declares no {kind:?} operation"));
    };
    let report = Mutex::new(CallReport::default());
    let started = Instant::now();
    let call = Call {
        partner,
        policy,
        dossier_code: app.dossier_code.as_deref(),
        deadline: started + policy.timeout,
        received_us: call::unix_micros(),
        report: &report,
        metrics: &services.metrics,
    };
    let ((step, outcome), input_digest) = match &app.partner_reference {
        None => {
            let input = match serde_json::from_str(&app.input) {
                Ok(value) => Input::from_stored(value),
                Err(e) => return outcome::failed(app, format!("stored input is unreadable: {e}")),
            };
            let digest = services
                .audit
                .digest(policy.operation.identifiers, input.value());
            let answer = call::call(
                call,
                &Submit {
                    hooks,
                    input: &input,
                },
            )
            .await;
            (submitted(services, app, answer).await, digest)
        }
        Some(reference) => {
            let answer = call::call(call, &Poll { hooks, reference }).await;
            (polled(partner, app, answer), None)
        }
    };
    let report = report.into_inner().unwrap_or_else(PoisonError::into_inner);
    if let Some(partner_request_id) = report.request_id {
        let record = audit::Record {
            at: now_ms(),
            request_id: RequestId::generate().as_str().to_owned(),
            trace_id: telemetry::trace_id(&tracing::Span::current()),
            client: Some(app.client.clone()),
            user_id: None,
            dossier_code: app.dossier_code.clone(),
            partner: partner.name.to_owned(),
            operation: policy.operation.id.to_owned(),
            input_digest,
            outcome: outcome.to_owned(),
            status: report.answer_status.map_or(0, i64::from),
            cache: None,
            latency_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
            partner_request_id: Some(partner_request_id),
        };
        if let Err(error) = services.audit.record(record).await {
            tracing::error!(%error, "application step not recorded in the audit log");
        }
    }
    step
}

/// What became of a submission, and the audited outcome.
async fn submitted(
    services: &Services,
    app: &Application,
    answer: Result<Delivered, CallError>,
) -> Taken {
    match answer {
        Ok(Delivered::Accepted(reference)) => {
            let store = &services.outbox.store;
            match repo::claim_reference(store, &app.partner, &reference, &app.client).await {
                Ok(true) => (outcome::accepted(app, reference), "ok"),
                Ok(false) => (
                    outcome::failed(app, outcome::FOREIGN_REFERENCE.into()),
                    "ok",
                ),
                Err(error) => {
                    let reason = format!("cannot record the partner's reference: {error}");
                    (outcome::retry(app, &reason, None), "ok")
                }
            }
        }
        Ok(Delivered::Refused(detail)) => (outcome::failed(app, detail), "refused"),
        Err(error) => (outcome::after(app, &error), error.outcome()),
    }
}

/// What became of a poll, and the audited outcome.
fn polled(
    partner: &Partner,
    app: &Application,
    answer: Result<Option<ApplicationState>, CallError>,
) -> Taken {
    match answer {
        Ok(Some(state)) => (outcome::progressed(app, state, partner.poll_interval), "ok"),
        Ok(None) => (
            outcome::retry(app, "the partner does not know this reference (yet)", None),
            "not_found",
        ),
        Err(error) => (outcome::after(app, &error), error.outcome()),
    }
}

/// The partner's answer to a submission it understood.
enum Delivered {
    /// Accepted under this reference.
    Accepted(String),
    /// Refused for good, for this reason.
    Refused(String),
}

/// Handing a stored application to the partner.
struct Submit<'a> {
    hooks: &'a dyn Applications,
    input: &'a Input,
}

impl Exchange for Submit<'_> {
    type Answer = Delivered;
    const ANSWERED: &'static str = "answered";

    fn request(&self, context: &CallContext<'_>) -> Result<WireRequest, EncodeError> {
        self.hooks.submit_request(self.input, context)
    }

    fn read(&self, answer: &WireResponse) -> Result<Delivered, CallError> {
        match self.hooks.submit_outcome(answer) {
            Submission::Accepted { reference } => Ok(Delivered::Accepted(reference)),
            Submission::Refused { detail } => Ok(Delivered::Refused(detail)),
            Submission::Failed(failure) => Err(CallError::Partner(failure)),
        }
    }
}

/// Asking the partner for the state of the application it calls `reference`.
struct Poll<'a> {
    hooks: &'a dyn Applications,
    reference: &'a str,
}

impl Exchange for Poll<'_> {
    /// `None`: the partner does not know the reference.
    type Answer = Option<ApplicationState>;
    const ANSWERED: &'static str = "answered";

    fn request(&self, context: &CallContext<'_>) -> Result<WireRequest, EncodeError> {
        self.hooks.status_request(self.reference, context)
    }

    fn read(&self, answer: &WireResponse) -> Result<Option<ApplicationState>, CallError> {
        match self.hooks.status_outcome(answer) {
            Progress::State(state) => Ok(Some(state)),
            Progress::Unknown => Ok(None),
            Progress::Failed(failure) => Err(CallError::Partner(failure)),
        }
    }
}
