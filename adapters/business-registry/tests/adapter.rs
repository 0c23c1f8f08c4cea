//! Operations, input validation and request encoding of the business-registry adapter.

use std::time::{Duration, SystemTime};

use http::Method;
use lienthong_adapter_business_registry::{BusinessRegistry, validate_enterprise_code};
use lienthong_adapter_kit::adapter::{Adapter, CallContext, Input, InvalidInput, WireRequest};
use lienthong_adapter_kit::soap::{Envelope, SoapVersion};
use lienthong_adapter_kit::testkit::{self, TestRequest};
use lienthong_adapter_kit::xml::{Element, Limits};
use serde_json::json;

const NS: &str = "urn:vn:gov:dkkd:v1";

fn validate(code: &str) -> Result<Input, InvalidInput> {
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    TestRequest::param("enterprise_code", code).validate(&BusinessRegistry, op)
}

/// The single error detail for `code`, checked to concern `enterprise_code` and never to
/// repeat the code.
fn refusal(code: &str) -> String {
    let invalid = validate(code).expect_err(code);
    assert_eq!(invalid.errors.len(), 1);
    let error = &invalid.errors[0];
    assert_eq!(error.field, "enterprise_code");
    if !code.trim().is_empty() {
        assert!(!error.detail.contains(code.trim()), "{}", error.detail);
    }
    error.detail.clone()
}

fn encode(code: &str, ctx: &CallContext<'_>) -> WireRequest {
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    BusinessRegistry
        .encode(op, &validate(code).expect("a valid code"), ctx)
        .expect("the adapter encodes any valid input")
}

fn names(element: &Element) -> Vec<&str> {
    element.children().iter().map(Element::name).collect()
}

#[test]
fn operations_are_declared_as_data() {
    testkit::check_operations(&BusinessRegistry);
    assert_eq!(BusinessRegistry.partner(), "business-registry");
    assert_eq!(
        BusinessRegistry.title(),
        "Business registry (Đăng ký doanh nghiệp)"
    );
    let ops = BusinessRegistry.operations();
    assert_eq!(ops.len(), 1);
    let op = &ops[0];
    assert_eq!(op.id, "getEnterprise");
    assert_eq!(op.method, Method::GET);
    assert_eq!(op.path, "/v1/enterprises/{enterprise_code}");
    assert!(op.idempotent);
    assert_eq!(op.timeout, Duration::from_secs(10));
    assert_eq!(op.cache.map(|c| c.ttl), Some(Duration::from_secs(3600)));
    assert_eq!(op.identifiers, &["enterprise_code"]);
}

#[test]
fn valid_codes_are_kept() {
    for (given, kept) in [
        ("1200123459", "1200123459"),
        ("1200123459-001", "1200123459-001"),
        ("9876543202", "9876543202"),
        ("1200000016", "1200000016"),
        ("1200555554", "1200555554"),
    ] {
        let input = validate(given).unwrap_or_else(|e| panic!("{given}: {e:?}"));
        assert_eq!(input.value(), &json!({ "enterprise_code": kept }));
        assert_eq!(validate_enterprise_code(given).as_deref(), Ok(kept));
    }
}

#[test]
fn a_wrong_check_digit_is_refused_with_the_expected_digit() {
    let detail = refusal("0100109107");
    assert!(detail.starts_with("check digit is wrong"), "{detail}");
    assert!(detail.contains("should be 6"), "{detail}");
    // A branch suffix does not hide a wrong check digit.
    assert!(refusal("1200123458-001").contains("should be 9"));
}

#[test]
fn a_code_whose_check_digit_would_be_ten_is_never_valid() {
    // Weighted sum 0 → 10 − 0 = 10, which is never issued.
    for last in 0..=9 {
        let detail = refusal(&format!("000000000{last}"));
        assert!(detail.contains("no code is ever issued"), "{detail}");
    }
}

#[test]
fn badly_shaped_codes_say_what_the_format_is() {
    for bad in [
        "12001234",
        "12001234590",
        "1200123459-01",
        "1200123459-0001",
        "12001234x9",
        "1200123459 001",
        "１２００１２３４５９",
    ] {
        let detail = refusal(bad);
        assert_eq!(
            detail,
            "must be 10 digits, optionally followed by -NNN for a branch (e.g. 0312345678 or 0312345678-001)",
            "{bad}"
        );
    }
    assert!(refusal("   ").starts_with("is empty"));
}

#[test]
fn a_missing_parameter_is_required() {
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    let invalid = TestRequest::default()
        .validate(&BusinessRegistry, op)
        .unwrap_err();
    assert_eq!(invalid, InvalidInput::one("enterprise_code", "is required"));
}

#[test]
fn encoding_follows_the_published_request() {
    let ctx = testkit::context(None);
    let request = encode("1200123459", &ctx);
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/dkkd/EnterpriseService");
    assert_eq!(request.headers["content-type"], "text/xml; charset=utf-8");
    assert_eq!(
        request.headers["soapaction"].as_bytes(),
        b"\"urn:dkkd:GetEnterpriseInfo\""
    );

    let envelope = Envelope::parse(&request.body, Limits::default()).unwrap();
    assert_eq!(envelope.version, SoapVersion::V11);
    let header = envelope.header.as_ref().unwrap();
    assert_eq!(header.children().len(), 1);
    let info = header.child(NS, "ThongTinYeuCau").unwrap();
    assert_eq!(names(info), ["MaDonVi", "MaYeuCau", "MaHoSo"]);
    assert!(info.children().iter().all(|c| c.ns() == Some(NS)));
    assert_eq!(info.child_text(NS, "MaDonVi"), Some("H82"));
    assert_eq!(info.child_text(NS, "MaYeuCau"), Some("test-request-1"));
    assert_eq!(
        info.child_text(NS, "MaHoSo"),
        Some("000.00.82.H58-260101-0001")
    );

    let payload = envelope.payload().unwrap();
    assert!(payload.is(NS, "GetEnterpriseInfo"));
    assert_eq!(names(payload), ["MaSoDoanhNghiep"]);
    assert_eq!(
        payload.child_text(NS, "MaSoDoanhNghiep"),
        Some("1200123459")
    );
}

#[test]
fn the_dossier_code_is_omitted_when_there_is_none() {
    let ctx = CallContext {
        dossier_code: None,
        ..testkit::context(None)
    };
    let request = encode("1200123459-001", &ctx);
    let text = std::str::from_utf8(&request.body).unwrap();
    assert!(!text.contains("MaHoSo"), "{text}");
    let envelope = Envelope::parse(&request.body, Limits::default()).unwrap();
    let info = envelope.header.as_ref().unwrap();
    assert_eq!(
        names(info.child(NS, "ThongTinYeuCau").unwrap()),
        ["MaDonVi", "MaYeuCau"]
    );
    assert_eq!(
        envelope
            .payload()
            .unwrap()
            .child_text(NS, "MaSoDoanhNghiep"),
        Some("1200123459-001")
    );
}

#[test]
fn header_values_are_escaped() {
    let ctx = CallContext {
        consumer_code: "H82<&>",
        province_code: "82",
        request_id: "a\"b'c",
        dossier_code: Some("</dk:MaHoSo><x>"),
        credentials: None,
        now: SystemTime::now(),
        nonce: [0; 16],
    };
    let request = encode("1200123459", &ctx);
    let text = std::str::from_utf8(&request.body).unwrap();
    assert!(
        text.contains("<dk:MaDonVi>H82&lt;&amp;&gt;</dk:MaDonVi>"),
        "{text}"
    );
    assert!(!text.contains("<x>"), "{text}");
    let envelope = Envelope::parse(&request.body, Limits::default()).unwrap();
    let header = envelope.header.unwrap();
    let info = header.child(NS, "ThongTinYeuCau").unwrap();
    assert_eq!(info.child_text(NS, "MaDonVi"), Some("H82<&>"));
    assert_eq!(info.child_text(NS, "MaYeuCau"), Some("a\"b'c"));
    assert_eq!(info.child_text(NS, "MaHoSo"), Some("</dk:MaHoSo><x>"));
}

#[test]
fn codes_with_surrounding_white_space_are_refused_as_the_schema_says() {
    for padded in [" 1200123459", "1200123459\t", " 1200123459-001 "] {
        let detail = validate(padded).unwrap_err().errors[0].detail.clone();
        assert!(detail.contains("must be 10 digits"), "{padded:?}: {detail}");
    }
}

#[test]
fn the_cache_key_is_the_code() {
    let op = testkit::operation(&BusinessRegistry, "getEnterprise");
    let a = BusinessRegistry.cache_key(op, &validate("1200123459").unwrap());
    let b = BusinessRegistry.cache_key(op, &validate("1200123459").unwrap());
    assert_eq!(a, b);
    assert_ne!(
        a,
        BusinessRegistry.cache_key(op, &validate("1200123459-001").unwrap())
    );
}
