//! The one place where errors become HTTP answers: RFC 9457 `application/problem+json`
//! documents naming what went wrong, the partner (when any) and the request id.

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use serde::Serialize;

use crate::applications::ApplicationError;
use crate::applications::retire::RetireError;
use crate::applications::webhook::ReplayError;
use crate::audit::RequestId;
use crate::call::CallError;
use crate::call::limit::LimitError;
use crate::call::upstream::UpstreamError;
use crate::clients::IdentityError;
use crate::pipeline::auth_guard::Throttled;
use crate::pipeline::body::BodyError;
use crate::pipeline::error::Error;
use crate::pipeline::host::HostError;
use crate::pipeline::json_body::{self, UnsupportedMediaType};
use crate::pipeline::problem_types::{self as types, ProblemType};
use crate::pipeline::route::RouteError;
use crate::server::Body;
use lienthong_adapter_kit::adapter::{FailureKind, FieldError};

/// Prefix of every problem `type`.
pub(crate) const TYPE_PREFIX: &str = "urn:lienthong:problem:";

/// A problem document before it is serialised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable short name; the `type` is [`TYPE_PREFIX`] + slug. Also the trace outcome.
    pub slug: &'static str,
    /// Short summary, the same for every occurrence of this type.
    pub title: &'static str,
    /// This occurrence: what was wrong and how to fix it.
    pub detail: String,
    /// The partner concerned, when any.
    pub partner: Option<&'static str>,
    /// Bad input fields, for `invalid-input`.
    pub errors: Vec<FieldError>,
    /// `Retry-After` to send.
    pub retry_after: Option<Duration>,
    /// `Allow` to send on 405.
    pub allow: Option<String>,
    /// Further headers (e.g. `RateLimit-Policy` and `RateLimit` on 429).
    pub headers: Vec<(&'static str, String)>,
}

impl Problem {
    /// A problem with no partner, fields or extra headers.
    pub(crate) fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            slug,
            title,
            detail: detail.into(),
            partner: None,
            errors: Vec::new(),
            retry_after: None,
            allow: None,
            headers: Vec::new(),
        }
    }

    /// A problem of the unified API's `kind` with this occurrence's `detail`.
    pub(crate) fn typed(kind: &ProblemType, detail: impl Into<String>) -> Self {
        Self::new(kind.status, kind.slug, kind.title, detail)
    }

    fn partner(mut self, partner: &'static str) -> Self {
        self.partner = Some(partner);
        self
    }

    fn retry_after(mut self, retry_after: Duration) -> Self {
        self.retry_after = Some(retry_after);
        self
    }

    /// The HTTP answer for this problem.
    pub(crate) fn into_response(self, request_id: &RequestId) -> Response<Body> {
        #[derive(Serialize)]
        struct Document<'a> {
            #[serde(rename = "type")]
            kind: String,
            title: &'a str,
            status: u16,
            detail: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            partner: Option<&'a str>,
            request_id: &'a str,
            #[serde(skip_serializing_if = "<[_]>::is_empty")]
            errors: &'a [FieldError],
            #[serde(skip_serializing_if = "Option::is_none")]
            retry_after: Option<u64>,
        }
        let retry_after = self.retry_after.map(|d| {
            d.as_secs()
                .saturating_add(u64::from(d.subsec_nanos() > 0))
                .max(1)
        });
        let document = Document {
            kind: format!("{TYPE_PREFIX}{}", self.slug),
            title: self.title,
            status: self.status.as_u16(),
            detail: &self.detail,
            partner: self.partner,
            request_id: request_id.as_str(),
            errors: &self.errors,
            retry_after,
        };
        let body = serde_json::to_vec(&document).unwrap_or_default();
        let mut response = Response::new(Body::new(Bytes::from(body)));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(
            crate::pipeline::request_id::X_REQUEST_ID,
            request_id.header_value(),
        );
        if let Some(seconds) = retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(allow) = self.allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
            headers.insert(header::ALLOW, allow);
        }
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("ApiKey realm=\"lienthong\""),
            );
        }
        response
    }
}

/// The answer withheld because its access could not be recorded in the audit log.
pub(crate) fn audit_unavailable() -> Problem {
    Problem::typed(
        &types::AUDIT_UNAVAILABLE,
        "the audit log cannot be written, so national data is not released; retry later",
    )
    .retry_after(Duration::from_secs(5))
}

/// A request whose `Host` is missing, repeated, invalid or at odds with its target.
pub(crate) fn invalid_host(error: &HostError) -> Problem {
    Problem::typed(
        &types::INVALID_HOST,
        format!("{error}; send exactly one `Host: <host>[:port]` naming this bus"),
    )
}

fn throttled(throttled: &Throttled) -> Problem {
    Problem::typed(&types::AUTH_THROTTLED, format!(
            "{throttled}; check the API key, then retry after the time given in Retry-After (a correct key is never refused)"
        ),
    )
    .retry_after(throttled.retry_after)
}

/// A defect of the bus stopped the request (a panic while handling it).
pub(crate) fn internal() -> Problem {
    Problem::typed(
        &types::INTERNAL,
        "the bus failed while handling this request; the access was recorded. Report it with the request id",
    )
}

/// Retry-After when a partner asked for a pause without saying how long.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Maps a pipeline error to its problem.
pub(crate) fn of(error: &Error) -> Problem {
    match error {
        Error::Host(e) => invalid_host(e),
        Error::Throttled(e) => throttled(e),
        Error::Identity(e) => Problem::typed(
            &types::UNAUTHORIZED,
            match e {
                IdentityError::Missing => {
                    "send `Authorization: ApiKey <key>` with the key issued to your application"
                }
                IdentityError::Malformed => "the Authorization header must be `ApiKey <key>`",
                IdentityError::Unknown => {
                    "the API key is not known; check it with the bus operators"
                }
            },
        ),
        Error::Route(RouteError::NotFound) => Problem::typed(
            &types::NO_SUCH_OPERATION,
            "see GET /v1/services or /openapi.json for the available operations",
        ),
        Error::Route(RouteError::MethodNotAllowed { allow }) => Problem {
            allow: Some(allow.clone()),
            ..Problem::typed(&types::METHOD_NOT_ALLOWED, format!("use one of: {allow}"))
        },
        Error::Route(e @ RouteError::BadEncoding(_)) => Problem::typed(
            &types::INVALID_PATH,
            format!("{e}; percent-encode UTF-8 text"),
        ),
        Error::Access(denied) => Problem::typed(
            &types::ACCESS_DENIED,
            format!("{denied}; ask the bus operators for a grant"),
        )
        .partner(denied.partner),
        Error::Header(e) => Problem::typed(&types::INVALID_HEADER, e.to_string()),
        Error::Body(BodyError::TooLarge { limit }) => Problem::typed(
            &types::PAYLOAD_TOO_LARGE,
            format!("the body must not exceed {limit} bytes"),
        ),
        Error::Body(e @ BodyError::Timeout { .. }) => Problem::typed(
            &types::REQUEST_TIMEOUT,
            format!("{e}; send the whole body (as many bytes as Content-Length says) at once"),
        ),
        Error::Body(e @ BodyError::Read(_)) => {
            Problem::typed(&types::UNREADABLE_BODY, e.to_string())
        }
        Error::MediaType(e) => unsupported_media_type(e),
        Error::Input { partner, invalid } => {
            let fields: Vec<&str> = invalid.errors.iter().map(|e| e.field.as_str()).collect();
            Problem {
                errors: invalid.errors.clone(),
                ..Problem::typed(
                    &types::INVALID_INPUT,
                    format!("correct these fields and send again: {}", fields.join(", ")),
                )
                .partner(partner)
            }
        }
        Error::DossierMismatch {
            partner,
            header,
            carried,
        } => Problem::typed(
            &types::DOSSIER_CODE_MISMATCH,
            format!(
                "X-Dossier-Code is {header} but the application's dossier_code is {carried}; \
                 send the same code in both, or leave the header out"
            ),
        )
        .partner(partner),
        Error::Call { partner, error } => call_problem(partner, error),
        Error::Application { partner, error } => application_problem(error).partner(partner),
    }
}

/// 415, naming what was received and the one type accepted (also in `Accept-Post`).
fn unsupported_media_type(error: &UnsupportedMediaType) -> Problem {
    let received = match &error.received {
        Some(received) => format!("`Content-Type: {received}` was received"),
        None => "no Content-Type was given".to_owned(),
    };
    let accepted = json_body::ACCEPTED_TYPE;
    Problem {
        headers: match error.method {
            http::Method::POST => vec![("accept-post", accepted.to_owned())],
            _ => Vec::new(),
        },
        ..Problem::typed(
            &types::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "{received}; send the body as JSON with `Content-Type: {accepted}` \
                 (`; charset=utf-8` may follow)"
            ),
        )
    }
}

fn application_problem(error: &ApplicationError) -> Problem {
    let detail = error.to_string();
    match error {
        ApplicationError::MissingKey | ApplicationError::BadKey => Problem::typed(&types::IDEMPOTENCY_KEY_REQUIRED, format!("{detail}; send one unique key per application and reuse it on retries"),
        ),
        ApplicationError::KeyReused => Problem::typed(&types::IDEMPOTENCY_KEY_REUSED, format!("{detail}; use a new key for a different application"),
        ),
        ApplicationError::DossierTaken(_) => Problem::typed(&types::DOSSIER_HAS_APPLICATION, format!(
                "{detail}; follow that application instead of submitting another (once it is final, the bus operators can retire it)"
            ),
        ),
        ApplicationError::NotFound => Problem::typed(&types::NO_SUCH_APPLICATION, "no application with this id was submitted by this client",
        ),
        ApplicationError::NoWebhookSecret => callback_problem(
            "this client has no webhook secret to sign callbacks with; ask the bus operators to set clients[].webhook_secret_env, or omit callback_url and poll status_url".into(),
        ),
        ApplicationError::CallbackRefused(refusal) => callback_problem(refusal.to_string()),
        ApplicationError::Store(_) => Problem::typed(&types::STORE_UNAVAILABLE, "nothing was accepted; retry after the time given in Retry-After with the same Idempotency-Key",
        )
        .retry_after(Duration::from_secs(5)),
    }
}

/// The answer to an operator's order to retire an application (admin listener).
pub(crate) fn retirement(error: &RetireError) -> Problem {
    use StatusCode as S;
    let detail = error.to_string();
    match error {
        RetireError::BadOrder(_) => Problem::new(
            S::BAD_REQUEST,
            "invalid-retirement",
            "Invalid retirement order",
            detail,
        ),
        RetireError::NotFound => Problem::typed(&types::NO_SUCH_APPLICATION, "no application has this id; POST /admin/applications/{id}/retire takes the id the submission answered",
        ),
        RetireError::InProgress(_) => Problem::new(
            S::CONFLICT,
            "application-in-progress",
            "The application is still in progress",
            format!("{detail}; wait for its final state"),
        ),
        RetireError::AlreadyRetired(_) => Problem::new(
            S::CONFLICT,
            "application-already-retired",
            "The application is already retired",
            format!("{detail}; its dossier is already free for a new application"),
        ),
        RetireError::Unaudited(_) => Problem {
            detail: "the retirement cannot be recorded in the audit log, so it was not made; retry later".into(),
            ..audit_unavailable()
        },
        RetireError::Store(_) => Problem::new(
            S::SERVICE_UNAVAILABLE,
            "store-unavailable",
            "The bus cannot read or change applications right now",
            format!("{detail}; retry later"),
        )
        .retry_after(Duration::from_secs(5)),
    }
}

/// 400 `invalid-input` naming `/callback_url` with `detail`.
fn callback_problem(detail: String) -> Problem {
    Problem {
        errors: vec![FieldError {
            field: "/callback_url".into(),
            detail,
        }],
        ..Problem::typed(
            &types::INVALID_INPUT,
            "correct these fields and send again: /callback_url",
        )
    }
}

/// The problem of a refused dead-letter replay on the admin listener.
pub(crate) fn replay_problem(error: &ReplayError) -> Problem {
    let detail = error.to_string();
    match error {
        ReplayError::NotFound => Problem::new(
            StatusCode::NOT_FOUND,
            "no-such-webhook-delivery",
            "No such webhook delivery",
            format!("{detail}; list dead letters at GET /admin/webhooks/dead-letters"),
        ),
        ReplayError::NotDead => Problem::new(
            StatusCode::CONFLICT,
            "webhook-delivery-not-dead",
            "The webhook delivery is not a dead letter",
            format!("{detail}; only dead letters can be replayed"),
        ),
        ReplayError::Store(_) => {
            store_unavailable("the webhook queue cannot be read or written; retry shortly")
        }
    }
}

/// 503 `store-unavailable` with `detail`, for the admin listener.
pub(crate) fn store_unavailable(detail: &str) -> Problem {
    Problem::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "store-unavailable",
        "The store cannot be used right now",
        detail,
    )
    .retry_after(Duration::from_secs(5))
}

/// 400 `invalid-webhook-query`: a bad dead-letter listing query.
pub(crate) fn webhook_query_problem(detail: String) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-webhook-query",
        "Invalid dead-letter query",
        detail,
    )
}

fn call_problem(partner: &'static str, error: &CallError) -> Problem {
    let p = match error {
        CallError::NotFound(detail) => Problem::typed(&types::RECORD_NOT_FOUND, or_default(detail, "the partner holds no record for this input"),
        ),
        CallError::NotShareable(detail) => Problem::typed(&types::NOT_SHAREABLE, or_default(
                detail,
                "the partner holds this record but does not share it with this province",
            ),
        ),
        CallError::Partner(failure) => {
            let detail = failure.detail.to_string();
            match failure.kind {
                FailureKind::Fault => Problem::typed(&types::PARTNER_FAULT, detail,
                ),
                FailureKind::Rejected => Problem::typed(&types::PARTNER_REJECTED_REQUEST, format!("{detail} (a defect on the bus side; report it with the request id)"),
                ),
                FailureKind::Unauthorized => Problem::typed(&types::PARTNER_CREDENTIALS, format!("{detail}; operators must check this partner's username and password"),
                ),
                FailureKind::Malformed => Problem::typed(&types::PARTNER_MALFORMED_ANSWER, detail,
                ),
                FailureKind::Throttled { retry_after } => Problem::typed(&types::PARTNER_THROTTLED, "retry after the time given in Retry-After",
                )
                .retry_after(retry_after.unwrap_or(DEFAULT_RETRY_AFTER)),
                FailureKind::Unavailable { retry_after } => Problem::typed(&types::PARTNER_UNAVAILABLE, or_default(&detail, "retry after the time given in Retry-After"),
                )
                .retry_after(retry_after.unwrap_or(DEFAULT_RETRY_AFTER)),
            }
        }
        CallError::Upstream(UpstreamError::Timeout(after)) => Problem::typed(&types::PARTNER_TIMEOUT, format!("no answer within {} ms", after.as_millis()),
        ),
        CallError::Upstream(e @ UpstreamError::Connect(_)) => Problem::typed(&types::PARTNER_UNREACHABLE, e.to_string(),
        ),
        CallError::Upstream(e @ (UpstreamError::TooLarge { .. } | UpstreamError::Exchange(_))) => {
            Problem::typed(&types::PARTNER_EXCHANGE_FAILED, e.to_string(),
            )
        }
        CallError::CircuitOpen(open) => Problem::typed(&types::PARTNER_CIRCUIT_OPEN, "the partner failed repeatedly, so the bus stopped calling it for a while; retry after the time given in Retry-After",
        )
        .retry_after(open.retry_after),
        CallError::Overloaded(full) => Problem::typed(&types::PARTNER_OVERLOADED, format!("{full}; retry shortly"),
        )
        .retry_after(DEFAULT_RETRY_AFTER),
        CallError::Limited(LimitError::OverQuota {
            policy,
            quota,
            retry_after,
        }) => {
            let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            Problem {
                headers: vec![
                    ("ratelimit-policy", format!("\"{policy}\";q={};w={}", quota.count, quota.per.as_secs())),
                    ("ratelimit", format!("\"{policy}\";r=0;t={seconds}")),
                ],
                ..Problem::typed(&types::RATE_LIMITED, format!("the quota {quota} is used up; retry after the time given in Retry-After"),
                )
                .retry_after(*retry_after)
            }
        }
        CallError::Limited(LimitError::Paused { retry_after }) => Problem::typed(&types::PARTNER_THROTTLED, "the partner asked the bus to pause; retry after the time given in Retry-After",
        )
        .retry_after(*retry_after),
        CallError::Limited(LimitError::StoreUnavailable) => Problem::typed(&types::RATE_LIMIT_UNAVAILABLE, "the bus cannot reach its quota store and is configured to refuse calls meanwhile; retry shortly",
        )
        .retry_after(DEFAULT_RETRY_AFTER),
        CallError::Upstream(UpstreamError::Request(_))
        | CallError::Encode(_)
        | CallError::Internal(_) => Problem::typed(&types::INTERNAL, "the bus could not build the partner request; report it with the request id",
        ),
    };
    p.partner(partner)
}

fn or_default(detail: &str, default: &str) -> String {
    if detail.trim().is_empty() {
        default
    } else {
        detail
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lienthong_adapter_kit::adapter::PartnerFailure;

    fn call(error: CallError) -> Problem {
        of(&Error::Call {
            partner: "p",
            error,
        })
    }

    #[test]
    fn partner_failures_map_to_gateway_statuses() {
        let throttled = call(CallError::Partner(PartnerFailure::new(
            FailureKind::Throttled {
                retry_after: Some(Duration::from_secs(7)),
            },
            "busy",
        )));
        assert_eq!(
            (throttled.status, throttled.retry_after),
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Some(Duration::from_secs(7))
            )
        );
        assert_eq!(
            call(CallError::Upstream(UpstreamError::Timeout(
                Duration::from_secs(1)
            )))
            .status,
            StatusCode::GATEWAY_TIMEOUT
        );
        assert_eq!(
            call(CallError::Partner(PartnerFailure::new(
                FailureKind::Fault,
                "x"
            )))
            .status,
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            call(CallError::NotFound(String::new())).status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            call(CallError::NotShareable(String::new())).status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(call(CallError::NotFound(String::new())).partner, Some("p"));
    }

    #[test]
    fn documents_carry_type_request_id_and_headers() {
        let id = RequestId::generate();
        let problem = of(&Error::Identity(IdentityError::Missing));
        let response = problem.into_response(&id);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
    }
}
