//! What an adapter declares of its part of the unified API's OpenAPI 3.1 document: per
//! operation a summary, the typed parameters and body with their real constraints, and the
//! typed canonical answer. The core assembles the whole document from every registered
//! adapter's [`ApiFragment`] and its own common parts (headers, problem types, catalogue).
//!
//! Schemas come from the adapter's Rust types through `schemars` (JSON Schema 2020-12,
//! OpenAPI 3.1's dialect): the same types validation builds and decoding returns. A rule
//! no standard keyword expresses is a named `format` defined in [`FORMATS`], or, between
//! two dates of one object, an [`DATE_ORDER`] extension.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Value, json};

/// Where generated schemas are collected in the document.
pub const COMPONENTS: &str = "/components/schemas";

/// The extension keyword of an object schema listing date fields that must come in order:
/// `[{"earlier": "from", "later": "to", "strict": false}]` means `to` is not before `from`
/// when both are given.
pub const DATE_ORDER: &str = "x-date-order";

/// The named formats the document uses beyond JSON Schema's own, with their definitions.
pub const FORMATS: [(&str, &str); 5] = [
    (
        "enterprise-code",
        "10 digits whose 10th is the check digit of the first nine (weights 31, 29, 23, 19, \
         17, 13, 7, 5, 3; check = 10 − sum mod 11, never 10), optionally followed by -NNN \
         for a branch",
    ),
    (
        "past-date",
        "an RFC 3339 full-date (YYYY-MM-DD, a real calendar day) not after today in Vietnam \
         (UTC+7)",
    ),
    (
        "birth-date",
        "an RFC 3339 full-date (YYYY-MM-DD, a real calendar day) from 1900-01-01, not after \
         today in Vietnam (UTC+7)",
    ),
    (
        "birth-date-or-year",
        "a birth-date, or the year alone (YYYY) from 1900 to the current year in Vietnam \
         (UTC+7)",
    ),
    (
        "callback-url",
        "an absolute https URL of a host name or public IP address: no user credentials, \
         no loopback, private, link-local, shared, reserved, multicast or unspecified \
         address",
    ),
];

/// An adapter's part of the document.
#[derive(Debug, Clone, Default)]
pub struct ApiFragment {
    /// What the partner is, for clients (the tag's description).
    pub description: &'static str,
    /// One entry per declared operation, by [`OperationApi::id`].
    pub operations: Vec<OperationApi>,
}

/// What one operation documents.
#[derive(Debug, Clone, Default)]
pub struct OperationApi {
    /// The [`Operation::id`](crate::adapter::Operation::id) documented.
    pub id: &'static str,
    /// One line.
    pub summary: &'static str,
    /// What the operation does, in Markdown.
    pub description: &'static str,
    /// The path and query parameters as one object schema: a property per parameter,
    /// named as in the path template or [`Operation::query`](crate::adapter::Operation::query),
    /// `required` listing those that must be given. See [`parameters`].
    pub parameters: Option<Schema>,
    /// The JSON body of a POST or PUT.
    pub body: Option<Content>,
    /// The success answer: the canonical record of a `Call`; for a `Status` operation the
    /// fields the adapter adds to the core's application document.
    pub answer: Option<Content>,
    /// The partner's application statuses, for `Submit` and `Status` operations: name
    /// and meaning, in processing order.
    pub statuses: &'static [(&'static str, &'static str)],
}

/// A schema with examples.
#[derive(Debug, Clone)]
pub struct Content {
    /// The schema (usually a `$ref` into the components).
    pub schema: Schema,
    /// Named examples: name, summary, value.
    pub examples: Vec<(&'static str, &'static str, Value)>,
}

impl Content {
    /// The schema of `T` (collected into the components), without examples.
    pub fn of<T: JsonSchema>(generator: &mut SchemaGenerator) -> Self {
        Self {
            schema: generator.subschema_for::<T>(),
            examples: Vec::new(),
        }
    }

    /// The same content with one more named example.
    pub fn example(mut self, name: &'static str, summary: &'static str, value: Value) -> Self {
        self.examples.push((name, summary, value));
        self
    }
}

/// An example read from JSON text the adapter ships (`include_str!`); `null` if it is not
/// JSON, which the document's tests refuse.
pub fn example(json: &str) -> Value {
    serde_json::from_str(json).unwrap_or(Value::Null)
}

/// The generator whose schemas become the document's components: JSON Schema 2020-12
/// with definitions under [`COMPONENTS`], for answers and bodies as clients see them.
pub fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = COMPONENTS.into();
            s.meta_schema = None;
        })
        .into_generator()
}

/// The schema of `T` with every part inline (no `$ref`).
pub fn inline<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator()
        .into_root_schema_for::<T>()
}

/// The parameters of an operation from the typed input `T`: every schema inline, and an
/// optional parameter is simply absent (a query never carries `null`).
pub fn parameters<T: JsonSchema>() -> Schema {
    let mut schema = inline::<T>();
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        properties.values_mut().for_each(drop_null);
    }
    schema
}

/// Removes `null` from a parameter schema's types.
fn drop_null(schema: &mut Value) {
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            schema["type"] = only;
        }
    }
    if let Some(Value::Array(choices)) = schema.get_mut("anyOf") {
        choices.retain(|c| c.get("type") != Some(&json!("null")));
        if let [only] = choices.as_slice() {
            let only = only.clone();
            if let (Some(target), Some(source)) = (schema.as_object_mut(), only.as_object()) {
                target.remove("anyOf");
                for (key, value) in source {
                    target.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
        }
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
}

/// A schema transform for `#[schemars(transform = ...)]`: the `x-date-order` rule that
/// `later` is on or after (`strict`: after) `earlier` when both are given.
pub fn date_order(schema: &mut Schema, earlier: &str, later: &str, strict: bool) {
    let rule = json!({ "earlier": earlier, "later": later, "strict": strict });
    match schema.get_mut(DATE_ORDER).and_then(Value::as_array_mut) {
        Some(rules) => rules.push(rule),
        None => {
            schema.insert(DATE_ORDER.into(), json!([rule]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(JsonSchema)]
    #[allow(dead_code)]
    struct Query {
        /// Required.
        #[schemars(length(min = 1))]
        code: String,
        /// Optional.
        page: Option<u32>,
    }

    #[test]
    fn parameters_are_inline_and_never_null() {
        let schema = parameters::<Query>();
        assert_eq!(schema.get("required"), Some(&json!(["code"])));
        assert_eq!(schema.get("properties").unwrap()["page"]["type"], "integer");
        assert_eq!(
            schema.get("properties").unwrap()["code"]["minLength"],
            json!(1)
        );
    }
}
