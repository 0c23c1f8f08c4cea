//! The OpenAPI document: generated from the registered adapters, the same as the committed
//! `schemas/openapi.yaml`, valid 3.1 structure, every routed operation present, served at
//! /openapi.json without credentials, and its example answers match what the bus returns.
//!
//! `UPDATE_SCHEMAS=1 cargo test --test openapi` rewrites `schemas/openapi.yaml` (as does
//! `lienthong openapi > schemas/openapi.yaml`).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use http::{Method, StatusCode};
use lienthong_adapter_kit::adapter::Adapter;
use serde_json::Value;

fn document() -> Value {
    lienthong::openapi::value().unwrap()
}

#[test]
fn the_committed_yaml_is_the_generated_document() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(lienthong::openapi::FILE);
    let generated = lienthong::openapi::yaml().unwrap();
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap();
    let parsed: Value = serde_norway::from_str(&committed).unwrap();
    assert!(
        parsed == document() && committed == generated,
        "{} is not the generated document; run `cargo run -- openapi > {}` (or this test with UPDATE_SCHEMAS=1) and commit it",
        path.display(),
        lienthong::openapi::FILE
    );
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

fn collect_refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[test]
fn document_is_openapi_3_1_with_resolvable_refs() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."));
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        assert!(resolve(&doc, r).is_some(), "unresolvable $ref {r}");
    }
    let mut ids = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_owned()), "duplicate operationId {id}");
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{id}: no responses"
            );
        }
    }
}

#[test]
fn every_routed_operation_is_documented() {
    let doc = document();
    for adapter in lienthong::partners::adapters() {
        for op in adapter.operations() {
            let method = op.method.as_str().to_ascii_lowercase();
            let documented = &doc["paths"][op.path][&method];
            assert_eq!(
                documented["operationId"], op.id,
                "{} {} is not in the OpenAPI document",
                op.method, op.path
            );
            let declared_in = |place: &str| -> Vec<String> {
                documented["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|p| {
                        p.get("$ref")
                            .and_then(|r| resolve(&doc, r.as_str().unwrap()))
                            .unwrap_or(p)
                    })
                    .filter(|p| p["in"] == place)
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect()
            };
            // The query parameters documented are those the core accepts.
            assert_eq!(
                declared_in("query"),
                op.query,
                "{}: query parameters",
                op.id
            );
            assert!(
                documented["responses"]["400"].is_object(),
                "{}: no 400",
                op.id
            );
            if matches!(op.method, Method::POST | Method::PUT) {
                assert!(
                    documented["responses"]["415"].is_object(),
                    "{}: no 415",
                    op.id
                );
            }
            // Every path parameter of the route is declared.
            let declared = declared_in("path");
            for segment in op.path.split('/').filter(|s| s.starts_with('{')) {
                let name = segment.trim_matches(|c| c == '{' || c == '}');
                assert!(
                    declared.iter().any(|d| d == name),
                    "{}: path parameter {name} undeclared",
                    op.id
                );
            }
        }
    }
}

#[tokio::test]
async fn served_as_json_without_credentials_and_examples_are_true() {
    let t = common::start().await;
    let url = format!("http://{}/openapi.json", t.api());
    let a = t.raw(Method::GET, &url, &[], "").await;
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(a.json(), document());

    // Each documented example of a found record is what the bus answers for it.
    let doc = document();
    let examples = &doc["components"]["examples"];
    let cases = [
        ("ActiveEnterprise", "/v1/enterprises/1200123459".to_owned()),
        (
            "InsuranceParticipantFound",
            "/v1/insurance/participants/8212345678?full_name=Nguy%E1%BB%85n%20Th%E1%BB%8B%20B%C3%ACnh&date_of_birth=1985-05-12".to_owned(),
        ),
        ("LegalDocumentFound", format!("/v1/legal-documents/{}", examples["LegalDocumentFound"]["value"]["id"].as_str().unwrap())),
    ];
    for (example, path) in cases {
        let answer = t.get(&path).await;
        answer.expect(200);
        assert_eq!(
            answer.json(),
            examples[example]["value"],
            "{example} must be what the bus answers"
        );
    }
    t.stop().await;
}

#[test]
fn the_judicial_records_operations_are_documented_with_their_statuses() {
    let doc = lienthong_core::openapi::document(&[std::sync::Arc::new(
        lienthong_adapter_judicial_records::JudicialRecords,
    )]);
    for op in lienthong_adapter_judicial_records::JudicialRecords.operations() {
        let method = op.method.as_str().to_ascii_lowercase();
        assert_eq!(doc["paths"][op.path][&method]["operationId"], op.id);
    }
    let statuses = &doc["components"]["schemas"]["CriminalRecordApplicationStatus"]["enum"];
    for status in [
        "queued",
        "submitted",
        "received",
        "verifying",
        "awaiting_supplement",
        "supplemented",
        "processing",
        "awaiting_signature",
        "signed",
        "issued",
        "rejected",
        "withdrawn",
        "failed",
    ] {
        assert!(
            statuses
                .as_array()
                .unwrap()
                .contains(&serde_json::json!(status)),
            "{status}"
        );
    }
    let submit = &doc["paths"]["/v1/criminal-record-applications"]["post"]["responses"];
    for status in ["202", "200", "400", "401", "403", "409", "413", "415"] {
        assert!(submit[status].is_object(), "{status}");
    }
    let read = &doc["paths"]["/v1/criminal-record-applications/{id}"]["get"]["responses"];
    assert!(read["404"].is_object() && read["200"].is_object());
}
