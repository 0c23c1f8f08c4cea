//! The published partner schema (`schemas/partners/judicial-records.json`) matches what the
//! adapter sends, what the simulator answers and the fixtures; the OpenAPI fragment names
//! both operations.
//!
//! The JSON Schema keywords the schema uses are checked by the test kit's evaluator
//! (`pattern` and annotations excepted); it refuses any other keyword so that the schema
//! cannot drift beyond what is checked.

use std::time::Duration;

use lienthong_adapter_judicial_records::{JudicialRecords, JudicialRecordsSimulator};
use lienthong_adapter_kit::adapter::{Applications, Input, Submission};
use lienthong_adapter_kit::sim::{PartnerFault, SimSettings, Simulator};
use lienthong_adapter_kit::testkit::{self, TestRequest, json_schema};
use serde_json::{Value, json};

fn schema() -> Value {
    json_schema::partner_schema("judicial-records.json")
}

fn fixture(name: &str) -> Value {
    testkit::fixture_json(env!("CARGO_MANIFEST_DIR"), name)
}

/// Whether `instance` is valid against `$defs/definition`.
fn valid(definition: &str, instance: &Value) -> bool {
    json_schema::errors(&schema(), definition, instance).is_empty()
}

fn assert_valid(definition: &str, instance: &Value) {
    json_schema::assert_fits(&schema(), definition, instance);
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
    let body = |response: lienthong_adapter_kit::adapter::WireResponse| -> Value {
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
