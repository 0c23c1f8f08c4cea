//! `GetEnterpriseInfo` SOAP 1.1 answer → canonical outcome.
//!
//! Elements are matched by namespace URI and local name; order, unknown elements and
//! surrounding white space do not matter. What cannot be understood becomes
//! [`FailureKind::Malformed`] with a detail naming the element and the value received.

use http::HeaderMap;
use lienthong_core::adapter::{FailureKind, Outcome, PartnerFailure, WireResponse, retry_after};
use lienthong_core::soap::{Envelope, Fault, SOAP11_NS, SoapError};
use lienthong_core::text;
use lienthong_core::xml::{Element, Limits};

use crate::NS;
use crate::model::{
    BusinessLine, Coded, Enterprise, HeadOffice, LegalRepresentative, LegalStatus, Names, Status,
};

/// Largest answer read; a record with hundreds of business lines stays far below it.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// Longest part of a received value repeated in a failure detail.
const SHOWN_CHARS: usize = 40;

type Read<T> = Result<T, PartnerFailure>;

/// Reads the partner's answer to `GetEnterpriseInfo`.
pub(crate) fn get_enterprise(response: &WireResponse) -> Outcome {
    let limits = Limits {
        max_bytes: MAX_ANSWER_BYTES,
        ..Limits::default()
    };
    let envelope = match Envelope::parse(&response.body, limits) {
        Ok(envelope) => envelope,
        Err(error) => return Outcome::Failed(unreadable(response, &error)),
    };
    if let Some(fault) = envelope.fault() {
        return Outcome::Failed(from_fault(&fault, &response.headers));
    }
    envelope
        .body
        .child(NS, "GetEnterpriseInfoResponse")
        .ok_or_else(|| malformed("the SOAP Body holds no GetEnterpriseInfoResponse"))
        .and_then(|answer| read_answer(answer, &response.headers))
        .unwrap_or_else(Outcome::Failed)
}

/// Classifies an answer that is not a SOAP envelope by its HTTP status.
fn unreadable(response: &WireResponse, error: &SoapError) -> PartnerFailure {
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
        _ => malformed(format!(
            "the answer is not a readable SOAP envelope: {error}"
        )),
    }
}

/// Maps a SOAP 1.1 fault: `Client` → rejected, `Server.Busy` → throttled, anything else →
/// partner fault. The detail is the partner's `faultstring`.
fn from_fault(fault: &Fault, headers: &HeaderMap) -> PartnerFailure {
    let code = &fault.code;
    let local = code.local.as_str();
    let in_envelope_ns = code.ns.as_deref() == Some(SOAP11_NS);
    let kind = match local {
        "Server.Busy" if in_envelope_ns => FailureKind::Throttled {
            retry_after: retry_after(headers),
        },
        _ if in_envelope_ns && (local == "Client" || local.starts_with("Client.")) => {
            FailureKind::Rejected
        }
        _ => FailureKind::Fault,
    };
    let detail = match text::clean(&fault.reason) {
        reason if reason.is_empty() => format!("SOAP fault {} without a faultstring", shown(local)),
        reason => reason,
    };
    PartnerFailure::new(kind, detail)
}

/// Reads `KetQua` and, on `00`, the enterprise record.
fn read_answer(answer: &Element, headers: &HeaderMap) -> Read<Outcome> {
    let result = answer
        .child(NS, "KetQua")
        .ok_or_else(|| malformed("GetEnterpriseInfoResponse has no KetQua"))?;
    let description =
        |fallback: &str| text_of(result, "MoTa").unwrap_or_else(|| fallback.to_owned());
    let failure =
        |kind, fallback| Outcome::Failed(PartnerFailure::new(kind, description(fallback)));
    Ok(match result.child_text(NS, "MaKetQua") {
        Some("00") => {
            let record = answer
                .child(NS, "DoanhNghiep")
                .ok_or_else(|| malformed("MaKetQua 00 comes without DoanhNghiep"))?;
            let enterprise = read_enterprise(record)?;
            let json = serde_json::to_value(&enterprise)
                .map_err(|e| malformed(format!("the record cannot be represented: {e}")))?;
            Outcome::Found(json)
        }
        Some("01") => Outcome::NotFound {
            detail: description("no enterprise has this code"),
        },
        Some("02") => Outcome::NotShareable {
            detail: description("the record is not shared with this consumer"),
        },
        Some("03") => failure(
            FailureKind::Unavailable {
                retry_after: retry_after(headers),
            },
            "the registry is temporarily interrupted",
        ),
        Some("99") => failure(FailureKind::Fault, "the registry reported an error"),
        Some(other) => {
            return Err(malformed(format!(
                "MaKetQua {} is not a known result code",
                shown(other)
            )));
        }
        None => return Err(malformed("KetQua has no MaKetQua")),
    })
}

fn read_enterprise(record: &Element) -> Read<Enterprise> {
    Ok(Enterprise {
        enterprise_code: required(record, "DoanhNghiep", "MaSoDoanhNghiep")?,
        name: Names {
            vi: required(record, "DoanhNghiep", "TenTiengViet")?,
            en: text_of(record, "TenNuocNgoai"),
            short: text_of(record, "TenVietTat"),
        },
        kind: Coded {
            code: text_of(record, "MaLoaiHinhDN"),
            label: text_of(record, "LoaiHinhDN"),
        },
        registered_on: date_of(record, "NgayDangKyLanDau")?,
        last_changed_on: date_of(record, "NgayDangKyThayDoi")?,
        change_count: parsed(record, "SoLanDangKyThayDoi", "a whole number", |s| {
            s.parse().ok()
        })?,
        status: read_status(record)?,
        legal_representatives: record
            .children_named(NS, "DaiDienPhapLuat")
            .map(read_representative)
            .collect::<Read<_>>()?,
        head_office: record
            .child(NS, "DiaChiTruSo")
            .map(read_office)
            .unwrap_or_default(),
        business_lines: record
            .children_named(NS, "NganhNgheKinhDoanh")
            .flat_map(|lines| lines.children_named(NS, "Nganh"))
            .map(read_business_line)
            .collect::<Read<_>>()?,
    })
}

fn read_status(record: &Element) -> Read<Status> {
    let status = record
        .child(NS, "TinhTrangPhapLy")
        .ok_or_else(|| malformed("DoanhNghiep has no TinhTrangPhapLy"))?;
    let code = parsed(
        status,
        "MaTinhTrangPhapLy",
        "a known legal status (1 to 6)",
        LegalStatus::from_wire,
    )?
    .ok_or_else(|| malformed("TinhTrangPhapLy has no MaTinhTrangPhapLy"))?;
    Ok(Status {
        code,
        label: text_of(status, "TenTinhTrangPhapLy"),
        suspended_from: date_of(status, "NgayBatDauTamNgung")?,
        suspended_until: date_of(status, "NgayKetThucTamNgung")?,
        reason: text_of(status, "LyDoTamNgung"),
    })
}

fn read_representative(person: &Element) -> Read<LegalRepresentative> {
    Ok(LegalRepresentative {
        full_name: text_of(person, "HoVaTen"),
        title: text_of(person, "ChucDanh"),
        id_type: text_of(person, "LoaiGiayTo"),
        id_number: text_of(person, "SoGiayTo"),
        issued_on: date_of(person, "NgayCap")?,
        issued_by: text_of(person, "NoiCap"),
        nationality: text_of(person, "QuocTich"),
    })
}

fn read_office(office: &Element) -> HeadOffice {
    HeadOffice {
        street: text_of(office, "SoNhaDuong"),
        commune_code: text_of(office, "MaXa"),
        commune: text_of(office, "TenXa"),
        province_code: text_of(office, "MaTinh"),
        province: text_of(office, "TenTinh"),
    }
}

fn read_business_line(line: &Element) -> Read<BusinessLine> {
    let primary = parsed(line, "LaNganhChinh", "true, false, 1 or 0", |s| match s {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    })?;
    Ok(BusinessLine {
        code: required(line, "Nganh", "MaNganh")?,
        name: text_of(line, "TenNganh"),
        primary: primary.unwrap_or(false),
    })
}

/// NFC text of the child `name`, white space folded; `None` when absent or empty.
fn text_of(parent: &Element, name: &str) -> Option<String> {
    parent.child_text(NS, name).map(text::clean)
}

/// NFC text of the child `name` of `parent` (called `parent_name` in the detail); malformed
/// when absent or empty.
fn required(parent: &Element, parent_name: &str, name: &str) -> Read<String> {
    text_of(parent, name).ok_or_else(|| malformed(format!("{parent_name} has no {name}")))
}

/// The child `name` as an ISO date; `None` when absent or empty.
fn date_of(parent: &Element, name: &str) -> Read<Option<String>> {
    parsed(parent, name, "a dd/MM/yyyy date", text::wire_date_to_iso)
}

/// The child `name` read by `parse`; `None` when absent or empty, malformed when `parse`
/// refuses it (the detail says what was `expected`).
fn parsed<T>(
    parent: &Element,
    name: &str,
    expected: &str,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Read<Option<T>> {
    parent
        .child_text(NS, name)
        .map(|raw| {
            parse(raw).ok_or_else(|| malformed(format!("{name} {} is not {expected}", shown(raw))))
        })
        .transpose()
}

/// A received value quoted for a detail, cut to a readable length.
fn shown(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(SHOWN_CHARS).collect();
    let more = if chars.next().is_some() { "…" } else { "" };
    format!("`{head}{more}`")
}

fn malformed(detail: impl Into<String>) -> PartnerFailure {
    PartnerFailure::new(FailureKind::Malformed, detail.into())
}
