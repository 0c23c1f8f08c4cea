//! The OpenAPI 3.1 document of the unified API: written as YAML in `schemas/openapi.yaml`,
//! served as JSON at `GET /openapi.json`.

use bytes::Bytes;

/// The document as written.
pub const YAML: &str = include_str!("../schemas/openapi.yaml");

/// The document as a JSON value.
pub fn value() -> Result<serde_json::Value, String> {
    serde_norway::from_str(YAML).map_err(|e| format!("schemas/openapi.yaml: {e}"))
}

/// The document as JSON bytes, ready to serve.
pub fn json() -> Result<Bytes, String> {
    let value = value()?;
    serde_json::to_vec(&value)
        .map(Bytes::from)
        .map_err(|e| format!("schemas/openapi.yaml: {e}"))
}
