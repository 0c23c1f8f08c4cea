//! Validation of `submitCriminalRecordApplication` bodies: every bad field is named with a
//! JSON pointer, text is normalised, unknown fields are refused.

use lienthong_adapter_judicial_records::JudicialRecords;
use lienthong_adapter_kit::adapter::{Adapter, Input, InvalidInput};
use lienthong_adapter_kit::testkit::{self, TestRequest};
use serde_json::{Value, json};

fn application() -> Value {
    serde_json::from_str(include_str!("../fixtures/application.json"))
        .expect("test data is well-formed")
}

fn validate_bytes(body: &[u8]) -> Result<Input, InvalidInput> {
    let op = testkit::operation(&JudicialRecords, "submitCriminalRecordApplication");
    TestRequest::default()
        .with_body(body)
        .validate(&JudicialRecords, op)
}

fn validate(body: &Value) -> Result<Input, InvalidInput> {
    validate_bytes(body.to_string().as_bytes())
}

/// The fixture with the existing field at `pointer` set to `value`.
fn with(pointer: &str, value: Value) -> Value {
    let mut body = application();
    *body
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer}")) = value;
    body
}

fn without(field: &str) -> Value {
    let mut body = application();
    body.as_object_mut()
        .expect("test data is well-formed")
        .remove(field);
    body
}

/// The pointers of the errors of a refused body.
fn refused(body: &Value) -> Vec<String> {
    let errors = validate(body).expect_err("the body is refused").errors;
    errors.into_iter().map(|e| e.field).collect()
}

/// Asserts `body` is refused for exactly `pointer`, and returns the detail.
fn refused_at(body: &Value, pointer: &str) -> String {
    let errors = validate(body).expect_err("the body is refused").errors;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, pointer, "{errors:?}");
    errors[0].detail.clone()
}

#[test]
fn the_fixture_is_valid_and_kept_as_is() {
    let input = validate(&application()).unwrap();
    assert_eq!(input.value(), &application());
    assert_eq!(
        input.field("callback_url"),
        Some("https://motcua.tiengiang.gov.vn/api/lltp/callback")
    );
    assert_eq!(
        input.field("dossier_code"),
        Some("000.00.82.H58-260101-0001")
    );
}

#[test]
fn text_is_normalised_to_nfc_and_white_space_folded() {
    let mut body = with(
        "/full_name",
        json!("  Nguye\u{302}\u{303}n   Va\u{306}n\tAn "),
    );
    body["residence_history"][0]["place"] = json!("Xa\u{303} Long Hu\u{31b}ng");
    let input = validate(&body).unwrap();
    assert_eq!(input.field("full_name"), Some("Nguyễn Văn An"));
    assert_eq!(
        input.value()["residence_history"][0]["place"],
        "Xã Long Hưng"
    );
}

#[test]
fn optional_fields_may_be_absent_null_or_empty() {
    for body in [
        without("spouse_name"),
        with("/spouse_name", Value::Null),
        with("/spouse_name", json!("  ")),
    ] {
        let input = validate(&body).unwrap();
        assert_eq!(input.value()["spouse_name"], Value::Null);
    }
    let input = validate(&without("callback_url")).unwrap();
    assert_eq!(input.field("callback_url"), None);
}

#[test]
fn every_required_field_is_named_when_missing() {
    let errors = refused(&json!({}));
    let expected: Vec<String> = [
        "dossier_code",
        "full_name",
        "gender",
        "date_of_birth",
        "birth_place",
        "nationality",
        "residence",
        "citizen_id",
        "id_issued_on",
        "id_issued_by",
        "father_name",
        "mother_name",
        "certificate_type",
        "purpose",
        "copies",
        "residence_history",
    ]
    .iter()
    .map(|f| format!("/{f}"))
    .collect();
    assert_eq!(errors, expected);
    for field in ["full_name", "citizen_id", "residence_history", "copies"] {
        let detail = refused_at(&without(field), &format!("/{field}"));
        assert!(detail.starts_with("is required"), "{detail}");
    }
}

#[test]
fn each_bad_value_is_named_with_its_pointer() {
    let long = "x".repeat(201);
    let cases: Vec<(&str, Value, &str)> = vec![
        ("/dossier_code", json!(""), "1 to 64 characters"),
        ("/dossier_code", json!("HS 01"), "A-Z a-z 0-9"),
        ("/dossier_code", json!("x".repeat(65)), "1 to 64"),
        ("/full_name", json!("   "), "must not be empty"),
        ("/full_name", json!(long), "at most 200"),
        ("/full_name", json!(42), "JSON string"),
        ("/full_name", json!("An\u{0}"), "control characters"),
        ("/gender", json!("nam"), "male or female"),
        ("/birth_place", json!(""), "must not be empty"),
        ("/nationality", json!("vn"), "capitals"),
        ("/nationality", json!("XK"), "ISO 3166-1 alpha-2"),
        ("/nationality", json!("VNM"), "ISO 3166-1 alpha-2"),
        ("/residence", json!(null), "is required"),
        ("/citizen_id", json!("08209000123"), "exactly 12 digits"),
        ("/citizen_id", json!("08209000123a"), "exactly 12 digits"),
        ("/citizen_id", json!(82_090_001_234_u64), "JSON string"),
        ("/id_issued_by", json!(""), "must not be empty"),
        ("/father_name", json!(""), "must not be empty"),
        ("/mother_name", json!(["a"]), "JSON string"),
        ("/spouse_name", json!(7), "JSON string"),
        ("/certificate_type", json!(3), "from 1 to 2"),
        ("/certificate_type", json!("1"), "not a string"),
        ("/purpose", json!("x".repeat(501)), "at most 500"),
        ("/copies", json!(0), "from 1 to 10"),
        ("/copies", json!(11), "from 1 to 10"),
        ("/copies", json!(1.5), "from 1 to 10"),
        ("/copies", json!(-1), "from 1 to 10"),
        ("/residence_history", json!([]), "1 to 50 periods"),
        ("/residence_history", json!({}), "an array"),
        ("/residence_history/1", json!("2012"), "must be an object"),
        ("/residence_history/0/place", json!(""), "must not be empty"),
        (
            "/residence_history/1/occupation",
            json!(null),
            "is required",
        ),
        ("/residence_history/1/workplace", json!(long), "at most 200"),
        (
            "/residence_history/0/from",
            json!("12/05/1990"),
            "YYYY-MM-DD",
        ),
    ];
    for (pointer, value, expected) in cases {
        let detail = refused_at(&with(pointer, value.clone()), pointer);
        assert!(
            detail.contains(expected),
            "{pointer} = {value}: {detail:?} lacks {expected:?}"
        );
    }
    let periods: Vec<Value> = (0..51)
        .map(|_| application()["residence_history"][0].clone())
        .collect();
    refused_at(
        &with("/residence_history", Value::Array(periods)),
        "/residence_history",
    );
}

#[test]
fn details_never_repeat_personal_values() {
    let body = with("/citizen_id", json!("0820900012345"));
    let detail = refused_at(&body, "/citizen_id");
    assert!(!detail.contains("0820900012345"), "{detail}");
    let body = with("/date_of_birth", json!("1990-02-30"));
    let detail = refused_at(&body, "/date_of_birth");
    assert!(!detail.contains("1990-02-30"), "{detail}");
}

#[test]
fn dates_must_be_real_and_in_order() {
    for bad in [
        "1990-02-30",
        "1990-5-12",
        "12/05/1990",
        "2999-01-01",
        "1899-12-31",
        "",
    ] {
        let detail = refused_at(&with("/date_of_birth", json!(bad)), "/date_of_birth");
        assert!(!detail.is_empty());
    }
    let detail = refused_at(&with("/id_issued_on", json!("1990-05-12")), "/id_issued_on");
    assert!(detail.contains("after date_of_birth"), "{detail}");
    let detail = refused_at(&with("/id_issued_on", json!("1989-01-01")), "/id_issued_on");
    assert!(detail.contains("after date_of_birth"), "{detail}");
    let detail = refused_at(&with("/id_issued_on", json!("2999-01-01")), "/id_issued_on");
    assert!(detail.contains("future"), "{detail}");
    let detail = refused_at(
        &with("/residence_history/1/to", json!("2012-08-31")),
        "/residence_history/1/to",
    );
    assert!(detail.contains("not be before from"), "{detail}");
    let same_day = with("/residence_history/1/to", json!("2012-09-01"));
    assert!(validate(&same_day).is_ok());
    let leap_day = with("/date_of_birth", json!("2000-02-29"));
    assert!(validate(&leap_day).is_ok());
}

#[test]
fn unknown_fields_are_refused_with_an_escaped_pointer() {
    let mut body = application();
    body["nickname"] = json!("An");
    body["a/b~c"] = json!(1);
    body["residence_history"][1]["city"] = json!("Mỹ Tho");
    let mut errors = refused(&body);
    errors.sort();
    assert_eq!(
        errors,
        ["/a~1b~0c", "/nickname", "/residence_history/1/city"]
    );
    let mut body = application();
    body["residence_history"][0]["extra"] = json!(1);
    let detail = refused_at(&body, "/residence_history/0/extra");
    assert!(
        detail.contains("from, to, place, occupation, workplace"),
        "{detail}"
    );
}

#[test]
fn a_body_that_is_not_a_json_object_is_one_error_on_the_root() {
    for body in [
        &b"not json"[..],
        b"",
        b"[1, 2]",
        b"\"text\"",
        b"{\"full_name\": ",
    ] {
        let errors = validate_bytes(body).unwrap_err().errors;
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].field, "/");
        assert!(errors[0].detail.contains("JSON object"));
    }
}

#[test]
fn callback_urls_must_be_absolute_http_urls() {
    for good in [
        "http://10.0.0.5:8080/hook",
        "https://motcua.tiengiang.gov.vn/cb?dossier=1",
        "HTTPS://example.vn/",
    ] {
        let input = validate(&with("/callback_url", json!(good))).unwrap();
        assert_eq!(input.field("callback_url"), Some(good));
    }
    let long = format!("https://example.vn/{}", "a".repeat(2040));
    for bad in [
        json!("ftp://example.vn/hook"),
        json!("/relative/hook"),
        json!("example.vn/hook"),
        json!("https://"),
        json!("https://user:secret@example.vn/hook"),
        json!("https://exa mple.vn/"),
        json!(long),
        json!(12),
    ] {
        let detail = refused_at(&with("/callback_url", bad.clone()), "/callback_url");
        assert!(detail.contains("http or https URL"), "{bad}: {detail}");
        assert!(!detail.contains("secret"));
    }
}

#[test]
fn errors_in_several_fields_are_all_reported() {
    let mut body = with("/gender", json!("x"));
    body["copies"] = json!(0);
    body["residence_history"][0]["to"] = json!("1980-01-01");
    assert_eq!(
        refused(&body),
        ["/gender", "/copies", "/residence_history/0/to"]
    );
}

#[test]
fn the_status_operation_takes_the_application_id() {
    let op = testkit::operation(&JudicialRecords, "getCriminalRecordApplication");
    let input = TestRequest::param("id", "01JABCDEF")
        .validate(&JudicialRecords, op)
        .unwrap();
    assert_eq!(input.field("id"), Some("01JABCDEF"));
    let errors = TestRequest::default()
        .validate(&JudicialRecords, op)
        .unwrap_err()
        .errors;
    assert_eq!(errors[0].field, "id");
    assert!(JudicialRecords.applications().is_some());
}
