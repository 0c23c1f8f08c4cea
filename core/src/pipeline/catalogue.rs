//! The catalogue: `GET /openapi.json` (public) and `GET /v1/services` (what the calling
//! client may use).

use http::request::Parts;
use http::{Method, Response, StatusCode};
use schemars::JsonSchema;
use serde::Serialize;

use crate::clients::Client;
use crate::pipeline::gateway::Gateway;
use crate::pipeline::respond;
use crate::server::Body;

/// The OpenAPI document, served without credentials.
pub(crate) fn public(gateway: &Gateway, parts: &Parts) -> Option<Response<Body>> {
    let readable = parts.method == Method::GET || parts.method == Method::HEAD;
    (readable && parts.uri.path() == "/openapi.json")
        .then(|| respond::bytes(StatusCode::OK, "application/json", gateway.openapi.clone()))
}

/// What `GET /v1/services` answers.
#[derive(Serialize, JsonSchema)]
struct Catalogue {
    /// The partners the caller may use, each with the operations it may call.
    services: Vec<Service>,
}

/// A partner and the operations the caller may call there.
#[derive(Serialize, JsonSchema)]
struct Service {
    partner: &'static str,
    title: &'static str,
    operations: Vec<OperationInfo>,
}

/// One operation, as declared by its adapter (timeout and cache as configured).
#[derive(Serialize, JsonSchema)]
struct OperationInfo {
    id: &'static str,
    method: &'static str,
    path: &'static str,
    idempotent: bool,
    timeout_ms: u64,
    cache_ttl_s: Option<u64>,
}

/// The partners and operations `client` may call.
pub(crate) fn services(gateway: &Gateway, client: &Client) -> Response<Body> {
    let services: Vec<Service> = gateway
        .partners
        .iter()
        .map(|p| Service {
            partner: p.name,
            title: p.adapter.title(),
            operations: p
                .operations
                .iter()
                .filter(|policy| client.may_call(p.name, policy.operation.id))
                .map(|policy| OperationInfo {
                    id: policy.operation.id,
                    method: policy.operation.method.as_str(),
                    path: policy.operation.path,
                    idempotent: policy.operation.idempotent,
                    timeout_ms: policy.timeout.as_millis() as u64,
                    cache_ttl_s: policy.cache.map(|c| c.ttl.as_secs()),
                })
                .collect(),
        })
        .filter(|s| !s.operations.is_empty())
        .collect();
    respond::json(StatusCode::OK, &Catalogue { services })
}

/// The JSON Schema of the catalogue, every part inline.
pub(crate) fn schema() -> serde_json::Value {
    lienthong_adapter_kit::api::inline::<Catalogue>().to_value()
}
