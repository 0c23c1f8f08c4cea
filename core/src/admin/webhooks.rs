//! Webhook dead letters on the admin listener: `GET /admin/webhooks/dead-letters`
//! (`?client=&limit=`) lists them without bodies or personal data;
//! `POST /admin/webhooks/{id}/replay` queues one again.

use http::{Method, Response, StatusCode};
use serde_json::json;

use crate::applications::webhook::{self, ReplayError};
use crate::infra::store::now_ms;
use crate::pipeline::gateway::Gateway;
use crate::pipeline::problem::{self, Problem};
use crate::pipeline::respond;
use crate::server::Body;

/// Most dead letters one listing returns.
const MAX_LIMIT: i64 = 1000;
/// Dead letters a listing returns when `limit` is not given.
const DEFAULT_LIMIT: i64 = 100;

/// Answers `method path` under `/admin/webhooks/`; `None` when no endpoint is there.
pub(super) async fn answer(
    gateway: &Gateway,
    method: &Method,
    path: &str,
    query: Option<&str>,
) -> Option<Result<Response<Body>, Box<Problem>>> {
    let rest = path.strip_prefix("/admin/webhooks/")?;
    match (method, rest) {
        (&Method::GET, "dead-letters") => Some(list(gateway, query).await),
        (&Method::POST, _) => {
            let id = rest.strip_suffix("/replay")?;
            Some(replay(gateway, id).await)
        }
        _ => None,
    }
}

async fn list(gateway: &Gateway, query: Option<&str>) -> Result<Response<Body>, Box<Problem>> {
    let mut client = None;
    let mut limit = DEFAULT_LIMIT;
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match key.as_ref() {
            "client" => client = Some(value.into_owned()),
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        Box::new(problem::webhook_query_problem(format!(
                            "limit must be a whole number in 1..={MAX_LIMIT}"
                        )))
                    })?;
            }
            other => {
                return Err(Box::new(problem::webhook_query_problem(format!(
                    "unknown parameter `{other}`; use client= and limit="
                ))));
            }
        }
    }
    let store = &gateway.shared.store;
    let letters = webhook::dead_letters(store, client.as_deref(), limit)
        .await
        .map_err(|_| {
            Box::new(problem::store_unavailable(
                "the webhook dead letters cannot be read; retry shortly",
            ))
        })?;
    Ok(respond::json(
        StatusCode::OK,
        &json!({ "dead_letters": letters }),
    ))
}

async fn replay(gateway: &Gateway, id: &str) -> Result<Response<Body>, Box<Problem>> {
    let refused = |error: ReplayError| Box::new(problem::replay_problem(&error));
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(refused(ReplayError::NotFound));
    }
    webhook::replay(&gateway.shared.store, id, now_ms())
        .await
        .map_err(refused)?;
    tracing::info!(delivery = %id, "webhook dead letter replayed");
    Ok(respond::json(
        StatusCode::ACCEPTED,
        &json!({ "id": id, "status": "queued" }),
    ))
}
