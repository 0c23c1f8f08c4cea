//! The admin listener (separate port, loopback by default; a bearer token when bound
//! elsewhere): health and readiness, maintenance mode, configuration reload, metrics, the
//! state of each partner's traffic policies, the cache (usage, purge), the audit log and
//! retiring applications. `/healthz` and `/readyz` need no token; when one is configured,
//! `/readyz` without it says only `ready` or `not_ready`.

mod applications;
pub(crate) mod health;
mod order;
mod pause;
mod purge;
pub(crate) mod reload;
mod webhooks;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use arc_swap::ArcSwap;
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::json;

use crate::admin::health::Health;
use crate::admin::reload::{ReloadError, Reloader};
use crate::audit;
use crate::audit::RequestId;
use crate::call::breaker::BreakerState;
use crate::infra::store::now_ms;
use crate::metrics::{PartnerState, Snapshot};
use crate::pipeline::gateway::Gateway;
use crate::pipeline::problem::Problem;
use crate::pipeline::respond;
use crate::server::Body;
use crate::server::Handler;
use lienthong_adapter_kit::adapter::FieldError;

/// Answers admin requests.
pub(crate) struct Admin {
    pub(crate) gateway: Arc<ArcSwap<Gateway>>,
    pub(crate) reloader: Arc<Reloader>,
    pub(crate) health: Health,
    /// Digest of the bearer token every endpoint but the probes needs, when configured.
    pub(crate) token: Option<[u8; 32]>,
}

type Answer = Result<Response<Body>, Box<Problem>>;

impl Handler for Admin {
    async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        let request_id = RequestId::generate();
        self.answer(request)
            .await
            .unwrap_or_else(|problem| (*problem).into_response(&request_id))
    }
}

impl Admin {
    async fn answer(&self, request: Request<Incoming>) -> Answer {
        crate::pipeline::host::check(request.version(), request.uri(), request.headers())
            .map_err(|e| Box::new(crate::pipeline::problem::invalid_host(&e)))?;
        let gateway = self.gateway.load_full();
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let probe = matches!(path.as_str(), "/healthz" | "/readyz");
        if !probe {
            self.authorize(&request)?;
        }
        let query = request.uri().query();
        if let Some(answer) = webhooks::answer(&gateway, &method, &path, query).await {
            return answer;
        }
        match (method, path.as_str()) {
            (Method::GET, "/healthz") => {
                Ok(respond::json(StatusCode::OK, &json!({ "status": "ok" })))
            }
            (Method::GET, "/readyz") => {
                let readiness = self.health.readiness(&gateway).await;
                let status = if readiness.ready {
                    StatusCode::OK
                } else {
                    StatusCode::SERVICE_UNAVAILABLE
                };
                // Partner addresses and errors only for the operator; a load balancer
                // needs the status alone.
                if self.token.is_some() && self.authorize(&request).is_err() {
                    return Ok(respond::json(
                        status,
                        &json!({ "status": readiness.status }),
                    ));
                }
                Ok(respond::json(status, &readiness))
            }
            (Method::GET, "/admin/partners") => Ok(partners(&gateway).await),
            (Method::GET, "/admin/cache") => Ok(cache_usage(&gateway).await),
            (Method::GET, "/metrics") => Ok(metrics(&gateway).await),
            (Method::GET, "/admin/audit") => audit_search(&gateway, request.uri().query()).await,
            (Method::POST, "/admin/cache/purge") => purge::purge(&gateway, request).await,
            (Method::POST, "/admin/maintenance") => self.maintenance(request).await,
            (Method::POST, "/admin/reload") => self.reload(),
            (Method::POST, p) if p.starts_with(applications::PREFIX) => {
                applications::retire(&gateway, request).await
            }
            (Method::DELETE, p) if p.starts_with("/admin/partners/") => {
                pause::clear(&gateway, p).await
            }
            _ => Err(Box::new(Problem::new(
                StatusCode::NOT_FOUND,
                "no-such-admin-endpoint",
                "No admin endpoint at this path",
                "the admin listener serves GET /healthz, /readyz, /metrics, /admin/partners, /admin/cache, \
                 /admin/audit, /admin/webhooks/dead-letters and POST /admin/cache/purge, /admin/maintenance, \
                 /admin/reload, /admin/applications/{id}/retire, /admin/webhooks/{id}/replay and \
                 DELETE /admin/partners/{name}/pause",
            ))),
        }
    }

    fn authorize(&self, request: &Request<Incoming>) -> Result<(), Box<Problem>> {
        let Some(expected) = &self.token else {
            return Ok(());
        };
        let presented = request
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match presented {
            Some(token) if crate::clients::matches(expected, token.as_bytes()) => Ok(()),
            _ => Err(Box::new(Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Missing or wrong admin token",
                "send `Authorization: Bearer <token>` with the admin token of this bus",
            ))),
        }
    }

    /// `POST /admin/maintenance` `{"on": true|false}`.
    async fn maintenance(&self, request: Request<Incoming>) -> Answer {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Order {
            on: bool,
        }
        let deadline = self.gateway.load().body_read_timeout;
        let shape = r#"{"on": true} or {"on": false}"#;
        let order: Order = order::read(request, deadline, shape)
            .await
            .map_err(bad_order)?;
        self.health.set_maintenance(order.on);
        Ok(respond::json(
            StatusCode::OK,
            &json!({ "maintenance": order.on }),
        ))
    }

    /// `POST /admin/reload`.
    fn reload(&self) -> Answer {
        match self.reloader.reload() {
            Ok(restart_needed) => Ok(respond::json(
                StatusCode::OK,
                &json!({ "reloaded": true, "restart_needed": restart_needed }),
            )),
            Err(ReloadError::NoFile) => Err(Box::new(Problem::new(
                StatusCode::CONFLICT,
                "nothing-to-reload",
                "No configuration file to reload",
                ReloadError::NoFile.to_string(),
            ))),
            Err(ReloadError::Invalid(error)) => Err(Box::new(Problem {
                errors: error
                    .issues
                    .iter()
                    .map(|i| FieldError {
                        field: i.key.clone(),
                        detail: format!("{}. Fix: {}", i.problem, i.fix),
                    })
                    .collect(),
                ..Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-configuration",
                    "The new configuration is invalid; the running one keeps serving",
                    error.to_string(),
                )
            })),
        }
    }
}

fn bad_order(detail: impl Into<String>) -> Box<Problem> {
    Box::new(Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-order",
        "Invalid admin order",
        detail,
    ))
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
        .zip(pause::states(gateway).await)
        .map(|(p, pause)| {
            json!({
                "partner": p.name,
                "breaker": breaker_name(p.traffic.breaker.state()),
                "in_flight": p.traffic.bulkhead.in_flight(),
                "limiter_store_failures": p.traffic.limiter.store_failures(),
                "limiter": p.traffic.limiter.decisions().iter().map(|(d, n)| (d.to_string(), json!(n))).collect::<serde_json::Map<_, _>>(),
                "quota": p.config.rate.map(|r| r.to_string()),
                "pause": pause,
                "recent_errors": p.traffic.recent_errors(),
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

fn breaker_number(state: BreakerState) -> i64 {
    match state {
        BreakerState::Closed => 0,
        BreakerState::HalfOpen => 1,
        BreakerState::Open => 2,
    }
}

async fn metrics(gateway: &Gateway) -> Response<Body> {
    let shared = &gateway.shared;
    let cache = &shared.cache;
    let (entries, bytes) = cache.usage().await;
    let c = &cache.counters;
    let (depth, oldest) = crate::applications::repo::depth(&shared.store)
        .await
        .unwrap_or((0, None));
    let audit = &shared.audit.stats;
    let snapshot = Snapshot {
        partners: gateway
            .partners
            .iter()
            .map(|p| PartnerState {
                partner: p.name.to_owned(),
                breaker: breaker_number(p.traffic.breaker.state()),
                in_flight: p.traffic.bulkhead.in_flight() as i64,
                limiter: p.traffic.limiter.decisions(),
            })
            .collect(),
        cache: [
            ("hit", c.hits.load(Ordering::Relaxed)),
            ("miss", c.misses.load(Ordering::Relaxed)),
            ("stale", c.stale.load(Ordering::Relaxed)),
            ("bypass", c.bypasses.load(Ordering::Relaxed)),
        ],
        cache_evictions: c.evictions.load(Ordering::Relaxed),
        cache_bytes: bytes,
        cache_entries: entries,
        cache_flights: cache.flights() as u64,
        cache_shared_refused: c.shared_refused.load(Ordering::Relaxed),
        outbox_depth: depth,
        outbox_oldest_seconds: oldest.map_or(0, |t| (now_ms() - t).max(0) / 1000),
        audit_queue: audit.queued.load(Ordering::Relaxed),
        audit_failed_commits: audit.failed_commits.load(Ordering::Relaxed),
        webhook_dead_letters: crate::applications::webhook::dead_letter_count(&shared.store)
            .await
            .unwrap_or(0),
    };
    respond::bytes(
        StatusCode::OK,
        "application/openmetrics-text; version=1.0.0; charset=utf-8",
        shared.metrics.render(snapshot).into(),
    )
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
