//! Round trips through the simulated registry, and the simulator's own checks of what it
//! receives.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use lienthong_adapter_business_registry::{
    BusinessRegistry, RegistrySimulator, validate_enterprise_code,
};
use lienthong_adapter_kit::adapter::{
    Adapter, CallContext, FailureKind, Input, Outcome, PartnerFailure, WireRequest, WireResponse,
};
use lienthong_adapter_kit::sim::{PartnerFault, Simulator};
use lienthong_adapter_kit::testkit::{self, TestRequest};
use serde_json::{Value, json};

fn simulator() -> &'static RegistrySimulator {
    static SIMULATOR: OnceLock<RegistrySimulator> = OnceLock::new();
    SIMULATOR.get_or_init(RegistrySimulator::new)
}

fn lookup(code: &str) -> Outcome {
    let request = TestRequest::param("enterprise_code", code);
    testkit::roundtrip(
        &BusinessRegistry,
        simulator(),
        "getEnterprise",
        &request,
        None,
    )
    .unwrap_or_else(|e| panic!("{code}: {e:?}"))
    .outcome
}

fn record(code: &str) -> Value {
    match lookup(code) {
        Outcome::Found(record) => record,
        other => panic!("{code}: {other:?}"),
    }
}

/// A correct wire request for `code`, as the adapter encodes it.
fn wire_request(code: &str, ctx: &CallContext<'_>) -> WireRequest {
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    let input = Input::new(&json!({ "enterprise_code": code })).expect("input is JSON");
    BusinessRegistry
        .encode(op, &input, ctx)
        .expect("the adapter encodes any input")
}

/// Asserts `response` is the registry's `Client` fault and returns its faultstring.
fn client_fault(response: &WireResponse) -> String {
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.headers["content-type"], "text/xml; charset=utf-8");
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    match BusinessRegistry.decode(op, response) {
        Outcome::Failed(PartnerFailure {
            kind: FailureKind::Rejected,
            detail,
        }) => detail.into_owned(),
        other => panic!("expected a Client fault, got {other:?}"),
    }
}

fn refusal_of(change: impl FnOnce(&mut WireRequest)) -> WireResponse {
    let mut request = wire_request("1200123459", &testkit::context(None));
    change(&mut request);
    simulator().handle(&request)
}

#[test]
fn the_found_fixture_is_what_the_simulator_answers() {
    let expected: Value = serde_json::from_str(include_str!("../fixtures/found.json")).unwrap();
    assert_eq!(record("1200123459"), expected);
}

#[test]
fn the_branch_is_a_record_of_its_own() {
    let branch = record("1200123459-001");
    assert_eq!(branch["enterprise_code"], "1200123459-001");
    assert_eq!(
        branch["type"],
        json!({ "code": "07", "label": "Chi nhánh" })
    );
    assert_eq!(branch["registered_on"], "2016-11-02");
    assert_eq!(branch["last_changed_on"], Value::Null);
    assert_eq!(branch["change_count"], 0);
    assert_eq!(branch["head_office"]["commune_code"], "28285");
    assert_eq!(
        branch["legal_representatives"][0]["title"],
        "Giám đốc chi nhánh"
    );
    assert!(
        branch["name"]["vi"]
            .as_str()
            .unwrap()
            .starts_with("Chi nhánh Công ty Cổ phần Chế biến Trái cây Mekong Tiền Giang")
    );
}

#[test]
fn the_suspended_company_carries_iso_suspension_dates() {
    let suspended = record("1200555554");
    assert_eq!(
        suspended["status"],
        json!({
            "code": "suspended",
            "label": "Tạm ngừng kinh doanh có thời hạn",
            "suspended_from": "2025-03-01",
            "suspended_until": "2026-02-28",
            "reason": "Khó khăn về tài chính"
        })
    );
    assert_eq!(suspended["name"]["short"], Value::Null);
    assert_eq!(suspended["legal_representatives"][0]["id_type"], "Căn cước");
    assert_eq!(
        suspended["legal_representatives"][0]["issued_on"],
        "2024-09-15"
    );
}

#[test]
fn the_other_fixture_codes_answer_02_and_01() {
    assert!(matches!(lookup("1200000016"), Outcome::NotShareable { .. }));
    assert_eq!(
        lookup("9876543202"),
        Outcome::NotFound {
            detail: "Không tìm thấy doanh nghiệp".into()
        }
    );
    let refused = testkit::roundtrip(
        &BusinessRegistry,
        simulator(),
        "getEnterprise",
        &TestRequest::param("enterprise_code", "0100109107"),
        None,
    );
    assert!(
        refused.is_err(),
        "an invalid code never reaches the partner"
    );
}

#[test]
fn every_record_of_the_dataset_decodes() {
    let codes: Vec<&str> = simulator().enterprise_codes().collect();
    assert!(codes.len() >= 1000, "{} records", codes.len());
    let mut statuses = HashSet::new();
    for code in codes {
        let record = record(code);
        assert_eq!(record["enterprise_code"], code);
        assert_eq!(record["head_office"]["province_code"], "82");
        assert_eq!(record["head_office"]["province"], "Tỉnh Tiền Giang");
        let lines = record["business_lines"].as_array().unwrap();
        assert_eq!(
            lines.iter().filter(|l| l["primary"] == true).count(),
            1,
            "{code}"
        );
        assert!(lines.iter().all(|l| l["code"].as_str().unwrap().len() == 4));
        assert!(
            !record["legal_representatives"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        statuses.insert(record["status"]["code"].as_str().unwrap().to_owned());
    }
    assert_eq!(statuses.len(), 6, "{statuses:?}");
}

#[test]
fn the_dataset_is_valid_and_deterministic() {
    let first: Vec<String> = simulator().enterprise_codes().map(str::to_owned).collect();
    let second = RegistrySimulator::new();
    assert!(
        first
            .iter()
            .map(String::as_str)
            .eq(second.enterprise_codes())
    );
    assert!(
        first
            .iter()
            .all(|c| validate_enterprise_code(c).as_deref() == Ok(c.as_str()))
    );
    assert_eq!(first.iter().collect::<HashSet<_>>().len(), first.len());
    let generated: Vec<&String> = first.iter().filter(|c| !c.starts_with("1200")).collect();
    assert!(generated.len() >= 1000, "{}", generated.len());
    let ctx = testkit::context(None);
    for code in first.iter().step_by(97) {
        let a = simulator().handle(&wire_request(code, &ctx));
        let b = second.handle(&wire_request(code, &ctx));
        assert_eq!(a.body, b.body, "{code}");
    }
}

#[test]
fn answers_carry_the_xml_content_type() {
    let response = simulator().handle(&wire_request("1200123459", &testkit::context(None)));
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.headers["content-type"], "text/xml; charset=utf-8");
}

#[test]
fn a_wrong_soap_action_is_a_client_fault() {
    for action in ["urn:dkkd:GetEnterpriseInfo", "\"urn:dkkd:Other\"", ""] {
        let response = refusal_of(|r| {
            r.headers
                .insert("soapaction", HeaderValue::from_str(action).unwrap());
        });
        assert!(client_fault(&response).contains("SOAPAction"), "{action}");
    }
    let response = refusal_of(|r| {
        r.headers.remove("soapaction");
    });
    assert!(client_fault(&response).contains("SOAPAction"));
}

#[test]
fn a_content_type_without_utf8_is_a_client_fault() {
    for content_type in [
        "text/xml",
        "text/xml; charset=iso-8859-1",
        "application/soap+xml; charset=utf-8",
    ] {
        let response = refusal_of(|r| {
            r.headers
                .insert("content-type", HeaderValue::from_str(content_type).unwrap());
        });
        assert!(
            client_fault(&response).contains("Content-Type"),
            "{content_type}"
        );
    }
    let accepted = refusal_of(|r| {
        r.headers.insert(
            "content-type",
            HeaderValue::from_static("Text/XML;Charset=\"UTF-8\""),
        );
    });
    assert_eq!(accepted.status, StatusCode::OK);
}

#[test]
fn a_doctype_or_broken_xml_is_a_client_fault() {
    let response = refusal_of(|r| {
        let text = String::from_utf8(r.body.to_vec()).unwrap();
        let with_doctype = text.replacen("?>", "?><!DOCTYPE x [<!ENTITY a \"b\">]>", 1);
        r.body = Bytes::from(with_doctype);
    });
    assert!(client_fault(&response).contains("document type declarations are refused"));

    let broken = refusal_of(|r| r.body = r.body.slice(..r.body.len() - 10));
    assert!(client_fault(&broken).starts_with("Yêu cầu không hợp lệ"));
}

#[test]
fn missing_request_info_is_a_client_fault() {
    let no_consumer = CallContext {
        consumer_code: "",
        ..testkit::context(None)
    };
    let response = simulator().handle(&wire_request("1200123459", &no_consumer));
    assert_eq!(
        client_fault(&response),
        "Thiếu MaDonVi trong ThongTinYeuCau"
    );

    let no_request_id = CallContext {
        request_id: " ",
        ..testkit::context(None)
    };
    let response = simulator().handle(&wire_request("1200123459", &no_request_id));
    assert_eq!(
        client_fault(&response),
        "Thiếu MaYeuCau trong ThongTinYeuCau"
    );
}

#[test]
fn a_malformed_code_is_a_client_fault() {
    let ctx = testkit::context(None);
    for code in ["12345", "1200123459-1", "abcdefghij", ""] {
        let response = simulator().handle(&wire_request(code, &ctx));
        assert!(
            client_fault(&response).contains("MaSoDoanhNghiep"),
            "{code:?}"
        );
    }
    // A well-formed code with a wrong check digit is simply unknown.
    let response = simulator().handle(&wire_request("0100109107", &ctx));
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    assert!(matches!(
        BusinessRegistry.decode(op, &response),
        Outcome::NotFound { .. }
    ));
}

#[test]
fn wrong_paths_and_methods_are_http_errors() {
    let response = refusal_of(|r| r.path = "/dkkd/Other".into());
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    let with_query = refusal_of(|r| r.path = "/dkkd/EnterpriseService?wsdl".into());
    assert_eq!(with_query.status, StatusCode::OK);
    let response = refusal_of(|r| r.method = Method::GET);
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers["allow"], "POST");
}

#[test]
fn a_soap_12_envelope_is_a_version_mismatch() {
    let response = refusal_of(|r| {
        let text = String::from_utf8(r.body.to_vec()).unwrap().replace(
            "http://schemas.xmlsoap.org/soap/envelope/",
            "http://www.w3.org/2003/05/soap-envelope",
        );
        r.body = Bytes::from(text);
    });
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    let text = std::str::from_utf8(&response.body).unwrap();
    assert!(text.contains("env:VersionMismatch"), "{text}");
}

#[test]
fn partner_faults_decode_to_fault_and_throttled() {
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    let fault = simulator().fault(PartnerFault::Fault);
    assert_eq!(fault.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault.headers["content-type"], "text/xml; charset=utf-8");
    assert_eq!(
        BusinessRegistry.decode(op, &fault),
        Outcome::Failed(PartnerFailure::new(
            FailureKind::Fault,
            "Lỗi hệ thống, vui lòng thử lại sau"
        ))
    );

    let busy = simulator().fault(PartnerFault::Busy {
        retry_after_secs: 3,
    });
    assert_eq!(busy.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(busy.headers["retry-after"], "3");
    assert!(
        std::str::from_utf8(&busy.body)
            .unwrap()
            .contains("Server.Busy")
    );
    let Outcome::Failed(failure) = BusinessRegistry.decode(op, &busy) else {
        panic!("busy is a failure");
    };
    assert_eq!(
        failure.kind,
        FailureKind::Throttled {
            retry_after: Some(Duration::from_secs(3))
        }
    );
    assert_eq!(simulator().partner(), BusinessRegistry.partner());
}
