//! Round trips through the simulated partner, and its dataset.

mod common;

use std::collections::HashSet;

use lienthong_adapter_kit::adapter::{FailureKind, Outcome};
use lienthong_adapter_kit::sim::{PartnerFault, SimSettings, Simulator};
use lienthong_adapter_kit::testkit;
use lienthong_adapter_social_insurance::{Identity, InsuranceSimulator};
use serde_json::Value;

use common::{ANSWER_TYPE, BINH, decode, demo_credentials, encode, failed_with, lookup, simulator};

fn record(code: &str, name: &str, birth: &str) -> Value {
    match lookup(code, name, birth) {
        Outcome::Found(record) => record,
        other => panic!("{code}: {other:?}"),
    }
}

#[test]
fn the_found_fixture_is_what_the_simulator_answers() {
    assert_eq!(record(BINH.0, BINH.1, BINH.2), common::found_json());
}

#[test]
fn names_match_whatever_the_case_spacing_and_normal_form() {
    for name in [
        "NGUYỄN THỊ BÌNH",
        "nguyễn thị bình",
        "  Nguyễn  Thị   Bình ",
        "Nguye\u{302}\u{303}n Thi\u{323} Bi\u{300}nh",
    ] {
        assert_eq!(
            record(BINH.0, name, BINH.2)["insurance_code"],
            BINH.0,
            "{name}"
        );
    }
}

#[test]
fn another_name_or_birth_date_is_not_found() {
    let not_found = Outcome::NotFound {
        detail: "Không tìm thấy người tham gia khớp mã số BHXH, họ tên và ngày sinh".into(),
    };
    assert_eq!(lookup(BINH.0, "Nguyễn Thị Bính", BINH.2), not_found);
    assert_eq!(lookup(BINH.0, "Nguyễn Bình", BINH.2), not_found);
    assert_eq!(lookup(BINH.0, BINH.1, "1985-05-13"), not_found);
    assert_eq!(lookup(BINH.0, BINH.1, "1986"), not_found);
    assert_eq!(lookup("8299999999", BINH.1, BINH.2), not_found);
    assert_eq!(lookup("8200000004", BINH.1, BINH.2), not_found);
}

#[test]
fn a_year_of_birth_matches_that_year() {
    assert_eq!(
        record(BINH.0, BINH.1, "1985")["date_of_birth"],
        "1985-05-12"
    );
    let retired = record("8200000011", "Trần Văn Sáu", "1948");
    assert_eq!(retired["date_of_birth"], "1948");
    assert_eq!(retired["participation"], "stopped");
    assert_eq!(
        retired["health_insurance_card"]["number"],
        "HT3828200000011"
    );
    assert_eq!(
        record("8200000011", "Trần Văn Sáu", "1948-03-01")["date_of_birth"],
        "1948"
    );
    assert!(matches!(
        lookup("8200000011", "Trần Văn Sáu", "1949"),
        Outcome::NotFound { .. }
    ));
}

#[test]
fn the_paused_fixture_has_no_card() {
    let paused = record("8200000029", "Lê Hoàng Nam", "1990-08-23");
    assert_eq!(paused["participation"], "paused");
    assert_eq!(paused["health_insurance_card"], Value::Null);
    assert_eq!(paused["total_months"], 159);
    assert_eq!(paused["contributions"].as_array().map(Vec::len), Some(1));
}

#[test]
fn the_not_shareable_code_answers_02_whatever_the_name() {
    for (name, birth) in [("Nguyễn Văn A", "1970"), (BINH.1, BINH.2)] {
        assert_eq!(
            lookup("8200000003", name, birth),
            Outcome::NotShareable {
                detail: "Thông tin người tham gia không thuộc phạm vi chia sẻ với đơn vị".into()
            }
        );
    }
}

#[test]
fn refused_input_never_reaches_the_partner() {
    let refused = testkit::roundtrip(
        &lienthong_adapter_social_insurance::SocialInsurance,
        simulator(),
        common::OP,
        &common::request("82123", BINH.1, BINH.2),
        Some(&demo_credentials()),
    );
    assert!(refused.is_err());
}

#[test]
fn every_participant_of_the_dataset_decodes() {
    let identities: Vec<Identity> = simulator().identities().collect();
    assert!(identities.len() >= 1000, "{}", identities.len());
    let (mut statuses, mut groups, mut years_only) = (HashSet::new(), HashSet::new(), 0);
    for id in &identities {
        let r = record(&id.insurance_code, &id.full_name, &id.date_of_birth);
        assert_eq!(r["insurance_code"], id.insurance_code.as_str());
        assert_eq!(r["full_name"], id.full_name.as_str());
        assert_eq!(r["date_of_birth"], id.date_of_birth.as_str());
        years_only += usize::from(id.date_of_birth.len() == 4);
        statuses.insert(r["participation"].as_str().unwrap().to_owned());
        let periods = r["contributions"].as_array().unwrap();
        assert!(!periods.is_empty(), "{}", id.insurance_code);
        let mut months = 0;
        for p in periods {
            let (from, to) = (p["from"].as_str().unwrap(), p["to"].as_str().unwrap());
            assert!(from <= to && to <= "2026-10", "{from}..{to}");
            months += month_index(to) - month_index(from) + 1;
        }
        assert_eq!(r["total_months"], months, "{}", id.insurance_code);
        if r["participation"] == "active" {
            assert_eq!(periods.last().unwrap()["to"], "2026-10");
        }
        let card = &r["health_insurance_card"];
        if let Some(number) = card["number"].as_str() {
            assert_eq!(number.len(), 15);
            assert_eq!(&number[3..5], "82");
            assert_eq!(&number[5..], id.insurance_code);
            groups.insert(number[..2].to_owned());
            assert!(card["facility"]["code"].as_str().unwrap().starts_with("82"));
        }
    }
    assert_eq!(statuses.len(), 3, "{statuses:?}");
    assert_eq!(groups.len(), 4, "{groups:?}");
    assert!(
        years_only >= 10,
        "{years_only} birth dates known only by year"
    );
}

/// Months since year 0 of a `YYYY-MM` month.
fn month_index(month: &str) -> i64 {
    let (year, month) = month.split_once('-').expect("YYYY-MM");
    let number = |s: &str| s.parse::<i64>().expect("digits");
    number(year) * 12 + number(month)
}

#[test]
fn the_dataset_is_unique_and_deterministic() {
    let first: Vec<Identity> = simulator().identities().collect();
    let second = InsuranceSimulator::new(&SimSettings::default());
    assert!(first.iter().cloned().eq(second.identities()));
    let codes: HashSet<&str> = first.iter().map(|i| i.insurance_code.as_str()).collect();
    assert_eq!(codes.len(), first.len());
    assert!(!codes.contains("8200000003"));
    assert!(first.iter().all(|i| i.insurance_code.len() == 10
        && i.insurance_code.starts_with("82")
        && i.insurance_code.bytes().all(|b| b.is_ascii_digit())));
    // Pinned so that a change of the generator is never silent.
    assert_eq!(first.len(), 1203);
    assert_eq!(
        first[3],
        Identity {
            insurance_code: "8227868841".into(),
            full_name: "Ngô Thanh My".into(),
            date_of_birth: "1957".into(),
        }
    );
    let credentials = demo_credentials();
    for id in first.iter().step_by(101) {
        let ask = (
            id.insurance_code.as_str(),
            id.full_name.as_str(),
            id.date_of_birth.as_str(),
        );
        let a = simulator().handle(&encode(ask, &testkit::context(Some(&credentials))));
        let b = second.handle(&encode(ask, &testkit::context(Some(&credentials))));
        assert_eq!(a.body, b.body, "{}", id.insurance_code);
    }
}

#[test]
fn partner_faults_are_soap_12_faults_and_03() {
    let fault = simulator().fault(PartnerFault::Fault);
    assert_eq!(fault.status, 500);
    assert_eq!(fault.headers["content-type"], ANSWER_TYPE);
    assert_eq!(
        failed_with(decode(&fault), FailureKind::Fault),
        "Lỗi hệ thống, vui lòng thử lại sau"
    );
    let busy = simulator().fault(PartnerFault::Busy {
        retry_after_secs: 3,
    });
    assert_eq!(busy.status, 500);
    assert_eq!(busy.headers["retry-after"], "3");
    assert!(
        std::str::from_utf8(&busy.body)
            .unwrap()
            .contains(":QuaTai<")
    );
    failed_with(
        decode(&busy),
        FailureKind::Throttled {
            retry_after: Some(std::time::Duration::from_secs(3)),
        },
    );
    let unavailable = simulator().fault(PartnerFault::Unavailable);
    assert_eq!(unavailable.status, 200);
    failed_with(
        decode(&unavailable),
        FailureKind::Unavailable { retry_after: None },
    );
    assert_eq!(simulator().partner(), "social-insurance");
}

#[test]
fn answers_carry_the_soap_12_content_type() {
    let credentials = demo_credentials();
    let response = simulator().handle(&encode(BINH, &testkit::context(Some(&credentials))));
    assert_eq!(response.status, 200);
    assert_eq!(response.headers["content-type"], ANSWER_TYPE);
}
