//! The admin listener (separate port, loopback by default): health and readiness, the
//! state of each partner's traffic policies, and the cache (usage, purge).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use arc_swap::ArcSwap;
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::json;

use crate::adapter::UnifiedRequest;
use crate::audit;
use crate::breaker::BreakerState;
use crate::cache;
use crate::gateway::Gateway;
use crate::pipeline::Body;
use crate::problem::Problem;
use crate::request_id::RequestId;
use crate::respond;
use crate::route::Target;
use crate::server::Handler;

/// Largest admin request body.
const MAX_ADMIN_BODY: usize = 64 * 1024;

/// Answers admin requests.
pub(crate) struct Admin {
    pub(crate) gateway: Arc<ArcSwap<Gateway>>,
}

impl Handler for Admin {
    async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        let gateway = self.gateway.load_full();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let result = match (method, path.as_str()) {
            (Method::GET, "/healthz") => {
                Ok(respond::json(StatusCode::OK, &json!({ "status": "ok" })))
            }
            (Method::GET, "/readyz") => Ok(respond::json(
                StatusCode::OK,
                &json!({ "status": "ready", "partners": gateway.partners.len() }),
            )),
            (Method::GET, "/admin/partners") => Ok(partners(&gateway).await),
            (Method::GET, "/admin/cache") => Ok(cache_usage(&gateway).await),
            (Method::GET, "/admin/audit") => audit_search(&gateway, request.uri().query()).await,
            (Method::POST, "/admin/cache/purge") => purge(&gateway, request).await,
            _ => Err(Box::new(Problem::new(
                StatusCode::NOT_FOUND,
                "no-such-admin-endpoint",
                "No admin endpoint at this path",
                "the admin listener serves GET /healthz, /readyz, /admin/partners, /admin/cache, /admin/audit and POST /admin/cache/purge",
            ))),
        };
        result.unwrap_or_else(|problem| (*problem).into_response(&RequestId::generate()))
    }
}

fn breaker_name(state: BreakerState) -> &'static str {
    match state {
        BreakerState::Closed => "closed",
        BreakerState::Open => "open",
        BreakerState::HalfOpen => "half_open",
    }
}

async fn partners(gateway: &Gateway) -> Response<Body> {
    let partners: Vec<_> = gateway
        .partners
        .iter()
        .map(|p| {
            json!({
                "partner": p.name,
                "breaker": breaker_name(p.traffic.breaker.state()),
                "in_flight": p.traffic.bulkhead.in_flight(),
                "limiter_store_failures": p.traffic.limiter.store_failures(),
                "operations": p.operations.iter().map(|o| json!({
                    "id": o.operation.id,
                    "timeout_ms": o.timeout.as_millis() as u64,
                    "cache_ttl_s": o.cache.map(|c| c.ttl.as_secs()),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    respond::json(StatusCode::OK, &json!({ "partners": partners }))
}

async fn cache_usage(gateway: &Gateway) -> Response<Body> {
    let cache = &gateway.shared.cache;
    let (entries, bytes) = cache.usage().await;
    let c = &cache.counters;
    respond::json(
        StatusCode::OK,
        &json!({
            "entries": entries,
            "bytes": bytes,
            "hits": c.hits.load(Ordering::Relaxed),
            "misses": c.misses.load(Ordering::Relaxed),
            "stale": c.stale.load(Ordering::Relaxed),
            "evictions": c.evictions.load(Ordering::Relaxed),
        }),
    )
}

/// `GET /admin/audit?dossier=&client=&since=&limit=` (`since` in Unix ms).
async fn audit_search(
    gateway: &Gateway,
    query: Option<&str>,
) -> Result<Response<Body>, Box<Problem>> {
    let pairs: serde_json::Map<String, serde_json::Value> =
        form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v)| {
                let value = match k.as_ref() {
                    "since" | "limit" => v
                        .parse::<i64>()
                        .map(serde_json::Value::from)
                        .unwrap_or(serde_json::Value::String(v.into_owned())),
                    _ => serde_json::Value::String(v.into_owned()),
                };
                (k.into_owned(), value)
            })
            .collect();
    let search: audit::query::Search = serde_json::from_value(serde_json::Value::Object(pairs))
        .map_err(|e| {
            Box::new(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-audit-query",
                "Invalid audit query",
                format!("{e}; use dossier=, client=, since= (Unix ms) and limit="),
            ))
        })?;
    let records = audit::query::search(&gateway.shared.store, &search)
        .await
        .map_err(|e| {
            Box::new(Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store-unavailable",
                "The audit log cannot be read",
                e.to_string(),
            ))
        })?;
    Ok(respond::json(
        StatusCode::OK,
        &json!({ "records": records }),
    ))
}

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

async fn purge(
    gateway: &Gateway,
    request: Request<Incoming>,
) -> Result<Response<Body>, Box<Problem>> {
    let (parts, body) = request.into_parts();
    let body = crate::body::read(&parts.headers, body, MAX_ADMIN_BODY)
        .await
        .map_err(|e| bad_purge(e.to_string()))?;
    let order: PurgeOrder = serde_json::from_slice(&body).map_err(|e| {
        bad_purge(format!(
            "{e}; send {{\"url\": \"/v1/...\"}}, {{\"partner\": \"...\", \"operation\": \"...\"}} or {{\"partner\": \"...\"}}"
        ))
    })?;
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
    let query: Vec<(String, String)> = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let op = policy.operation;
    let request = UnifiedRequest {
        params: &matched.params,
        query: &query,
        body: &[],
    };
    let input = partner.adapter.validate(op, &request).map_err(|invalid| {
        let fields: Vec<String> = invalid
            .errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.detail))
            .collect();
        bad_purge(format!("`{url}` has invalid input: {}", fields.join("; ")))
    })?;
    Ok(cache::key(
        partner.name,
        op.id,
        &partner.adapter.cache_key(op, &input),
    ))
}
