//! Stage: request id. Honours a well-formed incoming `X-Request-Id`, otherwise mints a
//! time-ordered one; every response carries it.

use http::HeaderMap;

use crate::audit::RequestId;

/// Header carrying the request id.
pub(crate) const X_REQUEST_ID: &str = "x-request-id";

/// The caller's id when it is well formed ([`RequestId::from_caller`]), else a new one.
pub(crate) fn assign(headers: &HeaderMap) -> RequestId {
    headers
        .get(X_REQUEST_ID)
        .and_then(RequestId::from_caller)
        .unwrap_or_else(RequestId::generate)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    #[test]
    fn honours_well_formed_ids_only() {
        let mut headers = HeaderMap::new();
        headers.insert(X_REQUEST_ID, HeaderValue::from_static("abc-123.x"));
        assert_eq!(assign(&headers).as_str(), "abc-123.x");
        headers.insert(X_REQUEST_ID, HeaderValue::from_static("bad id with spaces"));
        let minted = assign(&headers);
        assert_eq!(minted.as_str().len(), 32);
        assert_ne!(minted, assign(&headers));
    }
}
