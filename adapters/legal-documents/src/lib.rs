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
use lienthong_adapter_kit::api::{self, ApiFragment, Content, OperationApi};
use schemars::generate::SchemaGenerator;

pub use sim::LegalDocumentsSimulator;

use model::{DocumentQuery, LegalDocument, LegalDocumentPage, SearchQuery};

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

    fn api(&self, generator: &mut SchemaGenerator) -> ApiFragment {
        let search = OperationApi {
            id: SEARCH,
            summary: "Search legal documents",
            description: "Searches the national legal-documents database. `q` is a phrase \
                matched in the document number and abstract, case-insensitively but with \
                diacritics (`chia sẻ dữ liệu` does not match `chia se du lieu`); `type` and \
                `issuer` are exact names; `from` and `to` bound the issue date, inclusively \
                (`to` before `from` is refused). Results are ordered by issue date, newest \
                first. Answers are pages: `total`, `page` and `page_size` in the body and RFC \
                8288 `Link` headers to the first, previous, next and last pages. A search with \
                no hits is a 200 with an empty `items`.",
            parameters: Some(api::parameters::<SearchQuery>()),
            answer: Some(Content::of::<LegalDocumentPage>(generator).example(
                "LegalDocumentPage",
                "One page with one document",
                api::example(include_str!("../fixtures/example_page.json")),
            )),
            ..OperationApi::default()
        };
        let document = OperationApi {
            id: DOCUMENT,
            summary: "Legal document by id",
            description: "One document of the national legal-documents database, by the id a \
                search result gives: its summary, its content as HTML and what it does to other \
                documents (`amends`, `replaces`, `guides`, or `based_on` for the documents it \
                is issued on the basis of).",
            parameters: Some(api::parameters::<DocumentQuery>()),
            answer: Some(Content::of::<LegalDocument>(generator).example(
                "LegalDocumentFound",
                "Decree 47/2020/NĐ-CP on managing, connecting and sharing digital data",
                api::example(include_str!("../fixtures/example_document.json")),
            )),
            ..OperationApi::default()
        };
        ApiFragment {
            description: "The national legal-documents database (văn bản quy phạm pháp luật).",
            operations: vec![search, document],
        }
    }
}
