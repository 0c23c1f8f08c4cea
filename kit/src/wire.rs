//! The national partners' answer conventions: reading them in decoders, writing them in
//! simulators.
//!
//! Every partner's answers carry a result code: `00` found, `01` not found, `02` not
//! shareable, `03` temporarily interrupted, `99` error. [`ResultCodes`] maps a code to
//! an [`Outcome`]; SOAP partners put it in a `KetQua` block ([`ket_qua`]) and their record
//! elements are read with [`XmlFields`]. What cannot be understood becomes
//! [`FailureKind::Malformed`] ([`PartnerFailure::malformed`]), quoting received values
//! with [`text::shown`].
//!
//! Simulators write the same conventions with [`soap_result`] (a `KetQua` answer),
//! [`JsonResults`] (a JSON result answer and the partner's answer to injected faults) and
//! [`http_error`] (what the web server in front of a service answers), and check what
//! they receive with [`is_utf8_content`].

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::{Map, Value};

use crate::adapter::{FailureKind, Outcome, PartnerFailure, WireResponse, retry_after};
use crate::sim::{ERROR_TEXT, INTERRUPTED_TEXT, PartnerFault};
use crate::soap::{SoapError, SoapVersion, XmlWriter, write_envelope};
use crate::text;
use crate::xml::Element;

/// How one partner's result codes read: the name of the code field and, per code, the
/// detail used when the answer carries no description of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResultCodes {
    /// Name of the result-code element or field, for failure details (e.g. `MaKetQua`).
    pub field: &'static str,
    /// Detail of `01` (not found).
    pub not_found: &'static str,
    /// Detail of `02` (not shareable).
    pub not_shareable: &'static str,
    /// Detail of `03` (temporarily interrupted).
    pub interrupted: &'static str,
    /// Detail of `99` (partner error).
    pub error: &'static str,
}

impl ResultCodes {
    /// The outcome of an answer with result `code` and the partner's `description`
    /// (NFC, white space folded; the fallback detail when absent or empty). `found` reads
    /// the record of a `00` answer; `03` takes its `Retry-After` from `headers`; an unknown
    /// code is malformed.
    ///
    /// Partner-specific rules (an HTTP status that overrides the code, a `99` that means
    /// a refused request) are the decoder's, before it calls this.
    pub fn outcome(
        &self,
        code: &str,
        description: Option<&str>,
        headers: &HeaderMap,
        found: impl FnOnce() -> Result<Outcome, PartnerFailure>,
    ) -> Outcome {
        let detail = |fallback: &str| {
            description
                .map(text::clean)
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| fallback.to_owned())
        };
        match code {
            "00" => found().unwrap_or_else(Outcome::Failed),
            "01" => Outcome::NotFound {
                detail: detail(self.not_found),
            },
            "02" => Outcome::NotShareable {
                detail: detail(self.not_shareable),
            },
            "03" => Outcome::Failed(PartnerFailure::new(
                FailureKind::Unavailable {
                    retry_after: retry_after(headers),
                },
                detail(self.interrupted),
            )),
            "99" => Outcome::Failed(PartnerFailure::new(FailureKind::Fault, detail(self.error))),
            other => Outcome::Failed(PartnerFailure::malformed(format!(
                "{} {} is not a known result code",
                self.field,
                text::shown(other)
            ))),
        }
    }
}

/// The result code and description of a SOAP partner's answer element: its `KetQua`
/// child, holding `MaKetQua` and `MoTa`, all in namespace `ns`. Malformed when `KetQua`
/// or `MaKetQua` is missing.
pub fn ket_qua<'e>(
    answer: &'e Element,
    ns: &str,
) -> Result<(&'e str, Option<&'e str>), PartnerFailure> {
    let result = answer
        .child(ns, "KetQua")
        .ok_or_else(|| PartnerFailure::malformed(format!("{} has no KetQua", answer.name())))?;
    let code = result
        .child_text(ns, "MaKetQua")
        .ok_or_else(|| PartnerFailure::malformed("KetQua has no MaKetQua"))?;
    Ok((code, result.child_text(ns, "MoTa")))
}

/// Classifies an answer that is not a readable SOAP envelope by its HTTP status: 429
/// throttled, other 4xx rejected, 5xx partner fault, anything else malformed.
pub fn soap_unreadable(response: &WireResponse, error: &SoapError) -> PartnerFailure {
    let status = response.status;
    match status.as_u16() {
        429 => PartnerFailure::new(
            FailureKind::Throttled {
                retry_after: retry_after(&response.headers),
            },
            format!("HTTP {status}"),
        ),
        400..=499 => PartnerFailure::new(
            FailureKind::Rejected,
            format!("HTTP {status} without a SOAP answer ({error})"),
        ),
        500..=599 => PartnerFailure::new(
            FailureKind::Fault,
            format!("HTTP {status} without a SOAP answer ({error})"),
        ),
        _ => PartnerFailure::malformed(format!(
            "the answer is not a readable SOAP envelope: {error}"
        )),
    }
}

/// The child elements of one record element of a SOAP answer, read by local name in the
/// partner's namespace: NFC text with white space folded, absent and empty alike,
/// `dd/MM/yyyy` dates as ISO. Failure details name the element and the child, and quote
/// the value received.
#[derive(Debug, Clone, Copy)]
pub struct XmlFields<'e> {
    element: &'e Element,
    ns: &'e str,
}

impl<'e> XmlFields<'e> {
    /// The children of `element` in namespace `ns`.
    pub fn new(element: &'e Element, ns: &'e str) -> Self {
        Self { element, ns }
    }

    /// The text of child `name`; `None` when absent or empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.element.child_text(self.ns, name).map(text::clean)
    }

    /// The text of child `name`; malformed when absent or empty.
    pub fn required(&self, name: &str) -> Result<String, PartnerFailure> {
        self.text(name).ok_or_else(|| self.missing(name))
    }

    /// Child `name` read by `parse`; `None` when absent or empty, malformed when `parse`
    /// refuses it (the detail says what was `expected`).
    pub fn parsed<T>(
        &self,
        name: &str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, PartnerFailure> {
        self.element
            .child_text(self.ns, name)
            .map(|raw| {
                parse(raw).ok_or_else(|| {
                    PartnerFailure::malformed(format!(
                        "{name} {} is not {expected}",
                        text::shown(raw)
                    ))
                })
            })
            .transpose()
    }

    /// Like [`XmlFields::parsed`], but malformed when the child is absent or empty.
    pub fn required_parsed<T>(
        &self,
        name: &str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, PartnerFailure> {
        self.parsed(name, expected, parse)?
            .ok_or_else(|| self.missing(name))
    }

    /// Child `name`, a `dd/MM/yyyy` date, as ISO `YYYY-MM-DD`; `None` when absent or empty.
    pub fn date(&self, name: &str) -> Result<Option<String>, PartnerFailure> {
        self.parsed(name, "a dd/MM/yyyy date", text::wire_date_to_iso)
    }

    /// The failure of a required child `name` that is missing.
    pub fn missing(&self, name: &str) -> PartnerFailure {
        PartnerFailure::malformed(format!("{} has no {name}", self.element.name()))
    }
}

/// A SOAP answer body whose payload element `payload` (a local name, written with
/// `prefix`, bound to the partner's namespace `ns`) opens with the `KetQua` block
/// (`MaKetQua` = `code`, `MoTa` = `description`), followed by what `record` writes (for
/// `00`; nothing for the other codes).
pub fn soap_result(
    version: SoapVersion,
    (prefix, ns): (&str, &str),
    payload: &str,
    (code, description): (&str, &str),
    record: impl FnOnce(&mut XmlWriter),
) -> Bytes {
    let payload = format!("{prefix}:{payload}");
    let [result, code_name, description_name] =
        ["KetQua", "MaKetQua", "MoTa"].map(|local| format!("{prefix}:{local}"));
    write_envelope(
        version,
        &[(prefix, ns)],
        |_| {},
        |w| {
            w.open(&payload, &[])
                .open(&result, &[])
                .leaf(&code_name, code)
                .leaf(&description_name, description)
                .close(&result);
            record(w);
            w.close(&payload);
        },
    )
}

/// How a REST/JSON partner writes a result answer: the names of its result-code and
/// description fields and its content type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonResults {
    /// Field of the result code (e.g. `maKetQua`).
    pub code: &'static str,
    /// Field of the description (e.g. `moTa`).
    pub description: &'static str,
    /// `Content-Type` of the partner's answers.
    pub content_type: &'static str,
}

impl JsonResults {
    /// `{"<code>": code, "<description>": description}` with `status`.
    pub fn answer(&self, status: StatusCode, code: &str, description: &str) -> WireResponse {
        let mut body = Map::new();
        body.insert(self.code.to_owned(), Value::from(code));
        body.insert(self.description.to_owned(), Value::from(description));
        WireResponse::new(status, self.content_type, Value::Object(body).to_string())
    }

    /// The partner's answer to an injected fault: HTTP 500 with `99`; HTTP 429 with `03`,
    /// `overloaded` and `Retry-After`; HTTP 200 with `03`.
    pub fn fault(&self, fault: PartnerFault, overloaded: &str) -> WireResponse {
        match fault {
            PartnerFault::Fault => self.answer(StatusCode::INTERNAL_SERVER_ERROR, "99", ERROR_TEXT),
            PartnerFault::Busy { retry_after_secs } => self
                .answer(StatusCode::TOO_MANY_REQUESTS, "03", overloaded)
                .with_retry_after(retry_after_secs),
            PartnerFault::Unavailable => self.answer(StatusCode::OK, "03", INTERRUPTED_TEXT),
        }
    }
}

/// What the web server in front of a partner's service answers for a wrong path or
/// method: plain text with the status's reason, and for 405 `Allow: allow` when given.
pub fn http_error(status: StatusCode, allow: Option<&'static str>) -> WireResponse {
    let mut response = WireResponse::new(
        status,
        "text/plain; charset=utf-8",
        status.canonical_reason().unwrap_or("error"),
    );
    if let Some(allow) = allow.filter(|_| status == StatusCode::METHOD_NOT_ALLOWED) {
        response
            .headers
            .insert(ALLOW, HeaderValue::from_static(allow));
    }
    response
}

/// Whether `headers` declare `Content-Type` `media_type` (any case) with
/// `charset=utf-8` (any case, quoted or not), as partners require of requests.
pub fn is_utf8_content(headers: &HeaderMap, media_type: &str) -> bool {
    let Some(content_type) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = content_type.split(';').map(str::trim);
    parts
        .next()
        .is_some_and(|media| media.eq_ignore_ascii_case(media_type))
        && parts.any(|param| {
            param.split_once('=').is_some_and(|(name, value)| {
                name.trim().eq_ignore_ascii_case("charset")
                    && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            })
        })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::xml::{Limits, parse};

    const CODES: ResultCodes = ResultCodes {
        field: "MaKetQua",
        not_found: "not found",
        not_shareable: "not shared",
        interrupted: "interrupted",
        error: "error",
    };

    fn outcome(code: &str, description: Option<&str>, headers: &HeaderMap) -> Outcome {
        CODES.outcome(code, description, headers, || {
            Ok(Outcome::Found(serde_json::json!({ "ok": true })))
        })
    }

    #[test]
    fn result_codes_map_to_outcomes() {
        let none = HeaderMap::new();
        assert_eq!(
            outcome("00", None, &none),
            Outcome::Found(serde_json::json!({ "ok": true }))
        );
        assert_eq!(
            outcome("01", Some("  Không  thấy "), &none),
            Outcome::NotFound {
                detail: "Không thấy".into()
            }
        );
        assert_eq!(
            outcome("02", None, &none),
            Outcome::NotShareable {
                detail: "not shared".into()
            }
        );
        let mut later = HeaderMap::new();
        later.insert(http::header::RETRY_AFTER, HeaderValue::from_static("30"));
        assert_eq!(
            outcome("03", None, &later),
            Outcome::Failed(PartnerFailure::new(
                FailureKind::Unavailable {
                    retry_after: Some(Duration::from_secs(30))
                },
                "interrupted"
            ))
        );
        assert_eq!(
            outcome("99", Some(""), &none),
            Outcome::Failed(PartnerFailure::new(FailureKind::Fault, "error"))
        );
        assert_eq!(
            outcome("7", None, &none),
            Outcome::Failed(PartnerFailure::malformed(
                "MaKetQua `7` is not a known result code"
            ))
        );
    }

    #[test]
    fn soap_fields_are_read_with_named_failures() {
        let xml = r#"<r xmlns="urn:t"><KetQua><MaKetQua> 00 </MaKetQua></KetQua>
            <Rec><Ten> Nguye&#x302;&#x303;n   Văn </Ten><Ngay>31/02/2020</Ngay><Trong/></Rec></r>"#;
        let root = parse(xml.as_bytes(), Limits::default()).expect("test XML parses");
        assert_eq!(ket_qua(&root, "urn:t"), Ok(("00", None)));
        let record = root.child("urn:t", "Rec").expect("test XML has Rec");
        assert_eq!(
            ket_qua(record, "urn:t"),
            Err(PartnerFailure::malformed("Rec has no KetQua"))
        );
        let fields = XmlFields::new(record, "urn:t");
        assert_eq!(fields.text("Ten").as_deref(), Some("Nguyễn Văn"));
        assert_eq!(fields.text("Trong"), None);
        assert_eq!(
            fields.required("Trong"),
            Err(PartnerFailure::malformed("Rec has no Trong"))
        );
        assert_eq!(
            fields.date("Ngay"),
            Err(PartnerFailure::malformed(
                "Ngay `31/02/2020` is not a dd/MM/yyyy date"
            ))
        );
        assert_eq!(fields.date("Trong"), Ok(None));
    }

    #[test]
    fn simulators_write_the_conventions() {
        let results = JsonResults {
            code: "maKetQua",
            description: "moTa",
            content_type: "application/json; charset=utf-8",
        };
        let busy = results.fault(
            PartnerFault::Busy {
                retry_after_secs: 2,
            },
            "chậm lại",
        );
        assert_eq!(busy.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(busy.headers[http::header::RETRY_AFTER], "2");
        assert_eq!(
            &busy.body[..],
            r#"{"maKetQua":"03","moTa":"chậm lại"}"#.as_bytes()
        );
        let wrong = http_error(StatusCode::METHOD_NOT_ALLOWED, Some("POST"));
        assert_eq!(
            (&wrong.body[..], &wrong.headers[ALLOW]),
            (
                &b"Method Not Allowed"[..],
                &HeaderValue::from_static("POST")
            )
        );
        assert!(
            !http_error(StatusCode::NOT_FOUND, Some("POST"))
                .headers
                .contains_key(ALLOW)
        );
        let body = soap_result(
            SoapVersion::V11,
            ("t", "urn:t"),
            "R",
            ("01", "Không"),
            |_| {},
        );
        let envelope =
            crate::soap::Envelope::parse(&body, Limits::default()).expect("the answer parses");
        let answer = envelope.body.child("urn:t", "R").expect("the payload is R");
        assert_eq!(ket_qua(answer, "urn:t"), Ok(("01", Some("Không"))));
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("Text/XML; Charset=\"UTF-8\""),
        );
        assert!(is_utf8_content(&headers, "text/xml"));
        assert!(!is_utf8_content(&headers, "application/json"));
        assert!(!is_utf8_content(&HeaderMap::new(), "text/xml"));
    }

    #[test]
    fn unreadable_soap_answers_are_classified_by_status() {
        let kind = |status: u16| {
            let response = WireResponse::new(
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                "text/html",
                "<html/>",
            );
            soap_unreadable(&response, &SoapError::NotAnEnvelope).kind
        };
        assert_eq!(kind(429), FailureKind::Throttled { retry_after: None });
        assert_eq!(kind(404), FailureKind::Rejected);
        assert_eq!(kind(502), FailureKind::Fault);
        assert_eq!(kind(200), FailureKind::Malformed);
    }
}
