//! The OpenAPI 3.1 document of the unified API, assembled from what every registered
//! adapter declares ([`Adapter::operations`] and [`Adapter::api`]) and the core's common
//! parts: caller headers, problem types, the catalogue and the application documents.
//! `GET /openapi.json` serves it; `schemas/openapi.yaml` is the same document, generated.

mod applications;
mod common;
mod operation;
mod refs;
mod responses;

use std::sync::Arc;

use serde_json::{Map, Value, json};

use lienthong_adapter_kit::adapter::Adapter;
use lienthong_adapter_kit::api::{self, ApiFragment};

/// The document for `adapters`, as JSON.
pub fn document(adapters: &[Arc<dyn Adapter>]) -> Value {
    let mut generator = api::generator();
    let mut paths = Map::new();
    let mut tags = Vec::new();
    let mut examples = Map::new();
    let mut schemas = Map::new();
    for adapter in adapters {
        let fragment = adapter.api(&mut generator);
        tags.push(json!({
            "name": adapter.partner(),
            "description": tag_description(adapter.as_ref(), &fragment),
        }));
        let mut built = operation::Built {
            paths: &mut paths,
            examples: &mut examples,
            schemas: &mut schemas,
        };
        for op in adapter.operations() {
            let declared = fragment.operations.iter().find(|o| o.id == op.id);
            built.add(adapter.as_ref(), op, declared, &fragment);
        }
    }
    tags.push(json!({ "name": common::CATALOGUE_TAG, "description": "What the bus offers." }));
    common::catalogue_paths(&mut paths);
    schemas.extend(generator.take_definitions(true));
    schemas.extend(common::schemas());
    json!({
        "openapi": "3.1.0",
        "info": common::info(),
        "servers": [{ "url": "http://127.0.0.1:8080", "description": "lienthong demo" }],
        "security": [{ "apiKey": [] }],
        "tags": tags,
        "paths": paths,
        "components": {
            "securitySchemes": common::security_schemes(),
            "parameters": common::parameters(),
            "headers": common::headers(),
            "schemas": schemas,
            "examples": examples,
        },
    })
}

/// What the adapter says of its partner, or the partner's title.
fn tag_description<'a>(adapter: &'a dyn Adapter, fragment: &ApiFragment) -> &'a str {
    match fragment.description {
        "" => adapter.title(),
        said => said,
    }
}

#[cfg(test)]
mod tests;
