//! References to the document's shared components.

use serde_json::{Value, json};

/// `#/components/parameters/{name}`.
pub(super) fn parameter_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

/// `#/components/headers/{name}`.
pub(super) fn header_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/headers/{name}") })
}

/// `#/components/schemas/{name}`.
pub(super) fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}
