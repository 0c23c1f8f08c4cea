//! Decoding of recorded partner answers (`fixtures/`) into canonical outcomes.

use std::time::Duration;

use lienthong_adapter_kit::adapter::{FailureKind, Outcome, PartnerFailure, WireResponse};
use lienthong_adapter_kit::testkit::{self, failure};
use lienthong_adapter_kit::text::nfc;
use lienthong_adapter_legal_documents::LegalDocuments;
use serde_json::{Value, json};

const SEARCH_ANSWER: &str = include_str!("../fixtures/search_answer.json");
const DOCUMENT_ANSWER: &str = include_str!("../fixtures/document_answer.json");

fn response(status: u16, body: impl Into<bytes::Bytes>) -> WireResponse {
    testkit::wire_response(status, "application/json; charset=utf-8", body)
}

fn search(response: &WireResponse) -> Outcome {
    testkit::decode(&LegalDocuments, "searchLegalDocuments", response)
}

fn document(response: &WireResponse) -> Outcome {
    testkit::decode(&LegalDocuments, "getLegalDocument", response)
}

fn expected(file: &str) -> Value {
    testkit::fixture_json(env!("CARGO_MANIFEST_DIR"), file)
}

fn fixture(file: &str) -> Vec<u8> {
    testkit::fixture(env!("CARGO_MANIFEST_DIR"), file)
}

/// Decodes the search fixture with `from` replaced by `to`; expects a malformed answer
/// whose detail contains every `words`.
fn assert_malformed_after(answer: &str, from: &str, to: &str, words: &[&str]) {
    assert!(answer.contains(from), "{from}");
    let body = answer.replacen(from, to, 1);
    let outcome = if answer == SEARCH_ANSWER {
        search(&response(200, body))
    } else {
        document(&response(200, body))
    };
    testkit::assert_failure(outcome, FailureKind::Malformed, words);
}

#[test]
fn a_search_answer_becomes_a_canonical_page() {
    let outcome = search(&response(200, SEARCH_ANSWER));
    assert_eq!(outcome, Outcome::Found(expected("search.json")));
    let Outcome::Found(page) = outcome else {
        unreachable!()
    };
    assert_eq!(
        (page["total"].as_u64(), page["page"].as_u64()),
        (Some(27), Some(2))
    );
    assert_eq!(page["items"][2]["effective_on"], Value::Null);
    assert_eq!(page["items"][1]["validity"], "partially_expired");
}

#[test]
fn nfd_text_comes_out_nfc() {
    let nfd = String::from_utf8(fixture("search_answer_nfd.json")).expect("UTF-8");
    assert_ne!(nfc(&nfd), nfd, "the fixture must hold decomposed text");
    assert_eq!(
        search(&response(200, nfd)),
        Outcome::Found(expected("search.json"))
    );
}

#[test]
fn unknown_fields_and_any_order_are_accepted() {
    assert_eq!(
        search(&response(200, fixture("search_answer_extra.json"))),
        Outcome::Found(expected("search.json"))
    );
}

#[test]
fn no_hits_is_an_empty_page() {
    let empty = json!({"total": 0, "page": 1, "page_size": 20, "items": []});
    assert_eq!(
        search(&response(200, fixture("search_empty.json"))),
        Outcome::Found(empty.clone())
    );
    let null_data = r#"{"maKetQua":"00","tongSo":0,"trang":1,"soBanGhi":20,"duLieu":null}"#;
    assert_eq!(search(&response(200, null_data)), Outcome::Found(empty));
}

#[test]
fn a_document_answer_becomes_the_canonical_document() {
    let outcome = document(&response(200, DOCUMENT_ANSWER));
    assert_eq!(outcome, Outcome::Found(expected("document.json")));
    let Outcome::Found(doc) = outcome else {
        unreachable!()
    };
    assert_eq!(
        doc["related"],
        json!([
            {"id": "163562", "number": "61/2018/NĐ-CP", "relation": "amends"},
            {"id": "70813", "number": "76/2015/QH13", "relation": "based_on"}
        ])
    );
    assert!(
        doc["content_html"]
            .as_str()
            .is_some_and(|html| html.starts_with("<div"))
    );
}

#[test]
fn lenient_shapes_the_interface_allows() {
    let answer = r#"{"maKetQua":"00","duLieu":{"id":184612,"soKyHieu":" 47/2020/NĐ-CP ",
        "trichYeu":"Về  quản lý","loaiVanBan":"","linhVuc":null,"ngayHieuLuc":"",
        "tinhTrangHieuLuc":null,"noiDung":"","vanBanLienQuan":null}}"#;
    assert_eq!(
        document(&response(200, answer)),
        Outcome::Found(json!({
            "id": "184612", "number": "47/2020/NĐ-CP", "title": "Về quản lý",
            "type": null, "issuer": null, "signer": null, "issued_on": null,
            "effective_on": null, "validity": null, "fields": [],
            "content_html": null, "related": []
        }))
    );
}

#[test]
fn every_relation_and_validity_label_is_understood() {
    for (label, relation) in [
        ("Sửa đổi, bổ sung", "amends"),
        ("Thay thế", "replaces"),
        ("Hướng dẫn", "guides"),
        ("Căn cứ", "based_on"),
    ] {
        let body = DOCUMENT_ANSWER.replacen("\"Sửa đổi, bổ sung\"", &format!("\"{label}\""), 1);
        let Outcome::Found(doc) = document(&response(200, body)) else {
            panic!("{label}")
        };
        assert_eq!(doc["related"][0]["relation"], relation);
    }
    for (label, validity) in [
        ("Còn hiệu lực", "in_force"),
        ("Hết hiệu lực một phần", "partially_expired"),
        ("Hết hiệu lực toàn bộ", "expired"),
        ("Chưa có hiệu lực", "not_yet_in_force"),
    ] {
        let body = SEARCH_ANSWER.replacen("\"Còn hiệu lực\"", &format!("\"{label}\""), 1);
        let Outcome::Found(page) = search(&response(200, body)) else {
            panic!("{label}")
        };
        assert_eq!(page["items"][0]["validity"], validity);
    }
}

#[test]
fn result_codes_map_to_outcomes() {
    let not_found = Outcome::NotFound {
        detail: "Không tìm thấy văn bản".into(),
    };
    assert_eq!(
        document(&response(404, fixture("not_found.json"))),
        not_found
    );
    assert_eq!(
        document(&response(200, fixture("not_found.json"))),
        not_found
    );
    assert_eq!(
        document(&response(404, "Not Found")),
        Outcome::NotFound {
            detail: "no such legal document (HTTP 404)".into()
        }
    );
    assert_eq!(
        document(&response(200, fixture("not_shareable.json"))),
        Outcome::NotShareable {
            detail: "Văn bản không thuộc phạm vi chia sẻ với đơn vị".into()
        }
    );
    let rejected = failure(search(&response(400, fixture("bad_request.json"))));
    assert_eq!(
        rejected,
        PartnerFailure::new(
            FailureKind::Rejected,
            "soBanGhi không hợp lệ: phải là số nguyên từ 1 đến 100"
        )
    );
    let fault = failure(search(&response(500, fixture("fault.json"))));
    assert_eq!(
        fault,
        PartnerFailure::new(FailureKind::Fault, "Lỗi hệ thống, vui lòng thử lại sau")
    );
    assert_eq!(
        failure(search(&response(200, fixture("fault.json")))).kind,
        FailureKind::Fault
    );
}

#[test]
fn throttling_and_interruptions_carry_retry_after() {
    let busy = response(429, fixture("busy.json")).with_retry_after(7);
    assert_eq!(
        failure(search(&busy)),
        PartnerFailure::new(
            FailureKind::Throttled {
                retry_after: Some(Duration::from_secs(7))
            },
            "Vượt quá số yêu cầu cho phép, vui lòng thử lại sau"
        )
    );
    assert_eq!(
        failure(search(&response(429, "Too Many Requests"))).kind,
        FailureKind::Throttled { retry_after: None }
    );
    let interrupted = failure(search(&response(200, fixture("interrupted.json"))));
    assert_eq!(
        interrupted,
        PartnerFailure::new(
            FailureKind::Unavailable { retry_after: None },
            "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau"
        )
    );
    let later = response(200, fixture("interrupted.json")).with_retry_after(30);
    assert_eq!(
        failure(document(&later)).kind,
        FailureKind::Unavailable {
            retry_after: Some(Duration::from_secs(30))
        }
    );
}

#[test]
fn answers_that_are_not_json_are_classified_by_status() {
    let html = fixture("not_json.html");
    let malformed = failure(search(&response(200, html.clone())));
    assert_eq!(malformed.kind, FailureKind::Malformed);
    assert!(
        malformed.detail.contains("not readable JSON"),
        "{}",
        malformed.detail
    );
    let bad_gateway = failure(search(&response(502, html.clone())));
    assert_eq!(bad_gateway.kind, FailureKind::Fault);
    assert!(
        bad_gateway.detail.starts_with("HTTP 502"),
        "{}",
        bad_gateway.detail
    );
    assert_eq!(
        failure(search(&response(403, html))).kind,
        FailureKind::Rejected
    );
    assert_eq!(
        failure(search(&response(200, ""))).kind,
        FailureKind::Malformed
    );
}

#[test]
fn unknown_codes_and_missing_result_codes_are_malformed() {
    let missing = failure(search(&response(200, r#"{"tongSo":1}"#)));
    assert_eq!(
        missing,
        PartnerFailure::new(FailureKind::Malformed, "the answer has no maKetQua")
    );
    let unknown = failure(search(&response(200, r#"{"maKetQua":"42","moTa":"?"}"#)));
    assert_eq!(unknown.kind, FailureKind::Malformed);
    assert!(unknown.detail.contains("`42`"), "{}", unknown.detail);
    let spring_error =
        r#"{"timestamp":"2026-01-01T00:00:00Z","status":500,"error":"Internal Server Error"}"#;
    assert_eq!(
        failure(search(&response(500, spring_error))).kind,
        FailureKind::Fault
    );
    let found_with_error_status = failure(search(&response(503, SEARCH_ANSWER)));
    assert_eq!(found_with_error_status.kind, FailureKind::Fault);
    assert_eq!(
        found_with_error_status.detail,
        "HTTP 503 Service Unavailable with maKetQua 00"
    );
}

#[test]
fn bad_values_are_malformed_and_named() {
    let search_answer = SEARCH_ANSWER;
    assert_malformed_after(
        search_answer,
        "\"Còn hiệu lực\"",
        "\"Đang hiệu lực\"",
        &[
            "duLieu[0].tinhTrangHieuLuc",
            "`Đang hiệu lực`",
            "Còn hiệu lực |",
        ],
    );
    assert_malformed_after(
        search_answer,
        "\"08/04/2020\"",
        "\"31/02/2020\"",
        &["duLieu[0].ngayBanHanh", "`31/02/2020`", "dd/MM/yyyy"],
    );
    assert_malformed_after(
        search_answer,
        "\"21/06/2018\"",
        "\"2018-06-21\"",
        &["duLieu[1].ngayHieuLuc", "`2018-06-21`"],
    );
    assert_malformed_after(
        search_answer,
        "\"soKyHieu\": \"64/2007/NĐ-CP\",",
        "",
        &["duLieu[2] has no soKyHieu"],
    );
    assert_malformed_after(search_answer, "\"tongSo\": 27,", "", &["no tongSo"]);
    assert_malformed_after(
        search_answer,
        "\"tongSo\": 27",
        "\"tongSo\": \"27\"",
        &["published shape"],
    );
    assert_malformed_after(
        DOCUMENT_ANSWER,
        "\"Sửa đổi, bổ sung\"",
        "\"Bãi bỏ\"",
        &[
            "duLieu.vanBanLienQuan[0].quanHe",
            "`Bãi bỏ`",
            "Sửa đổi, bổ sung |",
        ],
    );
    assert_malformed_after(
        DOCUMENT_ANSWER,
        "\"ngayBanHanh\": \"06/12/2021\"",
        "\"ngayBanHanh\": \"6/12/2021\"",
        &["duLieu.ngayBanHanh", "`6/12/2021`"],
    );
    assert_malformed_after(
        DOCUMENT_ANSWER,
        "\"maKetQua\": \"00\",\n  \"duLieu\"",
        "\"maKetQua\": \"00\",\n  \"khac\"",
        &["no duLieu"],
    );
}

#[test]
fn a_long_value_is_shown_cut() {
    let long = "x".repeat(500);
    let body = SEARCH_ANSWER.replacen("\"Còn hiệu lực\"", &format!("\"{long}\""), 1);
    let failure = failure(search(&response(200, body)));
    assert!(failure.detail.contains(&format!("`{}…`", "x".repeat(40))));
    assert!(failure.detail.len() < 200, "{}", failure.detail);
}

/// The size of an answer is bounded once, by the partner's `max_response_bytes` in the
/// upstream client; the decoder reads whatever reached it.
#[test]
fn large_answers_are_read_whole() {
    let mut body = SEARCH_ANSWER.trim_end().to_owned();
    body.push_str(&" ".repeat(9 * 1024 * 1024));
    assert!(matches!(search(&response(200, body)), Outcome::Found(_)));
}

#[test]
fn garbage_never_panics() {
    let bodies: Vec<Vec<u8>> = (0..SEARCH_ANSWER.len())
        .step_by(7)
        .map(|n| SEARCH_ANSWER.as_bytes()[..n].to_vec())
        .chain([
            "[".repeat(100_000).into_bytes(),
            b"{\"maKetQua\":\"00\",\"duLieu\":[1,2]}".to_vec(),
            vec![0xff, 0xfe, 0x00],
            b"null".to_vec(),
            b"{\"maKetQua\":null}".to_vec(),
            b"{\"maKetQua\":0}".to_vec(),
        ])
        .collect();
    for body in bodies {
        for status in [200, 400, 404, 429, 500] {
            let _ = search(&response(status, body.clone()));
            let _ = document(&response(status, body.clone()));
        }
    }
}
