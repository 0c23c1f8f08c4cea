//! One operation of the document: its parameters (the adapter's typed ones, then the
//! caller headers), body, success answer and problem answers.

use serde_json::{Map, Value, json};

use super::refs::{header_ref, parameter_ref};
use super::{applications, responses};
use lienthong_adapter_kit::adapter::{Adapter, Operation, OperationKind};
use lienthong_adapter_kit::api::{ApiFragment, Content, DATE_ORDER, OperationApi};

/// The extension of an operation naming headers that, when given, must equal a body field
/// (by JSON pointer).
pub(super) const HEADER_MATCHES_BODY: &str = "x-header-matches-body";

/// What the operations built so far add to the document.
pub(super) struct Built<'a> {
    pub(super) paths: &'a mut Map<String, Value>,
    pub(super) examples: &'a mut Map<String, Value>,
    pub(super) schemas: &'a mut Map<String, Value>,
}

impl Built<'_> {
    /// Adds `op` of `adapter`, as `declared` (if it is) in `fragment`.
    pub(super) fn add(
        &mut self,
        adapter: &dyn Adapter,
        op: &Operation,
        declared: Option<&OperationApi>,
        fragment: &ApiFragment,
    ) {
        let mut document = Map::new();
        document.insert("operationId".into(), json!(op.id));
        document.insert("tags".into(), json!([adapter.partner()]));
        if let Some(declared) = declared {
            insert_text(&mut document, "summary", declared.summary);
            insert_text(&mut document, "description", declared.description);
        }
        let typed = declared.and_then(|d| d.parameters.as_ref());
        document.insert("parameters".into(), Value::Array(parameters(op, typed)));
        if let Some(order) = typed.and_then(|t| t.get(DATE_ORDER)) {
            document.insert(DATE_ORDER.into(), order.clone());
        }
        if let Some(body) = declared.and_then(|d| d.body.as_ref()) {
            let content = self.content(body);
            document.insert(
                "requestBody".into(),
                json!({ "required": true, "content": { "application/json": content } }),
            );
        }
        let mut answers = Map::new();
        match op.kind {
            OperationKind::Call => {
                answers.insert("200".into(), self.found(op, declared));
            }
            OperationKind::Submit | OperationKind::Status => {
                let application = applications::declare(adapter, fragment, self.schemas);
                let examples = declared
                    .and_then(|d| d.answer.as_ref())
                    .and_then(|answer| self.content(answer).get("examples").cloned());
                answers.extend(applications::answers(op.kind, &application, examples));
                if op.kind == OperationKind::Submit {
                    document.insert("callbacks".into(), applications::callbacks(&application));
                    document.insert(
                        HEADER_MATCHES_BODY.into(),
                        json!({ "X-Dossier-Code": "/dossier_code" }),
                    );
                }
            }
        }
        answers.extend(responses::problems(op));
        document.insert("responses".into(), Value::Object(answers));
        let item = self
            .paths
            .entry(op.path)
            .or_insert_with(|| Value::Object(Map::new()));
        item[op.method.as_str().to_ascii_lowercase()] = Value::Object(document);
    }

    /// The 200 answer of a `Call`.
    fn found(&mut self, op: &Operation, declared: Option<&OperationApi>) -> Value {
        let mut headers = Map::new();
        headers.insert("X-Request-Id".into(), header_ref("RequestId"));
        if op.paged {
            headers.insert(
                "Link".into(),
                json!({
                    "description": "RFC 8288 links to the `first`, `prev`, `next` and `last` pages of the same search (`prev` and `next` only where such a page exists).",
                    "schema": { "type": "string" },
                }),
            );
        }
        if op.cache.is_some() {
            headers.insert("X-Cache".into(), header_ref("XCache"));
            headers.insert("Age".into(), header_ref("Age"));
        }
        let content = match declared.and_then(|d| d.answer.as_ref()) {
            Some(answer) => self.content(answer),
            None => json!({ "schema": { "type": "object" } }),
        };
        json!({
            "description": declared.map_or("The answer.", |d| d.summary),
            "headers": headers,
            "content": { "application/json": content },
        })
    }

    /// A media type object: the schema and its examples (kept in the components).
    fn content(&mut self, content: &Content) -> Value {
        let mut media = json!({ "schema": content.schema.clone() });
        if !content.examples.is_empty() {
            let mut named = Map::new();
            for (name, summary, value) in &content.examples {
                self.examples.insert(
                    (*name).to_owned(),
                    json!({ "summary": summary, "value": value }),
                );
                named.insert(
                    (*name).to_owned(),
                    json!({ "$ref": format!("#/components/examples/{name}") }),
                );
            }
            media["examples"] = Value::Object(named);
        }
        media
    }
}

fn insert_text(document: &mut Map<String, Value>, key: &str, text: &str) {
    if !text.is_empty() {
        document.insert(key.into(), json!(text));
    }
}

/// Path and query parameters from the typed schema (untyped strings without one), then
/// the caller headers the operation reads.
fn parameters(op: &Operation, typed: Option<&schemars::Schema>) -> Vec<Value> {
    let properties = typed.and_then(|s| s.get("properties"));
    let required: Vec<&str> = typed
        .and_then(|s| s.get("required"))
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let schema_of = |name: &str| {
        properties
            .and_then(|p| p.get(name))
            .cloned()
            .unwrap_or_else(|| json!({ "type": "string" }))
    };
    let path_names = op
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'));
    let mut list: Vec<Value> = path_names
        .map(|name| parameter(name, "path", true, schema_of(name)))
        .collect();
    list.extend(
        op.query
            .iter()
            .map(|name| parameter(name, "query", required.contains(name), schema_of(name))),
    );
    for header in ["DossierCode", "UserId", "RequestId", "Traceparent"] {
        list.push(parameter_ref(header));
    }
    match op.kind {
        OperationKind::Call => {
            list.push(parameter_ref("RequestTimeout"));
            if op.cache.is_some() {
                list.push(parameter_ref("CacheControl"));
            }
        }
        OperationKind::Submit => list.insert(0, parameter_ref("IdempotencyKey")),
        OperationKind::Status => {}
    }
    list
}

/// One parameter: its description moves from the schema to the parameter.
fn parameter(name: &str, place: &str, required: bool, mut schema: Value) -> Value {
    let description = schema.as_object_mut().and_then(|s| s.remove("description"));
    let mut parameter = json!({ "name": name, "in": place, "required": required });
    if let Some(description) = description {
        parameter["description"] = description;
    }
    parameter["schema"] = schema;
    parameter
}
