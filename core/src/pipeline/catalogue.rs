//! The catalogue: `GET /openapi.json` (public) and `GET /v1/services` (what the calling
//! client may use).

use http::request::Parts;
use http::{Method, Response, StatusCode};
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

#[derive(Serialize)]
struct Service {
    partner: &'static str,
    title: &'static str,
    operations: Vec<OperationInfo>,
}

#[derive(Serialize)]
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
    respond::json(StatusCode::OK, &serde_json::json!({ "services": services }))
}
