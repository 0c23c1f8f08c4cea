//! Helpers shared by the social-insurance tests (each test crate uses a subset).

#![allow(dead_code, unreachable_pub)]

use std::sync::OnceLock;

use lienthong_adapter_kit::adapter::{
    Adapter, CallContext, Credentials, FailureKind, Input, InvalidInput, Operation, Outcome,
    WireRequest, WireResponse,
};
use lienthong_adapter_kit::sim::{SimSettings, Simulator};
use lienthong_adapter_kit::testkit::{self, TestRequest};
use lienthong_adapter_social_insurance::{
    DEMO_PASSWORD, DEMO_USERNAME, InsuranceSimulator, SocialInsurance,
};
use serde_json::Value;

/// The operation id.
pub const OP: &str = "getInsuranceParticipant";
/// The partner's payload namespace.
pub const NS: &str = "urn:vn:gov:bhxh:v1";
/// WS-Security 1.0 extension namespace.
pub const WSSE: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security 1.0 utility namespace.
pub const WSU: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// Content type of every simulator answer.
pub const ANSWER_TYPE: &str = "application/soap+xml; charset=utf-8";

/// The fixture person: code, name, ISO date of birth.
pub const BINH: (&str, &str, &str) = ("8212345678", "Nguyễn Thị Bình", "1985-05-12");

pub fn op() -> &'static Operation {
    testkit::operation(&SocialInsurance, OP)
}

pub fn demo_credentials() -> Credentials {
    Credentials {
        username: DEMO_USERNAME.into(),
        password: DEMO_PASSWORD.into(),
    }
}

/// The unified request for a participant.
pub fn request(code: &str, name: &str, birth: &str) -> TestRequest {
    TestRequest::param("insurance_code", code)
        .with_query("full_name", name)
        .with_query("date_of_birth", birth)
}

pub fn validate(request: &TestRequest) -> Result<Input, InvalidInput> {
    request.validate(&SocialInsurance, op())
}

/// The wire request the adapter sends for a valid participant lookup.
pub fn encode((code, name, birth): (&str, &str, &str), ctx: &CallContext<'_>) -> WireRequest {
    let input = validate(&request(code, name, birth)).expect("valid input");
    SocialInsurance
        .encode(op(), &input, ctx)
        .expect("the adapter encodes valid input")
}

/// One simulator per test binary (building the dataset takes a moment).
pub fn simulator() -> &'static InsuranceSimulator {
    static SIMULATOR: OnceLock<InsuranceSimulator> = OnceLock::new();
    SIMULATOR.get_or_init(|| InsuranceSimulator::new(&SimSettings::default()))
}

/// validate → encode (demo credentials) → simulator → decode.
pub fn lookup(code: &str, name: &str, birth: &str) -> Outcome {
    let credentials = demo_credentials();
    testkit::roundtrip(
        &SocialInsurance,
        simulator(),
        OP,
        &request(code, name, birth),
        Some(&credentials),
    )
    .unwrap_or_else(|e| panic!("{code}: {e:?}"))
    .outcome
}

/// What the simulator answers to `request`, decoded.
pub fn sent(request: &WireRequest) -> (WireResponse, Outcome) {
    let response = simulator().handle(request);
    let outcome = decode(&response);
    (response, outcome)
}

pub fn decode(response: &WireResponse) -> Outcome {
    testkit::decode(&SocialInsurance, OP, response)
}

/// The failure detail, after checking its kind.
pub fn failed_with(outcome: Outcome, kind: FailureKind) -> String {
    testkit::assert_failure(outcome, kind, &[])
        .detail
        .into_owned()
}

pub fn fixture(name: &str) -> String {
    String::from_utf8(testkit::fixture(env!("CARGO_MANIFEST_DIR"), name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn found_json() -> Value {
    serde_json::from_str(&fixture("found.json")).expect("found.json is JSON")
}
