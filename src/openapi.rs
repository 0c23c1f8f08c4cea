//! The OpenAPI 3.1 document of the unified API, generated from the registered adapters'
//! declarations ([`lienthong_core::openapi`]) and served as JSON at `GET /openapi.json`.
//! `schemas/openapi.yaml` is the same document as YAML, written by `lienthong openapi`
//! (a test fails when the committed file differs).

use bytes::Bytes;

use crate::partners;

/// Where the generated YAML is kept, relative to the repository.
pub const FILE: &str = "schemas/openapi.yaml";

/// The document as a JSON value.
pub fn value() -> Result<serde_json::Value, String> {
    Ok(lienthong_core::openapi::document(&partners::adapters()))
}

/// The document as JSON bytes, ready to serve.
pub fn json() -> Result<Bytes, String> {
    serde_json::to_vec(&value()?)
        .map(Bytes::from)
        .map_err(|e| format!("the OpenAPI document: {e}"))
}

/// The document as YAML, as `schemas/openapi.yaml` holds it.
pub fn yaml() -> Result<String, String> {
    serde_norway::to_string(&value()?).map_err(|e| format!("the OpenAPI document: {e}"))
}
