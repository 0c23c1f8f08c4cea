//! `POST /admin/applications/{id}/retire` `{"reason": "..."}`: retire a final application
//! so that its dossier may be submitted again (see [`crate::applications::retire`]).

use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use serde::Deserialize;
use serde_json::json;

use crate::applications::retire::{self, RetireError};
use crate::infra::store::rfc3339;
use crate::pipeline::gateway::Gateway;
use crate::pipeline::problem::{self, Problem};
use crate::pipeline::respond;
use crate::server::Body;

use super::order;

/// Prefix of the application endpoints.
pub(super) const PREFIX: &str = "/admin/applications/";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetireOrder {
    reason: String,
}

pub(super) async fn retire(
    gateway: &Gateway,
    request: Request<Incoming>,
) -> Result<Response<Body>, Box<Problem>> {
    let refused = |error: RetireError| Box::new(problem::retirement(&error));
    let path = request.uri().path().to_owned();
    let Some(id) = path
        .strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix("/retire"))
    else {
        return Err(refused(RetireError::NotFound));
    };
    let shape = r#"{"reason": "why the application is retired"}"#;
    let order: RetireOrder = order::read(request, gateway.body_read_timeout, shape)
        .await
        .map_err(|e| refused(RetireError::BadOrder(e)))?;
    let shared = &gateway.shared;
    let app = retire::retire(&shared.store, &shared.audit, id, &order.reason)
        .await
        .map_err(refused)?;
    let (at, reason) = app.retired.unwrap_or_default();
    Ok(respond::json(
        StatusCode::OK,
        &json!({
            "id": app.id,
            "client": app.client,
            "partner": app.partner,
            "dossier_code": app.dossier_code,
            "status": app.status,
            "retired": { "at": rfc3339(at), "reason": reason },
        }),
    ))
}
