//! The declared operations, the wire requests the adapter builds and how it reads every
//! kind of answer the partner sends (fixtures).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::Method;
use lienthong_adapter_judicial_records::JudicialRecords;
use lienthong_adapter_kit::adapter::{
    Adapter, Applications, CallContext, FailureKind, Input, OperationKind, PartnerFailure,
    Progress, Submission, WireResponse,
};
use lienthong_adapter_kit::testkit;
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    testkit::fixture(env!("CARGO_MANIFEST_DIR"), name)
}

fn fixture_json(name: &str) -> Value {
    testkit::fixture_json(env!("CARGO_MANIFEST_DIR"), name)
}

fn answer(status: u16, name: &str) -> WireResponse {
    testkit::wire_response(status, "application/json; charset=utf-8", fixture(name))
}

fn application_input(application: &Value) -> Input {
    let op = testkit::operation(&JudicialRecords, "submitCriminalRecordApplication");
    testkit::TestRequest::default()
        .with_body(application.to_string())
        .validate(&JudicialRecords, op)
        .expect("the application is valid")
}

fn failure(kind: FailureKind) -> impl Fn(&PartnerFailure) -> bool {
    move |f| f.kind == kind
}

#[test]
fn operations_are_declared_as_the_core_expects() {
    testkit::check_operations(&JudicialRecords);
    assert_eq!(JudicialRecords.partner(), "judicial-records");
    assert_eq!(
        JudicialRecords.title(),
        "Judicial records (Lý lịch tư pháp)"
    );
    let submit = testkit::operation(&JudicialRecords, "submitCriminalRecordApplication");
    assert_eq!(
        (submit.method.clone(), submit.path, submit.kind),
        (
            Method::POST,
            "/v1/criminal-record-applications",
            OperationKind::Submit
        )
    );
    assert!(!submit.idempotent && submit.cache.is_none() && !submit.paged);
    assert_eq!(submit.timeout, Duration::from_secs(15));
    assert!(submit.identifiers.contains(&"citizen_id"));
    let status = testkit::operation(&JudicialRecords, "getCriminalRecordApplication");
    assert_eq!(
        (status.method.clone(), status.path, status.kind),
        (
            Method::GET,
            "/v1/criminal-record-applications/{id}",
            OperationKind::Status
        )
    );
    assert!(status.idempotent && status.cache.is_none() && status.identifiers.is_empty());
    assert_eq!(status.timeout, Duration::from_secs(5));
    assert!(JudicialRecords.applications().is_some());
}

#[test]
fn the_submission_body_is_exactly_the_fixture() {
    let input = application_input(&fixture_json("application.json"));
    let request = JudicialRecords
        .submit_request(&input, &testkit::context(None))
        .unwrap();
    let expected = serde_json::to_string(&fixture_json("submit_body.json")).unwrap();
    assert_eq!(String::from_utf8(request.body.to_vec()).unwrap(), expected);
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/lltp/api/v1/hoso");
    assert_eq!(request.headers["x-ma-don-vi"], "H82");
    assert_eq!(request.headers["x-ma-yeu-cau"], "test-request-1");
    assert_eq!(
        request.headers["content-type"],
        "application/json; charset=utf-8"
    );
}

#[test]
fn every_attempt_sends_the_same_bytes_but_for_the_request_id() {
    let input = application_input(&fixture_json("application.json"));
    let first = JudicialRecords
        .submit_request(&input, &testkit::context(None))
        .unwrap();
    let retry_ctx = CallContext {
        request_id: "test-request-2",
        dossier_code: None,
        ..testkit::context(None)
    };
    let retry = JudicialRecords.submit_request(&input, &retry_ctx).unwrap();
    assert_eq!(first.body, retry.body);
    let stored: Value = serde_json::from_str(&input.value().to_string()).unwrap();
    let reloaded = Input::new(&stored).unwrap();
    let after_restart = JudicialRecords
        .submit_request(&reloaded, &retry_ctx)
        .unwrap();
    assert_eq!(first.body, after_restart.body);
    assert_eq!(retry.headers["x-ma-yeu-cau"], "test-request-2");
}

#[test]
fn province_code_and_optional_spouse_are_encoded() {
    let mut application = fixture_json("application.json");
    application["spouse_name"] = Value::Null;
    application["gender"] = json!("female");
    let input = application_input(&application);
    let ctx = CallContext {
        province_code: "79",
        ..testkit::context(None)
    };
    let request = JudicialRecords.submit_request(&input, &ctx).unwrap();
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(body["maTinh"], "79");
    assert_eq!(body["genderId"], 2);
    assert!(body.get("partnerName").is_none());
    let missing = CallContext {
        province_code: "",
        ..testkit::context(None)
    };
    assert!(JudicialRecords.submit_request(&input, &missing).is_err());
}

#[test]
fn the_status_request_percent_encodes_the_reference() {
    let ctx = testkit::context(None);
    let request = JudicialRecords
        .status_request("LLTP-82-2026-000123", &ctx)
        .unwrap();
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.path, "/lltp/api/v1/hoso/LLTP-82-2026-000123");
    assert_eq!(request.headers["x-ma-don-vi"], "H82");
    assert_eq!(request.headers["x-ma-yeu-cau"], "test-request-1");
    assert!(request.body.is_empty() && request.headers.get("content-type").is_none());
    let odd = JudicialRecords.status_request("a/b c?đ", &ctx).unwrap();
    assert_eq!(odd.path, "/lltp/api/v1/hoso/a%2Fb%20c%3F%C4%91");
    assert!(JudicialRecords.status_request("", &ctx).is_err());
}

#[test]
fn submission_answers_are_read() {
    let accepted = Submission::Accepted {
        reference: "LLTP-82-2026-000123".into(),
    };
    assert_eq!(
        JudicialRecords.submit_outcome(&answer(200, "submit_accepted.json")),
        accepted
    );
    assert_eq!(
        JudicialRecords.submit_outcome(&answer(200, "submit_repeat.json")),
        accepted
    );
    match JudicialRecords.submit_outcome(&answer(200, "submit_invalid.json")) {
        Submission::Refused { detail } => {
            assert_eq!(
                detail,
                "Trường birthDateStr không đúng định dạng dd/MM/yyyy"
            );
        }
        other => panic!("{other:?}"),
    }
    let cases = [
        (
            answer(200, "submit_interrupted.json").with_retry_after(30),
            FailureKind::Unavailable {
                retry_after: Some(Duration::from_secs(30)),
            },
        ),
        (
            answer(200, "submit_interrupted.json"),
            FailureKind::Unavailable { retry_after: None },
        ),
        (
            answer(429, "submit_throttled.json").with_retry_after(5),
            FailureKind::Throttled {
                retry_after: Some(Duration::from_secs(5)),
            },
        ),
        (answer(400, "submit_malformed.json"), FailureKind::Rejected),
        (answer(500, "submit_error.json"), FailureKind::Fault),
        (
            testkit::wire_response(502, "text/html", "<html>Bad Gateway</html>"),
            FailureKind::Fault,
        ),
        (
            testkit::wire_response(200, "text/html", "<html>portal</html>"),
            FailureKind::Malformed,
        ),
        (
            testkit::wire_response(200, "application/json", r#"{"statusCode":"00"}"#),
            FailureKind::Malformed,
        ),
        (
            testkit::wire_response(200, "application/json", r#"{"statusCode":"42"}"#),
            FailureKind::Malformed,
        ),
        (
            testkit::wire_response(401, "application/json", r#"{"statusCode":"99"}"#),
            FailureKind::Unauthorized,
        ),
    ];
    for (response, kind) in cases {
        match JudicialRecords.submit_outcome(&response) {
            Submission::Failed(f) if failure(kind)(&f) => {}
            other => panic!("{}: {other:?}, expected {kind:?}", response.status),
        }
    }
    match JudicialRecords.submit_outcome(&answer(500, "submit_error.json")) {
        Submission::Failed(f) => assert!(f.detail.contains("Lỗi hệ thống"), "{}", f.detail),
        other => panic!("{other:?}"),
    }
}

fn state(response: &WireResponse) -> (&'static str, bool, Value) {
    match JudicialRecords.status_outcome(response) {
        Progress::State(s) => (s.status, s.is_final, Value::Object(s.details)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn early_states_carry_the_expected_date() {
    let (status, is_final, details) = state(&answer(200, "status_received.json"));
    assert_eq!((status, is_final), ("received", false));
    assert_eq!(
        details,
        json!({ "expected_on": "2026-01-16", "rejection_reason": null, "certificate": null })
    );
    let (status, is_final, details) = state(&answer(200, "status_verifying.json"));
    assert_eq!((status, is_final), ("verifying", false));
    assert_eq!(details["expected_on"], "2026-01-16");
}

#[test]
fn an_issued_certificate_is_read_with_its_pdf() {
    let (status, is_final, details) = state(&answer(200, "status_issued.json"));
    assert_eq!((status, is_final), ("issued", true));
    let certificate = &details["certificate"];
    assert_eq!(certificate["number"], "1/2026/LLTP-TG");
    assert_eq!(certificate["issued_on"], "2026-11-23");
    assert_eq!(certificate["type"], 1);
    assert_eq!(
        certificate["signer"],
        "Nguyễn Thanh Hải - Phó Giám đốc Sở Tư pháp"
    );
    assert_eq!(certificate["conviction_status"], "none");
    let pdf = STANDARD
        .decode(certificate["pdf_base64"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    assert_eq!(details["expected_on"], "2026-12-07");
}

#[test]
fn certificate_variants_and_defects() {
    let issued = fixture_json("status_issued.json");
    let variant = |pointer: &str, value: Value| {
        let mut body = issued.clone();
        *body.pointer_mut(pointer).unwrap() = value;
        let response = testkit::wire_response(200, "application/json", body.to_string());
        JudicialRecords.status_outcome(&response)
    };
    let convicted = variant(
        "/data/ketQuaXuLy/tinhTrangAnTich",
        json!("Co\u{301} án tích"),
    );
    match convicted {
        Progress::State(s) => {
            assert_eq!(s.details["certificate"]["conviction_status"], "convicted")
        }
        other => panic!("{other:?}"),
    }
    let pdf = issued["data"]["ketQuaXuLy"]["phieuLLTP"].as_str().unwrap();
    let wrapped: String = pdf
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect();
    assert!(matches!(
        variant("/data/ketQuaXuLy/phieuLLTP", json!(wrapped)),
        Progress::State(_)
    ));
    for (pointer, value) in [
        (
            "/data/ketQuaXuLy/phieuLLTP",
            json!(STANDARD.encode(b"<html>")),
        ),
        ("/data/ketQuaXuLy/phieuLLTP", json!("not base64!")),
        ("/data/ketQuaXuLy/tinhTrangAnTich", json!("Không rõ")),
        ("/data/ketQuaXuLy/loaiPhieu", json!(3)),
        ("/data/ketQuaXuLy/ngayCapPhieu", json!("2026-11-23")),
        ("/data/ketQuaXuLy/soPhieuLLTP", json!("")),
        ("/data/ketQuaXuLy", Value::Null),
        ("/data/trangThaiXuLy", json!(11)),
        ("/data/trangThaiXuLy", json!(0)),
        ("/data/ngayHenTraKetQua", json!("31/02/2026")),
    ] {
        match variant(pointer, value.clone()) {
            Progress::Failed(f) if f.kind == FailureKind::Malformed => {
                assert!(!f.detail.contains("Không rõ"), "{}", f.detail);
            }
            other => panic!("{pointer} = {value}: {other:?}"),
        }
    }
}

#[test]
fn final_states_are_rejected_and_withdrawn() {
    let (status, is_final, details) = state(&answer(200, "status_rejected.json"));
    assert_eq!((status, is_final), ("rejected", true));
    assert_eq!(
        details["rejection_reason"],
        "Thông tin nhân thân không khớp với Cơ sở dữ liệu quốc gia về dân cư"
    );
    assert_eq!(details["certificate"], Value::Null);
    let withdrawn =
        json!({ "statusCode": "00", "data": { "trangThaiXuLy": 10, "ngayHenTraKetQua": "" } });
    let response = testkit::wire_response(200, "application/json", withdrawn.to_string());
    let (status, is_final, details) = state(&response);
    assert_eq!((status, is_final), ("withdrawn", true));
    assert_eq!(details["expected_on"], Value::Null);
}

#[test]
fn every_partner_state_has_a_canonical_name() {
    let expected = [
        "received",
        "verifying",
        "awaiting_supplement",
        "supplemented",
        "processing",
        "awaiting_signature",
        "signed",
    ];
    for (code, name) in (1..).zip(expected) {
        let body = json!({ "statusCode": "00", "data": { "trangThaiXuLy": code } });
        let response = testkit::wire_response(200, "application/json", body.to_string());
        assert_eq!(state(&response).0, name);
        assert!(!state(&response).1);
    }
}

#[test]
fn unknown_references_and_failures_of_status_requests() {
    assert_eq!(
        JudicialRecords.status_outcome(&answer(404, "status_not_found.json")),
        Progress::Unknown
    );
    assert_eq!(
        JudicialRecords.status_outcome(&answer(200, "status_not_found.json")),
        Progress::Unknown
    );
    let cases = [
        (
            testkit::wire_response(404, "text/html", "<html>Not Found</html>"),
            FailureKind::Rejected,
        ),
        (
            answer(200, "submit_interrupted.json").with_retry_after(2),
            FailureKind::Unavailable {
                retry_after: Some(Duration::from_secs(2)),
            },
        ),
        (
            answer(429, "submit_throttled.json"),
            FailureKind::Throttled { retry_after: None },
        ),
        (answer(500, "submit_error.json"), FailureKind::Fault),
        (answer(400, "submit_malformed.json"), FailureKind::Rejected),
        (
            testkit::wire_response(200, "application/json", r#"{"statusCode":"99"}"#),
            FailureKind::Fault,
        ),
        (
            testkit::wire_response(200, "application/json", "{\"statusCode\":\"00\",\"data\":"),
            FailureKind::Malformed,
        ),
    ];
    for (response, kind) in cases {
        match JudicialRecords.status_outcome(&response) {
            Progress::Failed(f) if failure(kind)(&f) => {}
            other => panic!("{}: {other:?}, expected {kind:?}", response.status),
        }
    }
}

#[test]
fn ambiguous_answers_are_unreadable() {
    let accepted = String::from_utf8(fixture("submit_accepted.json")).unwrap();
    for extra in [
        r#""statusCode":"01","#,
        r#""ghiChu":1e999,"#,
        r#""ghiChu":"a","ghiChu":"b","#,
    ] {
        let body = accepted.replacen('{', &format!("{{{extra}"), 1);
        let response = testkit::wire_response(200, "application/json; charset=utf-8", body);
        assert!(
            matches!(
                JudicialRecords.submit_outcome(&response),
                Submission::Failed(ref f) if f.kind == FailureKind::Malformed
            ),
            "{extra}"
        );
    }
}
