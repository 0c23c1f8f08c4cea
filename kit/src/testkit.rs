//! The test kit every adapter uses (feature `testkit`): contract checks on the declared
//! operations, in-process round trips through the adapter and its simulator, small
//! builders for wire answers and decoding them, and checks of wire documents against the
//! partners' published schemas ([`xmllint`] for XML Schema, [`json_schema`] for JSON
//! Schema).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::StatusCode;

use crate::adapter::{
    Adapter, CallContext, Credentials, FailureKind, InvalidInput, Operation, Outcome,
    PartnerFailure, UnifiedRequest, WireRequest, WireResponse,
};
use crate::sim::Simulator;

/// Consumer code used by test contexts.
pub const TEST_CONSUMER: &str = "H82";

/// Credentials used by test contexts.
pub fn test_credentials() -> Credentials {
    Credentials {
        username: "h82-test".into(),
        password: "test-secret".into(),
    }
}

/// A call context with fixed consumer code and request id, the current time and a fresh
/// random nonce.
pub fn context(credentials: Option<&Credentials>) -> CallContext<'_> {
    let mut nonce = [0u8; 16];
    nonce.iter_mut().for_each(|b| *b = rand::random());
    CallContext {
        consumer_code: TEST_CONSUMER,
        province_code: "82",
        request_id: "test-request-1",
        dossier_code: Some("000.00.82.H58-260101-0001"),
        credentials,
        now: SystemTime::now(),
        nonce,
    }
}

/// Asserts what the core relies on: unique ids, `/v1/` paths with well-formed `{param}`
/// segments, positive timeouts, identifiers that are path or query parameters.
pub fn check_operations(adapter: &dyn Adapter) {
    let mut ids = HashSet::new();
    for op in adapter.operations() {
        assert!(ids.insert(op.id), "{}: duplicate operation id", op.id);
        assert!(
            op.path.starts_with("/v1/"),
            "{}: path must start with /v1/",
            op.id
        );
        for segment in op.path.split('/').skip(1) {
            assert!(!segment.is_empty(), "{}: empty path segment", op.id);
            if segment.contains('{') || segment.contains('}') {
                let name = segment.trim_start_matches('{').trim_end_matches('}');
                assert!(
                    segment.starts_with('{') && segment.ends_with('}') && !name.is_empty(),
                    "{}: a parameter must fill its whole segment",
                    op.id
                );
            }
        }
        assert!(
            op.timeout > Duration::ZERO,
            "{}: timeout must be positive",
            op.id
        );
        assert!(!op.id.is_empty() && op.id.chars().all(|c| c.is_ascii_alphanumeric()));
    }
}

/// Finds a declared operation by id.
pub fn operation(adapter: &dyn Adapter, id: &str) -> &'static Operation {
    adapter
        .operations()
        .iter()
        .find(|op| op.id == id)
        .unwrap_or_else(|| panic!("{} declares no operation {id}", adapter.partner()))
}

/// A unified request for tests.
#[derive(Debug, Default, Clone)]
pub struct TestRequest {
    /// Path parameters.
    pub params: Vec<(&'static str, String)>,
    /// Query pairs.
    pub query: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl TestRequest {
    /// A request with one path parameter.
    pub fn param(name: &'static str, value: &str) -> Self {
        Self {
            params: vec![(name, value.to_owned())],
            ..Self::default()
        }
    }

    /// Adds a query pair.
    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Runs the core's query rule ([`Operation::query`]) and the adapter's validation on
    /// this request.
    pub fn validate(
        &self,
        adapter: &dyn Adapter,
        op: &Operation,
    ) -> Result<crate::adapter::Input, InvalidInput> {
        crate::query::check(&self.query, op.query)?;
        adapter.validate(
            op,
            &UnifiedRequest {
                params: &self.params,
                query: &self.query,
                body: &self.body,
            },
        )
    }
}

/// One in-process exchange: the wire request the adapter sent, the simulator's answer,
/// and the decoded outcome.
#[derive(Debug)]
pub struct Exchange {
    /// What the adapter encoded.
    pub request: WireRequest,
    /// What the simulator answered.
    pub response: WireResponse,
    /// What the adapter decoded.
    pub outcome: Outcome,
}

/// validate → encode → simulator → decode, with no network. Returns the validation error
/// when the input is refused.
pub fn roundtrip(
    adapter: &dyn Adapter,
    simulator: &dyn Simulator,
    op_id: &str,
    request: &TestRequest,
    credentials: Option<&Credentials>,
) -> Result<Exchange, InvalidInput> {
    let op = operation(adapter, op_id);
    let input = request.validate(adapter, op)?;
    let wire = adapter
        .encode(op, &input, &context(credentials))
        .unwrap_or_else(|e| panic!("{op_id}: {e}"));
    let response = simulator.handle(&wire);
    let outcome = adapter.decode(op, &response);
    Ok(Exchange {
        request: wire,
        response,
        outcome,
    })
}

/// A wire answer with `status`, a UTF-8 content type and `body` (add `Retry-After` with
/// [`WireResponse::with_retry_after`]).
pub fn wire_response(
    status: u16,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> WireResponse {
    WireResponse::new(
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        content_type,
        body,
    )
}

/// What `adapter` decodes from `response` for its operation `op_id` (fixtures and
/// hand-made answers).
pub fn decode(adapter: &dyn Adapter, op_id: &str, response: &WireResponse) -> Outcome {
    adapter.decode(operation(adapter, op_id), response)
}

/// The failure of an outcome that must be [`Outcome::Failed`]; panics on any other.
pub fn failure(outcome: Outcome) -> PartnerFailure {
    match outcome {
        Outcome::Failed(failure) => failure,
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Asserts that `outcome` failed with `kind` and a detail containing every one of
/// `words`; returns the failure.
pub fn assert_failure(outcome: Outcome, kind: FailureKind, words: &[&str]) -> PartnerFailure {
    let failure = failure(outcome);
    assert_eq!(failure.kind, kind, "{}", failure.detail);
    for word in words {
        assert!(
            failure.detail.contains(word),
            "{word:?} not in {:?}",
            failure.detail
        );
    }
    failure
}

/// The bytes of `fixtures/{name}` of the adapter crate whose manifest directory is
/// `manifest_dir` (pass `env!("CARGO_MANIFEST_DIR")`).
pub fn fixture(manifest_dir: &str, name: &str) -> Vec<u8> {
    let path = Path::new(manifest_dir).join("fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A [`fixture`] holding JSON, parsed.
pub fn fixture_json(manifest_dir: &str, name: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(manifest_dir, name))
        .unwrap_or_else(|e| panic!("fixtures/{name}: {e}"))
}

/// The folder of the partners' published schemas (`schemas/partners` in the workspace).
pub fn partner_schemas() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas/partners"))
}

/// Checks with `xmllint` (package `libxml2-utils`, which the project's test command
/// installs when it is missing). A missing `xmllint` fails the test: it never skips.
pub mod xmllint {
    use std::path::Path;
    use std::process::{Command, Output};

    fn run(command: &mut Command) -> Output {
        command.output().unwrap_or_else(|e| {
            panic!(
                "xmllint is required: apt-get install libxml2-utils (scripts/test does this); {e}"
            )
        })
    }

    fn assert_success(output: &Output) {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Validates `documents` (file name, bytes) against the XML Schema text `schema` with
    /// `xmllint --noout --schema`, after writing all of them into `dir` (created when
    /// missing). Fails the test when any document does not validate.
    pub fn validate(dir: &Path, schema: &str, documents: &[(String, Vec<u8>)]) {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let schema_path = dir.join("schema.xsd");
        std::fs::write(&schema_path, schema)
            .unwrap_or_else(|e| panic!("{}: {e}", schema_path.display()));
        let mut command = Command::new("xmllint");
        command.arg("--noout").arg("--schema").arg(&schema_path);
        for (name, body) in documents {
            let path = dir.join(name);
            std::fs::write(&path, body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            command.arg(path);
        }
        assert_success(&run(&mut command));
    }

    /// Fails the test unless the file at `path` is well-formed XML (`xmllint --noout`).
    pub fn well_formed(path: &Path) {
        assert_success(&run(Command::new("xmllint").arg("--noout").arg(path)));
    }
}

/// A small JSON Schema evaluator for checking wire documents against a partner's
/// published schema (`schemas/partners/<partner>.json`).
///
/// It evaluates `$ref` (JSON pointers into the same document), `allOf`, `anyOf`,
/// `oneOf`, `type`, `const`, `enum`, `required`, `properties`, `additionalProperties`,
/// `items` (one schema for every item), `minItems`, `maxItems`, `minimum`, `maximum`,
/// `minLength` and `maxLength`, and boolean schemas. The annotations `description`,
/// `title`, `$comment`, `examples`, `default`, `contentEncoding` and `contentMediaType`
/// are ignored, and so is `pattern` (no regular-expression engine: check those formats in
/// the adapter's own tests). Any other keyword fails the test, so that a schema cannot
/// drift beyond what is checked.
pub mod json_schema {
    use serde_json::{Map, Value};

    /// The published schema `schemas/partners/{file}`.
    pub fn partner_schema(file: &str) -> Value {
        let path = super::partner_schemas().join(file);
        let text = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Why `instance` does not fit the definition `$defs/{definition}` of `root`, one entry
    /// per failed check; empty when it fits.
    pub fn errors(root: &Value, definition: &str, instance: &Value) -> Vec<String> {
        let schema = root
            .get("$defs")
            .and_then(|defs| defs.get(definition))
            .unwrap_or_else(|| panic!("the schema has no definition {definition}"));
        let mut errors = Vec::new();
        Checker { root }.check(schema, instance, definition, &mut errors);
        errors
    }

    /// Asserts that `instance` fits the definition `$defs/{definition}` of `root`.
    pub fn assert_fits(root: &Value, definition: &str, instance: &Value) {
        let errors = errors(root, definition, instance);
        assert!(errors.is_empty(), "{definition}: {errors:#?}\n{instance}");
    }

    struct Checker<'r> {
        root: &'r Value,
    }

    impl Checker<'_> {
        fn fits(&self, schema: &Value, instance: &Value, at: &str) -> bool {
            let mut errors = Vec::new();
            self.check(schema, instance, at, &mut errors);
            errors.is_empty()
        }

        fn check(&self, schema: &Value, instance: &Value, at: &str, errors: &mut Vec<String>) {
            match schema {
                Value::Bool(true) => {}
                Value::Bool(false) => errors.push(format!("{at}: no value is allowed")),
                Value::Object(rules) => {
                    for (keyword, value) in rules {
                        self.keyword(rules, keyword, value, instance, at, errors);
                    }
                }
                other => panic!("{at}: a schema is an object or a boolean, not {other}"),
            }
        }

        fn keyword(
            &self,
            rules: &Map<String, Value>,
            keyword: &str,
            value: &Value,
            instance: &Value,
            at: &str,
            errors: &mut Vec<String>,
        ) {
            let mut fail = |what: String| errors.push(format!("{at}: {what}"));
            match keyword {
                "$ref" => {
                    let target = value
                        .as_str()
                        .and_then(|reference| reference.strip_prefix('#'))
                        .and_then(|pointer| self.root.pointer(pointer))
                        .unwrap_or_else(|| panic!("{at}: unresolvable $ref {value}"));
                    self.check(target, instance, at, errors);
                }
                "allOf" => {
                    for part in array(value, keyword) {
                        self.check(part, instance, at, errors);
                    }
                }
                "anyOf" => {
                    if !array(value, keyword)
                        .iter()
                        .any(|s| self.fits(s, instance, at))
                    {
                        fail("fits none of anyOf".to_owned());
                    }
                }
                "oneOf" => {
                    let fitting = array(value, keyword)
                        .iter()
                        .filter(|s| self.fits(s, instance, at))
                        .count();
                    if fitting != 1 {
                        fail(format!("fits {fitting} of oneOf, not exactly one"));
                    }
                }
                "type" => {
                    let names: Vec<&str> = match value {
                        Value::Array(names) => names.iter().map(|n| string(n, keyword)).collect(),
                        name => vec![string(name, keyword)],
                    };
                    if !names.iter().any(|name| has_type(instance, name)) {
                        fail(format!("is not {names:?}"));
                    }
                }
                "const" if instance != value => fail(format!("is not {value}")),
                "enum" if !array(value, keyword).contains(instance) => {
                    fail(format!("{instance} is not one of {value}"));
                }
                "const" | "enum" => {}
                "required" => {
                    if let Some(object) = instance.as_object() {
                        for name in array(value, keyword) {
                            let name = string(name, keyword);
                            if !object.contains_key(name) {
                                fail(format!("has no {name}"));
                            }
                        }
                    }
                }
                "properties" => {
                    if let Some(object) = instance.as_object() {
                        for (name, schema) in self::object(value, keyword) {
                            if let Some(inner) = object.get(name) {
                                self.check(schema, inner, &format!("{at}.{name}"), errors);
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    let known = rules.get("properties").and_then(Value::as_object);
                    for (name, inner) in instance.as_object().into_iter().flatten() {
                        if !known.is_some_and(|known| known.contains_key(name)) {
                            self.check(value, inner, &format!("{at}.{name}"), errors);
                        }
                    }
                }
                "items" => {
                    for (i, item) in instance.as_array().into_iter().flatten().enumerate() {
                        self.check(value, item, &format!("{at}[{i}]"), errors);
                    }
                }
                "minItems" | "maxItems" => {
                    if let Some(items) = instance.as_array() {
                        bound(keyword, value, items.len() as f64, &mut fail);
                    }
                }
                "minLength" | "maxLength" => {
                    if let Some(text) = instance.as_str() {
                        bound(keyword, value, text.chars().count() as f64, &mut fail);
                    }
                }
                "minimum" | "maximum" => {
                    if let Some(number) = instance.as_f64() {
                        bound(keyword, value, number, &mut fail);
                    }
                }
                "description" | "title" | "$comment" | "examples" | "default"
                | "contentEncoding" | "contentMediaType" | "pattern" => {}
                other => {
                    panic!("{at}: the schema uses {other}, which json_schema does not evaluate")
                }
            }
        }
    }

    /// Checks a `min*` or `max*` keyword on a measured `size`.
    fn bound(keyword: &str, limit: &Value, size: f64, fail: &mut impl FnMut(String)) {
        let limit = limit
            .as_f64()
            .unwrap_or_else(|| panic!("{keyword} must be a number, not {limit}"));
        if keyword.starts_with("min") && size < limit {
            fail(format!("{size} is below {keyword} {limit}"));
        } else if keyword.starts_with("max") && size > limit {
            fail(format!("{size} is above {keyword} {limit}"));
        }
    }

    fn array<'v>(value: &'v Value, keyword: &str) -> &'v Vec<Value> {
        value
            .as_array()
            .unwrap_or_else(|| panic!("{keyword} must be an array, not {value}"))
    }

    fn object<'v>(value: &'v Value, keyword: &str) -> &'v Map<String, Value> {
        value
            .as_object()
            .unwrap_or_else(|| panic!("{keyword} must be an object, not {value}"))
    }

    fn string<'v>(value: &'v Value, keyword: &str) -> &'v str {
        value
            .as_str()
            .unwrap_or_else(|| panic!("{keyword} must hold strings, not {value}"))
    }

    fn has_type(instance: &Value, name: &str) -> bool {
        match name {
            "object" => instance.is_object(),
            "array" => instance.is_array(),
            "string" => instance.is_string(),
            "integer" => instance.is_i64() || instance.is_u64(),
            "number" => instance.is_number(),
            "boolean" => instance.is_boolean(),
            "null" => instance.is_null(),
            other => panic!("unknown JSON Schema type {other}"),
        }
    }

    #[cfg(test)]
    mod tests {
        use serde_json::json;

        use super::*;

        #[test]
        fn every_evaluated_keyword_can_fail() {
            let root = json!({ "$defs": {
                "Thing": {
                    "type": "object",
                    "required": ["code", "tags"],
                    "properties": {
                        "code": { "allOf": [{ "$ref": "#/$defs/Code" }], "description": "x" },
                        "tags": { "type": "array", "items": { "type": "string", "maxLength": 3 },
                                  "minItems": 1, "maxItems": 2 },
                        "size": { "type": ["integer", "null"], "minimum": 1, "maximum": 9 },
                        "kind": { "anyOf": [{ "const": "a" }, { "enum": ["b", "c"] }] },
                        "pick": { "oneOf": [{ "type": "number" }, { "type": "integer" }] },
                    },
                    "additionalProperties": false,
                },
                "Code": { "type": "string", "minLength": 2, "pattern": "^[0-9]+$" },
            }});
            let fine =
                json!({ "code": "00", "tags": ["a"], "size": null, "kind": "c", "pick": 1.5 });
            assert_eq!(errors(&root, "Thing", &fine), Vec::<String>::new());
            let bad = json!({ "code": "0", "tags": ["abcd", "b", "c"], "size": 10, "kind": "d",
                              "pick": 1, "extra": true });
            let found = errors(&root, "Thing", &bad);
            assert_eq!(found.len(), 7, "{found:#?}");
            assert_eq!(errors(&root, "Thing", &json!([])).len(), 1);
            assert_eq!(errors(&root, "Thing", &json!({})).len(), 2);
        }

        #[test]
        #[should_panic(expected = "does not evaluate")]
        fn unknown_keywords_fail() {
            let root = json!({ "$defs": { "Odd": { "format": "date" } } });
            errors(&root, "Odd", &json!("2020-01-01"));
        }
    }
}
