//! `POST /admin/cache/purge`: forget one unified URL's answer, or everything of an
//! operation or a partner.

use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::json;

use crate::pipeline::gateway::Gateway;
use crate::pipeline::problem::Problem;
use crate::pipeline::respond;
use crate::pipeline::route::Target;
use crate::server::Body;
use lienthong_adapter_kit::adapter::{InvalidInput, UnifiedRequest};
use lienthong_adapter_kit::query;

use super::order;

/// What to forget: one unified URL's answer, or everything of an operation or a partner.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PurgeOrder {
    url: Option<String>,
    partner: Option<String>,
    operation: Option<String>,
}

fn bad_purge(detail: impl Into<String>) -> Box<Problem> {
    Box::new(Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-purge",
        "Invalid purge order",
        detail,
    ))
}

pub(super) async fn purge(
    gateway: &Gateway,
    request: Request<Incoming>,
) -> Result<Response<Body>, Box<Problem>> {
    let shape =
        r#"{"url": "/v1/..."}, {"partner": "...", "operation": "..."} or {"partner": "..."}"#;
    let order: PurgeOrder = order::read(request, gateway.body_read_timeout, shape)
        .await
        .map_err(bad_purge)?;
    let cache = &gateway.shared.cache;
    let purged = match (order.url, order.partner, order.operation) {
        (Some(url), None, None) => {
            let key = key_of(gateway, &url)?;
            cache.purge_key(&key).await;
            json!({ "purged": "key", "url": url })
        }
        (None, Some(partner), operation) => {
            let known = gateway
                .partner(&partner)
                .ok_or_else(|| bad_purge(format!("`{partner}` is not a configured partner")))?;
            let prefix = match operation {
                Some(op) => {
                    if !known.operations.iter().any(|o| o.operation.id == op) {
                        return Err(bad_purge(format!(
                            "`{op}` is not an operation of {partner}"
                        )));
                    }
                    format!("{partner}:{op}:")
                }
                None => format!("{partner}:"),
            };
            cache.purge_prefix(&prefix).await;
            json!({ "purged": "prefix", "prefix": prefix })
        }
        _ => {
            return Err(bad_purge(
                "give either url, or partner (and optionally operation)",
            ));
        }
    };
    Ok(respond::json(StatusCode::OK, &purged))
}

/// The cache key a unified URL's answer is stored under.
fn key_of(gateway: &Gateway, url: &str) -> Result<String, Box<Problem>> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| bad_purge(format!("`{url}` is not a URL path")))?;
    let matched = gateway
        .routes
        .resolve(&Method::GET, uri.path())
        .map_err(|e| bad_purge(format!("`{url}`: {e}")))?;
    let Target::Operation { partner, operation } = matched.target else {
        return Err(bad_purge(format!("`{url}` is not a cacheable operation")));
    };
    let (partner, policy) = gateway
        .operation(partner, operation)
        .ok_or_else(|| bad_purge(format!("`{url}` is not a cacheable operation")))?;
    let op = policy.operation;
    let invalid_input = |invalid: InvalidInput| {
        let fields: Vec<String> = invalid
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.detail))
            .collect();
        bad_purge(format!("`{url}` has invalid input: {}", fields.join("; ")))
    };
    let query = query::read(uri.query(), op.query).map_err(invalid_input)?;
    let request = UnifiedRequest {
        params: &matched.params,
        query: &query,
        body: &[],
    };
    let input = partner
        .adapter
        .validate(op, &request)
        .map_err(invalid_input)?;
    Ok(gateway
        .shared
        .cache
        .key(partner.name, op.id, &partner.adapter.cache_key(op, &input)))
}
