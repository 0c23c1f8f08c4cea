//! Stage: request id. Honours a well-formed incoming `X-Request-Id`, otherwise mints a
//! time-ordered one; every response carries it.

use http::{HeaderMap, HeaderValue};

/// Header carrying the request id.
pub const X_REQUEST_ID: &str = "x-request-id";
/// The form of a caller's request id.
pub const PATTERN: &str = "^[A-Za-z0-9._:-]{1,128}$";

/// The id of one request, valid as a header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// As text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored, see `well_formed` and `generate`.
        self.0.to_str().unwrap_or_default()
    }

    /// As a header value.
    pub fn header_value(&self) -> HeaderValue {
        self.0.clone()
    }

    /// A fresh id (UUIDv7, sortable by time).
    pub fn generate() -> Self {
        let id = uuid::Uuid::now_v7().simple().to_string();
        Self(HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid")))
    }
}

/// The caller's id when it is 1–128 characters of `A–Z a–z 0–9 . _ : -`, else a new one.
pub(crate) fn assign(headers: &HeaderMap) -> RequestId {
    headers
        .get(X_REQUEST_ID)
        .filter(|v| well_formed(v.as_bytes()))
        .map(|v| RequestId(v.clone()))
        .unwrap_or_else(RequestId::generate)
}

/// Whether `id` is 1–128 characters of `A–Z a–z 0–9 . _ : -` ([`PATTERN`]).
pub(crate) fn well_formed(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

#[cfg(test)]
mod tests {
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
