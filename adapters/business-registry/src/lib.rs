//! Adapter for the national business registry (Đăng ký doanh nghiệp): SOAP 1.1,
//! document/literal wrapped, namespace `urn:vn:gov:dkkd:v1`.
//!
//! The unified operation `GET /v1/enterprises/{enterprise_code}` becomes one
//! `GetEnterpriseInfo` call; the answer becomes the canonical enterprise JSON described in
//! [`model`]. [`RegistrySimulator`] speaks the partner's published interface for tests and
//! the demo.

#![forbid(unsafe_code)]

mod code;
mod decode;
mod encode;
pub mod model;
mod sim;

use std::time::Duration;

use http::Method;
use lienthong_adapter_kit::adapter::{
    Adapter, CachePolicy, CallContext, EncodeError, Input, InvalidInput, Operation, OperationKind,
    Outcome, UnifiedRequest, WireRequest, WireResponse,
};
use lienthong_adapter_kit::api::{self, ApiFragment, Content, OperationApi};
use schemars::generate::SchemaGenerator;

pub use code::validate_enterprise_code;
pub use sim::RegistrySimulator;

use model::{Enterprise, EnterpriseQuery};

/// Namespace of every business-registry payload element.
pub(crate) const NS: &str = "urn:vn:gov:dkkd:v1";
/// Path of the partner's SOAP endpoint, relative to its base URL.
pub(crate) const ENDPOINT: &str = "/dkkd/EnterpriseService";
/// `SOAPAction` header value, quotes included.
pub(crate) const SOAP_ACTION: &str = "\"urn:dkkd:GetEnterpriseInfo\"";
/// Content type of requests and answers.
pub(crate) const CONTENT_TYPE: &str = "text/xml; charset=utf-8";
/// Name of the path parameter and input field holding the enterprise code.
const CODE_FIELD: &str = "enterprise_code";

static OPERATIONS: [Operation; 1] = [Operation {
    id: "getEnterprise",
    method: Method::GET,
    path: "/v1/enterprises/{enterprise_code}",
    query: &[],
    idempotent: true,
    timeout: Duration::from_secs(10),
    cache: Some(CachePolicy::fresh_for(Duration::from_secs(60 * 60))),
    identifiers: &[CODE_FIELD],
    kind: OperationKind::Call,
    paged: false,
}];

/// The business-registry adapter (partner `business-registry`).
#[derive(Debug, Clone, Copy, Default)]
pub struct BusinessRegistry;

impl Adapter for BusinessRegistry {
    fn partner(&self) -> &'static str {
        "business-registry"
    }

    fn title(&self) -> &'static str {
        "Business registry (Đăng ký doanh nghiệp)"
    }

    fn operations(&self) -> &'static [Operation] {
        &OPERATIONS
    }

    fn validate(
        &self,
        _op: &Operation,
        request: &UnifiedRequest<'_>,
    ) -> Result<Input, InvalidInput> {
        let code = request
            .param(CODE_FIELD)
            .ok_or_else(|| InvalidInput::one(CODE_FIELD, "is required"))?;
        let enterprise_code = validate_enterprise_code(code)
            .map_err(|detail| InvalidInput::one(CODE_FIELD, detail))?;
        Input::validated(&EnterpriseQuery { enterprise_code }, CODE_FIELD)
    }

    fn encode(
        &self,
        _op: &Operation,
        input: &Input,
        ctx: &CallContext<'_>,
    ) -> Result<WireRequest, EncodeError> {
        let query: EnterpriseQuery = input.parse()?;
        Ok(encode::get_enterprise(&query.enterprise_code, ctx))
    }

    fn decode(&self, _op: &Operation, response: &WireResponse) -> Outcome {
        decode::get_enterprise(response)
    }

    fn api(&self, generator: &mut SchemaGenerator) -> ApiFragment {
        ApiFragment {
            description: "The national business registry (đăng ký doanh nghiệp).",
            operations: vec![OperationApi {
                id: "getEnterprise",
                summary: "Enterprise by enterprise code",
                description: "Looks up an enterprise (or a branch, with the `-NNN` suffix) in the \
                              national business registry. The code is checked against its check \
                              digit before the registry is asked.",
                parameters: Some(api::parameters::<EnterpriseQuery>()),
                answer: Some(Content::of::<Enterprise>(generator).example(
                    "ActiveEnterprise",
                    "An active enterprise with a foreign name and three business lines",
                    api::example(include_str!("../fixtures/example_enterprise.json")),
                )),
                ..OperationApi::default()
            }],
        }
    }
}
