//! The admin listener (separate port, loopback by default): health and readiness.

use std::sync::Arc;

use arc_swap::ArcSwap;
use http::{Method, Request, Response, StatusCode};
use hyper::body::Incoming;

use crate::gateway::Gateway;
use crate::pipeline::Body;
use crate::problem::Problem;
use crate::request_id::RequestId;
use crate::respond;
use crate::server::Handler;

/// Answers admin requests.
pub(crate) struct Admin {
    pub(crate) gateway: Arc<ArcSwap<Gateway>>,
}

impl Handler for Admin {
    async fn handle(&self, request: Request<Incoming>) -> Response<Body> {
        let get = request.method() == Method::GET || request.method() == Method::HEAD;
        match (get, request.uri().path()) {
            (true, "/healthz") => {
                respond::json(StatusCode::OK, &serde_json::json!({ "status": "ok" }))
            }
            (true, "/readyz") => {
                let partners = self.gateway.load().partners.len();
                respond::json(
                    StatusCode::OK,
                    &serde_json::json!({ "status": "ready", "partners": partners }),
                )
            }
            _ => Problem::new(
                StatusCode::NOT_FOUND,
                "no-such-admin-endpoint",
                "No admin endpoint at this path",
                "the admin listener serves GET /healthz and GET /readyz",
            )
            .into_response(&RequestId::generate()),
        }
    }
}
