//! The partner's JSON answers → [`Submission`] and [`Progress`].
//!
//! Transport-level answers are sorted out first (HTTP 429 → throttled, 5xx → fault, other
//! 4xx → rejected), then `statusCode`: `00` carries the data, `01` is a refusal (or an
//! unknown reference), `03` is a temporary interruption and `99` a partner fault. Unknown
//! fields are ignored; a duplicate key anywhere makes the answer unreadable
//! ([`lienthong_adapter_kit::json`]); what cannot be understood is [`FailureKind::Malformed`],
//! with a detail naming the field but never its value.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use lienthong_adapter_kit::adapter::{
    ApplicationState, FailureKind, PartnerFailure, Progress, Submission, WireResponse, retry_after,
};
use lienthong_adapter_kit::text;
use serde_json::{Map, Value};

use crate::model::{Certificate, ConvictionStatus, Details};

type Read<T> = Result<T, PartnerFailure>;

/// Longest part of a partner message kept in a detail.
const MAX_MESSAGE_CHARS: usize = 300;

/// Canonical statuses of `trangThaiXuLy` 1 to 10.
pub(crate) const STATUSES: [(&str, &str); 10] = [
    ("received", "the national service received the application"),
    ("verifying", "its data are being verified"),
    (
        "awaiting_supplement",
        "the national service asks for more documents",
    ),
    ("supplemented", "the documents asked for were supplied"),
    ("processing", "the records are being searched"),
    ("awaiting_signature", "the certificate awaits signature"),
    ("signed", "the certificate is signed"),
    (
        "issued",
        "the certificate is issued (final; `certificate` holds it)",
    ),
    (
        "rejected",
        "the national service rejected the application (final; `rejection_reason` says why)",
    ),
    ("withdrawn", "the application was withdrawn (final)"),
];

/// `trangThaiXuLy` of an issued certificate.
const ISSUED: u64 = 8;

/// Reads the answer to a submission.
pub(crate) fn submission(response: &WireResponse) -> Submission {
    match classify(response) {
        Ok(Reply::Done(data)) => match data.get("maHoSoLLTP").and_then(Value::as_str) {
            Some(reference) if !reference.trim().is_empty() => Submission::Accepted {
                reference: reference.trim().to_owned(),
            },
            _ => Submission::Failed(PartnerFailure::malformed(
                "statusCode 00 without data.maHoSoLLTP",
            )),
        },
        Ok(Reply::Invalid(message)) => Submission::Refused { detail: message },
        Err(failure) => Submission::Failed(failure),
    }
}

/// Reads the answer to a status request.
pub(crate) fn progress(response: &WireResponse) -> Progress {
    if response.status == StatusCode::NOT_FOUND {
        return match parse(&response.body) {
            Some(answer) if answer.code == "01" => Progress::Unknown,
            _ => Progress::Failed(PartnerFailure::new(
                FailureKind::Rejected,
                "HTTP 404 without the partner's statusCode 01",
            )),
        };
    }
    match classify(response) {
        Ok(Reply::Done(data)) => state(&data).map_or_else(Progress::Failed, Progress::State),
        Ok(Reply::Invalid(_)) => Progress::Unknown,
        Err(failure) => Progress::Failed(failure),
    }
}

/// A business answer: `00` with its data, or `01` with the partner's message.
enum Reply {
    Done(Map<String, Value>),
    Invalid(String),
}

/// A readable JSON answer.
struct Answer {
    code: String,
    message: Option<String>,
    data: Option<Map<String, Value>>,
}

fn parse(body: &[u8]) -> Option<Answer> {
    let Value::Object(mut object) = lienthong_adapter_kit::json::parse(body).ok()? else {
        return None;
    };
    let code = object.get("statusCode")?.as_str()?.trim().to_owned();
    let message = object
        .get("message")
        .and_then(Value::as_str)
        .map(|m| text::clean(m).chars().take(MAX_MESSAGE_CHARS).collect())
        .filter(|m: &String| !m.is_empty());
    let data = match object.remove("data") {
        Some(Value::Object(data)) => Some(data),
        _ => None,
    };
    Some(Answer {
        code,
        message,
        data,
    })
}

fn classify(response: &WireResponse) -> Read<Reply> {
    let status = response.status;
    let answer = parse(&response.body);
    let detail = match &answer {
        Some(answer) => format!(
            "HTTP {}, statusCode {}: {}",
            status.as_u16(),
            answer.code,
            answer.message.as_deref().unwrap_or("no message")
        ),
        None => format!("HTTP {status} without the partner's JSON answer"),
    };
    let wait = retry_after(&response.headers);
    let transport = match status {
        StatusCode::TOO_MANY_REQUESTS => Some(FailureKind::Throttled { retry_after: wait }),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Some(FailureKind::Unauthorized),
        s if s.is_server_error() => Some(FailureKind::Fault),
        s if !s.is_success() => Some(FailureKind::Rejected),
        _ => None,
    };
    if let Some(kind) = transport {
        return Err(PartnerFailure::new(kind, detail));
    }
    let Some(answer) = answer else {
        return Err(PartnerFailure::malformed(
            "the answer is not a JSON object with a statusCode",
        ));
    };
    match answer.code.as_str() {
        "00" => Ok(Reply::Done(answer.data.unwrap_or_default())),
        "01" => {
            Ok(Reply::Invalid(answer.message.unwrap_or_else(|| {
                "statusCode 01 without a message".into()
            })))
        }
        "03" => Err(PartnerFailure::new(
            FailureKind::Unavailable { retry_after: wait },
            detail,
        )),
        "99" => Err(PartnerFailure::new(FailureKind::Fault, detail)),
        _ => Err(PartnerFailure::malformed(
            "the statusCode is none of 00, 01, 03, 99",
        )),
    }
}

/// The canonical state of a `00` status answer's `data`.
fn state(data: &Map<String, Value>) -> Read<ApplicationState> {
    let (code, status) = data
        .get("trangThaiXuLy")
        .and_then(small_number)
        .and_then(|n| {
            let index = usize::try_from(n).ok()?.checked_sub(1)?;
            Some((n, STATUSES.get(index)?.0))
        })
        .ok_or_else(|| PartnerFailure::malformed("trangThaiXuLy is not a number from 1 to 10"))?;
    let certificate = match data.get("ketQuaXuLy") {
        Some(Value::Object(result)) => Some(certificate(result)?),
        None | Some(Value::Null) if code != ISSUED => None,
        _ => {
            return Err(PartnerFailure::malformed(
                "ketQuaXuLy is not the certificate object",
            ));
        }
    };
    let details = Details {
        expected_on: optional_date(data, "ngayHenTraKetQua")?,
        rejection_reason: optional_text(data, "lyDoTuChoi"),
        certificate,
    };
    let details = match serde_json::to_value(details) {
        Ok(Value::Object(details)) => details,
        _ => return Err(PartnerFailure::malformed("the state cannot be represented")),
    };
    Ok(ApplicationState {
        status,
        is_final: code >= ISSUED,
        details,
    })
}

/// The canonical certificate of `ketQuaXuLy`.
fn certificate(result: &Map<String, Value>) -> Read<Certificate> {
    let number = optional_text(result, "soPhieuLLTP")
        .ok_or_else(|| PartnerFailure::malformed("ketQuaXuLy.soPhieuLLTP is missing"))?;
    let issued_on = optional_date(result, "ngayCapPhieu")?
        .ok_or_else(|| PartnerFailure::malformed("ketQuaXuLy.ngayCapPhieu is missing"))?;
    let kind = result
        .get("loaiPhieu")
        .and_then(small_number)
        .filter(|n| (1..=2).contains(n))
        .ok_or_else(|| PartnerFailure::malformed("ketQuaXuLy.loaiPhieu is not 1 or 2"))?;
    let conviction = match optional_text(result, "tinhTrangAnTich").as_deref() {
        Some("Không có án tích") => ConvictionStatus::None,
        Some("Có án tích") => ConvictionStatus::Convicted,
        _ => {
            return Err(PartnerFailure::malformed(
                "ketQuaXuLy.tinhTrangAnTich is not a known value",
            ));
        }
    };
    let pdf = result
        .get("phieuLLTP")
        .and_then(Value::as_str)
        .map(|s| s.split_ascii_whitespace().collect::<String>())
        .filter(|s| {
            STANDARD
                .decode(s)
                .is_ok_and(|pdf| pdf.starts_with(b"%PDF-"))
        })
        .ok_or_else(|| PartnerFailure::malformed("ketQuaXuLy.phieuLLTP is not a base64 PDF"))?;
    Ok(Certificate {
        number,
        issued_on,
        kind,
        signer: optional_text(result, "nguoiKy"),
        conviction_status: conviction,
        pdf_base64: pdf,
    })
}

/// A JSON number, or a string of digits, as an unsigned number.
fn small_number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A non-empty string field, NFC; absent, null or empty is `None`.
fn optional_text(object: &Map<String, Value>, name: &str) -> Option<String> {
    object
        .get(name)
        .and_then(Value::as_str)
        .map(text::clean)
        .filter(|s| !s.is_empty())
}

/// A `dd/MM/yyyy` field as ISO; absent, null or empty is `None`.
fn optional_date(object: &Map<String, Value>, name: &str) -> Read<Option<String>> {
    optional_text(object, name)
        .map(|raw| {
            text::wire_date_to_iso(&raw).ok_or_else(|| {
                PartnerFailure::malformed(format!("{name} is not a dd/MM/yyyy date"))
            })
        })
        .transpose()
}
