//! Operations and input validation of the social-insurance adapter.

mod common;

use std::time::Duration;

use chrono::{Datelike, Days, FixedOffset, Utc};
use http::Method;
use lienthong_adapter_kit::adapter::{Adapter, OperationKind};
use lienthong_adapter_kit::testkit::{self, TestRequest};
use lienthong_adapter_social_insurance::SocialInsurance;
use serde_json::json;

use common::{BINH, op, request, validate};

/// The errors of `request`, as `(field, detail)` pairs.
fn refused(request: &TestRequest) -> Vec<(String, String)> {
    validate(request)
        .expect_err("the request must be refused")
        .errors
        .into_iter()
        .map(|e| (e.field, e.detail))
        .collect()
}

/// The single error detail of a request that differs from a valid one only in `field`.
fn refusal_of(field: &str, value: &str) -> String {
    let (mut code, mut name, mut birth) = BINH;
    match field {
        "insurance_code" => code = value,
        "full_name" => name = value,
        _ => birth = value,
    }
    let errors = refused(&request(code, name, birth));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, field);
    let detail = errors[0].1.clone();
    if value.trim().len() > 2 {
        assert!(
            !detail.contains(value.trim()),
            "the detail repeats the value: {detail}"
        );
    }
    detail
}

#[test]
fn the_operation_is_declared_as_data() {
    testkit::check_operations(&SocialInsurance);
    assert_eq!(SocialInsurance.partner(), "social-insurance");
    assert_eq!(
        SocialInsurance.title(),
        "Social insurance (Bảo hiểm xã hội)"
    );
    assert!(SocialInsurance.requires_credentials());
    let ops = SocialInsurance.operations();
    assert_eq!(ops.len(), 1);
    let op = &ops[0];
    assert_eq!(op.id, "getInsuranceParticipant");
    assert_eq!(op.method, Method::GET);
    assert_eq!(op.path, "/v1/insurance/participants/{insurance_code}");
    assert!(op.idempotent);
    assert_eq!(op.timeout, Duration::from_secs(10));
    assert_eq!(op.cache.map(|c| c.ttl), Some(Duration::from_secs(600)));
    assert_eq!(
        op.identifiers,
        &["insurance_code", "full_name", "date_of_birth"]
    );
    assert_eq!(op.kind, OperationKind::Call);
    assert!(!op.paged);
}

#[test]
fn valid_input_is_normalised() {
    let input = validate(&request(
        "8212345678",
        "  Nguyễn   Thị\tBình ",
        "1985-05-12",
    ))
    .unwrap();
    assert_eq!(
        input.value(),
        &json!({
            "insurance_code": "8212345678",
            "full_name": "Nguyễn Thị Bình",
            "date_of_birth": "1985-05-12"
        })
    );
    let year_only = validate(&request("8200000011", "Trần Văn Sáu", "1948")).unwrap();
    assert_eq!(year_only.field("date_of_birth"), Some("1948"));
    for name in [
        "O'Neil Nguyễn",
        "Lê-Hoàng Thị B.",
        "Đặng Văn Ơn",
        "Κωνσταντίνος",
        "李小龍",
    ] {
        let input = validate(&request("8212345678", name, "1990")).unwrap();
        assert_eq!(input.field("full_name"), Some(name));
    }
}

#[test]
fn an_nfd_name_gives_the_same_input_and_cache_key_as_nfc() {
    let nfd = "Nguye\u{302}\u{303}n Thi\u{323} Bi\u{300}nh";
    assert_ne!(nfd, BINH.1);
    let from_nfd = validate(&request(BINH.0, nfd, BINH.2)).unwrap();
    let from_nfc = validate(&request(BINH.0, BINH.1, BINH.2)).unwrap();
    assert_eq!(from_nfd, from_nfc);
    assert_eq!(from_nfd.field("full_name"), Some("Nguyễn Thị Bình"));
    assert_eq!(
        SocialInsurance.cache_key(op(), &from_nfd),
        SocialInsurance.cache_key(op(), &from_nfc)
    );
}

#[test]
fn malformed_codes_say_what_a_code_looks_like() {
    for bad in [
        "123456789",
        "82123456789",
        "82123456a8",
        "8212-45678",
        "８２１２３４５６７８",
        "   ",
        " 8200000011",
        "8200000011\t",
    ] {
        let detail = refusal_of("insurance_code", bad);
        assert!(detail.contains("exactly 10 digits"), "{bad}: {detail}");
    }
}

#[test]
fn names_are_letters_spaces_apostrophes_hyphens_and_full_stops() {
    for bad in [
        "Nguyễn Thị Bình 2",
        "Bình_An",
        "Bình@example",
        "Bình; DROP",
        "<Bình>",
    ] {
        let detail = refusal_of("full_name", bad);
        assert!(
            detail.starts_with("may contain only letters"),
            "{bad}: {detail}"
        );
    }
    assert!(refusal_of("full_name", "- . '").contains("at least one letter"));
    let long = "Nguyễn ".repeat(15);
    assert_eq!(
        refusal_of("full_name", &long),
        "is 105 characters long; at most 100 are accepted"
    );
    let longest = format!("{}{}", "a".repeat(99), "ạ");
    assert!(validate(&request(BINH.0, &longest, BINH.2)).is_ok());
}

#[test]
fn dates_of_birth_are_real_past_dates_or_years_from_1900() {
    for bad in [
        "1985-02-30",
        "12/05/1985",
        "1985-5-12",
        "85",
        "19850",
        "1985-05-12T00:00",
        "abcd",
    ] {
        let detail = refusal_of("date_of_birth", bad);
        assert!(
            detail.starts_with("must be a calendar date YYYY-MM-DD"),
            "{bad}: {detail}"
        );
    }
    for early in ["1899-12-31", "1899", "0001"] {
        assert_eq!(
            refusal_of("date_of_birth", early),
            "is before 1900; give a year from 1900 on"
        );
    }
    let today = Utc::now()
        .with_timezone(&FixedOffset::east_opt(7 * 3600).unwrap())
        .date_naive();
    let later = today.checked_add_days(Days::new(2)).unwrap();
    let next_year = (today.year() + 1).to_string();
    for future in [later.format("%Y-%m-%d").to_string(), next_year] {
        assert!(
            refusal_of("date_of_birth", &future).contains("in the future"),
            "{future}"
        );
    }
    let yesterday = today.checked_sub_days(Days::new(1)).unwrap();
    assert!(
        validate(&request(
            BINH.0,
            BINH.1,
            &yesterday.format("%Y-%m-%d").to_string()
        ))
        .is_ok()
    );
    assert!(validate(&request(BINH.0, BINH.1, "1900")).is_ok());
}

#[test]
fn missing_fields_are_each_required() {
    let errors = refused(&TestRequest::default());
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["insurance_code", "full_name", "date_of_birth"]);
    assert!(
        errors
            .iter()
            .all(|(_, d)| d.starts_with("is required; it "))
    );
    let empty = refused(&request(BINH.0, "", " "));
    assert_eq!(empty.len(), 2);
}

#[test]
fn every_bad_field_is_named_at_once() {
    let errors = refused(&request("123", "B1nh", "1985-13-01"));
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(fields, ["insurance_code", "full_name", "date_of_birth"]);
}

#[test]
fn unknown_and_repeated_query_parameters_are_refused_by_name() {
    let valid = request(BINH.0, BINH.1, BINH.2);
    let errors = refused(
        &valid
            .clone()
            .with_query("name", "x")
            .with_query("ngay_sinh", "1")
            .with_query("name", "y"),
    );
    let expected = "is not a parameter here; accepted parameters are full_name, date_of_birth";
    assert_eq!(
        errors,
        [
            ("name".to_owned(), expected.to_owned()),
            ("ngay_sinh".to_owned(), expected.to_owned())
        ]
    );
    let repeated = refused(&valid.with_query("full_name", "Trần Văn Sáu"));
    assert_eq!(
        repeated,
        [(
            "full_name".to_owned(),
            "is given 2 times; give it at most once".to_owned()
        )]
    );
}
