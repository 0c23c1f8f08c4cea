//! A simulator of the national business registry, speaking its published SOAP 1.1
//! interface over a deterministic dataset of enterprises in Tiền Giang.
//!
//! Fixture codes: `1200123459` (active, foreign name, one representative, three lines),
//! `1200123459-001` (its branch), `1200555554` (suspended), `1200000016` (answers `02`).
//! Every other valid code not in the dataset answers `01`.

mod answer;
mod dataset;
mod generate;
mod tables;

use std::collections::HashMap;
use std::fmt;

use http::{HeaderMap, Method, StatusCode};
use lienthong_adapter_kit::adapter::{WireRequest, WireResponse};
use lienthong_adapter_kit::sim::{
    ERROR_TEXT, INTERRUPTED_TEXT, OVERLOADED_TEXT, PartnerFault, Simulator,
};
use lienthong_adapter_kit::soap::{Envelope, SoapVersion};
use lienthong_adapter_kit::wire::{http_error, is_utf8_content};
use lienthong_adapter_kit::xml::{Element, Limits};

use crate::code::is_well_formed;
use crate::encode::SOAPACTION;
use crate::{ENDPOINT, NS, SOAP_ACTION};
use dataset::Record;

/// Largest request the simulated registry reads.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// The simulated business registry. Build it once: [`RegistrySimulator::new`] generates
/// the whole dataset.
pub struct RegistrySimulator {
    records: Vec<Record>,
    by_code: HashMap<String, usize>,
}

impl RegistrySimulator {
    /// Builds the dataset (fixtures plus 1,200 generated enterprises and their branches).
    pub fn new() -> Self {
        let records = dataset::build();
        let by_code = records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i))
            .collect();
        Self { records, by_code }
    }

    /// Codes of every enterprise and branch the registry answers `00` for, in a stable
    /// order (for load tests and demos).
    pub fn enterprise_codes(&self) -> impl Iterator<Item = &str> + '_ {
        self.records.iter().map(|r| r.code.as_str())
    }

    fn answer(&self, request: &WireRequest) -> Result<WireResponse, Refusal> {
        let path = request.path.split('?').next().unwrap_or_default();
        if path != ENDPOINT {
            return Err(Refusal::Http(StatusCode::NOT_FOUND));
        }
        if request.method != Method::POST {
            return Err(Refusal::Http(StatusCode::METHOD_NOT_ALLOWED));
        }
        check_headers(&request.headers)?;
        let code = read_request(&request.body)?;
        Ok(self.lookup(&code))
    }

    fn lookup(&self, code: &str) -> WireResponse {
        if code == dataset::NOT_SHAREABLE {
            return answer::result(
                "02",
                "Thông tin doanh nghiệp không thuộc phạm vi chia sẻ với đơn vị",
            );
        }
        match self.by_code.get(code).and_then(|i| self.records.get(*i)) {
            Some(record) => answer::found(record),
            None => answer::result("01", "Không tìm thấy doanh nghiệp"),
        }
    }
}

impl Default for RegistrySimulator {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RegistrySimulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistrySimulator")
            .field("records", &self.records.len())
            .finish()
    }
}

impl Simulator for RegistrySimulator {
    fn partner(&self) -> &'static str {
        "business-registry"
    }

    fn handle(&self, request: &WireRequest) -> WireResponse {
        self.answer(request).unwrap_or_else(Refusal::into_response)
    }

    fn fault(&self, fault: PartnerFault) -> WireResponse {
        match fault {
            PartnerFault::Fault => answer::fault("Server", ERROR_TEXT),
            PartnerFault::Busy { retry_after_secs } => {
                answer::fault("Server.Busy", OVERLOADED_TEXT).with_retry_after(retry_after_secs)
            }
            PartnerFault::Unavailable => answer::result("03", INTERRUPTED_TEXT),
        }
    }

    /// `MaDonVi` of the `ThongTinYeuCau` header, when the request is a SOAP 1.1 envelope
    /// that names the consumer and the request.
    fn consumer(&self, request: &WireRequest) -> Option<String> {
        let envelope = read_envelope(&request.body).ok()?;
        request_info(&envelope)?
            .child_text(NS, "MaDonVi")
            .map(str::to_owned)
    }
}

/// Why the registry refuses a request before looking anything up.
enum Refusal {
    /// Answered by the web server in front of the service.
    Http(StatusCode),
    /// A SOAP fault: code (`Client`, `VersionMismatch`) and faultstring.
    Fault(&'static str, String),
}

impl Refusal {
    fn into_response(self) -> WireResponse {
        match self {
            Self::Http(status) => http_error(status, Some("POST")),
            Self::Fault(code, reason) => answer::fault(code, &reason),
        }
    }
}

fn client_fault(reason: impl Into<String>) -> Refusal {
    Refusal::Fault("Client", reason.into())
}

/// `Content-Type: text/xml; charset=utf-8` and the quoted `SOAPAction`.
fn check_headers(headers: &HeaderMap) -> Result<(), Refusal> {
    if !is_utf8_content(headers, "text/xml") {
        return Err(client_fault("Content-Type phải là text/xml; charset=utf-8"));
    }
    let action = headers.get(SOAPACTION).and_then(|v| v.to_str().ok());
    if action.map(str::trim) != Some(SOAP_ACTION) {
        return Err(client_fault(
            "SOAPAction phải là \"urn:dkkd:GetEnterpriseInfo\" (có dấu ngoặc kép)",
        ));
    }
    Ok(())
}

/// A SOAP 1.1 envelope whose `ThongTinYeuCau` header names the consumer and the request.
fn read_envelope(body: &[u8]) -> Result<Envelope, Refusal> {
    let limits = Limits {
        max_bytes: MAX_REQUEST_BYTES,
        ..Limits::default()
    };
    let envelope = Envelope::parse(body, limits)
        .map_err(|e| client_fault(format!("Yêu cầu không hợp lệ: {e}")))?;
    if envelope.version != SoapVersion::V11 {
        return Err(Refusal::Fault(
            "VersionMismatch",
            "Dịch vụ chỉ hỗ trợ SOAP 1.1".to_owned(),
        ));
    }
    for field in ["MaDonVi", "MaYeuCau"] {
        if request_info(&envelope)
            .and_then(|i| i.child_text(NS, field))
            .is_none()
        {
            return Err(client_fault(format!("Thiếu {field} trong ThongTinYeuCau")));
        }
    }
    Ok(envelope)
}

/// The `ThongTinYeuCau` element of the SOAP header.
fn request_info(envelope: &Envelope) -> Option<&Element> {
    envelope
        .header
        .as_ref()
        .and_then(|h| h.child(NS, "ThongTinYeuCau"))
}

/// The requested enterprise code, after the checks the registry makes on a request.
fn read_request(body: &[u8]) -> Result<String, Refusal> {
    let envelope = read_envelope(body)?;
    let code = envelope
        .body
        .child(NS, "GetEnterpriseInfo")
        .and_then(|op| op.child_text(NS, "MaSoDoanhNghiep"))
        .ok_or_else(|| client_fault("Thiếu GetEnterpriseInfo/MaSoDoanhNghiep"))?;
    if !is_well_formed(code) {
        return Err(client_fault(
            "MaSoDoanhNghiep không đúng định dạng: 10 chữ số, hoặc 10 chữ số, dấu - và 3 chữ số",
        ));
    }
    Ok(code.to_owned())
}

#[cfg(test)]
mod tests {
    use lienthong_adapter_kit::testkit::{self, TEST_CONSUMER, TestRequest};

    use super::*;
    use crate::BusinessRegistry;

    #[test]
    fn the_consumer_is_ma_don_vi_of_the_request_header() {
        let simulator = RegistrySimulator::new();
        let request = TestRequest::param("enterprise_code", "1200123459");
        let exchange = testkit::roundtrip(
            &BusinessRegistry,
            &simulator,
            "getEnterprise",
            &request,
            None,
        )
        .unwrap();
        assert_eq!(exchange.response.status, StatusCode::OK);
        assert_eq!(
            simulator.consumer(&exchange.request).as_deref(),
            Some(TEST_CONSUMER)
        );
        let unreadable = WireRequest {
            body: "<not-soap/>".into(),
            ..exchange.request
        };
        assert_eq!(simulator.consumer(&unreadable), None);
    }
}
