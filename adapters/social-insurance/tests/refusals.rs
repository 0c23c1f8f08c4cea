//! What the simulated partner refuses: tokens (wrong account, replayed, stale, from the
//! future), transport (path, method, content type) and malformed envelopes.

mod common;

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode};
use lienthong_adapter_kit::adapter::{CallContext, Credentials, FailureKind, Outcome, WireRequest};
use lienthong_adapter_kit::sim::{SimSettings, Simulator};
use lienthong_adapter_kit::testkit;
use lienthong_adapter_social_insurance::InsuranceSimulator;

use common::{ANSWER_TYPE, BINH, demo_credentials, encode, failed_with, sent};

/// The request for the fixture person with the demo account, changed by `change`.
fn changed(change: impl FnOnce(&mut WireRequest)) -> WireRequest {
    let credentials = demo_credentials();
    let mut request = encode(BINH, &testkit::context(Some(&credentials)));
    change(&mut request);
    request
}

fn body_replaced(request: &mut WireRequest, from: &str, to: &str) {
    let text = std::str::from_utf8(&request.body).expect("requests are UTF-8");
    assert!(text.contains(from), "{from}");
    request.body = Bytes::from(text.replace(from, to));
}

/// Asserts the partner refused the token and returns the decoded detail.
fn token_refused(request: &WireRequest) -> String {
    let (response, outcome) = sent(request);
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.headers["content-type"], ANSWER_TYPE);
    let body = std::str::from_utf8(&response.body).expect("answers are UTF-8");
    assert!(body.contains(":XacThucThatBai<"), "{body}");
    failed_with(outcome, FailureKind::Unauthorized)
}

/// Asserts a plain `Sender` fault and returns its reason.
fn sender_fault(request: &WireRequest) -> String {
    let (response, outcome) = sent(request);
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert_eq!(response.headers["content-type"], ANSWER_TYPE);
    failed_with(outcome, FailureKind::Rejected)
}

fn at(now: SystemTime, credentials: &Credentials) -> WireRequest {
    let ctx = CallContext {
        now,
        ..testkit::context(Some(credentials))
    };
    encode(BINH, &ctx)
}

fn is_found(request: &WireRequest) -> bool {
    matches!(sent(request).1, Outcome::Found(_))
}

#[test]
fn a_wrong_password_or_username_is_unauthorized() {
    for credentials in [
        Credentials {
            password: "wrong".into(),
            ..demo_credentials()
        },
        Credentials {
            username: "h83-other".into(),
            ..demo_credentials()
        },
    ] {
        let request = encode(BINH, &testkit::context(Some(&credentials)));
        let detail = token_refused(&request);
        assert!(
            detail.contains("Tên đăng nhập hoặc mật khẩu không đúng"),
            "{detail}"
        );
        assert!(!detail.contains("wrong"), "{detail}");
    }
}

#[test]
fn a_replayed_request_is_refused() {
    let request = changed(|_| {});
    assert!(is_found(&request));
    assert!(token_refused(&request).contains("Nonce đã được sử dụng"));
    assert!(
        is_found(&changed(|_| {})),
        "a fresh nonce is accepted again"
    );
}

#[test]
fn tokens_older_than_5_minutes_or_over_60_s_ahead_are_refused() {
    let credentials = demo_credentials();
    let now = SystemTime::now();
    let stale = at(now - Duration::from_secs(6 * 60), &credentials);
    assert!(token_refused(&stale).contains("quá 5 phút"));
    let ahead = at(now + Duration::from_secs(2 * 60), &credentials);
    assert!(token_refused(&ahead).contains("60 giây"));
    assert!(is_found(&at(
        now - Duration::from_secs(4 * 60),
        &credentials
    )));
    assert!(is_found(&at(now + Duration::from_secs(30), &credentials)));
}

#[test]
fn a_token_must_be_complete_and_digested() {
    let text_password = changed(|r| body_replaced(r, "#PasswordDigest", "#PasswordText"));
    assert!(token_refused(&text_password).contains("PasswordDigest"));
    let no_nonce = changed(|r| body_replaced(r, "wsse:Nonce", "wsse:Salt"));
    assert!(token_refused(&no_nonce).contains("Nonce"));
    let bad_created = changed(|r| body_replaced(r, "Z</wsu:Created>", "+07:00</wsu:Created>"));
    let detail = token_refused(&bad_created);
    assert!(detail.contains("wsu:Created"), "{detail}");
    let no_security = changed(|r| body_replaced(r, "wsse:Security", "wsse:Other"));
    assert!(token_refused(&no_security).contains("wsse:Security"));
    // A digest of another Created: the digest is checked against the Created sent.
    let credentials = demo_credentials();
    let earlier = at(SystemTime::now() - Duration::from_secs(10), &credentials);
    let moved = changed(|r| {
        let created = |body: &Bytes| {
            let text = std::str::from_utf8(body).unwrap();
            let start = text.find("<wsu:Created>").unwrap();
            text[start..start + 40].to_owned()
        };
        let (theirs, ours) = (created(&earlier.body), created(&r.body));
        body_replaced(r, &ours, &theirs);
    });
    assert!(token_refused(&moved).contains("mật khẩu"));
}

#[test]
fn auth_failures_are_counted() {
    let simulator = InsuranceSimulator::new(&SimSettings::default());
    let wrong = Credentials {
        password: "wrong".into(),
        ..demo_credentials()
    };
    simulator.handle(&encode(BINH, &testkit::context(Some(&wrong))));
    let request = changed(|_| {});
    simulator.handle(&request);
    simulator.handle(&request);
    let stats = simulator.stats();
    assert_eq!(stats["auth_failures"], 2);
    assert_eq!(stats["nonces_remembered"], 1);
}

#[test]
fn the_content_type_must_be_soap_12_utf8_with_the_quoted_action() {
    for content_type in [
        "text/xml; charset=utf-8",
        "application/soap+xml",
        "application/soap+xml; charset=iso-8859-1; action=\"urn:bhxh:TraCuuThamGia\"",
    ] {
        let request = changed(|r| {
            r.headers
                .insert("content-type", HeaderValue::from_str(content_type).unwrap());
        });
        assert!(
            sender_fault(&request).contains("Content-Type"),
            "{content_type}"
        );
    }
    for content_type in [
        "application/soap+xml; charset=utf-8",
        "application/soap+xml; charset=utf-8; action=urn:bhxh:TraCuuThamGia",
        "application/soap+xml; charset=utf-8; action=\"urn:bhxh:Other\"",
    ] {
        let request = changed(|r| {
            r.headers
                .insert("content-type", HeaderValue::from_str(content_type).unwrap());
        });
        assert!(sender_fault(&request).contains("action"), "{content_type}");
    }
    let accepted = changed(|r| {
        r.headers.insert(
            "content-type",
            HeaderValue::from_static(
                "Application/SOAP+XML;Charset=\"UTF-8\" ;action=\"urn:bhxh:TraCuuThamGia\"",
            ),
        );
    });
    assert!(is_found(&accepted));
}

#[test]
fn a_doctype_or_broken_xml_is_a_sender_fault() {
    let doctype = changed(|r| {
        body_replaced(r, "?>", "?><!DOCTYPE x [<!ENTITY a \"b\">]>");
    });
    assert!(sender_fault(&doctype).contains("document type declarations are refused"));
    let broken = changed(|r| r.body = r.body.slice(..r.body.len() - 10));
    assert!(sender_fault(&broken).starts_with("Yêu cầu không hợp lệ"));
}

#[test]
fn a_soap_11_envelope_is_a_version_mismatch() {
    let request = changed(|r| {
        body_replaced(
            r,
            "http://www.w3.org/2003/05/soap-envelope",
            "http://schemas.xmlsoap.org/soap/envelope/",
        );
    });
    let (response, outcome) = sent(&request);
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body = std::str::from_utf8(&response.body).unwrap();
    assert!(body.contains("env:VersionMismatch"), "{body}");
    failed_with(outcome, FailureKind::Fault);
}

#[test]
fn header_fields_and_well_formed_identifiers_are_required() {
    let credentials = demo_credentials();
    let no_consumer = CallContext {
        consumer_code: "",
        ..testkit::context(Some(&credentials))
    };
    assert_eq!(
        sender_fault(&encode(BINH, &no_consumer)),
        "Thiếu MaDonVi trong env:Header"
    );
    let no_request_id = CallContext {
        request_id: " ",
        ..testkit::context(Some(&credentials))
    };
    assert_eq!(
        sender_fault(&encode(BINH, &no_request_id)),
        "Thiếu MaYeuCau trong env:Header"
    );
    let short_code = changed(|r| body_replaced(r, ">8212345678<", ">821234567<"));
    assert!(sender_fault(&short_code).contains("MaSoBHXH"));
    let bad_date = changed(|r| body_replaced(r, "12/05/1985", "31/02/1985"));
    assert!(sender_fault(&bad_date).contains("NgaySinh"));
    let no_name = changed(|r| body_replaced(r, "Nguyễn Thị Bình", " "));
    assert_eq!(sender_fault(&no_name), "Thiếu HoTen trong TraCuuThamGia");
}

#[test]
fn wrong_paths_and_methods_are_http_errors() {
    let (response, outcome) = sent(&changed(|r| r.path = "/bhxh/Other".into()));
    assert_eq!(response.status, StatusCode::NOT_FOUND);
    failed_with(outcome, FailureKind::Rejected);
    let (response, _) = sent(&changed(|r| r.method = Method::GET));
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers["allow"], "POST");
    assert!(is_found(&changed(
        |r| r.path = "/bhxh/TraCuuService?wsdl".into()
    )));
}
