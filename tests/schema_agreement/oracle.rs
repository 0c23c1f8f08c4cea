//! What the OpenAPI document says of a request: each parameter and the body checked
//! against its schema with `jsonschema`, the named formats as their definitions in the
//! document say, and the `x-date-order` rules.

use chrono::{Datelike, FixedOffset, NaiveDate, Utc};
use serde_json::{Value, json};

/// Validates values against schemas of one document.
pub(crate) struct Oracle {
    components: Value,
}

impl Oracle {
    pub(crate) fn new(document: &Value) -> Self {
        Self {
            components: document["components"].clone(),
        }
    }

    /// Whether `instance` fits the keywords of `schema` (which may `$ref` the document's
    /// components); [`Oracle::in_order`] checks its date-order rules.
    pub(crate) fn fits(&self, schema: &Value, instance: &Value) -> bool {
        let root = json!({ "allOf": [schema], "components": self.components });
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .with_format("enterprise-code", enterprise_code)
            .with_format("past-date", |s: &str| date(s).is_some_and(|d| d <= today()))
            .with_format("birth-date", birth_date)
            .with_format("birth-date-or-year", |s: &str| {
                birth_date(s)
                    || (s.len() == 4
                        && s.bytes().all(|b| b.is_ascii_digit())
                        && s.parse::<i32>()
                            .is_ok_and(|y| (1900..=today().year()).contains(&y)))
            })
            .with_format("callback-url", callback_url)
            .build(&root)
            .unwrap_or_else(|e| panic!("{schema}: {e}"));
        validator.is_valid(instance)
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.trim_start_matches("#/components");
                self.resolve(self.components.pointer(pointer).expect("a resolvable $ref"))
            }
            None => schema,
        }
    }

    /// The `x-date-order` rules of `schema`, at every depth.
    pub(crate) fn in_order(&self, schema: &Value, instance: &Value) -> bool {
        let schema = self.resolve(schema);
        let rules = schema.get("x-date-order").and_then(Value::as_array);
        let kept = rules.into_iter().flatten().all(|rule| {
            let at = |key: &str| {
                instance
                    .get(rule[key].as_str().unwrap())
                    .and_then(Value::as_str)
            };
            match (at("earlier"), at("later")) {
                (Some(earlier), Some(later)) if rule["strict"] == true => later > earlier,
                (Some(earlier), Some(later)) => later >= earlier,
                _ => true,
            }
        });
        let properties = schema.get("properties").and_then(Value::as_object);
        let nested = properties.into_iter().flatten().all(|(name, sub)| {
            instance
                .get(name)
                .is_none_or(|value| self.in_order(sub, value))
        });
        let items = match (schema.get("items"), instance.as_array()) {
            (Some(sub), Some(values)) => values.iter().all(|v| self.in_order(sub, v)),
            _ => true,
        };
        kept && nested && items
    }
}

/// Today in Vietnam (UTC+7).
pub(crate) fn today() -> NaiveDate {
    let ict = FixedOffset::east_opt(7 * 3600).unwrap();
    Utc::now().with_timezone(&ict).date_naive()
}

fn date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shaped
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

fn birth_date(s: &str) -> bool {
    date(s).is_some_and(|d| d.year() >= 1900 && d <= today())
}

/// The definition of `enterprise-code`, written out again from the document's words.
pub(crate) fn enterprise_code(s: &str) -> bool {
    let (code, branch) = s.split_once('-').unwrap_or((s, "000"));
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != 10
        || code.len() != 10
        || branch.len() != 3
        || !branch.bytes().all(|b| b.is_ascii_digit())
    {
        return false;
    }
    let sum: u32 = digits[..9]
        .iter()
        .zip([31, 29, 23, 19, 17, 13, 7, 5, 3])
        .map(|(d, w)| d * w)
        .sum();
    let check = 10 - sum % 11;
    check < 10 && check == digits[9]
}

/// `https://<host name>/...`, as the document defines `callback-url` (host names only: a
/// literal address is left to the bus's own tests of its address rules).
fn callback_url(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        && host.bytes().any(|b| b.is_ascii_alphabetic())
}
