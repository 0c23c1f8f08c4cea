//! The problem answers of an operation: every problem type that can reach it
//! ([`crate::pipeline::problem_types`]), grouped by status, each group naming its types.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::refs::{header_ref, schema_ref};
use crate::pipeline::problem_types::{ALL, ProblemType};
use lienthong_adapter_kit::adapter::{Operation, OperationKind};

/// Status → response for the problems `op` can answer with.
pub(super) fn problems(op: &Operation) -> Map<String, Value> {
    let submit = op.kind == OperationKind::Submit;
    let status = op.kind == OperationKind::Status;
    grouped(ALL.iter().filter(|p| p.reach.reaches(submit, status)))
}

/// Status → response for the bus's own operations (the catalogue), which check only the
/// request's host and credentials.
pub(super) fn catalogue() -> Map<String, Value> {
    use crate::pipeline::problem_types::{AUTH_THROTTLED, INTERNAL, INVALID_HOST, UNAUTHORIZED};
    grouped([INVALID_HOST, UNAUTHORIZED, AUTH_THROTTLED, INTERNAL].iter())
}

fn grouped<'a>(types: impl Iterator<Item = &'a ProblemType>) -> Map<String, Value> {
    let mut by_status: BTreeMap<u16, Vec<&ProblemType>> = BTreeMap::new();
    for problem in types {
        by_status
            .entry(problem.status.as_u16())
            .or_default()
            .push(problem);
    }
    by_status
        .into_iter()
        .map(|(code, types)| (code.to_string(), response(code, &types)))
        .collect()
}

fn response(code: u16, types: &[&ProblemType]) -> Value {
    let lines: Vec<String> = types
        .iter()
        .map(|p| format!("- `{}`: {}", p.slug, p.when))
        .collect();
    let mut headers = Map::new();
    headers.insert("X-Request-Id".into(), header_ref("RequestId"));
    if types.iter().any(|p| p.retry_after) {
        headers.insert("Retry-After".into(), header_ref("RetryAfter"));
    }
    let extra: &[(&str, Value)] = match code {
        401 => &[(
            "WWW-Authenticate",
            json!({ "schema": { "type": "string" } }),
        )],
        405 => &[(
            "Allow",
            json!({ "description": "The methods the path takes.", "schema": { "type": "string" } }),
        )],
        415 => &[(
            "Accept-Post",
            json!({ "description": "The media type accepted, `application/json`.", "schema": { "type": "string" } }),
        )],
        429 => &[
            ("RateLimit-Policy", header_ref("RateLimitPolicy")),
            ("RateLimit", header_ref("RateLimit")),
        ],
        _ => &[],
    };
    for (name, header) in extra {
        headers.insert((*name).to_owned(), header.clone());
    }
    json!({
        "description": lines.join("\n"),
        "headers": headers,
        "content": { "application/problem+json": { "schema": schema_ref("Problem") } },
    })
}
