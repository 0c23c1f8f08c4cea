//! Adapter for the national legal-documents database (Văn bản quy phạm pháp luật):
//! REST/JSON with Vietnamese field names, paged search.
//!
//! `GET /v1/legal-documents` becomes `GET /vbpl/api/v1/vanban?...` and
//! `GET /v1/legal-documents/{id}` becomes `GET /vbpl/api/v1/vanban/{id}`; answers become
//! the canonical JSON described in [`model`]. [`LegalDocumentsSimulator`] speaks the
//! partner's published interface for tests and the demo.

#![forbid(unsafe_code)]

mod decode;
mod encode;
pub mod model;
mod sim;
mod validate;
mod wire;

use std::time::Duration;

use http::{HeaderName, Method};
use lienthong_adapter_kit::adapter::{
    Adapter, CachePolicy, CallContext, EncodeError, Input, InvalidInput, Operation, OperationKind,
    Outcome, UnifiedRequest, WireRequest, WireResponse,
};

pub use sim::LegalDocumentsSimulator;

use model::{DocumentQuery, SearchQuery};

/// The partner's search path; a document is `{SEARCH_PATH}/{id}`.
pub(crate) const SEARCH_PATH: &str = "/vbpl/api/v1/vanban";
/// Header carrying the consumer code (`MaDonVi`).
pub(crate) const CONSUMER_HEADER: HeaderName = HeaderName::from_static("x-ma-don-vi");
/// Header carrying the request id (`MaYeuCau`).
pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-ma-yeu-cau");
/// Media type of requests' `Accept`.
pub(crate) const JSON: &str = "application/json";
/// Content type of the partner's answers.
pub(crate) const JSON_UTF8: &str = "application/json; charset=utf-8";

/// Id of the search operation.
const SEARCH: &str = "searchLegalDocuments";
/// Id of the document operation.
const DOCUMENT: &str = "getLegalDocument";

static OPERATIONS: [Operation; 2] = [
    Operation {
        id: SEARCH,
        method: Method::GET,
        path: "/v1/legal-documents",
        query: &validate::SEARCH_PARAMETERS,
        idempotent: true,
        timeout: Duration::from_secs(10),
        cache: Some(CachePolicy::fresh_for(Duration::from_secs(10 * 60))),
        identifiers: &[],
        kind: OperationKind::Call,
        paged: true,
    },
    Operation {
        id: DOCUMENT,
        method: Method::GET,
        path: "/v1/legal-documents/{id}",
        query: &[],
        idempotent: true,
        timeout: Duration::from_secs(10),
        cache: Some(CachePolicy::fresh_for(Duration::from_secs(60 * 60))),
        identifiers: &[],
        kind: OperationKind::Call,
        paged: false,
    },
];

/// The legal-documents adapter (partner `legal-documents`).
#[derive(Debug, Clone, Copy, Default)]
pub struct LegalDocuments;

impl Adapter for LegalDocuments {
    fn partner(&self) -> &'static str {
        "legal-documents"
    }

    fn title(&self) -> &'static str {
        "Legal documents (Văn bản quy phạm pháp luật)"
    }

    fn operations(&self) -> &'static [Operation] {
        &OPERATIONS
    }

    fn validate(
        &self,
        op: &Operation,
        request: &UnifiedRequest<'_>,
    ) -> Result<Input, InvalidInput> {
        if op.id == SEARCH {
            Input::validated(&validate::search(request)?, "query")
        } else {
            Input::validated(&validate::document(request)?, "query")
        }
    }

    fn encode(
        &self,
        op: &Operation,
        input: &Input,
        ctx: &CallContext<'_>,
    ) -> Result<WireRequest, EncodeError> {
        if op.id == SEARCH {
            encode::search(&input.parse::<SearchQuery>()?, ctx)
        } else {
            encode::document(&input.parse::<DocumentQuery>()?.id, ctx)
        }
    }

    fn decode(&self, op: &Operation, response: &WireResponse) -> Outcome {
        if op.id == SEARCH {
            decode::search(response)
        } else {
            decode::document(response)
        }
    }
}
