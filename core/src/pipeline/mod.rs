//! The order of the stages every unified-API request passes through. This is the one
//! place that order lives; each stage is its own module.
//!
//! request id → host → catalogue (public) → identity (failures throttled per source) →
//! route → access → caller headers → query →
//! [status of an application: read from the store] → body (JSON, strictly, for POST and
//! PUT) → input validation →
//! [submission: store durably, 202] → partner call (encode → upstream → decode) → respond.
//! Any stage may stop the request with its error; [`crate::pipeline::problem`] turns it into an
//! answer.

pub(crate) mod access;
pub(crate) mod auth_guard;
pub(crate) mod body;
pub(crate) mod caller;
pub(crate) mod catalogue;
pub(crate) mod error;
pub(crate) mod gateway;
pub(crate) mod host;
pub(crate) mod json_body;
mod lookup;
pub(crate) mod problem;
pub(crate) mod problem_types;
pub(crate) mod request_id;
pub(crate) mod respond;
pub(crate) mod route;

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures::FutureExt;
use http::{HeaderValue, Request, Response, StatusCode};
use hyper::body::Incoming;
use lienthong_adapter_kit::adapter::{OperationKind, UnifiedRequest};
use lienthong_adapter_kit::{json, query};
use tokio::time::Instant;
use tokio_util::task::TaskTracker;
use tracing::{Instrument, Span, field};

use crate::applications;
use crate::audit::{self, RequestId};
use crate::cache::{CacheStatus, Cached};
use crate::call::{self, CallError};
use crate::config::AuditFailure;
use crate::infra::store::now_ms;
use crate::infra::telemetry;
use crate::metrics;
use crate::server::Body;
use error::Error;
use gateway::Gateway;
use lookup::Lookup;
use request_id::X_REQUEST_ID;
use route::{RouteError, Target};

/// Runs one request through every stage and answers it. The work runs as its own task
/// (tracked by `in_flight`), so that it ends the same way — partner call, audit record,
/// metrics — when the client goes away and hyper drops this future.
pub(crate) async fn handle(
    gateway: Arc<Gateway>,
    request: Request<Incoming>,
    in_flight: &TaskTracker,
) -> Response<Body> {
    let request_id = request_id::assign(request.headers());
    match in_flight
        .spawn(answer(gateway, request, request_id.clone()))
        .await
    {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, request_id = request_id.as_str(), "request task failed");
            problem::internal().into_response(&request_id)
        }
    }
}

/// Runs the stages (a panic in them is an answer too), records the access and answers.
async fn answer(
    gateway: Arc<Gateway>,
    request: Request<Incoming>,
    request_id: RequestId,
) -> Response<Body> {
    let started = Instant::now();
    let trail_received_us = call::unix_micros();
    let span = tracing::info_span!(
        "request",
        otel.name = field::Empty,
        otel.kind = "server",
        otel.status_code = field::Empty,
        request_id = request_id.as_str(),
        http.request.method = %request.method(),
        http.route = field::Empty,
        http.response.status_code = field::Empty,
        client = field::Empty,
        partner = field::Empty,
        operation = field::Empty,
        dossier_code = field::Empty,
        cache = field::Empty,
        outcome = field::Empty,
        duration_ms = field::Empty,
        request_in_us = field::Empty,
        response_out_us = field::Empty,
    );
    telemetry::adopt_caller_trace(&span, request.headers());
    span.record("request_in_us", trail_received_us);
    let method = request.method().clone();
    let mut trail = Trail {
        received_us: trail_received_us,
        ..Trail::default()
    };
    let result =
        AssertUnwindSafe(stages(&gateway, request, &span, &mut trail).instrument(span.clone()))
            .catch_unwind()
            .await;
    match trail.route {
        Some(path) => span.record("otel.name", format!("{method} {path}")),
        None => span.record("otel.name", method.as_str()),
    };
    let (mut response, outcome) = match result {
        Ok(Ok(response)) => (response, "ok"),
        Ok(Err(error)) => {
            let problem = problem::of(&error);
            let slug = problem.slug;
            if problem.status.is_server_error() {
                tracing::warn!(parent: &span, error = %error, "request failed");
                span.record("otel.status_code", "ERROR");
            }
            (problem.into_response(&request_id), slug)
        }
        Err(_panic) => {
            tracing::error!(parent: &span, "request handling panicked");
            span.record("otel.status_code", "ERROR");
            let problem = problem::internal();
            let slug = problem.slug;
            (problem.into_response(&request_id), slug)
        }
    };
    let operation = trail.access.as_ref().map_or("none", |a| a.operation);
    let client = trail
        .access
        .as_ref()
        .map_or_else(|| "none".to_owned(), |a| a.client.to_string());
    if let Some(access) = trail.access.take() {
        let status = response.status().as_u16();
        let record = access.into_record(&request_id, &span, outcome, status, &trail, started);
        if let Err(error) = gateway.shared.audit.record(record).await {
            tracing::error!(parent: &span, %error, "access not recorded in the audit log");
            if gateway.audit_failure == AuditFailure::Refuse {
                response = problem::audit_unavailable().into_response(&request_id);
            }
        }
    }
    gateway
        .shared
        .metrics
        .requests
        .get_or_create(&metrics::RequestLabels {
            operation: operation.to_owned(),
            status: response.status().as_u16(),
            client,
        })
        .inc();
    finish(&mut response, &request_id, &span, &trail);
    let response_out = call::unix_micros();
    span.record("response_out_us", response_out);
    if let Some(call_span) = trail.call_span.take() {
        call_span.record("response_out_us", response_out);
    }
    span.record("outcome", outcome);
    span.record("http.response.status_code", response.status().as_u16());
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    tracing::info!(parent: &span, "answered");
    response
}

/// Who asked for what, for the audit record; known once the request reached an operation.
struct Access {
    client: Arc<str>,
    partner: &'static str,
    operation: &'static str,
    user_id: Option<String>,
    dossier_code: Option<String>,
    input_digest: Option<String>,
    partner_request_id: Option<String>,
}

impl Access {
    fn into_record(
        self,
        request_id: &RequestId,
        span: &Span,
        outcome: &str,
        status: u16,
        trail: &Trail,
        started: Instant,
    ) -> audit::Record {
        audit::Record {
            at: now_ms(),
            request_id: request_id.as_str().to_owned(),
            trace_id: telemetry::trace_id(span),
            client: Some(self.client.to_string()),
            user_id: self.user_id,
            dossier_code: self.dossier_code,
            partner: self.partner.to_owned(),
            operation: self.operation.to_owned(),
            input_digest: self.input_digest,
            outcome: outcome.to_owned(),
            status: i64::from(status),
            cache: trail.cache.map(|(status, _)| status.as_str().to_owned()),
            latency_ms: started.elapsed().as_millis() as i64,
            partner_request_id: self.partner_request_id,
        }
    }
}

/// What the stages learnt that the answer's headers and the trace report.
#[derive(Default)]
struct Trail {
    /// The route template, once routed.
    route: Option<&'static str>,
    /// How the cache served a cacheable operation, and the answer's age.
    cache: Option<(CacheStatus, Option<Duration>)>,
    /// Who asked for what, once the request reached an operation.
    access: Option<Access>,
    /// When the request came in (Unix µs).
    received_us: i64,
    /// The partner call's span, to stamp with the time the answer goes out.
    call_span: Option<Span>,
}

async fn stages(
    gateway: &Gateway,
    request: Request<Incoming>,
    span: &Span,
    trail: &mut Trail,
) -> Result<Response<Body>, Error> {
    let (parts, body) = request.into_parts();
    host::check(parts.version, &parts.uri, &parts.headers)?;
    if let Some(answer) = catalogue::public(gateway, &parts) {
        return Ok(answer);
    }
    let client = gateway
        .shared
        .auth_guard
        .identify(&gateway.clients, &parts)?;
    span.record("client", &*client.id);

    let matched = gateway.routes.resolve(&parts.method, parts.uri.path())?;
    let (partner_index, operation_index) = match matched.target {
        Target::Services => return Ok(catalogue::services(gateway, &client)),
        Target::Operation { partner, operation } => (partner, operation),
    };
    let (partner, policy) = gateway
        .operation(partner_index, operation_index)
        .ok_or(RouteError::NotFound)?;
    let op = policy.operation;
    trail.route = Some(op.path);
    span.record("http.route", op.path);
    span.record("partner", partner.name);
    span.record("operation", op.id);
    trail.access = Some(Access {
        client: client.id.clone(),
        partner: partner.name,
        operation: op.id,
        user_id: None,
        dossier_code: None,
        input_digest: None,
        partner_request_id: None,
    });

    access::check(&client, partner.name, op.id)?;

    let caller = caller::read(&parts.headers)?;
    if let Some(dossier) = &caller.dossier_code {
        span.record("dossier_code", dossier.as_str());
    }
    if let Some(access) = trail.access.as_mut() {
        access.user_id.clone_from(&caller.user_id);
        access.dossier_code.clone_from(&caller.dossier_code);
    }

    let adapter = partner.adapter.as_ref();
    let invalid_input = |invalid| Error::Input {
        partner: partner.name,
        invalid,
    };
    let query = query::read(parts.uri.query(), op.query).map_err(invalid_input)?;
    let application_error = |error| Error::Application {
        partner: partner.name,
        error,
    };
    if op.kind == OperationKind::Status {
        let id = matched.params.first().map_or("", |(_, id)| id.as_str());
        return applications::status(&gateway.shared.outbox, adapter, &client, id)
            .await
            .map(|document| respond::json(StatusCode::OK, &document))
            .map_err(application_error);
    }

    let takes_body = json_body::takes_body(&op.method);
    if takes_body {
        json_body::check_media_type(&op.method, &parts.headers)?;
    }
    let body = body::read(
        &parts.headers,
        body,
        gateway.max_body_bytes,
        gateway.body_read_timeout,
    )
    .await?;
    if takes_body {
        json::parse(&body).map_err(|e| invalid_input(json_body::invalid_body(e)))?;
    }
    let request = UnifiedRequest {
        params: &matched.params,
        query: &query,
        body: &body,
    };
    let input = adapter.validate(op, &request).map_err(invalid_input)?;

    if let Some(access) = trail.access.as_mut() {
        access.input_digest = gateway.shared.audit.digest(op.identifiers, input.value());
    }
    if op.kind == OperationKind::Submit {
        if let Some(carried) = input.field("dossier_code") {
            span.record("dossier_code", carried);
            if let Some(access) = trail.access.as_mut() {
                access.dossier_code = Some(carried.to_owned());
            }
            if let Some(header) = caller.dossier_code.as_deref()
                && header != carried
            {
                return Err(Error::DossierMismatch {
                    partner: partner.name,
                    header: header.to_owned(),
                    carried: carried.to_owned(),
                });
            }
        }
        return applications::submit(
            &gateway.shared.outbox,
            adapter,
            op.id,
            &client,
            &parts.headers,
            &input,
        )
        .await
        .map(|submitted| respond::submitted(&submitted))
        .map_err(application_error);
    }
    let deadline = Instant::now()
        + caller
            .timeout
            .map_or(policy.timeout, |t| t.min(policy.timeout));
    let report = Arc::new(Mutex::new(call::CallReport::default()));
    let cache_key = policy.cache.map(|_| {
        let adapter_key = adapter.cache_key(op, &input);
        gateway.shared.cache.key(partner.name, op.id, &adapter_key)
    });
    let lookup = Lookup {
        partner: gateway
            .partners
            .get(partner_index)
            .cloned()
            .ok_or(RouteError::NotFound)?,
        operation: operation_index,
        input,
        caller: caller.clone(),
        received_us: trail.received_us,
        shared: gateway.shared.clone(),
        path: parts.uri.path().to_owned(),
        query,
        report: report.clone(),
    };
    let bypass = caller.no_cache && client.may_bypass_cache;
    let looked = lookup.run(cache_key, bypass, deadline).await;
    trail.cache = looked.cache;
    let answer = looked.answer;
    let report = std::mem::take(&mut *report.lock().unwrap_or_else(PoisonError::into_inner));
    if let Some(access) = trail.access.as_mut() {
        access.partner_request_id = report.request_id;
    }
    trail.call_span = report.span;
    let call_error = |error| Error::Call {
        partner: partner.name,
        error,
    };
    match answer.map_err(call_error)? {
        Cached::Found { body, links } => {
            let mut response = respond::bytes(StatusCode::OK, "application/json", body);
            if let Some(links) = links {
                response.headers_mut().insert(http::header::LINK, links);
            }
            Ok(response)
        }
        Cached::NotFound { detail } => Err(call_error(CallError::NotFound(detail))),
    }
}

/// Headers every answer carries (and `X-Cache`/`Age` on cacheable ones).
fn finish(response: &mut Response<Body>, request_id: &RequestId, span: &Span, trail: &Trail) {
    let headers = response.headers_mut();
    headers.insert(X_REQUEST_ID, request_id.header_value());
    if let Some((status, age)) = trail.cache {
        span.record("cache", status.as_str());
        headers.insert("x-cache", HeaderValue::from_static(status.as_str()));
        if let Some(age) = age {
            headers.insert(http::header::AGE, HeaderValue::from(age.as_secs()));
        }
    }
    if let Some(traceparent) = telemetry::traceparent(span) {
        headers.insert("traceparent", traceparent);
    }
}
