//! Every problem type the unified API answers with, in one list: its status, slug, title
//! and when it occurs. [`crate::problem`] builds its answers from these; the OpenAPI
//! document lists, for each operation, the types that can reach it.

use http::StatusCode;

/// Which operations a problem type can reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Every operation.
    Every,
    /// Operations that read a request body (every kind but `Status`).
    Body,
    /// Operations that call a partner (`Call`).
    Call,
    /// Submissions of applications (`Submit`).
    Submit,
    /// Reads of an application (`Status`).
    Status,
    /// Submissions and reads of applications.
    Applications,
    /// No documented operation (a path nothing is served at).
    Never,
}

/// One problem type: `type` is [`crate::problem::TYPE_PREFIX`] + `slug`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ProblemType {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable short name.
    pub slug: &'static str,
    /// The same short summary for every occurrence.
    pub title: &'static str,
    /// When it is answered, for the document.
    pub when: &'static str,
    /// Which operations it can reach.
    pub reach: Reach,
    /// Whether the answer carries `Retry-After`.
    pub retry_after: bool,
}

macro_rules! problem_types {
    ($($name:ident = $status:ident, $slug:literal, $title:literal, $reach:ident, $retry:literal, $when:literal;)*) => {
        $(
            #[doc = $when]
            pub(crate) const $name: ProblemType = ProblemType {
                status: StatusCode::$status,
                slug: $slug,
                title: $title,
                when: $when,
                reach: Reach::$reach,
                retry_after: $retry,
            };
        )*
        /// Every problem type of the unified API.
        pub(crate) const ALL: &[ProblemType] = &[$($name),*];
    };
}

problem_types! {
    INVALID_HOST = BAD_REQUEST, "invalid-host", "Missing or malformed Host header", Every, false,
        "The `Host` header is missing, repeated, malformed or at odds with the request target.";
    INVALID_PATH = BAD_REQUEST, "invalid-path", "Malformed path", Every, false,
        "A path segment is not percent-encoded UTF-8.";
    INVALID_HEADER = BAD_REQUEST, "invalid-header", "Malformed request header", Every, false,
        "`X-Dossier-Code`, `X-User-Id`, `X-Request-Id` or `Request-Timeout` does not have the documented form.";
    INVALID_INPUT = BAD_REQUEST, "invalid-input", "Invalid input", Every, false,
        "A parameter or body field is invalid; `errors` names each (a query parameter the operation does not take, a repeated or empty one, text that is not UTF-8, a body key by JSON pointer) with what is accepted.";
    UNREADABLE_BODY = BAD_REQUEST, "unreadable-body", "Request body could not be read", Body, false,
        "The request body could not be read (broken framing).";
    DOSSIER_CODE_MISMATCH = BAD_REQUEST, "dossier-code-mismatch", "X-Dossier-Code differs from the application's dossier_code", Submit, false,
        "`X-Dossier-Code` names another dossier than the application's `dossier_code`.";
    IDEMPOTENCY_KEY_REQUIRED = BAD_REQUEST, "idempotency-key-required", "A valid Idempotency-Key header is required", Submit, false,
        "`Idempotency-Key` is missing or not 1 to 255 printable ASCII characters.";
    UNAUTHORIZED = UNAUTHORIZED, "unauthorized", "Missing or unknown credentials", Every, false,
        "The API key is missing, malformed or unknown.";
    ACCESS_DENIED = FORBIDDEN, "access-denied", "Not allowed to call this operation", Every, false,
        "The caller has no grant for this operation.";
    NOT_SHAREABLE = FORBIDDEN, "not-shareable", "Record exists but may not be shared", Call, false,
        "The partner holds the record but does not share it with this province.";
    RECORD_NOT_FOUND = NOT_FOUND, "record-not-found", "No such record at the partner", Call, false,
        "The partner holds no record for this input.";
    NO_SUCH_APPLICATION = NOT_FOUND, "no-such-application", "No such application", Status, false,
        "No application with this id was submitted by this client.";
    METHOD_NOT_ALLOWED = METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed on this path", Every, false,
        "The path exists but not with this method; `Allow` lists the methods it takes.";
    REQUEST_TIMEOUT = REQUEST_TIMEOUT, "request-timeout", "Request body not received in time", Body, false,
        "The request body did not arrive within the configured time.";
    IDEMPOTENCY_KEY_REUSED = CONFLICT, "idempotency-key-reused", "Idempotency-Key already used with another body", Submit, false,
        "The `Idempotency-Key` was already used with a different body.";
    DOSSIER_HAS_APPLICATION = CONFLICT, "dossier-has-application", "The dossier already has an application", Submit, false,
        "This client's dossier already has an application (the detail names it).";
    PAYLOAD_TOO_LARGE = PAYLOAD_TOO_LARGE, "payload-too-large", "Request body too large", Body, false,
        "The request body exceeds the configured limit.";
    UNSUPPORTED_MEDIA_TYPE = UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Request body not sent as JSON", Submit, false,
        "The body was not sent as `application/json` (`; charset=utf-8` may follow); `Accept-Post` names the type accepted.";
    AUTH_THROTTLED = TOO_MANY_REQUESTS, "auth-throttled", "Too many failed authentications", Every, true,
        "Too many failed authentications came from the caller's address; a correct key is never refused.";
    RATE_LIMITED = TOO_MANY_REQUESTS, "rate-limited", "The province's quota at this partner is used up", Call, true,
        "The province's quota at the partner is used up beyond what the call may wait for; `RateLimit-Policy` and `RateLimit` tell the quota.";
    INTERNAL = INTERNAL_SERVER_ERROR, "internal", "Internal error", Every, false,
        "A defect of the bus stopped the request; report it with the request id.";
    PARTNER_FAULT = BAD_GATEWAY, "partner-fault", "The partner reported an error", Call, false,
        "The partner reported an internal error.";
    PARTNER_REJECTED_REQUEST = BAD_GATEWAY, "partner-rejected-request", "The partner refused the bus's request", Call, false,
        "The partner refused the bus's request as malformed (a defect on the bus side).";
    PARTNER_CREDENTIALS = BAD_GATEWAY, "partner-credentials", "The partner refused the bus's credentials", Call, false,
        "The partner refused the bus's credentials.";
    PARTNER_MALFORMED_ANSWER = BAD_GATEWAY, "partner-malformed-answer", "The partner's answer could not be understood", Call, false,
        "The partner answered something that could not be understood.";
    PARTNER_UNREACHABLE = BAD_GATEWAY, "partner-unreachable", "The partner cannot be reached", Call, false,
        "The partner could not be reached.";
    PARTNER_EXCHANGE_FAILED = BAD_GATEWAY, "partner-exchange-failed", "The exchange with the partner failed", Call, false,
        "The exchange with the partner broke off, or its answer was too large.";
    PARTNER_THROTTLED = SERVICE_UNAVAILABLE, "partner-throttled", "The partner is throttling this province", Call, true,
        "The partner throttles this province or asked the bus to pause.";
    PARTNER_UNAVAILABLE = SERVICE_UNAVAILABLE, "partner-unavailable", "The partner is temporarily interrupted", Call, true,
        "The partner is temporarily interrupted.";
    PARTNER_CIRCUIT_OPEN = SERVICE_UNAVAILABLE, "partner-circuit-open", "The partner is failing; calls are paused", Call, true,
        "The partner failed repeatedly, so its circuit breaker is open.";
    PARTNER_OVERLOADED = SERVICE_UNAVAILABLE, "partner-overloaded", "Too many calls to this partner at once", Call, true,
        "Too many calls to the partner are in flight.";
    RATE_LIMIT_UNAVAILABLE = SERVICE_UNAVAILABLE, "rate-limit-unavailable", "The shared quota cannot be checked", Call, true,
        "The shared quota store cannot be reached and the bus is configured to refuse calls meanwhile.";
    STORE_UNAVAILABLE = SERVICE_UNAVAILABLE, "store-unavailable", "The bus cannot store or read applications right now", Applications, true,
        "The application store cannot be used right now; nothing was accepted.";
    AUDIT_UNAVAILABLE = SERVICE_UNAVAILABLE, "audit-unavailable", "The access cannot be recorded", Every, true,
        "The audit log cannot be written, so national data is not released.";
    PARTNER_TIMEOUT = GATEWAY_TIMEOUT, "partner-timeout", "The partner did not answer in time", Call, false,
        "The partner did not answer within the operation's deadline (or the caller's `Request-Timeout`).";
    NO_SUCH_OPERATION = NOT_FOUND, "no-such-operation", "No operation at this path", Never, false,
        "No operation is served at this path.";
}

impl Reach {
    /// Whether a problem of this reach can answer an operation that is a submission
    /// (`submit`), a read of an application (`status`), or neither (a partner call).
    pub(crate) fn reaches(self, submit: bool, status: bool) -> bool {
        match self {
            Self::Every => true,
            Self::Body => !status,
            Self::Call => !submit && !status,
            Self::Submit => submit,
            Self::Status => status,
            Self::Applications => submit || status,
            Self::Never => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for problem in ALL {
            assert!(seen.insert(problem.slug), "{} twice", problem.slug);
            assert!(
                problem
                    .slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
            assert!(problem.status.is_client_error() || problem.status.is_server_error());
        }
    }
}
