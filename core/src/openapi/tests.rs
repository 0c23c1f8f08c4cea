use std::time::Duration;

use http::Method;

use super::*;
use crate::pipeline::problem_types;
use lienthong_adapter_kit::adapter::{
    Input, InvalidInput, Operation, OperationKind, UnifiedRequest,
};

static OPERATIONS: [Operation; 2] = [
    Operation {
        id: "getThing",
        method: Method::GET,
        path: "/v1/things/{code}",
        query: &["page"],
        idempotent: true,
        timeout: Duration::from_secs(1),
        cache: None,
        identifiers: &[],
        kind: OperationKind::Call,
        paged: false,
    },
    Operation {
        id: "submitThing",
        method: Method::POST,
        path: "/v1/things",
        query: &[],
        idempotent: false,
        timeout: Duration::from_secs(1),
        cache: None,
        identifiers: &[],
        kind: OperationKind::Submit,
        paged: false,
    },
];

/// An adapter that documents nothing beyond its operations.
struct Undocumented;

impl Adapter for Undocumented {
    fn partner(&self) -> &'static str {
        "things"
    }

    fn operations(&self) -> &'static [Operation] {
        &OPERATIONS
    }

    fn validate(&self, _: &Operation, _: &UnifiedRequest<'_>) -> Result<Input, InvalidInput> {
        Err(InvalidInput::one("x", "never"))
    }
}

#[test]
fn an_undocumented_adapter_still_has_every_operation_with_its_parameters() {
    let doc = document(&[Arc::new(Undocumented)]);
    let get = &doc["paths"]["/v1/things/{code}"]["get"];
    assert_eq!(get["operationId"], "getThing");
    let names: Vec<(&str, &str)> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| Some((p.get("name")?.as_str()?, p.get("in")?.as_str()?)))
        .collect();
    assert_eq!(names, [("code", "path"), ("page", "query")]);
    let post = &doc["paths"]["/v1/things"]["post"];
    assert!(post["responses"]["202"].is_object());
    assert!(post["responses"]["415"].is_object());
    assert!(get["responses"].get("415").is_none());
    assert_eq!(get["responses"]["504"]["description"], {
        let t = problem_types::PARTNER_TIMEOUT;
        format!("- `{}`: {}", t.slug, t.when)
    });
    assert!(doc["components"]["schemas"]["thingsApplicationStatus"]["enum"].is_array());
}

#[test]
fn every_problem_type_is_in_the_problem_schema() {
    let doc = document(&[]);
    let types = doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(types, problem_types::ALL.len());
}
