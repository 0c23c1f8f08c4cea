//! The documents of asynchronous applications ([`crate::applications`]): what a
//! submission answers, the application as `status_url` shows it (the core's fields plus
//! those the adapter declares), its statuses, and the signed status-change callback.

use serde_json::{Map, Value, json};

use super::refs::{header_ref, schema_ref};
use lienthong_adapter_kit::adapter::{Adapter, OperationKind};
use lienthong_adapter_kit::api::ApiFragment;

/// The statuses the core itself gives an application, before and after the partner's.
const QUEUED: (&str, &str) = ("queued", "stored, not yet delivered");
const SUBMITTED: (&str, &str) = ("submitted", "delivered, not yet processed");
const FAILED: (&str, &str) = (
    "failed",
    "the national service refused the application or it could not be delivered",
);

/// The component names of one adapter's application documents.
pub(super) struct Application {
    name: String,
}

/// Declares the adapter's application schemas (once) and names them.
pub(super) fn declare(
    adapter: &dyn Adapter,
    fragment: &ApiFragment,
    schemas: &mut Map<String, Value>,
) -> Application {
    let status_op = adapter
        .operations()
        .iter()
        .find(|op| op.kind == OperationKind::Status);
    let name = status_op
        .and_then(|op| op.id.strip_prefix("get"))
        .map_or_else(
            || format!("{}Application", adapter.partner()),
            str::to_owned,
        );
    let application = Application { name };
    if schemas.contains_key(&application.name) {
        return application;
    }
    let declared = |kind: OperationKind| {
        adapter
            .operations()
            .iter()
            .filter(|op| op.kind == kind)
            .find_map(|op| fragment.operations.iter().find(|o| o.id == op.id))
    };
    let statuses = declared(OperationKind::Status)
        .or_else(|| declared(OperationKind::Submit))
        .map_or(&[][..], |o| o.statuses);
    let all: Vec<(&str, &str)> = [QUEUED, SUBMITTED]
        .into_iter()
        .chain(statuses.iter().copied())
        .chain([FAILED])
        .collect();
    let lines: Vec<String> = all
        .iter()
        .map(|(name, meaning)| format!("- `{name}`: {meaning}"))
        .collect();
    schemas.insert(
        application.status(),
        json!({
            "type": "string",
            "description": lines.join("\n"),
            "enum": all.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
        }),
    );
    let mut parts = vec![core_fields(&application)];
    if let Some(details) = declared(OperationKind::Status).and_then(|o| o.answer.as_ref()) {
        parts.push(details.schema.clone().to_value());
    }
    schemas.insert(
        application.name.clone(),
        json!({ "description": "The application as the bus last learnt it from the national service.", "allOf": parts }),
    );
    schemas.insert(
        application.changed(),
        json!({
            "description": "The application as `status_url` shows it, with the event and its version.",
            "allOf": [
                schema_ref(&application.name),
                {
                    "type": "object",
                    "required": ["event", "version"],
                    "properties": {
                        "event": { "type": "string", "const": "status_changed" },
                        "version": {
                            "type": "integer",
                            "minimum": 1,
                            "description": "Grows with every change. Deliveries of one application arrive in version order, except a replayed dead letter, which may come after later ones.",
                        },
                    },
                },
            ],
        }),
    );
    schemas.insert(
        "ApplicationAccepted".into(),
        json!({
            "type": "object",
            "required": ["id", "status", "status_url"],
            "properties": {
                "id": id_schema(),
                "status": { "type": "string", "const": QUEUED.0 },
                "status_url": { "type": "string", "description": "Where to follow the application." },
            },
        }),
    );
    application
}

impl Application {
    fn status(&self) -> String {
        format!("{}Status", self.name)
    }

    fn changed(&self) -> String {
        format!("{}StatusChanged", self.name)
    }
}

fn id_schema() -> Value {
    json!({ "type": "string", "pattern": "^[0-9a-fA-F]{32}$", "description": "The application id: 32 hexadecimal digits." })
}

/// The fields the core gives every application document.
fn core_fields(application: &Application) -> Value {
    let nullable =
        |description: &str| json!({ "type": ["string", "null"], "description": description });
    json!({
        "type": "object",
        "required": ["id", "status", "dossier_code", "partner_reference", "created_at", "updated_at", "status_url", "result_expired"],
        "properties": {
            "id": id_schema(),
            "status": schema_ref(&application.status()),
            "dossier_code": { "type": "string" },
            "partner_reference": nullable("The national service's reference, once delivered."),
            "created_at": { "type": "string", "format": "date-time" },
            "updated_at": { "type": "string", "format": "date-time" },
            "status_url": { "type": "string", "description": "Where to follow the application." },
            "result_expired": {
                "type": "boolean",
                "description": "True once the retention period after the final state has passed and the submitted data and the results (certificate, dates, reasons) were erased.",
            },
            "retired": {
                "type": "object",
                "description": "Present when an operator retired the application, freeing its dossier for a new one.",
                "required": ["at", "reason"],
                "properties": {
                    "at": { "type": "string", "format": "date-time" },
                    "reason": { "type": "string" },
                },
            },
        },
    })
}

/// The success answers of a `Submit` (202 new, 200 the same retry) or `Status` (200, with
/// the adapter's `examples` of whole application documents).
pub(super) fn answers(
    kind: OperationKind,
    application: &Application,
    examples: Option<Value>,
) -> Map<String, Value> {
    let mut media = json!({ "schema": schema_ref(&application.name) });
    if let Some(examples) = examples {
        media["examples"] = examples;
    }
    let current = json!({
        "headers": { "X-Request-Id": header_ref("RequestId") },
        "content": { "application/json": media },
    });
    let mut answers = Map::new();
    let mut with = |code: &str, description: &str, mut answer: Value| {
        answer["description"] = json!(description);
        answers.insert(code.to_owned(), answer);
    };
    if kind == OperationKind::Submit {
        with(
            "202",
            "Accepted and stored; it will be delivered to the national service.",
            json!({
                "headers": {
                    "Location": { "description": "The application's URL (same as `status_url`).", "schema": { "type": "string" } },
                    "X-Request-Id": header_ref("RequestId"),
                },
                "content": { "application/json": { "schema": schema_ref("ApplicationAccepted") } },
            }),
        );
        with(
            "200",
            "The same `Idempotency-Key` and the same body were already accepted; this is that application, with its current status.",
            current,
        );
    } else {
        with("200", "The application.", current);
    }
    answers
}

/// The `statusChanged` callback of a submission with a `callback_url`.
pub(super) fn callbacks(application: &Application) -> Value {
    json!({ "statusChanged": { "{$request.body#/callback_url}": { "post": {
        "summary": "A status change of the application",
        "description": CALLBACK,
        "parameters": [
            header("webhook-id", "The delivery's id, the same on every attempt and replay.", json!({ "type": "string" })),
            header("webhook-timestamp", "Unix time (seconds) of this attempt.", json!({ "type": "string", "pattern": "^[0-9]+$" })),
            header("webhook-signature", "`v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\">`.", json!({ "type": "string" })),
            {
                "name": "X-Lienthong-Signature",
                "in": "header",
                "deprecated": true,
                "description": "`sha256=<hex HMAC-SHA256 of the body>`; use `webhook-signature`.",
                "schema": { "type": "string" },
            },
        ],
        "requestBody": {
            "required": true,
            "content": { "application/json": { "schema": schema_ref(&application.changed()) } },
        },
        "responses": { "204": { "description": "Acknowledged (any 2xx is)." } },
    }}}})
}

fn header(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "header", "required": true, "description": description, "schema": schema })
}

const CALLBACK: &str = "\
Sent for every change of the application's status or details when it was submitted with a \
`callback_url`; per application in version order. Signed as the Standard Webhooks \
specification (https://www.standardwebhooks.com/) says, so its libraries verify it: \
`webhook-signature` is `v1,` and the base64 HMAC-SHA256, under the client's webhook secret, \
of `{webhook-id}.{webhook-timestamp}.{body}`. Reject timestamps far from now and drop a \
`webhook-id` already processed: retries and replays keep it.

Answer 2xx to acknowledge. Anything else, redirects included (they are not followed), is \
retried with backoff for up to three days (the operators' `retry_horizon`); then the \
delivery waits as a dead letter that the operators can replay, and the later changes are \
delivered meanwhile. `410` ends the retries of that delivery at once.
";
