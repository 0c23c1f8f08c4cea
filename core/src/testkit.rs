//! The test kit every adapter uses (feature `testkit`): contract checks on the declared
//! operations, in-process round trips through the adapter and its simulator, and small
//! builders for wire answers.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::adapter::{
    Adapter, CallContext, Credentials, InvalidInput, Operation, Outcome, UnifiedRequest,
    WireRequest, WireResponse,
};
use crate::sim::Simulator;

/// Consumer code used by test contexts.
pub const TEST_CONSUMER: &str = "H82";

/// Credentials used by test contexts.
pub fn test_credentials() -> Credentials {
    Credentials {
        username: "h82-test".into(),
        password: "test-secret".into(),
    }
}

/// A call context with fixed consumer code and request id, the current time and a fresh
/// random nonce.
pub fn context(credentials: Option<&Credentials>) -> CallContext<'_> {
    let mut nonce = [0u8; 16];
    nonce.iter_mut().for_each(|b| *b = rand::random());
    CallContext {
        consumer_code: TEST_CONSUMER,
        province_code: "82",
        request_id: "test-request-1",
        dossier_code: Some("000.00.82.H58-260101-0001"),
        credentials,
        now: SystemTime::now(),
        nonce,
    }
}

/// Asserts what the core relies on: unique ids, `/v1/` paths with well-formed `{param}`
/// segments, positive timeouts, identifiers that are path or query parameters.
pub fn check_operations(adapter: &dyn Adapter) {
    let mut ids = HashSet::new();
    for op in adapter.operations() {
        assert!(ids.insert(op.id), "{}: duplicate operation id", op.id);
        assert!(
            op.path.starts_with("/v1/"),
            "{}: path must start with /v1/",
            op.id
        );
        for segment in op.path.split('/').skip(1) {
            assert!(!segment.is_empty(), "{}: empty path segment", op.id);
            if segment.contains('{') || segment.contains('}') {
                let name = segment.trim_start_matches('{').trim_end_matches('}');
                assert!(
                    segment.starts_with('{') && segment.ends_with('}') && !name.is_empty(),
                    "{}: a parameter must fill its whole segment",
                    op.id
                );
            }
        }
        assert!(
            op.timeout > Duration::ZERO,
            "{}: timeout must be positive",
            op.id
        );
        assert!(!op.id.is_empty() && op.id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}

/// Finds a declared operation by id.
pub fn operation(adapter: &dyn Adapter, id: &str) -> &'static Operation {
    adapter
        .operations()
        .iter()
        .find(|op| op.id == id)
        .unwrap_or_else(|| panic!("{} declares no operation {id}", adapter.partner()))
}

/// A unified request for tests.
#[derive(Debug, Default, Clone)]
pub struct TestRequest {
    /// Path parameters.
    pub params: Vec<(&'static str, String)>,
    /// Query pairs.
    pub query: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl TestRequest {
    /// A request with one path parameter.
    pub fn param(name: &'static str, value: &str) -> Self {
        Self {
            params: vec![(name, value.to_owned())],
            ..Self::default()
        }
    }

    /// Adds a query pair.
    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Runs the adapter's validation on this request.
    pub fn validate(
        &self,
        adapter: &dyn Adapter,
        op: &Operation,
    ) -> Result<crate::adapter::Input, InvalidInput> {
        adapter.validate(
            op,
            &UnifiedRequest {
                params: &self.params,
                query: &self.query,
                body: &self.body,
            },
        )
    }
}

/// One in-process exchange: the wire request the adapter sent, the simulator's answer,
/// and the decoded outcome.
#[derive(Debug)]
pub struct Exchange {
    /// What the adapter encoded.
    pub request: WireRequest,
    /// What the simulator answered.
    pub response: WireResponse,
    /// What the adapter decoded.
    pub outcome: Outcome,
}

/// validate → encode → simulator → decode, with no network. Returns the validation error
/// when the input is refused.
pub fn roundtrip(
    adapter: &dyn Adapter,
    simulator: &dyn Simulator,
    op_id: &str,
    request: &TestRequest,
    credentials: Option<&Credentials>,
) -> Result<Exchange, InvalidInput> {
    let op = operation(adapter, op_id);
    let input = request.validate(adapter, op)?;
    let wire = adapter
        .encode(op, &input, &context(credentials))
        .unwrap_or_else(|e| panic!("{op_id}: {e}"));
    let response = simulator.handle(&wire);
    let outcome = adapter.decode(op, &response);
    Ok(Exchange {
        request: wire,
        response,
        outcome,
    })
}

/// A wire answer with `status`, a UTF-8 content type and `body`.
pub fn wire_response(
    status: u16,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> WireResponse {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    WireResponse {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        headers,
        body: body.into(),
    }
}
