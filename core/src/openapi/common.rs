//! The parts of the document every operation shares: the API's description, the caller
//! headers (with the forms [`crate::pipeline::caller`] and [`crate::audit::request_id`] check), response
//! headers, the problem document and the catalogue.

use serde_json::{Map, Value, json};

use super::refs::{header_ref, schema_ref};
use crate::audit::request_id;
use crate::pipeline::caller::{
    DOSSIER_CODE_PATTERN, MAX_TIMEOUT_SECS, MIN_TIMEOUT_SECS, TIMEOUT_PATTERN, USER_ID_PATTERN,
};
use crate::pipeline::problem::TYPE_PREFIX;
use crate::pipeline::problem_types::ALL;
use lienthong_adapter_kit::api::FORMATS;

/// Tag of the bus's own operations.
pub(super) const CATALOGUE_TAG: &str = "catalogue";

pub(super) fn info() -> Value {
    let formats: Vec<String> = FORMATS
        .iter()
        .map(|(name, meaning)| format!("- `{name}`: {meaning}."))
        .collect();
    json!({
        "title": "Liên Thông unified API",
        "version": "1.0.0",
        "summary": "One API in front of the national services a province's dossiers need.",
        "description": format!("{INTRODUCTION}\n{}\n", formats.join("\n")),
        "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
    })
}

const INTRODUCTION: &str = "\
Provincial applications call this API with their API key, optionally naming the dossier \
(`X-Dossier-Code`) and the official (`X-User-Id`). The bus translates each call for the \
national service that holds the data and answers with canonical JSON: English snake_case \
keys, ISO 8601 dates, NFC Vietnamese text.

Every answer carries `X-Request-Id` (the caller's, or minted by the bus) and, when tracing \
is active, `traceparent`. Errors are RFC 9457 problem documents \
(`application/problem+json`) whose `type` is `urn:lienthong:problem:<slug>` and which name \
the `partner` concerned and the `request_id`; each operation lists the types it can answer.

The national services answer one of: found (200), not found (404 `record-not-found`), \
exists but not shareable with this province (403 `not-shareable`); partner failures are \
502, partner timeouts 504, partner throttling or interruption 503 with `Retry-After`.

One rule holds for the query of every operation: only the parameters it documents, each at \
most once, each with a value (leave a parameter out rather than sending it empty), \
percent-encoded UTF-8. Anything else is a 400 `invalid-input` naming the parameter. Request \
bodies (POST, PUT) are JSON sent with `Content-Type: application/json` (`; charset=utf-8` \
may follow; other types, `application/*+json` included, are a 415), and no object may hold \
a key twice (400 naming the key's JSON pointer, e.g. `/full_name`).

Every request the schemas below accept passes validation; every one they refuse is \
answered 400 (or 415) naming what is wrong. Rules no standard JSON Schema keyword can \
express are named formats, and `x-date-order` on an object: `[{\"earlier\": a, \"later\": \
b, \"strict\": s}]` says that date `b` is not before (`strict`: after) date `a` when both \
are given; `x-header-matches-body` on an operation maps a header to the body field (JSON \
pointer) it must equal when both are given. The formats:
";

pub(super) fn security_schemes() -> Value {
    json!({
        "apiKey": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Authorization: ApiKey <key>` with the key issued to the application.",
        }
    })
}

/// The caller headers, as `#/components/parameters`.
pub(super) fn parameters() -> Value {
    json!({
        "DossierCode": {
            "name": "X-Dossier-Code",
            "in": "header",
            "required": false,
            "description": "The provincial dossier (mã hồ sơ) the call is made for; recorded in traces and the audit log.",
            "schema": { "type": "string", "pattern": DOSSIER_CODE_PATTERN },
            "example": "000.00.82.H58-260101-0001",
        },
        "UserId": {
            "name": "X-User-Id",
            "in": "header",
            "required": false,
            "description": "The official making the call.",
            "schema": { "type": "string", "pattern": USER_ID_PATTERN },
        },
        "RequestId": {
            "name": "X-Request-Id",
            "in": "header",
            "required": false,
            "description": "The caller's request id, echoed back; leave it out and the bus mints one. Any other form is a 400 `invalid-header`.",
            "schema": { "type": "string", "pattern": request_id::PATTERN },
        },
        "Traceparent": {
            "name": "traceparent",
            "in": "header",
            "required": false,
            "description": "W3C trace context; the bus continues the caller's trace and passes it to partners (a malformed one starts a new trace).",
            "schema": { "type": "string" },
        },
        "RequestTimeout": {
            "name": "Request-Timeout",
            "in": "header",
            "required": false,
            "description": format!(
                "Seconds the caller is willing to wait, from {MIN_TIMEOUT_SECS} to {MAX_TIMEOUT_SECS}, written as a JSON number (e.g. `2.5`, `30`, `1e2`; not `.5` or `+1`). Shortens the operation's own deadline; retries and waits for quota stay within it."
            ),
            "schema": {
                "type": "number",
                "minimum": MIN_TIMEOUT_SECS,
                "maximum": MAX_TIMEOUT_SECS,
                "pattern": TIMEOUT_PATTERN,
            },
            "example": 2.5,
        },
        "CacheControl": {
            "name": "Cache-Control",
            "in": "header",
            "required": false,
            "description": "`no-cache` asks for a fresh answer from the partner, for clients allowed to bypass the cache (otherwise ignored).",
            "schema": { "type": "string" },
            "example": "no-cache",
        },
        "IdempotencyKey": {
            "name": "Idempotency-Key",
            "in": "header",
            "required": true,
            "description": "A key the caller chooses for this application (e.g. a UUID); reused only to retry the same request.",
            "schema": { "type": "string", "pattern": "^[!-~]{1,255}$" },
            "example": "8d6f2f1e-4c1b-4f0e-9a57-2b1f3c9d7e10",
        },
    })
}

/// Response headers, as `#/components/headers`.
pub(super) fn headers() -> Value {
    json!({
        "RequestId": {
            "description": "The request id (the caller's, or minted by the bus).",
            "schema": { "type": "string" },
        },
        "RetryAfter": {
            "description": "Seconds to wait before trying again.",
            "schema": { "type": "integer", "minimum": 1 },
        },
        "XCache": {
            "description": "How the cache served the answer: `hit`, `miss`, `stale` (the partner could not answer; an older answer within its stale window) or `bypass`.",
            "schema": { "type": "string", "enum": ["hit", "miss", "stale", "bypass"] },
        },
        "Age": {
            "description": "Seconds since the answer was fetched from the partner (hit and stale).",
            "schema": { "type": "integer", "minimum": 0 },
        },
        "RateLimitPolicy": {
            "description": "IETF RateLimit-Policy: the quota at the partner, e.g. `\"business-registry\";q=20;w=1`.",
            "schema": { "type": "string" },
        },
        "RateLimit": {
            "description": "IETF RateLimit: what is left, e.g. `\"business-registry\";r=0;t=1`.",
            "schema": { "type": "string" },
        },
    })
}

/// The core's own schemas: the problem document and the catalogue.
pub(super) fn schemas() -> Map<String, Value> {
    let types: Vec<String> = ALL
        .iter()
        .map(|p| format!("{TYPE_PREFIX}{}", p.slug))
        .collect();
    let mut schemas = Map::new();
    schemas.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "description": "RFC 9457 problem details.",
            "required": ["type", "title", "status", "detail", "request_id"],
            "properties": {
                "type": { "type": "string", "format": "uri", "enum": types },
                "title": { "type": "string" },
                "status": { "type": "integer", "minimum": 400, "maximum": 599 },
                "detail": { "type": "string", "description": "What was wrong in this request and how to fix it." },
                "partner": { "type": "string", "description": "The national service concerned, when any." },
                "request_id": { "type": "string" },
                "errors": {
                    "type": "array",
                    "description": "For `invalid-input`: each bad field, query parameter or body key (by JSON pointer).",
                    "items": {
                        "type": "object",
                        "required": ["field", "detail"],
                        "properties": { "field": { "type": "string" }, "detail": { "type": "string" } },
                    },
                },
                "retry_after": { "type": "integer", "minimum": 1, "description": "Seconds to wait, as in the Retry-After header." },
            },
            "examples": [{
                "type": "urn:lienthong:problem:invalid-input",
                "title": "Invalid input",
                "status": 400,
                "detail": "correct these fields and send again: enterprise_code",
                "partner": "business-registry",
                "request_id": "0192f0c4e5a47b3c8d1e2f3a4b5c6d7e",
                "errors": [{
                    "field": "enterprise_code",
                    "detail": "check digit is wrong: the 10th digit should be 6 for these first nine digits; copy the code again from the registration certificate",
                }],
            }],
        }),
    );
    schemas.insert("Catalogue".into(), crate::pipeline::catalogue::schema());
    schemas
}

fn services_responses() -> Map<String, Value> {
    let mut responses = super::responses::catalogue();
    responses.insert(
        "200".into(),
        json!({
            "description": "The catalogue, filtered by the caller's grants.",
            "headers": { "X-Request-Id": header_ref("RequestId") },
            "content": { "application/json": { "schema": schema_ref("Catalogue") } },
        }),
    );
    responses
}

/// `/v1/services` and `/openapi.json`.
pub(super) fn catalogue_paths(paths: &mut Map<String, Value>) {
    paths.insert(
        "/v1/services".into(),
        json!({ "get": {
            "operationId": "listServices",
            "tags": [CATALOGUE_TAG],
            "summary": "Partners and operations the caller may use",
            "responses": services_responses(),
        }}),
    );
    paths.insert(
        "/openapi.json".into(),
        json!({ "get": {
            "operationId": "getOpenApi",
            "tags": [CATALOGUE_TAG],
            "summary": "This document, as JSON",
            "security": [],
            "responses": {
                "200": {
                    "description": "The OpenAPI document.",
                    "content": { "application/json": { "schema": { "type": "object" } } },
                },
            },
        }}),
    );
}
