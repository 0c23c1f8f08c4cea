//! Operations, input validation and request encoding of the legal-documents adapter.

use std::time::{Duration, SystemTime};

use http::Method;
use lienthong_adapter_kit::adapter::{
    Adapter, CallContext, Input, InvalidInput, OperationKind, WireRequest,
};
use lienthong_adapter_kit::testkit::{self, TestRequest};
use lienthong_adapter_legal_documents::LegalDocuments;
use serde_json::json;

const SEARCH: &str = "searchLegalDocuments";
const DOCUMENT: &str = "getLegalDocument";
const ACCEPTED: &str = "accepted parameters are q, type, issuer, from, to, page, page_size";

fn search_request(pairs: &[(&str, &str)]) -> TestRequest {
    pairs
        .iter()
        .fold(TestRequest::default(), |r, (k, v)| r.with_query(k, v))
}

fn validate_search(pairs: &[(&str, &str)]) -> Result<Input, InvalidInput> {
    search_request(pairs).validate(&LegalDocuments, testkit::operation(&LegalDocuments, SEARCH))
}

/// The refused fields of a search, as `(field, detail)`.
fn refusal(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    validate_search(pairs)
        .expect_err("refused")
        .errors
        .into_iter()
        .map(|e| (e.field, e.detail))
        .collect()
}

/// The only refused field of a search and its detail.
fn single_refusal(pairs: &[(&str, &str)]) -> (String, String) {
    let errors = refusal(pairs);
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().expect("one error")
}

fn encode(op_id: &str, input: &Input, ctx: &CallContext<'_>) -> WireRequest {
    LegalDocuments
        .encode(testkit::operation(&LegalDocuments, op_id), input, ctx)
        .expect("the adapter encodes any valid input")
}

#[test]
fn operations_are_declared_as_data() {
    testkit::check_operations(&LegalDocuments);
    assert_eq!(LegalDocuments.partner(), "legal-documents");
    assert_eq!(
        LegalDocuments.title(),
        "Legal documents (Văn bản quy phạm pháp luật)"
    );
    assert!(!LegalDocuments.requires_credentials());
    let ops = LegalDocuments.operations();
    assert_eq!(ops.len(), 2);
    let (search, document) = (&ops[0], &ops[1]);
    assert_eq!(search.id, SEARCH);
    assert_eq!(search.path, "/v1/legal-documents");
    assert_eq!(search.cache.map(|c| c.ttl), Some(Duration::from_secs(600)));
    assert!(search.paged);
    assert_eq!(document.id, DOCUMENT);
    assert_eq!(document.path, "/v1/legal-documents/{id}");
    assert_eq!(
        document.cache.map(|c| c.ttl),
        Some(Duration::from_secs(3600))
    );
    assert!(!document.paged);
    for op in ops {
        assert_eq!(op.method, Method::GET);
        assert!(op.idempotent);
        assert_eq!(op.timeout, Duration::from_secs(10));
        assert!(op.identifiers.is_empty());
        assert_eq!(op.kind, OperationKind::Call);
    }
}

#[test]
fn a_search_without_parameters_takes_the_defaults() {
    let input = validate_search(&[]).expect("valid");
    assert_eq!(
        input.value(),
        &json!({"q": null, "type": null, "issuer": null, "from": null, "to": null,
                "page": 1, "page_size": 20})
    );
    // An empty value is refused, not taken as absent (the core's rule for every operation).
    let empty = refusal(&[("q", ""), ("type", " "), ("page", ""), ("page_size", "")]);
    let fields: Vec<&str> = empty.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["q", "type", "page", "page_size"]);
}

#[test]
fn text_is_cleaned_and_nfd_gives_the_same_input_as_nfc() {
    let nfc = validate_search(&[
        ("q", "chia sẻ dữ liệu"),
        ("type", "Nghị định"),
        ("issuer", "Chính phủ"),
    ])
    .expect("valid");
    let nfd = validate_search(&[
        (
            "q",
            "  chia se\u{309}   du\u{31b}\u{303} lie\u{323}\u{302}u\t",
        ),
        ("type", "Nghi\u{323} \u{111}i\u{323}nh"),
        ("issuer", "Chi\u{301}nh phu\u{309}"),
    ])
    .expect("valid");
    assert_eq!(nfd, nfc);
    assert_eq!(nfc.field("q"), Some("chia sẻ dữ liệu"));
    let op = testkit::operation(&LegalDocuments, SEARCH);
    assert_eq!(
        LegalDocuments.cache_key(op, &nfd),
        LegalDocuments.cache_key(op, &nfc)
    );
}

#[test]
fn a_phrase_is_at_most_200_characters() {
    let longest = "đ".repeat(200);
    assert!(validate_search(&[("q", &longest)]).is_ok());
    let (field, detail) = single_refusal(&[("q", &"đ".repeat(201))]);
    assert_eq!(field, "q");
    assert_eq!(detail, "is 201 characters long; give at most 200");
    let (field, detail) = single_refusal(&[("issuer", "Chính\u{0}phủ")]);
    assert_eq!(
        (field.as_str(), detail.as_str()),
        (
            "issuer",
            "must not contain control characters (but tab and line breaks)"
        )
    );
}

#[test]
fn paging_is_checked() {
    let page_size = "must be a whole number from 1 to 100 (default 20)";
    for bad in ["0", "101", "-1", "abc", "2.5", "+5", "99999999999"] {
        assert_eq!(
            single_refusal(&[("page_size", bad)]),
            ("page_size".to_owned(), page_size.to_owned()),
            "{bad}"
        );
    }
    for bad in ["0", "-3", "x", "4294967296"] {
        assert_eq!(
            single_refusal(&[("page", bad)]),
            (
                "page".to_owned(),
                "must be a whole number of at least 1 (default 1)".to_owned()
            ),
            "{bad}"
        );
    }
    let input = validate_search(&[("page", "7"), ("page_size", "100")]).expect("valid");
    assert_eq!(input.value()["page"], 7);
    assert_eq!(input.value()["page_size"], 100);
    assert_eq!(
        validate_search(&[("page_size", "1")])
            .expect("valid")
            .value()["page_size"],
        1
    );
}

#[test]
fn dates_are_real_iso_dates_in_order() {
    let detail = "must be a real calendar date written YYYY-MM-DD (e.g. 2020-04-09)";
    for bad in [
        "2020-02-30",
        "09/04/2020",
        "2020-4-9",
        "2020-04-09T00:00:00",
        "yesterday",
    ] {
        assert_eq!(
            single_refusal(&[("from", bad)]),
            ("from".to_owned(), detail.to_owned()),
            "{bad}"
        );
        assert_eq!(single_refusal(&[("to", bad)]).0, "to");
    }
    let (field, detail) = single_refusal(&[("from", "2020-04-10"), ("to", "2020-04-09")]);
    assert_eq!(field, "from");
    assert!(detail.starts_with("is after to (2020-04-09)"), "{detail}");
    let same_day = validate_search(&[("from", "2020-04-09"), ("to", "2020-04-09")]);
    let same_day = same_day.expect("a one-day range is valid");
    assert_eq!(same_day.field("from"), Some("2020-04-09"));
    assert_eq!(same_day.field("to"), Some("2020-04-09"));
    assert!(validate_search(&[("from", "2024-02-29")]).is_ok());
}

#[test]
fn unknown_and_repeated_parameters_are_refused() {
    let errors = refusal(&[
        ("keyword", "x"),
        ("q", "a"),
        ("sort", "date"),
        ("keyword", "y"),
    ]);
    assert_eq!(
        errors,
        [
            (
                "keyword".to_owned(),
                format!("is not a parameter here; {ACCEPTED}")
            ),
            (
                "sort".to_owned(),
                format!("is not a parameter here; {ACCEPTED}")
            ),
        ]
    );
    assert_eq!(
        single_refusal(&[("q", "a"), ("page", "1"), ("q", "b")]),
        (
            "q".to_owned(),
            "is given 2 times; give it at most once".to_owned()
        )
    );
}

#[test]
fn every_bad_field_is_named_at_once() {
    let errors = refusal(&[("page", "0"), ("page_size", "500"), ("from", "2020-13-01")]);
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["from", "page", "page_size"]);
}

#[test]
fn document_ids_are_one_to_twenty_digits() {
    let op = testkit::operation(&LegalDocuments, DOCUMENT);
    let validate = |id: &str| TestRequest::param("id", id).validate(&LegalDocuments, op);
    assert_eq!(
        validate("184612").expect("valid").value(),
        &json!({"id": "184612"})
    );
    assert!(
        validate(" 184612 ").is_err(),
        "white space is not part of an id"
    );
    assert!(validate(&"9".repeat(20)).is_ok());
    let detail = "must be 1 to 20 digits: the document id from a search result";
    for bad in ["12a", "-1", "1 2", &"9".repeat(21), "１２"] {
        assert_eq!(
            validate(bad).expect_err(bad),
            InvalidInput::one("id", detail),
            "{bad}"
        );
    }
    assert_eq!(
        validate("").expect_err("empty").errors[0].detail,
        "is required: the document id from a search result"
    );
    let with_query = TestRequest::param("id", "184612").with_query("page", "1");
    assert_eq!(
        with_query.validate(&LegalDocuments, op).expect_err("query"),
        InvalidInput::one(
            "page",
            "is not a parameter here; this operation takes no query parameters"
        )
    );
}

#[test]
fn a_search_is_encoded_with_the_given_filters_then_paging() {
    let input = validate_search(&[
        ("page_size", "50"),
        ("to", "2020-12-31"),
        ("q", "chia sẻ dữ liệu"),
        ("issuer", "Chính phủ"),
        ("type", "Nghị định"),
        ("from", "2020-01-01"),
        ("page", "2"),
    ])
    .expect("valid");
    let request = encode(SEARCH, &input, &testkit::context(None));
    assert_eq!(request.method, Method::GET);
    assert_eq!(
        request.path,
        "/vbpl/api/v1/vanban?tuKhoa=chia%20s%E1%BA%BB%20d%E1%BB%AF%20li%E1%BB%87u\
         &loaiVanBan=Ngh%E1%BB%8B%20%C4%91%E1%BB%8Bnh&coQuanBanHanh=Ch%C3%ADnh%20ph%E1%BB%A7\
         &tuNgay=01%2F01%2F2020&denNgay=31%2F12%2F2020&trang=2&soBanGhi=50"
    );
    assert!(request.body.is_empty());

    let defaults = encode(
        SEARCH,
        &validate_search(&[]).expect("valid"),
        &testkit::context(None),
    );
    assert_eq!(defaults.path, "/vbpl/api/v1/vanban?trang=1&soBanGhi=20");

    let number = validate_search(&[("q", "47/2020/NĐ-CP & 45/2020?")]).expect("valid");
    assert_eq!(
        encode(SEARCH, &number, &testkit::context(None)).path,
        "/vbpl/api/v1/vanban?tuKhoa=47%2F2020%2FN%C4%90-CP%20%26%2045%2F2020%3F&trang=1&soBanGhi=20"
    );
}

#[test]
fn requests_carry_the_consumer_code_request_id_and_accept() {
    let ctx = testkit::context(None);
    let op = testkit::operation(&LegalDocuments, DOCUMENT);
    let input = TestRequest::param("id", "184612")
        .validate(&LegalDocuments, op)
        .expect("valid");
    let request = encode(DOCUMENT, &input, &ctx);
    assert_eq!(request.method, Method::GET);
    assert_eq!(request.path, "/vbpl/api/v1/vanban/184612");
    assert_eq!(request.headers["x-ma-don-vi"], "H82");
    assert_eq!(request.headers["x-ma-yeu-cau"], "test-request-1");
    assert_eq!(request.headers["accept"], "application/json");
    assert_eq!(request.headers.len(), 3);
    let search = encode(SEARCH, &validate_search(&[]).expect("valid"), &ctx);
    assert_eq!(search.headers, request.headers);
}

#[test]
fn a_consumer_code_that_cannot_be_a_header_is_an_encode_error() {
    let ctx = CallContext {
        consumer_code: "H82\r\nX-Injected: 1",
        province_code: "82",
        request_id: "r-1",
        dossier_code: None,
        credentials: None,
        now: SystemTime::now(),
        nonce: [0; 16],
    };
    let input = validate_search(&[]).expect("valid");
    let op = testkit::operation(&LegalDocuments, SEARCH);
    let error = LegalDocuments
        .encode(op, &input, &ctx)
        .expect_err("refused");
    assert!(error.0.contains("consumer code"), "{error}");
}
