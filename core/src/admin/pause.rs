//! A partner's pause, for operators: shown by `GET /admin/partners`, ended by
//! `DELETE /admin/partners/{name}/pause` (here and, for a quota shared through Redis, on
//! every instance).

use http::{Response, StatusCode};
use serde_json::{Value, json};

use crate::pipeline::gateway::Gateway;
use crate::pipeline::problem::Problem;
use crate::pipeline::respond;
use crate::server::Body;

/// The pause in force at each partner, in the gateway's order (`null` when none).
pub(super) async fn states(gateway: &Gateway) -> Vec<Value> {
    let mut states = Vec::with_capacity(gateway.partners.len());
    for partner in &gateway.partners {
        states.push(json!(partner.traffic.limiter.pause_state().await));
    }
    states
}

/// `DELETE /admin/partners/{name}/pause`: calls to the partner may go again at once.
pub(super) async fn clear(gateway: &Gateway, path: &str) -> Result<Response<Body>, Box<Problem>> {
    let name = path
        .strip_prefix("/admin/partners/")
        .and_then(|rest| rest.strip_suffix("/pause"))
        .unwrap_or_default();
    let partner = gateway.partner(name).ok_or_else(|| {
        Box::new(Problem::new(
            StatusCode::NOT_FOUND,
            "no-such-partner",
            "No such partner",
            "name a configured partner: DELETE /admin/partners/{name}/pause (see GET /admin/partners)",
        ))
    })?;
    let limiter = &partner.traffic.limiter;
    let was = limiter.pause_state().await;
    limiter.clear_pause().await.map_err(|error| {
        Box::new(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "store-unavailable",
            "The shared pause cannot be cleared",
            format!("the pause was cleared on this instance only: {error}; retry"),
        ))
    })?;
    tracing::info!(
        partner = partner.name,
        ?was,
        "partner pause cleared by an operator"
    );
    Ok(respond::json(
        StatusCode::OK,
        &json!({ "partner": partner.name, "cleared": was }),
    ))
}
