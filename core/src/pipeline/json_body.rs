//! Stage: the body of an operation that takes one (POST, PUT) is JSON, strictly. It must
//! be sent as `application/json` (parameters allowed; a `charset`, when given, must be
//! `utf-8`) — `text/plain`, form encodings, `application/*+json` or no `Content-Type` are
//! refused with 415 before the body is read. It must parse as strict JSON
//! ([`lienthong_adapter_kit::json`]: no object holding a key twice, at any depth), so the adapter's
//! validation reads a body whose meaning is not in doubt.

use http::{HeaderMap, Method};

use lienthong_adapter_kit::adapter::InvalidInput;
use lienthong_adapter_kit::json::JsonError;

/// The one media type request bodies are accepted in.
pub(crate) const ACCEPTED_TYPE: &str = "application/json";

/// A body whose `Content-Type` is not `application/json`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the request body must be sent as {ACCEPTED_TYPE}")]
pub(crate) struct UnsupportedMediaType {
    /// The request's method.
    pub method: Method,
    /// The `Content-Type` received, if any (printable ASCII, at most 100 characters).
    pub received: Option<String>,
}

/// Whether operations of `method` take a body.
pub(crate) fn takes_body(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT)
}

/// Checks the `Content-Type` of a request that carries a body.
pub(crate) fn check_media_type(
    method: &Method,
    headers: &HeaderMap,
) -> Result<(), UnsupportedMediaType> {
    let value = headers.get(http::header::CONTENT_TYPE);
    let text = value.and_then(|v| v.to_str().ok());
    if text.is_some_and(is_json) {
        return Ok(());
    }
    Err(UnsupportedMediaType {
        method: method.clone(),
        received: value.map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .chars()
                .filter(|c| c.is_ascii_graphic() || *c == ' ')
                .take(100)
                .collect()
        }),
    })
}

/// `application/json`, with parameters, any charset being UTF-8 (RFC 8259 §8.1).
fn is_json(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case(ACCEPTED_TYPE)
        && parts.all(|parameter| match parameter.split_once('=') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
                value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            }
            _ => true,
        })
}

/// The refusal of a body that is not strict JSON, as bad input: the repeated key's
/// pointer, or `/` for the whole body.
pub(crate) fn invalid_body(error: JsonError) -> InvalidInput {
    match error {
        JsonError::DuplicateKey { path } => {
            InvalidInput::one(path, "appears twice in one object; give each key once")
        }
        JsonError::Syntax(message) => {
            InvalidInput::one("/", format!("must be a JSON document ({message})"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn only_application_json_in_utf8_is_accepted() {
        let check = |value: Option<&'static str>| {
            let mut headers = HeaderMap::new();
            if let Some(value) = value {
                headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static(value));
            }
            check_media_type(&Method::POST, &headers).is_ok()
        };
        for ok in [
            "application/json",
            "Application/JSON ; charset=\"UTF-8\"",
            "application/json;foo=bar",
        ] {
            assert!(check(Some(ok)), "{ok}");
        }
        for refused in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
            Some("application/problem+json"),
            Some("application/json; charset=latin1"),
            Some("application/jsonp"),
        ] {
            assert!(!check(refused), "{refused:?}");
        }
    }
}
