//! The partner's JSON answers: `{"statusCode", "message", "data"}`.

use http::StatusCode;
use lienthong_adapter_kit::adapter::WireResponse;
use lienthong_adapter_kit::sim::{OVERLOADED_TEXT, PartnerFault};
use lienthong_adapter_kit::wire::JsonResults;
use serde_json::{Value, json};

/// How the partner writes a result answer.
const RESULTS: JsonResults = JsonResults {
    code: "statusCode",
    description: "message",
    content_type: crate::CONTENT_TYPE,
};

/// `00` accepting an application under `reference`.
pub(crate) fn accepted(reference: &str, repeat: bool) -> WireResponse {
    let message = if repeat {
        "Hồ sơ đã được tiếp nhận trước đó"
    } else {
        "Tiếp nhận hồ sơ thành công"
    };
    json(&json!({ "statusCode": "00", "message": message, "data": { "maHoSoLLTP": reference } }))
}

/// `00` with the state of an application.
pub(crate) fn state(data: Value) -> WireResponse {
    json(&json!({ "statusCode": "00", "message": "Thành công", "data": data }))
}

/// `01` with HTTP 200: the application is invalid.
pub(crate) fn invalid(message: &str) -> WireResponse {
    RESULTS.answer(StatusCode::OK, "01", message)
}

/// `99` with HTTP 400: the request itself is malformed.
pub(crate) fn malformed(message: &str) -> WireResponse {
    RESULTS.answer(StatusCode::BAD_REQUEST, "99", message)
}

/// HTTP 404 `01`: no application with that reference.
pub(crate) fn unknown_reference() -> WireResponse {
    RESULTS.answer(StatusCode::NOT_FOUND, "01", "Không tìm thấy hồ sơ")
}

/// The answer to an injected fault (HTTP 429 `03` with `Retry-After` when busy).
pub(crate) fn fault(fault: PartnerFault) -> WireResponse {
    RESULTS.fault(fault, OVERLOADED_TEXT)
}

/// A `00` answer (HTTP 200).
fn json(body: &Value) -> WireResponse {
    WireResponse::new(StatusCode::OK, crate::CONTENT_TYPE, body.to_string())
}
