//! Strict JSON, for partners' answers and clients' request bodies alike. A document that
//! names a key twice in one object is ambiguous (readers disagree on which value wins), so
//! a duplicate key anywhere in it is refused, named by its JSON pointer; so are numbers out
//! of range (`1e999`), nesting deeper than 128 levels (serde_json's recursion limit) and
//! trailing bytes.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why bytes are not strict JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// An object holds this key twice; `path` is the JSON pointer of the second one.
    #[error("{path} appears twice in one object")]
    DuplicateKey {
        /// JSON pointer (RFC 6901) of the repeated key, e.g. `/applicant/full_name`.
        path: String,
    },
    /// The bytes do not parse as JSON (the parser's message, with line and column).
    #[error("not JSON: {0}")]
    Syntax(String),
}

/// Parses `bytes` as one JSON value, refusing objects that hold a key twice.
pub fn parse(bytes: &[u8]) -> Result<Value, JsonError> {
    let duplicate = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict {
        path: String::new(),
        duplicate: &duplicate,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    match (parsed, duplicate.into_inner()) {
        (_, Some(path)) => Err(JsonError::DuplicateKey { path }),
        (Ok(value), None) => Ok(value),
        (Err(error), None) => Err(JsonError::Syntax(error.to_string())),
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

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
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

    fn syntax(text: &str) -> String {
        match parse(text.as_bytes()) {
            Err(JsonError::Syntax(message)) => message,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"a":[1,-2,3.5,"x",true,null,{"b":{}}],"c":"ạ"}"#;
        assert_eq!(
            parse(text.as_bytes()).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }

    #[test]
    fn repeated_keys_are_named_by_pointer_at_any_depth() {
        let duplicate = |text: &str| match parse(text.as_bytes()) {
            Err(JsonError::DuplicateKey { path }) => path,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(duplicate(r#"{"a":1,"a":2}"#), "/a");
        assert_eq!(duplicate(r#"{"a":{"b":[1,{"c":1,"c":1}]}}"#), "/a/b/1/c");
        assert_eq!(duplicate(r#"{"x/y~":{"k":0,"k":0}}"#), "/x~1y~0/k");
        assert!(parse(br#"[{"a":1},{"a":2}]"#).is_ok(), "one key per object");
    }

    #[test]
    fn refuses_out_of_range_numbers_deep_nesting_and_trailing_bytes() {
        assert!(syntax(r#"{"a":1e999}"#).contains("number out of range"));
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert!(syntax(&deep).contains("recursion limit exceeded"));
        assert!(syntax(r#"{"a":1} x"#).contains("trailing characters"));
        for text in ["", "{", "{\"a\":01}"] {
            syntax(text);
        }
        assert!(parse(&[b'"', 0xff, b'"']).is_err());
    }
}
