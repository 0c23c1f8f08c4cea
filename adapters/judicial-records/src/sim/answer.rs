//! The partner's JSON answers: `{"statusCode", "message", "data"}`.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, StatusCode};
use lienthong_core::adapter::WireResponse;
use serde_json::{Value, json};

/// `00` accepting an application under `reference`.
pub(crate) fn accepted(reference: &str, repeat: bool) -> WireResponse {
    let message = if repeat {
        "Hồ sơ đã được tiếp nhận trước đó"
    } else {
        "Tiếp nhận hồ sơ thành công"
    };
    json(
        StatusCode::OK,
        &json!({ "statusCode": "00", "message": message, "data": { "maHoSoLLTP": reference } }),
    )
}

/// `00` with the state of an application.
pub(crate) fn state(data: Value) -> WireResponse {
    json(
        StatusCode::OK,
        &json!({ "statusCode": "00", "message": "Thành công", "data": data }),
    )
}

/// A result code without data.
pub(crate) fn result(status: StatusCode, code: &str, message: &str) -> WireResponse {
    json(status, &json!({ "statusCode": code, "message": message }))
}

/// `01` with HTTP 200: the application is invalid.
pub(crate) fn invalid(message: &str) -> WireResponse {
    result(StatusCode::OK, "01", message)
}

/// `99` with HTTP 400: the request itself is malformed.
pub(crate) fn malformed(message: &str) -> WireResponse {
    result(StatusCode::BAD_REQUEST, "99", message)
}

/// HTTP 404 `01`: no application with that reference.
pub(crate) fn unknown_reference() -> WireResponse {
    result(StatusCode::NOT_FOUND, "01", "Không tìm thấy hồ sơ")
}

/// HTTP 429 `03` with `Retry-After`.
pub(crate) fn busy(retry_after_secs: u64) -> WireResponse {
    let mut response = result(
        StatusCode::TOO_MANY_REQUESTS,
        "03",
        "Hệ thống đang quá tải, vui lòng thử lại sau",
    );
    response
        .headers
        .insert(RETRY_AFTER, HeaderValue::from(retry_after_secs));
    response
}

/// What the web server in front of the service answers for a wrong path or method.
pub(crate) fn http_error(status: StatusCode) -> WireResponse {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    WireResponse {
        status,
        headers,
        body: Bytes::from(status.canonical_reason().unwrap_or("error")),
    }
}

fn json(status: StatusCode, body: &Value) -> WireResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(crate::CONTENT_TYPE));
    WireResponse {
        status,
        headers,
        body: Bytes::from(body.to_string()),
    }
}
