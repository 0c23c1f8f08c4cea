//! `GetEnterpriseInfo` SOAP 1.1 answer → canonical outcome.
//!
//! Elements are matched by namespace URI and local name; order, unknown elements and
//! surrounding white space do not matter. What cannot be understood becomes
//! [`FailureKind::Malformed`] with a detail naming the element and the value received.

use http::HeaderMap;
use lienthong_adapter_kit::adapter::{
    FailureKind, Outcome, PartnerFailure, WireResponse, retry_after,
};
use lienthong_adapter_kit::soap::{Envelope, Fault, SOAP11_NS};
use lienthong_adapter_kit::text::{self, shown};
use lienthong_adapter_kit::wire::{ResultCodes, XmlFields, ket_qua, soap_unreadable};
use lienthong_adapter_kit::xml::{Element, Limits};

use crate::NS;
use crate::model::{
    BusinessLine, Coded, Enterprise, HeadOffice, LegalRepresentative, LegalStatus, Names, Status,
};

/// What the registry's result codes mean when it gives no description.
const RESULTS: ResultCodes = ResultCodes {
    field: "MaKetQua",
    not_found: "no enterprise has this code",
    not_shareable: "the record is not shared with this consumer",
    interrupted: "the registry is temporarily interrupted",
    error: "the registry reported an error",
};

type Read<T> = Result<T, PartnerFailure>;

/// Reads the partner's answer to `GetEnterpriseInfo`.
pub(crate) fn get_enterprise(response: &WireResponse) -> Outcome {
    let envelope = match Envelope::parse(&response.body, Limits::partner_answer()) {
        Ok(envelope) => envelope,
        Err(error) => return Outcome::Failed(soap_unreadable(response, &error)),
    };
    if let Some(fault) = envelope.fault() {
        return Outcome::Failed(from_fault(&fault, &response.headers));
    }
    envelope
        .body
        .child(NS, "GetEnterpriseInfoResponse")
        .ok_or_else(|| {
            PartnerFailure::malformed("the SOAP Body holds no GetEnterpriseInfoResponse")
        })
        .and_then(|answer| read_answer(answer, &response.headers))
        .unwrap_or_else(Outcome::Failed)
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
    let (code, description) = ket_qua(answer, NS)?;
    Ok(RESULTS.outcome(code, description, headers, || {
        let record = answer
            .child(NS, "DoanhNghiep")
            .ok_or_else(|| PartnerFailure::malformed("MaKetQua 00 comes without DoanhNghiep"))?;
        Ok(Outcome::found(&read_enterprise(record)?))
    }))
}

fn read_enterprise(record: &Element) -> Read<Enterprise> {
    let fields = XmlFields::new(record, NS);
    Ok(Enterprise {
        enterprise_code: fields.required("MaSoDoanhNghiep")?,
        name: Names {
            vi: fields.required("TenTiengViet")?,
            en: fields.text("TenNuocNgoai"),
            short: fields.text("TenVietTat"),
        },
        kind: Coded {
            code: fields.text("MaLoaiHinhDN"),
            label: fields.text("LoaiHinhDN"),
        },
        registered_on: fields.date("NgayDangKyLanDau")?,
        last_changed_on: fields.date("NgayDangKyThayDoi")?,
        change_count: fields.parsed("SoLanDangKyThayDoi", "a whole number", |s| s.parse().ok())?,
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
        .map(|status| XmlFields::new(status, NS))
        .ok_or_else(|| XmlFields::new(record, NS).missing("TinhTrangPhapLy"))?;
    Ok(Status {
        code: status.required_parsed(
            "MaTinhTrangPhapLy",
            "a known legal status (1 to 6)",
            LegalStatus::from_wire,
        )?,
        label: status.text("TenTinhTrangPhapLy"),
        suspended_from: status.date("NgayBatDauTamNgung")?,
        suspended_until: status.date("NgayKetThucTamNgung")?,
        reason: status.text("LyDoTamNgung"),
    })
}

fn read_representative(person: &Element) -> Read<LegalRepresentative> {
    let person = XmlFields::new(person, NS);
    Ok(LegalRepresentative {
        full_name: person.text("HoVaTen"),
        title: person.text("ChucDanh"),
        id_type: person.text("LoaiGiayTo"),
        id_number: person.text("SoGiayTo"),
        issued_on: person.date("NgayCap")?,
        issued_by: person.text("NoiCap"),
        nationality: person.text("QuocTich"),
    })
}

fn read_office(office: &Element) -> HeadOffice {
    let office = XmlFields::new(office, NS);
    HeadOffice {
        street: office.text("SoNhaDuong"),
        commune_code: office.text("MaXa"),
        commune: office.text("TenXa"),
        province_code: office.text("MaTinh"),
        province: office.text("TenTinh"),
    }
}

fn read_business_line(line: &Element) -> Read<BusinessLine> {
    let line = XmlFields::new(line, NS);
    let primary = line.parsed("LaNganhChinh", "true, false, 1 or 0", |s| match s {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    })?;
    Ok(BusinessLine {
        code: line.required("MaNganh")?,
        name: line.text("TenNganh"),
        primary: primary.unwrap_or(false),
    })
}
