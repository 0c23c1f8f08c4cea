//! The published partner schema (`schemas/partners/judicial-records.json`) matches what the
//! adapter sends, what the simulator answers and the fixtures; the OpenAPI fragment names
//! both operations.
//!
//! The JSON Schema keywords the schema uses are checked by a small evaluator below
//! (`pattern` and annotations excepted); it refuses any other keyword so that the schema
//! cannot drift beyond what is checked.

use std::time::Duration;

use lienthong_adapter_judicial_records::{JudicialRecords, JudicialRecordsSimulator};
use lienthong_core::adapter::{Adapter, Applications, Input, Submission};
use lienthong_core::sim::{PartnerFault, SimSettings, Simulator};
use lienthong_core::testkit::{self, TestRequest};
use serde_json::{Map, Value, json};

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schemas/partners/judicial-records.json"
    );
    serde_json::from_slice(&std::fs::read(path).expect("test data is well-formed"))
        .expect("test data is well-formed")
}

fn fixture(name: &str) -> Value {
    let path = format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(path).expect("test data is well-formed"))
        .expect("test data is well-formed")
}

/// Whether `instance` is valid against `$defs/definition`.
fn valid(definition: &str, instance: &Value) -> bool {
    let root = schema();
    let node = json!({ "$ref": format!("#/$defs/{definition}") });
    Evaluator { root: &root }.valid(&node, instance)
}

fn assert_valid(definition: &str, instance: &Value) {
    assert!(
        valid(definition, instance),
        "not a {definition}: {instance}"
    );
}

struct Evaluator<'a> {
    root: &'a Value,
}

impl Evaluator<'_> {
    fn valid(&self, schema: &Value, instance: &Value) -> bool {
        let Some(schema) = schema.as_object() else {
            return schema.as_bool().unwrap_or(false);
        };
        schema
            .iter()
            .all(|(keyword, value)| self.keyword(schema, keyword, value, instance))
    }

    fn keyword(
        &self,
        schema: &Map<String, Value>,
        keyword: &str,
        value: &Value,
        instance: &Value,
    ) -> bool {
        let number = |v: &Value| v.as_f64().expect("test data is well-formed");
        match keyword {
            "$ref" => {
                let name = value
                    .as_str()
                    .expect("test data is well-formed")
                    .trim_start_matches("#/$defs/");
                self.valid(&self.root["$defs"][name], instance)
            }
            "type" => {
                let types: Vec<&str> = match value {
                    Value::Array(types) => types
                        .iter()
                        .map(|t| t.as_str().expect("test data is well-formed"))
                        .collect(),
                    other => vec![other.as_str().expect("test data is well-formed")],
                };
                types.iter().any(|t| has_type(instance, t))
            }
            "const" => instance == value,
            "enum" => value
                .as_array()
                .expect("test data is well-formed")
                .contains(instance),
            "required" => value
                .as_array()
                .expect("test data is well-formed")
                .iter()
                .all(|name| {
                    instance
                        .get(name.as_str().expect("test data is well-formed"))
                        .is_some()
                        || !instance.is_object()
                }),
            "properties" => value
                .as_object()
                .expect("test data is well-formed")
                .iter()
                .all(|(name, sub)| instance.get(name).is_none_or(|v| self.valid(sub, v))),
            "additionalProperties" => instance.as_object().is_none_or(|object| {
                let known = schema["properties"]
                    .as_object()
                    .expect("test data is well-formed");
                object
                    .iter()
                    .all(|(name, v)| known.contains_key(name) || self.valid(value, v))
            }),
            "items" => instance
                .as_array()
                .is_none_or(|items| items.iter().all(|item| self.valid(value, item))),
            "minItems" => instance
                .as_array()
                .is_none_or(|a| a.len() as f64 >= number(value)),
            "minimum" => instance.as_f64().is_none_or(|n| n >= number(value)),
            "maximum" => instance.as_f64().is_none_or(|n| n <= number(value)),
            "minLength" => instance
                .as_str()
                .is_none_or(|s| s.chars().count() as f64 >= number(value)),
            "maxLength" => instance
                .as_str()
                .is_none_or(|s| s.chars().count() as f64 <= number(value)),
            "oneOf" => {
                let matching = value
                    .as_array()
                    .expect("test data is well-formed")
                    .iter()
                    .filter(|s| self.valid(s, instance));
                matching.count() == 1
            }
            "pattern" | "description" | "contentEncoding" | "contentMediaType" => true,
            other => panic!("the schema uses {other}, which this test does not evaluate"),
        }
    }
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
        other => panic!("unknown type {other}"),
    }
}

fn application(changes: &[(&str, Value)]) -> Input {
    let mut body = fixture("application.json");
    for (field, value) in changes {
        body[*field] = value.clone();
    }
    let op = testkit::operation(&JudicialRecords, "submitCriminalRecordApplication");
    TestRequest::default()
        .with_body(body.to_string())
        .validate(&JudicialRecords, op)
        .expect("test data is well-formed")
}

fn encoded(input: &Input) -> Value {
    let request = JudicialRecords
        .submit_request(input, &testkit::context(None))
        .expect("test data is well-formed");
    serde_json::from_slice(&request.body).expect("test data is well-formed")
}

#[test]
fn the_schema_lists_the_request_fields_in_the_order_the_adapter_sends_them() {
    let schema = schema();
    let listed: Vec<&String> = schema["$defs"]["SubmitRequest"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let body = encoded(&application(&[]));
    let sent: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(listed, sent);
    let period: Vec<&String> = schema["$defs"]["ResidenceForm"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let sent: Vec<&String> = body["residenceForm"][0]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(period, sent);
}

#[test]
fn what_the_adapter_sends_is_a_submit_request() {
    assert_valid("SubmitRequest", &fixture("submit_body.json"));
    assert_valid("SubmitRequest", &encoded(&application(&[])));
    let unmarried = encoded(&application(&[("spouse_name", Value::Null)]));
    assert_valid("SubmitRequest", &unmarried);
    let mut body = fixture("submit_body.json");
    body.as_object_mut().unwrap().remove("fullName");
    assert!(!valid("SubmitRequest", &body));
    for (field, value) in [
        ("requestQty", json!(11)),
        ("genderId", json!("1")),
        ("residenceForm", json!([])),
        ("extra", json!(1)),
        ("purpose", json!("")),
    ] {
        let mut body = fixture("submit_body.json");
        body[field] = value;
        assert!(!valid("SubmitRequest", &body), "{field}");
    }
}

#[test]
fn the_fixtures_are_partner_answers() {
    for name in [
        "submit_accepted",
        "submit_repeat",
        "submit_invalid",
        "submit_interrupted",
        "submit_throttled",
        "submit_malformed",
        "submit_error",
    ] {
        assert_valid("SubmitAnswer", &fixture(&format!("{name}.json")));
    }
    for name in [
        "status_received",
        "status_verifying",
        "status_issued",
        "status_rejected",
        "status_not_found",
    ] {
        assert_valid("StatusAnswer", &fixture(&format!("{name}.json")));
    }
    let mut issued = fixture("status_issued.json");
    issued["data"]["ketQuaXuLy"]["loaiPhieu"] = json!(3);
    assert!(!valid("StatusAnswer", &issued));
}

#[test]
fn the_simulator_answers_as_the_schema_says() {
    let body = |response: lienthong_core::adapter::WireResponse| -> Value {
        serde_json::from_slice(&response.body).unwrap()
    };
    for step in [Duration::from_secs(3600), Duration::ZERO] {
        let sim = JudicialRecordsSimulator::new(&SimSettings { step });
        let ctx = testkit::context(None);
        for (citizen_id, dossier) in [("082090001234", "HS-1"), ("082090000999", "HS-2")] {
            let input = application(&[
                ("citizen_id", json!(citizen_id)),
                ("dossier_code", json!(dossier)),
            ]);
            let request = JudicialRecords.submit_request(&input, &ctx).unwrap();
            let answer = sim.handle(&request);
            assert_valid("SubmitAnswer", &body(answer.clone()));
            let Submission::Accepted { reference } = JudicialRecords.submit_outcome(&answer) else {
                panic!("accepted");
            };
            let status = JudicialRecords.status_request(&reference, &ctx).unwrap();
            assert_valid("StatusAnswer", &body(sim.handle(&status)));
        }
        let conflict = application(&[
            ("citizen_id", json!("082090004321")),
            ("dossier_code", json!("HS-1")),
        ]);
        let request = JudicialRecords.submit_request(&conflict, &ctx).unwrap();
        assert_valid("SubmitAnswer", &body(sim.handle(&request)));
        let unknown = JudicialRecords
            .status_request("LLTP-00-0000-000000", &ctx)
            .unwrap();
        assert_valid("StatusAnswer", &body(sim.handle(&unknown)));
        for fault in [
            PartnerFault::Fault,
            PartnerFault::Busy {
                retry_after_secs: 1,
            },
            PartnerFault::Unavailable,
        ] {
            assert_valid("SubmitAnswer", &body(sim.fault(fault)));
        }
    }
}

#[test]
fn the_openapi_fragment_names_both_operations() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi-fragment.yaml");
    let fragment = std::fs::read_to_string(path).unwrap();
    for op in JudicialRecords.operations() {
        assert!(
            fragment.contains(&format!("operationId: {}", op.id)),
            "{}",
            op.id
        );
        assert!(
            fragment.contains(&format!("  {}:\n", op.path)),
            "{}",
            op.path
        );
    }
    for status in [
        "queued",
        "submitted",
        "received",
        "verifying",
        "awaiting_supplement",
        "supplemented",
        "processing",
        "awaiting_signature",
        "signed",
        "issued",
        "rejected",
        "withdrawn",
        "failed",
    ] {
        assert!(fragment.contains(status), "{status}");
    }
    for reference in [
        "BadRequest",
        "Unauthorized",
        "Forbidden",
        "PayloadTooLarge",
        "NotFound",
    ] {
        assert!(fragment.contains(&format!("#/components/responses/{reference}")));
    }
}
