//! The adapter contract: what a partner adapter declares as data, and the pure translation
//! it provides between the unified API and the partner's wire format.
//!
//! An adapter never performs I/O. The core validates input with [`Adapter::validate`], asks
//! for the wire request with [`Adapter::encode`] (once per attempt, with a fresh request id,
//! nonce and clock reading in the [`CallContext`]), sends it, and hands the answer to
//! [`Adapter::decode`]. Caching, rate limits, deadlines and retries are the core's business,
//! driven by the [`Operation`] metadata.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One operation of the unified API, declared as data by the adapter that serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Stable id; also the `operationId` in the OpenAPI document and the key used in
    /// access rules and per-operation config overrides (e.g. `getEnterprise`).
    pub id: &'static str,
    /// HTTP method of the unified route.
    pub method: Method,
    /// Unified path template; `{name}` marks a path parameter (e.g. `/v1/enterprises/{enterprise_code}`).
    pub path: &'static str,
    /// The query parameters the operation accepts. The core refuses any other, a repeated
    /// and an empty one (400, naming it) before [`Adapter::validate`] runs, for every
    /// operation alike; validation checks the values.
    pub query: &'static [&'static str],
    /// Whether repeating the call is harmless (only idempotent operations are retried).
    pub idempotent: bool,
    /// Default deadline for one call, retries included; config may override it.
    pub timeout: Duration,
    /// Caching of the operation's answers; `None` never caches.
    pub cache: Option<CachePolicy>,
    /// Input fields that identify a person or a business. They are kept out of logs and
    /// traces; the audit log stores only a keyed digest of them.
    pub identifiers: &'static [&'static str],
    /// How the core serves the operation.
    pub kind: OperationKind,
    /// Whether answers are pages: the canonical answer then carries `total`, `page` and
    /// `page_size`, and the core adds RFC 8288 `Link` headers (first, prev, next, last).
    pub paged: bool,
}

/// How long answers of an operation may be served from cache. Config may override each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// How long a found answer is served without asking the partner.
    pub ttl: Duration,
    /// How long a "not found" answer is remembered (never "not shareable" or errors).
    pub negative_ttl: Duration,
    /// How long past `ttl` a found answer may still be served when the partner fails,
    /// throttles or its breaker is open.
    pub max_stale: Duration,
}

impl CachePolicy {
    /// Found answers fresh for `ttl`; "not found" remembered for a minute; stale answers
    /// served for up to an hour while the partner fails.
    pub const fn fresh_for(ttl: Duration) -> Self {
        Self {
            ttl,
            negative_ttl: Duration::from_secs(60),
            max_stale: Duration::from_secs(3600),
        }
    }
}

/// How the core serves an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationKind {
    /// One synchronous partner call: [`Adapter::encode`] → partner → [`Adapter::decode`].
    Call,
    /// An application accepted at once (202) and stored durably; the core delivers it
    /// with [`Applications::submit_request`] and follows it with
    /// [`Applications::status_request`]. Needs an `Idempotency-Key`. A `callback_url`
    /// field of the input receives signed status changes; a `dossier_code` field is the
    /// dossier sent to the partner.
    Submit,
    /// The stored state of an application accepted by the adapter's `Submit` operation;
    /// the path's one parameter is the application id. Never calls the partner.
    Status,
}

/// A unified-API request as the validation step sees it: decoded path parameters, query
/// pairs and the (size-bounded) body. The query holds only the operation's declared
/// parameters, each once, with a non-empty UTF-8 value; the body of a POST or PUT is JSON
/// with no key twice in one object.
#[derive(Debug, Clone, Copy)]
pub struct UnifiedRequest<'a> {
    /// Path parameters by template name, percent-decoded.
    pub params: &'a [(&'a str, String)],
    /// Query pairs in order, percent-decoded.
    pub query: &'a [(String, String)],
    /// Request body bytes.
    pub body: &'a [u8],
}

impl UnifiedRequest<'_> {
    /// The path parameter `name`, if the route has one.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of query parameter `name`, if given.
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Validated, normalised input of one operation, as canonical JSON.
///
/// Adapters build it from a typed struct in [`Adapter::validate`] and read it back in
/// [`Adapter::encode`]; the core uses its canonical form as the cache key and stores it
/// when a call is delivered later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input(Value);

impl Input {
    /// Wraps a typed, already validated input.
    pub fn new<T: Serialize>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::to_value(value).map(Self)
    }

    /// [`Input::new`] for the end of [`Adapter::validate`]: a value that cannot be
    /// represented as JSON is refused under `field` (`cannot be represented: ..`).
    pub fn validated<T: Serialize>(value: &T, field: &str) -> Result<Self, InvalidInput> {
        Self::new(value)
            .map_err(|e| InvalidInput::one(field, format!("cannot be represented: {e}")))
    }

    /// An input validated earlier and read back from the store.
    pub fn from_stored(value: Value) -> Self {
        Self(value)
    }

    /// Reads the input back into the adapter's typed struct.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, EncodeError> {
        T::deserialize(&self.0).map_err(|e| EncodeError(format!("input does not fit: {e}")))
    }

    /// The canonical JSON value (object keys sorted).
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// The string value of field `name`, if present.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }
}

/// Why input was refused: every offending field with what is wrong and how to fix it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvalidInput {
    /// One entry per bad field.
    pub errors: Vec<FieldError>,
}

/// One bad input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Where the value came from: the parameter name, or a JSON pointer into the body.
    pub field: String,
    /// What is wrong and what would be accepted.
    pub detail: String,
}

impl InvalidInput {
    /// Records one bad field.
    pub fn push(&mut self, field: impl Into<String>, detail: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            detail: detail.into(),
        });
    }

    /// `Ok(value)` when nothing was recorded, otherwise the collected errors.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, InvalidInput> {
        if self.errors.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }

    /// A single-field error.
    pub fn one(field: impl Into<String>, detail: impl Into<String>) -> Self {
        let mut invalid = Self::default();
        invalid.push(field, detail);
        invalid
    }
}

/// Per-attempt facts an adapter needs to build a wire request. Supplied by the core so
/// that encoding stays pure and testable.
#[derive(Debug, Clone, Copy)]
pub struct CallContext<'a> {
    /// The province's consumer code at the partner (`MaDonVi`, e.g. `H82`).
    pub consumer_code: &'a str,
    /// The province's code (mã tỉnh, e.g. `82` for Tiền Giang).
    pub province_code: &'a str,
    /// Request id for the partner (`MaYeuCau`); unique per attempt.
    pub request_id: &'a str,
    /// Provincial dossier code (`MaHoSo`), when the caller gave one.
    pub dossier_code: Option<&'a str>,
    /// Credentials configured for the partner, if it needs any.
    pub credentials: Option<&'a Credentials>,
    /// Wall-clock time of this attempt.
    pub now: SystemTime,
    /// 16 fresh random bytes from the OS CSPRNG, for protocols that need a nonce.
    pub nonce: [u8; 16],
}

/// A username and password for a partner. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Account name at the partner.
    pub username: String,
    /// Secret; never logged.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// An HTTP request to a partner, relative to its configured base URL.
#[derive(Debug, Clone)]
pub struct WireRequest {
    /// HTTP method.
    pub method: Method,
    /// Path and query, starting with `/`, appended to the partner's base URL.
    pub path: String,
    /// Headers to send (content type, SOAP action, consumer code, ...).
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

/// An HTTP answer from a partner (body already bounded in size by the core).
#[derive(Debug, Clone)]
pub struct WireResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Response headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Bytes,
}

impl WireResponse {
    /// An answer with `status`, a `Content-Type` and `body`: what simulators send and what
    /// decoding tests feed the adapter.
    pub fn new(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(content_type),
        );
        Self {
            status,
            headers,
            body: body.into(),
        }
    }

    /// The same answer with a `Retry-After` of `secs` seconds (throttling and interruption
    /// answers).
    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.headers
            .insert(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
        self
    }
}

/// An adapter could not build a wire request (an internal defect, never bad user input).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode the partner request: {0}")]
pub struct EncodeError(pub String);

/// What a partner answered, in the three cases the exchange rules require plus failures.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// `00`: the record, as canonical JSON.
    Found(Value),
    /// `01`: no such record.
    NotFound {
        /// The partner's description, if any.
        detail: String,
    },
    /// `02`: the record exists but may not be shared with this consumer.
    NotShareable {
        /// The partner's description, if any.
        detail: String,
    },
    /// The partner could not answer.
    Failed(PartnerFailure),
}

impl Outcome {
    /// `Found` with `record` as canonical JSON; [`FailureKind::Malformed`] in the unlikely
    /// case that it cannot be represented.
    pub fn found<T: Serialize>(record: &T) -> Self {
        match serde_json::to_value(record) {
            Ok(json) => Self::Found(json),
            Err(e) => Self::Failed(PartnerFailure::malformed(format!(
                "the record cannot be represented: {e}"
            ))),
        }
    }
}

/// A partner-side failure, classified so the core can choose status, retry and pause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerFailure {
    /// What kind of failure.
    pub kind: FailureKind,
    /// Human-readable description (the partner's fault string or our diagnosis).
    pub detail: Cow<'static, str>,
}

impl PartnerFailure {
    /// A failure of `kind` with `detail`.
    pub fn new(kind: FailureKind, detail: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }

    /// An answer that could not be understood ([`FailureKind::Malformed`]); `detail` names
    /// what is wrong (quote received values with [`crate::text::shown`]).
    pub fn malformed(detail: impl Into<Cow<'static, str>>) -> Self {
        Self::new(FailureKind::Malformed, detail)
    }

    /// The failure with the pause it asks for (the `Retry-After` of a throttled or
    /// interrupted answer) capped at `max`.
    pub fn with_pause_capped(mut self, max: Duration) -> Self {
        if let FailureKind::Throttled { retry_after } | FailureKind::Unavailable { retry_after } =
            &mut self.kind
        {
            *retry_after = retry_after.map(|wait| wait.min(max));
        }
        self
    }
}

/// Classes of partner failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The partner reported an internal error (code `99`, a server fault, HTTP 5xx).
    Fault,
    /// The partner refused our request as malformed (client fault, HTTP 400): a defect on
    /// the bus side, since input is validated before any call.
    Rejected,
    /// The partner refused our credentials.
    Unauthorized,
    /// The partner throttles us; do not call again before `retry_after`.
    Throttled {
        /// The partner's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// Code `03`: temporarily interrupted, retry later.
    Unavailable {
        /// The partner's `Retry-After`, when it sent one.
        retry_after: Option<Duration>,
    },
    /// The answer could not be understood (not XML/JSON, missing result code, ...).
    Malformed,
}

/// A partner adapter: declarations plus pure translation.
///
/// Implementations are registered once, in the binary's partner list. Only [`partner`],
/// [`operations`] and [`validate`] are required; [`encode`] and [`decode`] are needed for
/// [`OperationKind::Call`] operations, [`applications`] for [`OperationKind::Submit`].
///
/// [`partner`]: Adapter::partner
/// [`operations`]: Adapter::operations
/// [`validate`]: Adapter::validate
/// [`encode`]: Adapter::encode
/// [`decode`]: Adapter::decode
/// [`applications`]: Adapter::applications
pub trait Adapter: Send + Sync + 'static {
    /// The partner's name in config, routes, metrics and problem documents
    /// (e.g. `business-registry`).
    fn partner(&self) -> &'static str;

    /// A human title of the partner for the service catalogue. Default: the name.
    fn title(&self) -> &'static str {
        self.partner()
    }

    /// The operations this adapter serves.
    fn operations(&self) -> &'static [Operation];

    /// Whether the partner needs `username` and a password in config (checked at start).
    /// Default: no.
    fn requires_credentials(&self) -> bool {
        false
    }

    /// Checks and normalises the input of a `Call` or `Submit` operation before anything
    /// is sent or stored. Runs on every request; must refuse anything the partner would
    /// refuse as malformed. (`Status` operations take only the application id, which the
    /// core checks.)
    fn validate(&self, op: &Operation, request: &UnifiedRequest<'_>)
    -> Result<Input, InvalidInput>;

    /// Builds the wire request of a `Call` operation for one attempt. Default: none.
    fn encode(
        &self,
        op: &Operation,
        _input: &Input,
        _ctx: &CallContext<'_>,
    ) -> Result<WireRequest, EncodeError> {
        Err(EncodeError(format!(
            "{} has no synchronous partner call",
            op.id
        )))
    }

    /// Reads the partner's answer to a `Call` operation. Never fails: what cannot be
    /// understood is [`FailureKind::Malformed`]. Default: nothing is understood.
    fn decode(&self, op: &Operation, _response: &WireResponse) -> Outcome {
        Outcome::Failed(PartnerFailure::new(
            FailureKind::Malformed,
            format!("{} has no synchronous partner call", op.id),
        ))
    }

    /// The cache key of a validated input. Default: operation id and canonical input JSON.
    fn cache_key(&self, op: &Operation, input: &Input) -> String {
        format!("{}:{}", op.id, input.value())
    }

    /// Translation for asynchronous partners, needed when an operation is
    /// [`OperationKind::Submit`]. Default: none.
    fn applications(&self) -> Option<&dyn Applications> {
        None
    }

    /// The adapter's part of the OpenAPI document: its operations' typed parameters,
    /// bodies and answers, their schemas collected by `generator`
    /// ([`crate::api::generator`]). Default: nothing beyond the declared operations,
    /// which the document then lists with untyped parameters.
    fn api(&self, _generator: &mut schemars::generate::SchemaGenerator) -> crate::api::ApiFragment {
        crate::api::ApiFragment::default()
    }
}

/// Translation for partners that accept applications and process them over days, with
/// no callbacks: the core submits, then polls. Pure, like [`Adapter`].
pub trait Applications: Send + Sync {
    /// The request handing a validated application to the partner. Sent again, unchanged
    /// but for `ctx`, until the partner answers; the partner must be idempotent on it.
    fn submit_request(
        &self,
        input: &Input,
        ctx: &CallContext<'_>,
    ) -> Result<WireRequest, EncodeError>;

    /// Reads the partner's answer to a submission.
    fn submit_outcome(&self, response: &WireResponse) -> Submission;

    /// The request asking for the state of the application the partner calls `reference`.
    fn status_request(
        &self,
        reference: &str,
        ctx: &CallContext<'_>,
    ) -> Result<WireRequest, EncodeError>;

    /// Reads a status answer.
    fn status_outcome(&self, response: &WireResponse) -> Progress;
}

/// The partner's answer to a submission.
#[derive(Debug, Clone, PartialEq)]
pub enum Submission {
    /// Accepted; the partner's reference for later status requests.
    Accepted {
        /// The partner's id of the application.
        reference: String,
    },
    /// Refused for good (the partner found the application invalid): the application fails.
    Refused {
        /// The partner's reason.
        detail: String,
    },
    /// Not answered; retried later when the failure is transient.
    Failed(PartnerFailure),
}

/// The partner's answer to a status request.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// The current state.
    State(ApplicationState),
    /// The partner does not know the reference.
    Unknown,
    /// Not answered; asked again later.
    Failed(PartnerFailure),
}

/// An application's state as the partner reports it, in canonical form.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationState {
    /// Canonical status name (e.g. `verifying`, `issued`).
    pub status: &'static str,
    /// Whether the state can no longer change (polling stops).
    pub is_final: bool,
    /// Further canonical fields merged into the status answer (e.g. `expected_on`,
    /// `rejection_reason`, `certificate`).
    pub details: serde_json::Map<String, Value>,
}

/// The longest pause a partner's answer can ask for: longer `Retry-After` values read as
/// this. Each partner's `max_partner_pause` (at most this) caps them further.
pub const MAX_PARTNER_PAUSE: Duration = Duration::from_secs(3600);

/// Reads a `Retry-After` header (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date (one in
/// the past means now). Anything else (negative, fractional, garbage) is no value; a
/// value beyond [`MAX_PARTNER_PAUSE`] reads as it.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        Duration::from_secs(value.parse().unwrap_or(u64::MAX))
    } else {
        httpdate::parse_http_date(value)
            .ok()?
            .duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_PARTNER_PAUSE))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(value: &str) -> Option<Duration> {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::RETRY_AFTER,
            http::HeaderValue::from_str(value).expect("a header value"),
        );
        retry_after(&headers)
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_saturates() {
        assert_eq!(read(" 30 "), Some(Duration::from_secs(30)));
        for huge in [
            "18446744073709551615",
            "99999999999999999999999",
            "31536000",
        ] {
            assert_eq!(read(huge), Some(MAX_PARTNER_PAUSE), "{huge}");
        }
        for nothing in ["-5", "1.5", "+5", "", "soon", "30s", "1e3"] {
            assert_eq!(read(nothing), None, "{nothing:?}");
        }
        let ahead = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let wait = read(&ahead).expect("an HTTP-date");
        assert!((118..=120).contains(&wait.as_secs()), "{wait:?}");
        assert_eq!(read("Sun, 06 Nov 1994 08:49:37 GMT"), Some(Duration::ZERO));
        let far = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(400 * 86_400));
        assert_eq!(read(&far), Some(MAX_PARTNER_PAUSE));
    }

    #[test]
    fn the_pause_a_failure_asks_for_is_capped() {
        let cap = Duration::from_secs(60);
        let asks = |kind| PartnerFailure::new(kind, "x").with_pause_capped(cap).kind;
        assert_eq!(
            asks(FailureKind::Throttled {
                retry_after: Some(MAX_PARTNER_PAUSE)
            }),
            FailureKind::Throttled {
                retry_after: Some(cap)
            }
        );
        assert_eq!(
            asks(FailureKind::Unavailable {
                retry_after: Some(Duration::from_secs(5))
            }),
            FailureKind::Unavailable {
                retry_after: Some(Duration::from_secs(5))
            }
        );
        assert_eq!(asks(FailureKind::Fault), FailureKind::Fault);
    }
}
