//! Decoding of recorded registry answers (`fixtures/`) into canonical outcomes.

use std::time::Duration;

use lienthong_adapter_business_registry::BusinessRegistry;
use lienthong_adapter_kit::adapter::{FailureKind, Outcome, PartnerFailure, WireResponse};
use lienthong_adapter_kit::testkit::{self, failure};
use lienthong_adapter_kit::text::nfc;
use serde_json::{Value, json};

const FOUND: &str = include_str!("../fixtures/found.xml");
const FOUND_JSON: &str = include_str!("../fixtures/found.json");

fn response(status: u16, body: impl Into<bytes::Bytes>) -> WireResponse {
    testkit::wire_response(status, "text/xml; charset=utf-8", body)
}

fn decode(response: &WireResponse) -> Outcome {
    testkit::decode(&BusinessRegistry, "getEnterprise", response)
}

fn decode_ok(body: impl Into<bytes::Bytes>) -> Outcome {
    decode(&response(200, body))
}

fn found_json() -> Value {
    serde_json::from_str(FOUND_JSON).expect("found.json is JSON")
}

/// Decodes `found.xml` with `from` replaced by `to` and expects a malformed answer whose
/// detail contains every `words`.
fn assert_malformed_after(from: &str, to: &str, words: &[&str]) {
    assert!(FOUND.contains(from), "{from}");
    let outcome = decode_ok(FOUND.replacen(from, to, 1));
    testkit::assert_failure(outcome, FailureKind::Malformed, words);
}

#[test]
fn the_found_answer_becomes_the_canonical_record() {
    assert_eq!(decode_ok(FOUND), Outcome::Found(found_json()));
}

#[test]
fn nfd_text_comes_out_nfc() {
    let nfd = include_str!("../fixtures/found_nfd.xml");
    assert_ne!(nfc(nfd), nfd, "the fixture must hold decomposed text");
    let Outcome::Found(record) = decode_ok(nfd) else {
        panic!("not found");
    };
    assert_eq!(record, found_json());
    assert_eq!(
        record["legal_representatives"][0]["full_name"],
        "Nguyễn Thị Ngọc Hân"
    );
    assert_eq!(
        record["name"]["vi"],
        "Công ty Cổ phần Chế biến Trái cây Mekong Tiền Giang"
    );
}

#[test]
fn order_unknown_elements_prefixes_and_default_namespaces_do_not_matter() {
    for (name, body) in [
        ("reordered", include_str!("../fixtures/found_reordered.xml")),
        ("extra", include_str!("../fixtures/found_extra.xml")),
        ("prefix", include_str!("../fixtures/found_prefix.xml")),
        (
            "default namespace",
            include_str!("../fixtures/found_default_ns.xml"),
        ),
    ] {
        assert_eq!(decode_ok(body), Outcome::Found(found_json()), "{name}");
    }
}

#[test]
fn absent_optional_values_are_null_and_absent_lists_empty() {
    let body = r#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
        <GetEnterpriseInfoResponse xmlns="urn:vn:gov:dkkd:v1">
          <KetQua><MaKetQua> 00 </MaKetQua></KetQua>
          <DoanhNghiep>
            <MaSoDoanhNghiep>9876543202</MaSoDoanhNghiep>
            <TenTiengViet>  Hợp tác xã   Nông nghiệp
               Mỹ Phong </TenTiengViet>
            <TenNuocNgoai/>
            <NgayDangKyThayDoi></NgayDangKyThayDoi>
            <SoLanDangKyThayDoi> </SoLanDangKyThayDoi>
            <TinhTrangPhapLy><MaTinhTrangPhapLy>6</MaTinhTrangPhapLy></TinhTrangPhapLy>
            <NganhNgheKinhDoanh/>
          </DoanhNghiep>
        </GetEnterpriseInfoResponse></s:Body></s:Envelope>"#;
    let expected = json!({
        "enterprise_code": "9876543202",
        "name": { "vi": "Hợp tác xã Nông nghiệp Mỹ Phong", "en": null, "short": null },
        "type": { "code": null, "label": null },
        "registered_on": null,
        "last_changed_on": null,
        "change_count": null,
        "status": {
            "code": "not_at_address", "label": null,
            "suspended_from": null, "suspended_until": null, "reason": null
        },
        "legal_representatives": [],
        "head_office": {
            "street": null, "commune_code": null, "commune": null,
            "province_code": null, "province": null
        },
        "business_lines": []
    });
    assert_eq!(decode_ok(body), Outcome::Found(expected));
}

#[test]
fn every_legal_status_code_has_its_enum() {
    for (code, name) in [
        ("1", "active"),
        ("2", "suspended"),
        ("3", "dissolving"),
        ("4", "dissolved"),
        ("5", "revoked"),
        ("6", "not_at_address"),
    ] {
        let body = FOUND.replace(
            "<dk:MaTinhTrangPhapLy>1</dk:MaTinhTrangPhapLy>",
            &format!("<dk:MaTinhTrangPhapLy>{code}</dk:MaTinhTrangPhapLy>"),
        );
        let Outcome::Found(record) = decode_ok(body) else {
            panic!("{code}");
        };
        assert_eq!(record["status"]["code"], name);
    }
}

#[test]
fn result_codes_map_to_outcomes() {
    assert_eq!(
        decode_ok(include_str!("../fixtures/not_found.xml")),
        Outcome::NotFound {
            detail: "Không tìm thấy doanh nghiệp".into()
        }
    );
    assert_eq!(
        decode_ok(include_str!("../fixtures/not_shareable.xml")),
        Outcome::NotShareable {
            detail: "Thông tin doanh nghiệp không thuộc phạm vi chia sẻ với đơn vị".into()
        }
    );
    let error = failure(decode_ok(include_str!("../fixtures/error.xml")));
    assert_eq!(
        error,
        PartnerFailure::new(FailureKind::Fault, "Lỗi truy vấn cơ sở dữ liệu")
    );
}

#[test]
fn code_03_is_unavailable_with_the_partners_retry_after() {
    let body = include_str!("../fixtures/interrupted.xml");
    let with = failure(decode(&response(200, body).with_retry_after(30)));
    assert_eq!(
        with.kind,
        FailureKind::Unavailable {
            retry_after: Some(Duration::from_secs(30))
        }
    );
    assert_eq!(
        with.detail,
        "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau"
    );
    let without = failure(decode_ok(body));
    assert_eq!(without.kind, FailureKind::Unavailable { retry_after: None });
}

#[test]
fn soap_faults_map_by_code() {
    let client = failure(decode(&response(
        500,
        include_str!("../fixtures/fault_client.xml"),
    )));
    assert_eq!(
        client,
        PartnerFailure::new(
            FailureKind::Rejected,
            "MaSoDoanhNghiep không đúng định dạng"
        )
    );
    let server = failure(decode(&response(
        500,
        include_str!("../fixtures/fault_server.xml"),
    )));
    assert_eq!(
        server,
        PartnerFailure::new(FailureKind::Fault, "Lỗi hệ thống, vui lòng thử lại sau")
    );
    let busy = include_str!("../fixtures/fault_busy.xml");
    let throttled = failure(decode(&response(500, busy).with_retry_after(7)));
    assert_eq!(
        throttled,
        PartnerFailure::new(
            FailureKind::Throttled {
                retry_after: Some(Duration::from_secs(7))
            },
            "Hệ thống đang quá tải, vui lòng thử lại sau"
        )
    );
    let no_header = failure(decode(&response(500, busy)));
    assert_eq!(no_header.kind, FailureKind::Throttled { retry_after: None });
}

#[test]
fn fault_codes_match_by_namespace_not_prefix() {
    let fixture = include_str!("../fixtures/fault_client.xml");
    // `Client` in another namespace is not the SOAP Client code.
    let foreign = fixture.replace(
        "<faultcode>soap:Client</faultcode>",
        r#"<faultcode xmlns:x="urn:example:other">x:Client</faultcode>"#,
    );
    assert_eq!(
        failure(decode(&response(500, foreign))).kind,
        FailureKind::Fault
    );
    // A refined client code is still a client fault.
    let refined = fixture.replace("soap:Client", "soap:Client.Validation");
    assert_eq!(
        failure(decode(&response(500, refined))).kind,
        FailureKind::Rejected
    );
    // An empty faultstring is reported with the fault code.
    let silent = fixture.replace("MaSoDoanhNghiep không đúng định dạng", "");
    let detail = failure(decode(&response(500, silent))).detail;
    assert_eq!(detail, "SOAP fault `Client` without a faultstring");
}

#[test]
fn a_doctype_is_refused() {
    let failure = failure(decode_ok(include_str!("../fixtures/doctype.xml")));
    assert_eq!(failure.kind, FailureKind::Malformed);
    assert!(
        failure
            .detail
            .contains("document type declarations are refused"),
        "{}",
        failure.detail
    );
}

/// The size of an answer is bounded once, by the partner's `max_response_bytes` in the
/// upstream client; the decoder reads whatever reached it.
#[test]
fn a_large_answer_is_read_whole() {
    let padding = format!("<!--{}-->", " ".repeat(2 * 1024 * 1024));
    let body = FOUND.replacen("<soap:Body>", &format!("{padding}<soap:Body>"), 1);
    assert!(matches!(decode_ok(body), Outcome::Found(_)));
}

#[test]
fn answers_that_are_not_soap_map_by_http_status() {
    let html = "<html><body>502 Bad Gateway</body></html>";
    let gateway = failure(decode(&testkit::wire_response(502, "text/html", html)));
    assert_eq!(gateway.kind, FailureKind::Fault);
    assert!(
        gateway.detail.starts_with("HTTP 502 Bad Gateway"),
        "{}",
        gateway.detail
    );

    let garbage = failure(decode_ok("OK"));
    assert_eq!(garbage.kind, FailureKind::Malformed);
    assert!(
        garbage
            .detail
            .starts_with("the answer is not a readable SOAP envelope")
    );

    let missing = failure(decode(&testkit::wire_response(
        404,
        "text/plain",
        "Not Found",
    )));
    assert_eq!(missing.kind, FailureKind::Rejected);
    assert!(
        missing.detail.starts_with("HTTP 404 Not Found"),
        "{}",
        missing.detail
    );

    let throttled = failure(decode(
        &testkit::wire_response(429, "text/plain", "slow down").with_retry_after(2),
    ));
    assert_eq!(
        throttled.kind,
        FailureKind::Throttled {
            retry_after: Some(Duration::from_secs(2))
        }
    );

    let half = failure(decode_ok(&FOUND.as_bytes()[..FOUND.len() / 2]));
    assert_eq!(half.kind, FailureKind::Malformed);
}

#[test]
fn bad_values_are_malformed_and_named() {
    assert_malformed_after(
        "<dk:MaTinhTrangPhapLy>1</dk:MaTinhTrangPhapLy>",
        "<dk:MaTinhTrangPhapLy>7</dk:MaTinhTrangPhapLy>",
        &["MaTinhTrangPhapLy", "`7`"],
    );
    assert_malformed_after(
        "<dk:MaTinhTrangPhapLy>1</dk:MaTinhTrangPhapLy>",
        "",
        &["TinhTrangPhapLy has no MaTinhTrangPhapLy"],
    );
    assert_malformed_after(
        "15/03/2012",
        "31/02/2012",
        &["NgayDangKyLanDau", "`31/02/2012`"],
    );
    assert_malformed_after("10/05/2021", "2021-05-10", &["NgayCap", "`2021-05-10`"]);
    assert_malformed_after(
        "<dk:SoLanDangKyThayDoi>7",
        "<dk:SoLanDangKyThayDoi>bảy",
        &["SoLanDangKyThayDoi", "`bảy`"],
    );
    assert_malformed_after(
        "<dk:LaNganhChinh>true",
        "<dk:LaNganhChinh>yes",
        &["LaNganhChinh", "`yes`"],
    );
    assert_malformed_after(
        "<dk:MaSoDoanhNghiep>1200123459</dk:MaSoDoanhNghiep>",
        "",
        &["DoanhNghiep has no MaSoDoanhNghiep"],
    );
    assert_malformed_after(
        "<dk:TenTiengViet>Công ty Cổ phần Chế biến Trái cây Mekong Tiền Giang</dk:TenTiengViet>",
        "<dk:TenTiengViet/>",
        &["DoanhNghiep has no TenTiengViet"],
    );
    assert_malformed_after(
        "<dk:MaNganh>4620</dk:MaNganh>",
        "<dk:MaNganh> </dk:MaNganh>",
        &["Nganh has no MaNganh"],
    );
    let long = "9".repeat(100);
    assert_malformed_after(
        "<dk:MaKetQua>00",
        &format!("<dk:MaKetQua>{long}"),
        &["MaKetQua", &format!("`{}…`", "9".repeat(40))],
    );
}

#[test]
fn a_found_code_without_a_record_or_a_missing_result_is_malformed() {
    let not_found = include_str!("../fixtures/not_found.xml");
    let no_record = not_found.replace("<dk:MaKetQua>01", "<dk:MaKetQua>00");
    let failure_00 = failure(decode_ok(no_record));
    assert_eq!(failure_00.kind, FailureKind::Malformed);
    assert!(
        failure_00.detail.contains("DoanhNghiep"),
        "{}",
        failure_00.detail
    );

    let unknown = failure(decode_ok(
        not_found.replace("<dk:MaKetQua>01", "<dk:MaKetQua>05"),
    ));
    assert_eq!(
        unknown,
        PartnerFailure::new(
            FailureKind::Malformed,
            "MaKetQua `05` is not a known result code"
        )
    );

    let no_code = failure(decode_ok(
        not_found.replace("<dk:MaKetQua>01</dk:MaKetQua>", ""),
    ));
    assert_eq!(no_code.detail, "KetQua has no MaKetQua");

    let no_result = failure(decode_ok(
        r#"<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>
             <GetEnterpriseInfoResponse xmlns="urn:vn:gov:dkkd:v1"/></Body></Envelope>"#,
    ));
    assert_eq!(no_result.detail, "GetEnterpriseInfoResponse has no KetQua");

    // The payload in the wrong namespace is not the registry's answer.
    let wrong_ns = FOUND.replace("urn:vn:gov:dkkd:v1", "urn:vn:gov:dkkd:v2");
    assert_eq!(
        failure(decode_ok(wrong_ns)).detail,
        "the SOAP Body holds no GetEnterpriseInfoResponse"
    );
}
