//! The partner's HTTP answers: JSON bodies with a result code, `Retry-After` when
//! throttling.

use bytes::Bytes;
use http::StatusCode;
use lienthong_adapter_kit::adapter::WireResponse;
use lienthong_adapter_kit::sim::PartnerFault;
use lienthong_adapter_kit::wire::JsonResults;

use crate::JSON_UTF8;

/// How the partner writes a result answer.
const RESULTS: JsonResults = JsonResults {
    code: "maKetQua",
    description: "moTa",
    content_type: JSON_UTF8,
};

/// An answer with `status` and a JSON `body`.
pub(crate) fn json(status: StatusCode, body: impl Into<Bytes>) -> WireResponse {
    WireResponse::new(status, JSON_UTF8, body)
}

/// `{"maKetQua": code, "moTa": description}` with `status`.
pub(crate) fn result(status: StatusCode, code: &str, description: &str) -> WireResponse {
    RESULTS.answer(status, code, description)
}

/// HTTP 400 with code `99`: the request is malformed.
pub(crate) fn bad_request(description: &str) -> WireResponse {
    result(StatusCode::BAD_REQUEST, "99", description)
}

/// The answer to an injected fault (HTTP 429 `03` with `Retry-After` when busy).
pub(crate) fn fault(fault: PartnerFault) -> WireResponse {
    RESULTS.fault(fault, "Vượt quá số yêu cầu cho phép, vui lòng thử lại sau")
}

/// A `00` search answer around items already written as JSON.
pub(crate) fn page<'a>(
    total: usize,
    page: u64,
    page_size: u64,
    items: impl Iterator<Item = &'a str>,
) -> WireResponse {
    let mut body = format!(
        "{{\"maKetQua\":\"00\",\"tongSo\":{total},\"trang\":{page},\"soBanGhi\":{page_size},\"duLieu\":["
    );
    for (i, item) in items.enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(item);
    }
    body.push_str("]}");
    json(StatusCode::OK, body)
}
