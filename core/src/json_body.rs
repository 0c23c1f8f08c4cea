//! Stage: the body of an operation that takes one (POST, PUT) is JSON, strictly. It must
//! be sent as `application/json` (parameters allowed; a `charset`, when given, must be
//! `utf-8`) — `text/plain`, form encodings, `application/*+json` or no `Content-Type` are
//! refused with 415 before the body is read. It must parse as JSON with no object holding
//! a key twice, at any depth (parsers disagree on which of two values wins), so the
//! adapter's validation reads a body whose meaning is not in doubt.

use std::cell::RefCell;
use std::fmt;

use http::{HeaderMap, Method};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::adapter::InvalidInput;

/// The one media type request bodies are accepted in.
pub const ACCEPTED_TYPE: &str = "application/json";

/// A body whose `Content-Type` is not `application/json`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the request body must be sent as {ACCEPTED_TYPE}")]
pub struct UnsupportedMediaType {
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

/// Why a body is not strict JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrictJsonError {
    /// An object holds this key twice; `path` is the JSON pointer of the second one.
    #[error("{path} appears twice in one object")]
    DuplicateKey {
        /// JSON pointer (RFC 6901) of the repeated key, e.g. `/applicant/full_name`.
        path: String,
    },
    /// The body does not parse as JSON (the parser's message, with line and column).
    #[error("not JSON: {0}")]
    Syntax(String),
}

impl StrictJsonError {
    /// The refusal as bad input: the repeated key's pointer, or `/` for the whole body.
    pub(crate) fn into_invalid(self) -> InvalidInput {
        match self {
            Self::DuplicateKey { path } => {
                InvalidInput::one(path, "appears twice in one object; give each key once")
            }
            Self::Syntax(message) => {
                InvalidInput::one("/", format!("must be a JSON document ({message})"))
            }
        }
    }
}

/// Parses `bytes` as JSON, refusing objects that hold a key twice.
pub fn strict_json(bytes: &[u8]) -> Result<Value, StrictJsonError> {
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict {
        path: String::new(),
        duplicate: &duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, duplicate.into_inner()) {
        (_, Some(path)) => Err(StrictJsonError::DuplicateKey { path }),
        (Ok(value), None) => Ok(value),
        (Err(error), None) => Err(StrictJsonError::Syntax(error.to_string())),
    }
}

/// Builds a [`Value`] at JSON pointer `path`, recording the first repeated key.
struct Strict<'a> {
    path: String,
    duplicate: &'a RefCell<Option<String>>,
}

impl Strict<'_> {
    fn child(&self, segment: &str) -> Self {
        let escaped = segment.replace('~', "~0").replace('/', "~1");
        Strict {
            path: format!("{}/{escaped}", self.path),
            duplicate: self.duplicate,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child(&items.len().to_string()))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let child = self.child(&key);
            if object.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(child.path);
                return Err(de::Error::custom("a key appears twice"));
            }
            let value = map.next_value_seed(child)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn repeated_keys_are_named_by_pointer_at_any_depth() {
        let duplicate = |text: &str| match strict_json(text.as_bytes()) {
            Err(StrictJsonError::DuplicateKey { path }) => path,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(duplicate(r#"{"a":1,"a":2}"#), "/a");
        assert_eq!(duplicate(r#"{"a":{"b":[1,{"c":1,"c":1}]}}"#), "/a/b/1/c");
        assert_eq!(duplicate(r#"{"x/y~":{"k":0,"k":0}}"#), "/x~1y~0/k");
        assert_eq!(
            strict_json(br#"{"a":[{"b":1},{"b":2}],"c":null}"#).unwrap(),
            serde_json::json!({"a":[{"b":1},{"b":2}],"c":null})
        );
    }

    #[test]
    fn what_is_not_json_is_a_syntax_error() {
        for text in ["", "{", "{\"a\":1} x", "[1e999]", "{\"a\":01}"] {
            assert!(
                matches!(
                    strict_json(text.as_bytes()),
                    Err(StrictJsonError::Syntax(_))
                ),
                "{text}"
            );
        }
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert!(matches!(
            strict_json(deep.as_bytes()),
            Err(StrictJsonError::Syntax(_))
        ));
    }

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
