//! The `TraCuuThamGia` request: SOAP 1.2 layout, WS-Security UsernameToken and escaping.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use http::Method;
use lienthong_adapter_kit::adapter::{Adapter, CallContext, Credentials, Input};
use lienthong_adapter_kit::soap::{Envelope, SOAP12_NS, SoapVersion};
use lienthong_adapter_kit::testkit;
use lienthong_adapter_kit::xml::{Element, Limits};
use lienthong_adapter_social_insurance::SocialInsurance;
use serde_json::json;
use sha1::{Digest, Sha1};

use common::{BINH, NS, WSSE, WSU, demo_credentials, encode, op};

const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
const BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// `(namespace, local name)` of every child.
fn names(element: &Element) -> Vec<(&str, &str)> {
    element
        .children()
        .iter()
        .map(|c| (c.ns().unwrap_or_default(), c.name()))
        .collect()
}

fn parse(body: &[u8]) -> Envelope {
    let envelope = Envelope::parse(body, Limits::default()).expect("a SOAP envelope");
    assert_eq!(envelope.version, SoapVersion::V12);
    envelope
}

fn token(envelope: &Envelope) -> &Element {
    envelope
        .header
        .as_ref()
        .and_then(|h| h.child(WSSE, "Security"))
        .and_then(|s| s.child(WSSE, "UsernameToken"))
        .expect("a UsernameToken")
}

fn fixed_context(credentials: &Credentials) -> CallContext<'_> {
    CallContext {
        now: UNIX_EPOCH + Duration::from_millis(1_795_000_000_123),
        nonce: *b"0123456789abcdef",
        ..testkit::context(Some(credentials))
    }
}

#[test]
fn the_request_follows_the_published_layout() {
    let credentials = demo_credentials();
    let request = encode(BINH, &fixed_context(&credentials));
    assert_eq!(request.method, Method::POST);
    assert_eq!(request.path, "/bhxh/TraCuuService");
    assert_eq!(
        request.headers["content-type"].as_bytes(),
        b"application/soap+xml; charset=utf-8; action=\"urn:bhxh:TraCuuThamGia\""
    );
    assert_eq!(request.headers.len(), 1);
    assert!(request.headers.get("soapaction").is_none());

    let envelope = parse(&request.body);
    let header = envelope.header.as_ref().unwrap();
    assert_eq!(
        names(header),
        [(WSSE, "Security"), (NS, "MaDonVi"), (NS, "MaYeuCau")]
    );
    assert_eq!(header.child_text(NS, "MaDonVi"), Some("H82"));
    assert_eq!(header.child_text(NS, "MaYeuCau"), Some("test-request-1"));
    let security = header.child(WSSE, "Security").unwrap();
    assert_eq!(security.attr_ns(SOAP12_NS, "mustUnderstand"), Some("true"));
    assert_eq!(names(security), [(WSSE, "UsernameToken")]);
    let token = token(&envelope);
    assert_eq!(
        names(token),
        [
            (WSSE, "Username"),
            (WSSE, "Password"),
            (WSSE, "Nonce"),
            (WSU, "Created")
        ]
    );
    assert_eq!(token.child_text(WSSE, "Username"), Some("h82-lienthong"));
    let password = token.child(WSSE, "Password").unwrap();
    assert_eq!(password.attr("Type"), Some(PASSWORD_DIGEST));
    let nonce = token.child(WSSE, "Nonce").unwrap();
    assert_eq!(nonce.attr("EncodingType"), Some(BASE64_BINARY));
    assert_eq!(nonce.text(), "MDEyMzQ1Njc4OWFiY2RlZg==");
    assert_eq!(
        token.child_text(WSU, "Created"),
        Some("2026-11-18T11:06:40.123Z")
    );

    let payload = envelope.payload().unwrap();
    assert!(payload.is(NS, "TraCuuThamGia"));
    assert_eq!(
        names(payload),
        [(NS, "MaSoBHXH"), (NS, "HoTen"), (NS, "NgaySinh")]
    );
    assert_eq!(payload.child_text(NS, "MaSoBHXH"), Some("8212345678"));
    assert_eq!(payload.child_text(NS, "HoTen"), Some("Nguyễn Thị Bình"));
    assert_eq!(payload.child_text(NS, "NgaySinh"), Some("12/05/1985"));
}

#[test]
fn the_digest_is_sha1_of_nonce_created_and_password() {
    let credentials = Credentials {
        username: "h82-bus".into(),
        password: "s3cr3t pässword".into(),
    };
    let ctx = testkit::context(Some(&credentials));
    let request = encode(BINH, &ctx);
    let envelope = parse(&request.body);
    let token = token(&envelope);
    let nonce = BASE64
        .decode(token.child_text(WSSE, "Nonce").unwrap())
        .unwrap();
    assert_eq!(nonce, ctx.nonce);
    let created = token.child_text(WSU, "Created").unwrap();
    let mut sha = Sha1::new();
    sha.update(&nonce);
    sha.update(created.as_bytes());
    sha.update(credentials.password.as_bytes());
    let expected = BASE64.encode(sha.finalize());
    assert_eq!(token.child_text(WSSE, "Password"), Some(expected.as_str()));

    // Created is the attempt's clock reading, in UTC with milliseconds.
    let now: chrono::DateTime<chrono::Utc> = ctx.now.into();
    assert_eq!(created, now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string());
    let text = std::str::from_utf8(&request.body).unwrap();
    assert!(
        !text.contains("pässword") && !text.contains("s3cr3t"),
        "{text}"
    );
}

#[test]
fn every_attempt_has_a_fresh_nonce_and_digest() {
    let credentials = demo_credentials();
    let first = encode(BINH, &testkit::context(Some(&credentials)));
    let second = encode(BINH, &testkit::context(Some(&credentials)));
    let (a, b) = (parse(&first.body), parse(&second.body));
    let (a, b) = (token(&a), token(&b));
    for (ns, name) in [(WSSE, "Nonce"), (WSSE, "Password")] {
        assert_ne!(a.child_text(ns, name), b.child_text(ns, name), "{name}");
    }
}

#[test]
fn a_year_of_birth_travels_alone() {
    let credentials = demo_credentials();
    let ctx = testkit::context(Some(&credentials));
    let request = encode(("8200000011", "Trần Văn Sáu", "1948"), &ctx);
    let envelope = parse(&request.body);
    let payload = envelope.payload().unwrap();
    assert_eq!(payload.child_text(NS, "NgaySinh"), Some("1948"));
}

#[test]
fn missing_credentials_name_the_config_keys() {
    let input = common::validate(&common::request(BINH.0, BINH.1, BINH.2)).unwrap();
    let error = SocialInsurance
        .encode(op(), &input, &testkit::context(None))
        .unwrap_err();
    assert!(
        error.0.contains("partners.social-insurance.username"),
        "{error}"
    );
    assert!(
        error.0.contains("partners.social-insurance.password_env"),
        "{error}"
    );
}

#[test]
fn input_that_was_not_validated_is_an_encode_error() {
    let credentials = demo_credentials();
    let input = Input::new(&json!({
        "insurance_code": "8212345678",
        "full_name": "Nguyễn Thị Bình",
        "date_of_birth": "12/05/1985"
    }))
    .unwrap();
    assert!(
        SocialInsurance
            .encode(op(), &input, &testkit::context(Some(&credentials)))
            .is_err()
    );
    let missing = Input::new(&json!({ "insurance_code": "8212345678" })).unwrap();
    assert!(
        SocialInsurance
            .encode(op(), &missing, &testkit::context(Some(&credentials)))
            .is_err()
    );
}

#[test]
fn values_are_escaped() {
    let credentials = Credentials {
        username: "h82<&>\"user\"".into(),
        password: "p".into(),
    };
    let ctx = CallContext {
        consumer_code: "H82<&>",
        request_id: "a\"b'c</bh:MaYeuCau><x>",
        now: SystemTime::now(),
        ..testkit::context(Some(&credentials))
    };
    let request = encode(("8212345678", "O'Neil Nguyễn", "1985-05-12"), &ctx);
    let text = std::str::from_utf8(&request.body).unwrap();
    assert!(
        text.contains("<bh:MaDonVi>H82&lt;&amp;&gt;</bh:MaDonVi>"),
        "{text}"
    );
    assert!(!text.contains("<x>"), "{text}");
    let envelope = parse(&request.body);
    let header = envelope.header.as_ref().unwrap();
    assert_eq!(header.child_text(NS, "MaDonVi"), Some("H82<&>"));
    assert_eq!(
        header.child_text(NS, "MaYeuCau"),
        Some("a\"b'c</bh:MaYeuCau><x>")
    );
    assert_eq!(
        token(&envelope).child_text(WSSE, "Username"),
        Some("h82<&>\"user\"")
    );
    let payload = envelope.payload().unwrap();
    assert_eq!(payload.child_text(NS, "HoTen"), Some("O'Neil Nguyễn"));
}
