//! [`RequestId`]: the id that ties an answer, its trace and its audit record together.
//! The pipeline takes a caller's well-formed `X-Request-Id` or mints one; the
//! background work on applications mints one for every step it audits.

use http::HeaderValue;

/// The form of a caller's request id.
pub(crate) const PATTERN: &str = "^[A-Za-z0-9._:-]{1,128}$";

/// The id of one request, valid as a header value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// As text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever stored, see `from_caller` and `generate`.
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

    /// The caller's id when it is 1–128 characters of `A–Z a–z 0–9 . _ : -`.
    pub(crate) fn from_caller(value: &HeaderValue) -> Option<Self> {
        well_formed(value.as_bytes()).then(|| Self(value.clone()))
    }
}

/// Whether `id` is 1–128 characters of `A–Z a–z 0–9 . _ : -` ([`PATTERN`]).
pub(crate) fn well_formed(id: &[u8]) -> bool {
    (1..=128).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}
