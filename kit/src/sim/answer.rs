//! HTTP answers of the harness itself (control endpoints, injected breakage).

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;
use serde::Serialize;

use crate::adapter::WireResponse;

pub(super) fn to_response(answer: WireResponse) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(answer.body));
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    response
}

pub(super) fn with_type(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

pub(super) fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    with_type(
        status,
        "text/plain; charset=utf-8",
        Bytes::from(text.to_owned()),
    )
}

pub(super) fn html(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    with_type(
        status,
        "text/html; charset=utf-8",
        Bytes::from_static(text.as_bytes()),
    )
}

pub(super) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    with_type(status, "application/json", Bytes::from(body))
}
