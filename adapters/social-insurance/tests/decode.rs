//! Decoding of recorded social-insurance answers (`fixtures/`) into canonical outcomes.

mod common;

use std::time::Duration;

use lienthong_adapter_kit::adapter::{FailureKind, Outcome, WireResponse};
use lienthong_adapter_kit::testkit;
use lienthong_adapter_kit::text::nfc;
use serde_json::json;

use common::{ANSWER_TYPE, decode, failed_with, fixture, found_json};

fn response(status: u16, body: impl Into<bytes::Bytes>) -> WireResponse {
    testkit::wire_response(status, ANSWER_TYPE, body)
}

fn decode_fixture(status: u16, name: &str) -> Outcome {
    decode(&response(status, fixture(name)))
}

/// Decodes `found.xml` with `from` replaced by `to`; expects a malformed answer whose
/// detail contains every `words`.
fn assert_malformed_after(from: &str, to: &str, words: &[&str]) {
    let found = fixture("found.xml");
    assert!(found.contains(from), "{from}");
    let outcome = decode(&response(200, found.replacen(from, to, 1)));
    testkit::assert_failure(outcome, FailureKind::Malformed, words);
}

#[test]
fn the_found_answer_becomes_the_canonical_record() {
    assert_eq!(
        decode_fixture(200, "found.xml"),
        Outcome::Found(found_json())
    );
}

#[test]
fn nfd_text_comes_out_nfc() {
    let nfd = fixture("found_nfd.xml");
    assert_ne!(nfc(&nfd), nfd, "the fixture must hold decomposed text");
    let Outcome::Found(record) = decode(&response(200, nfd)) else {
        panic!("not found");
    };
    assert_eq!(record, found_json());
    assert_eq!(record["full_name"], "Nguyễn Thị Bình");
}

#[test]
fn order_unknown_elements_prefixes_and_default_namespaces_do_not_matter() {
    for name in [
        "found_reordered.xml",
        "found_extra.xml",
        "found_prefix.xml",
        "found_default_ns.xml",
    ] {
        assert_eq!(
            decode_fixture(200, name),
            Outcome::Found(found_json()),
            "{name}"
        );
    }
}

#[test]
fn a_year_of_birth_absent_options_and_an_absent_history() {
    assert_eq!(
        decode_fixture(200, "found_year_only.xml"),
        Outcome::Found(json!({
            "insurance_code": "8200000011",
            "full_name": "Trần Văn Sáu",
            "date_of_birth": "1948",
            "gender": "male",
            "participation": "stopped",
            "health_insurance_card": null,
            "total_months": null,
            "contributions": []
        }))
    );
}

#[test]
fn result_codes_01_02_03_and_99() {
    assert_eq!(
        decode_fixture(200, "not_found.xml"),
        Outcome::NotFound {
            detail: "Không tìm thấy người tham gia khớp mã số BHXH, họ tên và ngày sinh".into()
        }
    );
    assert_eq!(
        decode_fixture(200, "not_shareable.xml"),
        Outcome::NotShareable {
            detail: "Thông tin người tham gia không thuộc phạm vi chia sẻ với đơn vị".into()
        }
    );
    let interrupted = response(200, fixture("interrupted.xml")).with_retry_after(120);
    let detail = failed_with(
        decode(&interrupted),
        FailureKind::Unavailable {
            retry_after: Some(Duration::from_secs(120)),
        },
    );
    assert_eq!(detail, "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau");
    failed_with(
        decode_fixture(200, "interrupted.xml"),
        FailureKind::Unavailable { retry_after: None },
    );
    assert_eq!(
        failed_with(decode_fixture(200, "error.xml"), FailureKind::Fault),
        "Lỗi xử lý yêu cầu"
    );
    let bare = fixture("not_found.xml").replace(
        "<bh:MoTa>Không tìm thấy người tham gia khớp mã số BHXH, họ tên và ngày sinh</bh:MoTa>",
        "",
    );
    assert_eq!(
        decode(&response(200, bare)),
        Outcome::NotFound {
            detail: "no participant matches this code, name and date of birth".into()
        }
    );
}

#[test]
fn a_refused_token_is_unauthorized_and_names_the_config() {
    let detail = failed_with(
        decode_fixture(400, "fault_auth.xml"),
        FailureKind::Unauthorized,
    );
    assert!(detail.starts_with("the partner refused the bus's WS-Security credentials"));
    assert!(
        detail.contains("Tên đăng nhập hoặc mật khẩu không đúng"),
        "{detail}"
    );
    assert!(
        detail.contains("partners.social-insurance.username"),
        "{detail}"
    );
    assert!(detail.contains("password_env"), "{detail}");
}

#[test]
fn faults_map_by_namespace_and_local_name() {
    let busy = response(500, fixture("fault_busy.xml")).with_retry_after(7);
    assert_eq!(
        failed_with(
            decode(&busy),
            FailureKind::Throttled {
                retry_after: Some(Duration::from_secs(7))
            }
        ),
        "Hệ thống đang quá tải, vui lòng thử lại sau"
    );
    assert_eq!(
        failed_with(
            decode_fixture(500, "fault_receiver.xml"),
            FailureKind::Fault
        ),
        "Lỗi hệ thống, vui lòng thử lại sau"
    );
    assert_eq!(
        failed_with(
            decode_fixture(400, "fault_sender.xml"),
            FailureKind::Rejected
        ),
        "MaSoBHXH không đúng định dạng: 10 chữ số"
    );
    // The right local names in the wrong namespaces mean nothing special.
    let foreign_subcode = fixture("fault_auth.xml").replace("urn:vn:gov:bhxh:v1", "urn:other");
    failed_with(
        decode(&response(400, foreign_subcode)),
        FailureKind::Rejected,
    );
    let foreign_code = fixture("fault_busy.xml").replace(
        "<e:Value>e:Receiver</e:Value>",
        "<e:Value xmlns:e2=\"urn:x\">e2:Receiver</e:Value>",
    );
    failed_with(decode(&response(500, foreign_code)), FailureKind::Fault);
    // A subcode under the other code is not the special case either.
    let auth_as_receiver = fixture("fault_auth.xml").replace("soap:Sender", "soap:Receiver");
    failed_with(decode(&response(500, auth_as_receiver)), FailureKind::Fault);
}

#[test]
fn doctype_answers_are_refused_whatever_the_status() {
    for status in [200, 500] {
        let detail = failed_with(
            decode_fixture(status, "doctype.xml"),
            FailureKind::Malformed,
        );
        assert!(detail.contains("document type declarations"), "{detail}");
    }
}

/// The size of an answer is bounded once, by the partner's `max_response_bytes` in the
/// upstream client; the decoder reads whatever reached it.
#[test]
fn a_large_answer_is_read_whole() {
    let found = fixture("found.xml");
    let padding = format!("<!--{}-->", "x".repeat(2 * 1024 * 1024));
    let large = found.replacen("<env:Body>", &format!("<env:Body>{padding}"), 1);
    assert!(matches!(decode(&response(200, large)), Outcome::Found(_)));
}

#[test]
fn answers_that_are_not_soap_follow_the_http_status() {
    let html = "<html><body>Service Unavailable</body></html>";
    let throttled = testkit::wire_response(429, "text/html", html).with_retry_after(5);
    failed_with(
        decode(&throttled),
        FailureKind::Throttled {
            retry_after: Some(Duration::from_secs(5)),
        },
    );
    failed_with(
        decode(&testkit::wire_response(403, "text/html", html)),
        FailureKind::Rejected,
    );
    failed_with(
        decode(&testkit::wire_response(502, "text/html", html)),
        FailureKind::Fault,
    );
    for body in [html, "", "{\"maKetQua\":\"00\"}", "<a/>"] {
        failed_with(
            decode(&testkit::wire_response(200, "text/html", body)),
            FailureKind::Malformed,
        );
    }
    let soap11 = fixture("found.xml").replace(
        "http://www.w3.org/2003/05/soap-envelope",
        "http://schemas.xmlsoap.org/soap/envelope/",
    );
    let detail = failed_with(decode(&response(200, soap11)), FailureKind::Malformed);
    assert!(detail.contains("SOAP 1.1"), "{detail}");
}

#[test]
fn unknown_codes_and_bad_values_are_malformed_with_the_element_and_value() {
    assert_malformed_after(
        "<bh:GioiTinh>2</bh:GioiTinh>",
        "<bh:GioiTinh>3</bh:GioiTinh>",
        &["GioiTinh", "`3`"],
    );
    assert_malformed_after(
        "<bh:TrangThaiThamGia>1</bh:TrangThaiThamGia>",
        "<bh:TrangThaiThamGia>active</bh:TrangThaiThamGia>",
        &["TrangThaiThamGia", "`active`"],
    );
    assert_malformed_after("12/05/1985", "31/02/1985", &["NgaySinh", "`31/02/1985`"]);
    assert_malformed_after("01/01/2026", "2026-01-01", &["GiaTriTu", "`2026-01-01`"]);
    assert_malformed_after("07/2005", "13/2005", &["TuThang", "`13/2005`"]);
    assert_malformed_after("02/2011", "2/2011", &["DenThang", "`2/2011`"]);
    assert_malformed_after("256", "two hundred", &["TongSoThangDong", "`two hundred`"]);
    assert_malformed_after("<bh:MaKetQua>00", "<bh:MaKetQua>42", &["MaKetQua", "`42`"]);
}

#[test]
fn missing_required_elements_are_malformed_and_named() {
    assert_malformed_after(
        "<bh:HoTen>Nguyễn Thị Bình</bh:HoTen>",
        "<bh:HoTen/>",
        &["NguoiThamGia has no HoTen"],
    );
    assert_malformed_after(
        "<bh:GioiTinh>2</bh:GioiTinh>",
        "",
        &["NguoiThamGia has no GioiTinh"],
    );
    assert_malformed_after(
        "<bh:SoThe>DN4828212345678</bh:SoThe>",
        "",
        &["TheBHYT has no SoThe"],
    );
    assert_malformed_after("<bh:Ma>82001</bh:Ma>", "", &["NoiDKKCB has no Ma"]);
    assert_malformed_after(
        "<bh:TuThang>07/2005</bh:TuThang>",
        "",
        &["Dong has no TuThang"],
    );
    assert_malformed_after(
        "<bh:MaKetQua>00</bh:MaKetQua>",
        "",
        &["KetQua has no MaKetQua"],
    );
    let found = fixture("found.xml");
    let start = found.find("<bh:NguoiThamGia>").unwrap();
    let end = found.find("</bh:NguoiThamGia>").unwrap() + "</bh:NguoiThamGia>".len();
    let without = format!("{}{}", &found[..start], &found[end..]);
    let detail = failed_with(decode(&response(200, without)), FailureKind::Malformed);
    assert_eq!(detail, "MaKetQua 00 comes without NguoiThamGia");
    let other = found.replace("TraCuuThamGiaResponse", "TraCuuKhac");
    let detail = failed_with(decode(&response(200, other)), FailureKind::Malformed);
    assert_eq!(detail, "the SOAP Body holds no TraCuuThamGiaResponse");
}

#[test]
fn an_open_period_and_a_facility_without_a_name_are_kept() {
    let found = fixture("found.xml")
        .replace("<bh:DenThang>10/2026</bh:DenThang>", "<bh:DenThang/>")
        .replace(
            "<bh:Ten>Bệnh viện Đa khoa Trung tâm Tiền Giang</bh:Ten>",
            "",
        );
    let Outcome::Found(record) = decode(&response(200, found)) else {
        panic!("not found");
    };
    assert_eq!(
        record["contributions"][2],
        json!({ "from": "2019-01", "to": null, "employer": "Công ty TNHH Điện tử Long Giang" })
    );
    assert_eq!(
        record["health_insurance_card"]["facility"],
        json!({ "code": "82001", "name": null })
    );
}
