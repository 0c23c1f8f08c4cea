//! Canonical input → the partner's REST requests.

use http::header::ACCEPT;
use http::{HeaderMap, HeaderValue, Method};
use lienthong_adapter_kit::adapter::{CallContext, EncodeError, WireRequest};
use lienthong_adapter_kit::text;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::model::SearchQuery;
use crate::{CONSUMER_HEADER, JSON, REQUEST_ID_HEADER, SEARCH_PATH};

/// Everything but RFC 3986 unreserved characters is percent-encoded in query values.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `GET /vbpl/api/v1/vanban?...` with the given filters, then `trang` and `soBanGhi`.
pub(crate) fn search(
    query: &SearchQuery,
    ctx: &CallContext<'_>,
) -> Result<WireRequest, EncodeError> {
    let from = query.from.as_deref().map(wire_date).transpose()?;
    let to = query.to.as_deref().map(wire_date).transpose()?;
    let page = query.page.to_string();
    let page_size = query.page_size.to_string();
    let pairs = [
        ("tuKhoa", query.q.as_deref()),
        ("loaiVanBan", query.kind.as_deref()),
        ("coQuanBanHanh", query.issuer.as_deref()),
        ("tuNgay", from.as_deref()),
        ("denNgay", to.as_deref()),
        ("trang", Some(page.as_str())),
        ("soBanGhi", Some(page_size.as_str())),
    ];
    let mut path = String::with_capacity(128);
    path.push_str(SEARCH_PATH);
    for (i, (name, value)) in pairs
        .iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .enumerate()
    {
        path.push(if i == 0 { '?' } else { '&' });
        path.push_str(name);
        path.push('=');
        path.extend(utf8_percent_encode(value, QUERY_VALUE));
    }
    get(path, ctx)
}

/// `GET /vbpl/api/v1/vanban/{id}` (the id is digits, already validated).
pub(crate) fn document(id: &str, ctx: &CallContext<'_>) -> Result<WireRequest, EncodeError> {
    get(format!("{SEARCH_PATH}/{id}"), ctx)
}

/// A GET with the consumer code, the request id and `Accept: application/json`.
fn get(path: String, ctx: &CallContext<'_>) -> Result<WireRequest, EncodeError> {
    let header = |name: &str, value: &str| {
        HeaderValue::from_str(value)
            .map_err(|_| EncodeError(format!("{name} is not a valid header value")))
    };
    let mut headers = HeaderMap::with_capacity(3);
    headers.insert(
        CONSUMER_HEADER,
        header("the consumer code", ctx.consumer_code)?,
    );
    headers.insert(REQUEST_ID_HEADER, header("the request id", ctx.request_id)?);
    headers.insert(ACCEPT, HeaderValue::from_static(JSON));
    Ok(WireRequest {
        method: Method::GET,
        path,
        headers,
        body: bytes::Bytes::new(),
    })
}

/// An ISO date of the validated input as `dd/MM/yyyy`.
fn wire_date(iso: &str) -> Result<String, EncodeError> {
    text::iso_to_wire_date(iso).ok_or_else(|| EncodeError(format!("{iso} is not an ISO date")))
}
