//! Values from a JSON Schema of the document, as proptest strategies: the keywords the
//! document uses, named formats by their definitions, and mutations that may break them.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use super::oracle;

/// Generates values for the schemas of one document (`$ref`s into its components).
pub(crate) struct Generator {
    components: Value,
}

impl Generator {
    pub(crate) fn new(document: &Value) -> Self {
        Self {
            components: document["components"].clone(),
        }
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.trim_start_matches("#/components");
                self.resolve(self.components.pointer(pointer).unwrap())
            }
            None => schema,
        }
    }

    /// Values meant to fit `schema` (the oracle has the last word).
    pub(crate) fn valid(&self, schema: &Value) -> BoxedStrategy<Value> {
        let schema = self.resolve(schema);
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            return proptest::sample::select(values.clone()).boxed();
        }
        if let Some(value) = schema.get("const") {
            return Just(value.clone()).boxed();
        }
        if let Some(choices) = schema
            .get("oneOf")
            .or(schema.get("anyOf"))
            .and_then(Value::as_array)
        {
            let choices: Vec<BoxedStrategy<Value>> =
                choices.iter().map(|c| self.valid(c)).collect();
            return proptest::strategy::Union::new(choices).boxed();
        }
        let types: Vec<&str> = match &schema["type"] {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec!["string"],
        };
        let choices: Vec<BoxedStrategy<Value>> =
            types.iter().map(|t| self.of_type(schema, t)).collect();
        proptest::strategy::Union::new(choices).boxed()
    }

    fn of_type(&self, schema: &Value, kind: &str) -> BoxedStrategy<Value> {
        let number = |key: &str| schema.get(key).and_then(Value::as_f64);
        match kind {
            "null" => Just(Value::Null).boxed(),
            "boolean" => any::<bool>().prop_map(Value::from).boxed(),
            "integer" => {
                let low = number("minimum").unwrap_or(0.0) as u64;
                let high = number("maximum").unwrap_or(1000.0) as u64;
                prop_oneof![Just(low), Just(high), low..=high]
                    .prop_map(Value::from)
                    .boxed()
            }
            "number" => {
                let low = number("minimum").unwrap_or(0.0);
                let high = number("maximum").unwrap_or(1000.0);
                prop_oneof![Just(low), Just(high), low..=high]
                    .prop_map(|n| json!(n))
                    .boxed()
            }
            "array" => {
                let items = self.valid(&schema["items"]);
                let low = number("minItems").unwrap_or(0.0) as usize;
                let high = (number("maxItems").unwrap_or(3.0) as usize).min(low + 2);
                proptest::collection::vec(items, low..=high)
                    .prop_map(Value::Array)
                    .boxed()
            }
            "object" => self.object(schema),
            _ => self.string(schema),
        }
    }

    fn object(&self, schema: &Value) -> BoxedStrategy<Value> {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields: Vec<BoxedStrategy<Option<(String, Value)>>> = Vec::new();
        for (name, sub) in schema["properties"].as_object().into_iter().flatten() {
            let name = name.clone();
            let value = self.valid(sub);
            let field = if required.contains(&name.as_str()) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
            };
            fields.push(field);
        }
        fields
            .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect::<Map<_, _>>()))
            .boxed()
    }

    fn string(&self, schema: &Value) -> BoxedStrategy<Value> {
        let low = schema["minLength"].as_u64().unwrap_or(0) as usize;
        let high = schema["maxLength"].as_u64().map(|n| n as usize);
        let fits = move |s: &String| {
            let n = s.chars().count();
            n >= low && high.is_none_or(|h| n <= h)
        };
        let by_format = match schema["format"].as_str() {
            Some("date") => Some(dates(1, 9999)),
            Some("past-date" | "birth-date") => Some(past_dates()),
            Some("birth-date-or-year") => Some(
                prop_oneof![
                    past_dates(),
                    (1900..=oracle::today()
                        .format("%Y")
                        .to_string()
                        .parse::<i32>()
                        .unwrap())
                        .prop_map(|y| y.to_string())
                ]
                .boxed(),
            ),
            Some("enterprise-code") => Some(enterprise_codes()),
            Some("callback-url") => Some(
                ("[a-z][a-z0-9]{0,10}", "[a-z0-9/]{0,20}")
                    .prop_map(|(host, path)| format!("https://{host}.example.org/{path}"))
                    .boxed(),
            ),
            _ => None,
        };
        let strings = match (by_format, schema["pattern"].as_str()) {
            (Some(strategy), _) => strategy,
            (None, Some(pattern)) => {
                let unanchored = pattern.trim_start_matches('^').trim_end_matches('$');
                proptest::string::string_regex(unanchored)
                    .unwrap_or_else(|e| panic!("{pattern}: {e}"))
                    .boxed()
            }
            (None, None) => any::<String>().boxed(),
        };
        strings
            .prop_filter("length within bounds", fits)
            .prop_map(Value::String)
            .boxed()
    }
}

fn dates(first: i32, last: i32) -> BoxedStrategy<String> {
    (first..=last, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
        .boxed()
}

fn past_dates() -> BoxedStrategy<String> {
    let this_year: i32 = oracle::today().format("%Y").to_string().parse().unwrap();
    dates(1900, this_year - 1)
}

fn enterprise_codes() -> BoxedStrategy<String> {
    ("[0-9]{9}", proptest::option::of("[0-9]{3}"))
        .prop_filter_map("a check digit exists", |(nine, branch)| {
            (0..10u32)
                .map(|check| format!("{nine}{check}"))
                .find(|code| oracle::enterprise_code(code))
                .map(|code| branch.map_or(code.clone(), |b| format!("{code}-{b}")))
        })
        .boxed()
}

/// A value that may break a schema: text of any kind, numbers out of range, other types.
pub(crate) fn breaking() -> BoxedStrategy<Value> {
    prop_oneof![
        any::<String>().prop_map(Value::String),
        "[ -~]{0,12}".prop_map(Value::String),
        Just(json!("")),
        Just(json!(" ")),
        Just(json!("\u{7}")),
        proptest::sample::select(vec![".5", "1.", "+1", "0.05", "1e400", " 7 ", "7\t", "05"])
            .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        Just(json!(1.5)),
        Just(json!(0)),
        Just(json!(true)),
        Just(Value::Null),
        Just(json!([])),
        Just(json!({})),
    ]
    .boxed()
}
