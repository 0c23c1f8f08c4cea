//! The body of an admin order: read within the admin body limit and the gateway's body
//! deadline, then parsed as the order's JSON. Each endpoint turns the error into its own
//! problem.

use std::time::Duration;

use http::Request;
use hyper::body::Incoming;
use serde::de::DeserializeOwned;

use crate::pipeline::body;

/// Largest admin request body.
const MAX_ADMIN_BODY: usize = 64 * 1024;

/// The order `request` carries. The error says what is wrong; when the body is no such
/// order, it ends with `send {shape}`, the form to send instead.
pub(super) async fn read<T: DeserializeOwned>(
    request: Request<Incoming>,
    deadline: Duration,
    shape: &str,
) -> Result<T, String> {
    let (parts, body) = request.into_parts();
    let bytes = body::read(&parts.headers, body, MAX_ADMIN_BODY, deadline)
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&bytes).map_err(|e| format!("{e}; send {shape}"))
}
