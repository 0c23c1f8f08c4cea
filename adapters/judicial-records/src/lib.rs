//! Adapter for the national judicial-records service (Lý lịch tư pháp): criminal-record
//! certificate applications over REST/JSON, processed asynchronously by the partner.
//!
//! `POST /v1/criminal-record-applications` is validated here and stored by the core,
//! which delivers it with [`Applications::submit_request`] (`POST /lltp/api/v1/hoso`) and
//! then polls [`Applications::status_request`] (`GET /lltp/api/v1/hoso/{maHoSoLLTP}`)
//! until the state is final. `GET /v1/criminal-record-applications/{id}` is answered by
//! the core from its store. [`JudicialRecordsSimulator`] speaks the partner's published
//! interface for tests and the demo.

#![forbid(unsafe_code)]

mod country;
mod decode;
mod encode;
mod ict;
mod model;
mod sim;
mod validate;

use std::time::{Duration, SystemTime};

use http::Method;
use lienthong_adapter_kit::adapter::{
    Adapter, Applications, CallContext, EncodeError, Input, InvalidInput, Operation, OperationKind,
    Progress, Submission, UnifiedRequest, WireRequest, WireResponse,
};
use lienthong_adapter_kit::api::{self, ApiFragment, Content, OperationApi};
use schemars::generate::SchemaGenerator;

use model::{Application, Details};

pub use sim::JudicialRecordsSimulator;

/// Path of the partner's application endpoint, relative to its base URL.
pub(crate) const ENDPOINT: &str = "/lltp/api/v1/hoso";
/// Content type of requests and answers.
pub(crate) const CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// Header carrying the consumer code (`MaDonVi`).
pub(crate) const CONSUMER_HEADER: &str = "x-ma-don-vi";
/// Header carrying the request id (`MaYeuCau`).
pub(crate) const REQUEST_ID_HEADER: &str = "x-ma-yeu-cau";

static OPERATIONS: [Operation; 2] = [
    Operation {
        id: "submitCriminalRecordApplication",
        method: Method::POST,
        path: "/v1/criminal-record-applications",
        query: &[],
        idempotent: false,
        timeout: Duration::from_secs(15),
        cache: None,
        identifiers: &[
            "citizen_id",
            "full_name",
            "date_of_birth",
            "father_name",
            "mother_name",
            "spouse_name",
        ],
        kind: OperationKind::Submit,
        paged: false,
    },
    Operation {
        id: "getCriminalRecordApplication",
        method: Method::GET,
        path: "/v1/criminal-record-applications/{id}",
        query: &[],
        idempotent: true,
        timeout: Duration::from_secs(5),
        cache: None,
        identifiers: &[],
        kind: OperationKind::Status,
        paged: false,
    },
];

/// The judicial-records adapter (partner `judicial-records`).
#[derive(Debug, Clone, Copy, Default)]
pub struct JudicialRecords;

impl Adapter for JudicialRecords {
    fn partner(&self) -> &'static str {
        "judicial-records"
    }

    fn title(&self) -> &'static str {
        "Judicial records (Lý lịch tư pháp)"
    }

    fn operations(&self) -> &'static [Operation] {
        &OPERATIONS
    }

    fn validate(
        &self,
        op: &Operation,
        request: &UnifiedRequest<'_>,
    ) -> Result<Input, InvalidInput> {
        match op.kind {
            OperationKind::Submit => {
                let today = ict::date(SystemTime::now());
                let application = validate::application(request.body, today)?;
                Input::validated(&application, "/")
            }
            OperationKind::Status | OperationKind::Call => validate::application_id(request),
        }
    }

    fn applications(&self) -> Option<&dyn Applications> {
        Some(self)
    }

    fn api(&self, generator: &mut SchemaGenerator) -> ApiFragment {
        let submit = OperationApi {
            id: "submitCriminalRecordApplication",
            summary: "Apply for a criminal-record certificate",
            description: SUBMIT_DESCRIPTION,
            body: Some(Content::of::<Application>(generator).example(
                "CriminalRecordApplicationRequest",
                "An application for certificate no. 1, two copies",
                api::example(include_str!("../fixtures/example_application.json")),
            )),
            statuses: &decode::STATUSES,
            ..OperationApi::default()
        };
        let status = OperationApi {
            id: "getCriminalRecordApplication",
            summary: "State of a criminal-record application",
            description: "The application as the bus last learnt it from the national service \
                (the bus polls the service; this call never waits for it). `issued`, \
                `rejected`, `withdrawn` and `failed` are final. Once `issued`, `certificate` \
                holds the signed certificate as a base64 PDF.",
            parameters: Some(api::parameters::<model::ApplicationId<'static>>()),
            answer: Some(Content::of::<Details>(generator).example(
                "IssuedCriminalRecordApplication",
                "An issued certificate (PDF shortened)",
                api::example(include_str!("../fixtures/example_issued.json")),
            )),
            statuses: &decode::STATUSES,
            ..OperationApi::default()
        };
        ApiFragment {
            description: "The national judicial-records service (lý lịch tư pháp): \
                criminal-record certificates, processed asynchronously.",
            operations: vec![submit, status],
        }
    }
}

const SUBMIT_DESCRIPTION: &str = "\
Checks the application and stores it durably, then answers `202` at once. The bus delivers \
it to the national judicial-records service exactly once (the service is idempotent on \
`dossier_code`), follows its processing, which takes days, and posts each status change to \
`callback_url` when one is given. Follow the application at `status_url`.

`Idempotency-Key` makes a retry safe: the same key with the same body answers `200` with the \
existing application; the same key with another body answers `409`.

A dossier code belongs to the client that submits it: one application per dossier of that \
client (until an operator retires it), and other clients' dossier codes play no part. The \
province sends every application under one consumer code, so a dossier code the national \
service already holds for another client's application ends this one as `failed`. Personal \
data is erased a configured time after the final state (`result_expired`).";

impl Applications for JudicialRecords {
    fn submit_request(
        &self,
        input: &Input,
        ctx: &CallContext<'_>,
    ) -> Result<WireRequest, EncodeError> {
        encode::submit(&input.parse()?, ctx)
    }

    fn submit_outcome(&self, response: &WireResponse) -> Submission {
        decode::submission(response)
    }

    fn status_request(
        &self,
        reference: &str,
        ctx: &CallContext<'_>,
    ) -> Result<WireRequest, EncodeError> {
        encode::status(reference, ctx)
    }

    fn status_outcome(&self, response: &WireResponse) -> Progress {
        decode::progress(response)
    }
}
