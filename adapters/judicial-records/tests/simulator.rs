//! Round trips through the simulated partner with the adapter's `Applications` hooks (no
//! network), and the simulator's own checks of what it receives.

use std::thread::sleep;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use lienthong_adapter_judicial_records::{JudicialRecords, JudicialRecordsSimulator};
use lienthong_adapter_kit::adapter::{
    ApplicationState, Applications, CallContext, FailureKind, Input, Progress, Submission,
    WireRequest, WireResponse,
};
use lienthong_adapter_kit::sim::{PartnerFault, SimSettings, Simulator};
use lienthong_adapter_kit::testkit::{self, TestRequest};
use serde_json::{Value, json};

fn simulator(step: Duration) -> JudicialRecordsSimulator {
    JudicialRecordsSimulator::new(&SimSettings { step })
}

/// The fixture application with another citizen id and dossier code.
fn application(citizen_id: &str, dossier: &str) -> Input {
    let mut body: Value = serde_json::from_str(include_str!("../fixtures/application.json"))
        .expect("test data is well-formed");
    body["citizen_id"] = json!(citizen_id);
    body["dossier_code"] = json!(dossier);
    let op = testkit::operation(&JudicialRecords, "submitCriminalRecordApplication");
    TestRequest::default()
        .with_body(body.to_string())
        .validate(&JudicialRecords, op)
        .expect("the application is valid")
}

fn submit_with(sim: &JudicialRecordsSimulator, input: &Input, ctx: &CallContext<'_>) -> Submission {
    let request = JudicialRecords
        .submit_request(input, ctx)
        .expect("test data is well-formed");
    JudicialRecords.submit_outcome(&sim.handle(&request))
}

fn submit(sim: &JudicialRecordsSimulator, input: &Input) -> String {
    match submit_with(sim, input, &testkit::context(None)) {
        Submission::Accepted { reference } => reference,
        other => panic!("{other:?}"),
    }
}

fn status(sim: &JudicialRecordsSimulator, reference: &str) -> Progress {
    let request = JudicialRecords
        .status_request(reference, &testkit::context(None))
        .expect("test data is well-formed");
    JudicialRecords.status_outcome(&sim.handle(&request))
}

fn state(sim: &JudicialRecordsSimulator, reference: &str) -> ApplicationState {
    match status(sim, reference) {
        Progress::State(state) => state,
        other => panic!("{other:?}"),
    }
}

/// Polls until the state is final; returns the distinct statuses seen, in order.
fn follow(
    sim: &JudicialRecordsSimulator,
    reference: &str,
) -> (Vec<&'static str>, ApplicationState) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen: Vec<&'static str> = Vec::new();
    loop {
        let current = state(sim, reference);
        if seen.last() != Some(&current.status) {
            seen.push(current.status);
        }
        if current.is_final {
            return (seen, current);
        }
        assert!(Instant::now() < deadline, "still {seen:?}");
        sleep(Duration::from_millis(2));
    }
}

/// Asserts `seen` follows `path` in order (states may be skipped by a slow poll).
fn assert_follows(seen: &[&str], path: &[&str]) {
    let mut rest = path.iter();
    for status in seen {
        assert!(
            rest.any(|p| p == status),
            "{seen:?} does not follow {path:?}"
        );
    }
}

fn ict_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::TimeDelta::hours(7)).date_naive()
}

fn stats(sim: &JudicialRecordsSimulator) -> (u64, u64, u64) {
    let stats = sim.stats();
    let count = |name: &str| stats[name].as_u64().expect("test data is well-formed");
    (count("applications"), count("repeats"), count("conflicts"))
}

#[test]
fn an_application_is_accepted_once_and_repeats_get_the_same_reference() {
    let sim = simulator(Duration::from_secs(3600));
    let input = application("082090001234", "HS-0001");
    let reference = submit(&sim, &input);
    let year = ict_today().format("%Y").to_string();
    assert_eq!(reference, format!("LLTP-82-{year}-000001"));
    let retry = CallContext {
        request_id: "test-request-2",
        ..testkit::context(None)
    };
    let again = submit_with(&sim, &input, &retry);
    assert_eq!(
        again,
        Submission::Accepted {
            reference: reference.clone()
        }
    );
    assert_eq!(stats(&sim), (1, 1, 0));
    let next = submit(&sim, &application("082090001235", "HS-0002"));
    assert_eq!(next, format!("LLTP-82-{year}-000002"));
    assert_eq!(stats(&sim), (2, 1, 0));
}

#[test]
fn the_same_dossier_with_other_content_is_refused() {
    let sim = simulator(Duration::from_secs(3600));
    submit(&sim, &application("082090001234", "HS-0001"));
    match submit_with(
        &sim,
        &application("082090009876", "HS-0001"),
        &testkit::context(None),
    ) {
        Submission::Refused { detail } => assert_eq!(detail, "Hồ sơ đã tồn tại với nội dung khác"),
        other => panic!("{other:?}"),
    }
    assert_eq!(stats(&sim), (1, 0, 1));
}

#[test]
fn idempotency_is_per_consumer() {
    let sim = simulator(Duration::from_secs(3600));
    let input = application("082090001234", "HS-0001");
    let first = submit(&sim, &input);
    let other = CallContext {
        consumer_code: "H79",
        ..testkit::context(None)
    };
    let Submission::Accepted { reference } = submit_with(&sim, &input, &other) else {
        panic!("another consumer's dossier is a new application");
    };
    assert_ne!(reference, first);
    assert_eq!(stats(&sim).0, 2);
    let request = JudicialRecords.status_request(&first, &other).unwrap();
    assert_eq!(
        JudicialRecords.status_outcome(&sim.handle(&request)),
        Progress::Unknown
    );
}

#[test]
fn a_new_application_is_received_with_a_date_ten_working_days_ahead() {
    let sim = simulator(Duration::from_secs(3600));
    let reference = submit(&sim, &application("082090001234", "HS-0001"));
    let current = state(&sim, &reference);
    assert_eq!((current.status, current.is_final), ("received", false));
    let expected = current.details["expected_on"].as_str().unwrap();
    let expected = chrono::NaiveDate::parse_from_str(expected, "%Y-%m-%d").unwrap();
    let days = (expected - ict_today()).num_days();
    assert!((12..=16).contains(&days), "{days} calendar days");
    assert_eq!(current.details["certificate"], Value::Null);
}

#[test]
fn an_application_progresses_to_an_issued_certificate() {
    let sim = simulator(Duration::from_millis(20));
    let reference = submit(&sim, &application("082090001234", "HS-0001"));
    let (seen, last) = follow(&sim, &reference);
    assert_follows(
        &seen,
        &[
            "received",
            "verifying",
            "processing",
            "awaiting_signature",
            "signed",
            "issued",
        ],
    );
    assert_eq!(last.status, "issued");
    let certificate = &last.details["certificate"];
    assert_eq!(certificate["type"], 1);
    assert_eq!(certificate["conviction_status"], "none");
    assert!(
        certificate["number"]
            .as_str()
            .unwrap()
            .ends_with("/LLTP-TG")
    );
    let pdf = STANDARD
        .decode(certificate["pdf_base64"].as_str().unwrap())
        .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("Ho va ten: Nguyen Van An"), "{text}");
    assert!(text.contains(certificate["number"].as_str().unwrap()));
    assert!(text.trim_end().ends_with("%%EOF"));
}

#[test]
fn citizen_ids_ending_999_are_rejected_with_a_reason() {
    let sim = simulator(Duration::from_millis(20));
    let reference = submit(&sim, &application("082090000999", "HS-0999"));
    let (seen, last) = follow(&sim, &reference);
    assert_follows(&seen, &["received", "verifying", "rejected"]);
    assert_eq!(last.status, "rejected");
    let reason = last.details["rejection_reason"].as_str().unwrap();
    assert!(reason.contains("Cơ sở dữ liệu quốc gia về dân cư"));
    assert_eq!(last.details["certificate"], Value::Null);
}

#[test]
fn citizen_ids_ending_333_pass_through_a_supplement() {
    let sim = simulator(Duration::from_millis(100));
    let reference = submit(&sim, &application("082090000333", "HS-0333"));
    let (seen, last) = follow(&sim, &reference);
    assert_follows(
        &seen,
        &[
            "received",
            "verifying",
            "awaiting_supplement",
            "supplemented",
            "processing",
            "awaiting_signature",
            "signed",
            "issued",
        ],
    );
    assert!(seen.contains(&"awaiting_supplement"), "{seen:?}");
    assert_eq!(last.status, "issued");
}

#[test]
fn citizen_ids_ending_777_have_a_conviction_on_record() {
    let sim = simulator(Duration::ZERO);
    let reference = submit(&sim, &application("082090000777", "HS-0777"));
    let last = state(&sim, &reference);
    assert_eq!(last.status, "issued");
    assert_eq!(
        last.details["certificate"]["conviction_status"],
        "convicted"
    );
}

fn wire_submission() -> WireRequest {
    JudicialRecords
        .submit_request(
            &application("082090001234", "HS-0001"),
            &testkit::context(None),
        )
        .expect("test data is well-formed")
}

/// A change to a wire submission body.
type BodyChange = Box<dyn FnOnce(&mut Value)>;

/// The simulator's answer to the submission once `change` altered its body.
fn with_body_change(change: impl FnOnce(&mut Value)) -> WireResponse {
    let mut request = wire_submission();
    let mut body: Value = serde_json::from_slice(&request.body).expect("test data is well-formed");
    change(&mut body);
    request.body = Bytes::from(body.to_string());
    simulator(Duration::from_secs(3600)).handle(&request)
}

#[test]
fn content_errors_are_answered_01_naming_the_field() {
    let cases: Vec<(&str, BodyChange)> = vec![
        (
            "identifyNo",
            Box::new(|b| b["identifyNo"] = json!("08209000123")),
        ),
        ("fullName", Box::new(|b| b["fullName"] = json!(" "))),
        (
            "dadName",
            Box::new(|b| {
                b.as_object_mut().unwrap().remove("dadName");
            }),
        ),
        (
            "birthDateStr",
            Box::new(|b| b["birthDateStr"] = json!("1990-05-12")),
        ),
        (
            "idIssueDate",
            Box::new(|b| b["idIssueDate"] = json!("01/01/1980")),
        ),
        ("requestQty", Box::new(|b| b["requestQty"] = json!(11))),
        ("genderId", Box::new(|b| b["genderId"] = json!("1"))),
        ("declareTypeId", Box::new(|b| b["declareTypeId"] = json!(3))),
        (
            "nationalityId",
            Box::new(|b| b["nationalityId"] = json!("XX")),
        ),
        ("maTinh", Box::new(|b| b["maTinh"] = json!("Tiền Giang"))),
        (
            "residenceForm",
            Box::new(|b| b["residenceForm"] = json!([])),
        ),
        (
            "residenceForm[1].toDateStr",
            Box::new(|b| b["residenceForm"][1]["toDateStr"] = json!("01/01/2000")),
        ),
        (
            "residenceForm[0].residencePlace",
            Box::new(|b| b["residenceForm"][0]["residencePlace"] = json!("")),
        ),
        ("partnerName", Box::new(|b| b["partnerName"] = json!(5))),
    ];
    for (field, change) in cases {
        let response = with_body_change(change);
        assert_eq!(response.status, StatusCode::OK, "{field}");
        let body: Value = serde_json::from_slice(&response.body).unwrap();
        assert_eq!(body["statusCode"], "01", "{field}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(field), "{field}: {message}");
        match JudicialRecords.submit_outcome(&response) {
            Submission::Refused { detail } => assert_eq!(detail, message),
            other => panic!("{field}: {other:?}"),
        }
    }
    let without_spouse = with_body_change(|b| {
        b.as_object_mut().unwrap().remove("partnerName");
    });
    assert!(matches!(
        JudicialRecords.submit_outcome(&without_spouse),
        Submission::Accepted { .. }
    ));
}

fn assert_malformed(response: &WireResponse, mentions: &str) {
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_slice(&response.body).expect("test data is well-formed");
    assert_eq!(body["statusCode"], "99");
    assert!(
        body["message"]
            .as_str()
            .expect("test data is well-formed")
            .contains(mentions),
        "{body}"
    );
}

#[test]
fn malformed_requests_are_answered_400_99() {
    let sim = simulator(Duration::from_secs(3600));
    let mut request = wire_submission();
    request.headers.remove("x-ma-don-vi");
    let response = sim.handle(&request);
    assert_malformed(&response, "X-Ma-Don-Vi");
    match JudicialRecords.submit_outcome(&response) {
        Submission::Failed(f) => assert_eq!(f.kind, FailureKind::Rejected),
        other => panic!("{other:?}"),
    }
    let mut request = wire_submission();
    request.body = Bytes::from_static(b"maHoSoMCDT=HS-0001");
    assert_malformed(&sim.handle(&request), "JSON");
    let mut request = wire_submission();
    request
        .headers
        .insert("content-type", HeaderValue::from_static("application/json"));
    assert_malformed(&sim.handle(&request), "charset=utf-8");
    let mut status = JudicialRecords
        .status_request("LLTP-82-2026-000001", &testkit::context(None))
        .unwrap();
    status.headers.remove("x-ma-don-vi");
    assert_malformed(&sim.handle(&status), "X-Ma-Don-Vi");
    assert_eq!(stats(&sim), (0, 0, 0));
}

#[test]
fn unknown_references_are_404_01() {
    let sim = simulator(Duration::from_secs(3600));
    let request = JudicialRecords
        .status_request("LLTP-82-2026-999999", &testkit::context(None))
        .unwrap();
    let response = sim.handle(&request);
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    assert_eq!(JudicialRecords.status_outcome(&response), Progress::Unknown);
}

#[test]
fn partner_faults_are_read_by_the_adapter() {
    let sim = simulator(Duration::from_secs(3600));
    let cases = [
        (PartnerFault::Fault, FailureKind::Fault),
        (
            PartnerFault::Busy {
                retry_after_secs: 7,
            },
            FailureKind::Throttled {
                retry_after: Some(Duration::from_secs(7)),
            },
        ),
        (
            PartnerFault::Unavailable,
            FailureKind::Unavailable { retry_after: None },
        ),
    ];
    for (fault, kind) in cases {
        let response = sim.fault(fault);
        match (
            JudicialRecords.submit_outcome(&response),
            JudicialRecords.status_outcome(&response),
        ) {
            (Submission::Failed(a), Progress::Failed(b)) => {
                assert_eq!((a.kind, b.kind), (kind, kind), "{fault:?}");
            }
            other => panic!("{fault:?}: {other:?}"),
        }
    }
    assert_eq!(
        sim.fault(PartnerFault::Fault).status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(sim.partner(), "judicial-records");
}

#[test]
fn any_request_gets_an_answer() {
    let sim = simulator(Duration::ZERO);
    let bodies: [&[u8]; 5] = [b"", b"\xff\xfe", b"[]", b"{\"maHoSoMCDT\":{}}", b"null"];
    let paths = [
        "/",
        "/lltp/api/v1/hoso",
        "/lltp/api/v1/hoso/",
        "/lltp/api/v1/hoso/%FF%FE",
        "/lltp/api/v1/hoso/a/b",
        "/lltp/api/v1/hosoX",
        "/lltp/api/v1/hoso?x=1",
    ];
    for path in paths {
        for method in [Method::GET, Method::POST, Method::DELETE] {
            for body in bodies {
                let mut request = wire_submission();
                request.method = method.clone();
                request.path = path.to_owned();
                request.body = Bytes::from_static(body);
                let response = sim.handle(&request);
                assert!(response.status.as_u16() >= 200, "{method} {path}");
            }
        }
    }
    assert_eq!(stats(&sim).0, 0);
}
