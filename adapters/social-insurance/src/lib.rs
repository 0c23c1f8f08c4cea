//! Adapter for the national social insurance (Bảo hiểm xã hội): SOAP 1.2 with a
//! WS-Security UsernameToken (PasswordDigest), namespace `urn:vn:gov:bhxh:v1`.
//!
//! The unified operation `GET /v1/insurance/participants/{insurance_code}?full_name=&date_of_birth=`
//! becomes one `TraCuuThamGia` call; the partner answers only when the three identify the
//! same person. The answer becomes the canonical participant JSON described in [`model`].
//! [`InsuranceSimulator`] speaks the partner's published interface, token checks included,
//! for tests and the demo; it accepts the account [`DEMO_USERNAME`] / [`DEMO_PASSWORD`].

#![forbid(unsafe_code)]

mod birth;
mod decode;
mod encode;
mod input;
pub mod model;
mod name;
mod sim;
mod wsse;

use std::time::Duration;

use http::Method;
use lienthong_adapter_kit::adapter::{
    Adapter, CachePolicy, CallContext, EncodeError, Input, InvalidInput, Operation, OperationKind,
    Outcome, UnifiedRequest, WireRequest, WireResponse,
};
use lienthong_adapter_kit::api::{self, ApiFragment, Content, OperationApi};
use schemars::generate::SchemaGenerator;

pub use sim::{Identity, InsuranceSimulator};

use model::{Participant, ParticipantQuery};

/// Account name the simulator accepts (for the demo configuration).
pub const DEMO_USERNAME: &str = "h82-lienthong";
/// Password of [`DEMO_USERNAME`] at the simulator (for the demo configuration only).
pub const DEMO_PASSWORD: &str = "demo-bhxh-2026";

/// The partner's name in config, routes and problems.
const PARTNER: &str = "social-insurance";
/// Namespace of every social-insurance payload element.
pub(crate) const NS: &str = "urn:vn:gov:bhxh:v1";
/// Path of the partner's SOAP endpoint, relative to its base URL.
pub(crate) const ENDPOINT: &str = "/bhxh/TraCuuService";
/// The SOAP 1.2 `action` of `TraCuuThamGia`, unquoted.
pub(crate) const ACTION: &str = "urn:bhxh:TraCuuThamGia";
/// Content type of requests: SOAP 1.2 with the quoted action.
pub(crate) const REQUEST_CONTENT_TYPE: &str =
    "application/soap+xml; charset=utf-8; action=\"urn:bhxh:TraCuuThamGia\"";
/// Content type of the partner's answers.
pub(crate) const ANSWER_CONTENT_TYPE: &str = "application/soap+xml; charset=utf-8";

/// Input field (path parameter) holding the social-insurance code.
pub(crate) const CODE_FIELD: &str = "insurance_code";
/// Input field (query parameter) holding the full name.
pub(crate) const NAME_FIELD: &str = "full_name";
/// Input field (query parameter) holding the date of birth.
pub(crate) const BIRTH_FIELD: &str = "date_of_birth";

static OPERATIONS: [Operation; 1] = [Operation {
    id: "getInsuranceParticipant",
    method: Method::GET,
    path: "/v1/insurance/participants/{insurance_code}",
    query: &[NAME_FIELD, BIRTH_FIELD],
    idempotent: true,
    timeout: Duration::from_secs(10),
    cache: Some(CachePolicy::fresh_for(Duration::from_secs(10 * 60))),
    identifiers: &[CODE_FIELD, NAME_FIELD, BIRTH_FIELD],
    kind: OperationKind::Call,
    paged: false,
}];

/// The social-insurance adapter (partner `social-insurance`).
#[derive(Debug, Clone, Copy, Default)]
pub struct SocialInsurance;

impl Adapter for SocialInsurance {
    fn partner(&self) -> &'static str {
        PARTNER
    }

    fn title(&self) -> &'static str {
        "Social insurance (Bảo hiểm xã hội)"
    }

    fn operations(&self) -> &'static [Operation] {
        &OPERATIONS
    }

    fn requires_credentials(&self) -> bool {
        true
    }

    fn validate(
        &self,
        _op: &Operation,
        request: &UnifiedRequest<'_>,
    ) -> Result<Input, InvalidInput> {
        Input::validated(&input::validate(request)?, CODE_FIELD)
    }

    fn encode(
        &self,
        _op: &Operation,
        input: &Input,
        ctx: &CallContext<'_>,
    ) -> Result<WireRequest, EncodeError> {
        let query: ParticipantQuery = input.parse()?;
        encode::lookup(&query, ctx)
    }

    fn decode(&self, _op: &Operation, response: &WireResponse) -> Outcome {
        decode::lookup(response)
    }

    fn api(&self, generator: &mut SchemaGenerator) -> ApiFragment {
        ApiFragment {
            description: "The national social insurance (bảo hiểm xã hội, BHXH).",
            operations: vec![OperationApi {
                id: "getInsuranceParticipant",
                summary: "Insurance participant by code, full name and date of birth",
                description: "Looks up one participant of social and health insurance: \
                    participation status, health-insurance card and contribution history. The \
                    partner answers only when the social-insurance code, the full name and the \
                    date of birth identify the same person; any mismatch is `record-not-found` \
                    (404). The name is compared after NFC normalisation, ignoring case and extra \
                    white space; a year alone matches a person born that year. Answers are \
                    cached for 10 minutes.",
                parameters: Some(api::parameters::<ParticipantQuery>()),
                answer: Some(Content::of::<Participant>(generator).example(
                    "InsuranceParticipantFound",
                    "An active participant with a health-insurance card and three contribution periods",
                    api::example(include_str!("../fixtures/example_participant.json")),
                )),
                ..OperationApi::default()
            }],
        }
    }
}
