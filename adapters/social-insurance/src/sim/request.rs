//! The checks the partner makes on a request before looking anything up, and how it
//! refuses what fails them.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, StatusCode};
use lienthong_adapter_kit::adapter::{WireRequest, WireResponse};
use lienthong_adapter_kit::soap::{Envelope, SoapVersion};
use lienthong_adapter_kit::text;
use lienthong_adapter_kit::wire::http_error;
use lienthong_adapter_kit::xml::{Element, Limits};

use super::answer;
use crate::birth::BirthDate;
use crate::{ACTION, ENDPOINT, NS};

/// Largest request the simulated partner reads.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Why the partner refuses a request.
#[derive(Debug)]
pub(crate) enum Refusal {
    /// Answered by the web server in front of the service.
    Http(StatusCode),
    /// A `Sender` fault with its reason.
    Sender(String),
    /// A `Sender`/`bh:XacThucThatBai` fault with its reason.
    Auth(&'static str),
    /// The envelope is not SOAP 1.2.
    VersionMismatch,
}

impl Refusal {
    /// The partner's answer.
    pub(crate) fn into_response(self) -> WireResponse {
        match self {
            Self::Http(status) => http_error(status, Some("POST")),
            Self::Sender(reason) => answer::fault("Sender", None, &reason),
            Self::Auth(reason) => answer::fault("Sender", Some("XacThucThatBai"), reason),
            Self::VersionMismatch => {
                answer::fault("VersionMismatch", None, "Dịch vụ chỉ hỗ trợ SOAP 1.2")
            }
        }
    }
}

fn sender(reason: impl Into<String>) -> Refusal {
    Refusal::Sender(reason.into())
}

/// What the request asks for.
#[derive(Debug)]
pub(crate) struct Lookup<'a> {
    pub(crate) code: &'a str,
    pub(crate) name: &'a str,
    pub(crate) birth: BirthDate,
}

/// Path, method and content type.
pub(crate) fn check_transport(request: &WireRequest) -> Result<(), Refusal> {
    let path = request.path.split('?').next().unwrap_or_default();
    if path != ENDPOINT {
        return Err(Refusal::Http(StatusCode::NOT_FOUND));
    }
    if request.method != Method::POST {
        return Err(Refusal::Http(StatusCode::METHOD_NOT_ALLOWED));
    }
    check_content_type(&request.headers)
}

/// `application/soap+xml` with `charset=utf-8` and the quoted `action`.
fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let value = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let mut parts = value.split(';').map(str::trim);
    let media_type = parts.next().unwrap_or_default();
    let (mut charset, mut action) = (None, None);
    for (name, value) in parts.filter_map(|p| p.split_once('=')) {
        match name.trim().to_ascii_lowercase().as_str() {
            "charset" => charset = Some(value.trim().trim_matches('"')),
            "action" => action = Some(value.trim()),
            _ => {}
        }
    }
    if !media_type.eq_ignore_ascii_case("application/soap+xml")
        || !charset.is_some_and(|c| c.eq_ignore_ascii_case("utf-8"))
    {
        return Err(sender(
            "Content-Type phải là application/soap+xml; charset=utf-8",
        ));
    }
    let quoted = action.and_then(|a| a.strip_prefix('"')?.strip_suffix('"'));
    if quoted != Some(ACTION) {
        return Err(sender(format!(
            "Tham số action của Content-Type phải là \"{ACTION}\" (có dấu ngoặc kép)"
        )));
    }
    Ok(())
}

/// A SOAP 1.2 envelope whose header names the consumer and the request.
pub(crate) fn read_envelope(body: &[u8]) -> Result<Envelope, Refusal> {
    let limits = Limits {
        max_bytes: MAX_REQUEST_BYTES,
        ..Limits::default()
    };
    let envelope =
        Envelope::parse(body, limits).map_err(|e| sender(format!("Yêu cầu không hợp lệ: {e}")))?;
    if envelope.version != SoapVersion::V12 {
        return Err(Refusal::VersionMismatch);
    }
    for field in ["MaDonVi", "MaYeuCau"] {
        if envelope
            .header
            .as_ref()
            .and_then(|h| h.child_text(NS, field))
            .is_none()
        {
            return Err(sender(format!("Thiếu {field} trong env:Header")));
        }
    }
    Ok(envelope)
}

/// The well-formed `TraCuuThamGia` of the body.
pub(crate) fn read_lookup(body: &Element) -> Result<Lookup<'_>, Refusal> {
    let payload = body
        .child(NS, "TraCuuThamGia")
        .ok_or_else(|| sender("Thiếu TraCuuThamGia trong env:Body"))?;
    let field = |name| {
        payload
            .child_text(NS, name)
            .ok_or_else(|| sender(format!("Thiếu {name} trong TraCuuThamGia")))
    };
    let code = field("MaSoBHXH")?;
    if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(sender("MaSoBHXH không đúng định dạng: 10 chữ số"));
    }
    let name = field("HoTen")?;
    let birth = BirthDate::from_wire(field("NgaySinh")?)
        .ok_or_else(|| sender("NgaySinh không đúng định dạng: dd/MM/yyyy hoặc yyyy"))?;
    Ok(Lookup { code, name, birth })
}

/// A name as the partner compares it: NFC, white space folded, lower case.
pub(crate) fn fold_name(name: &str) -> String {
    text::clean(name).to_lowercase()
}
