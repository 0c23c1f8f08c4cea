//! The partner's SOAP 1.2 answers: `TraCuuThamGiaResponse` bodies and faults.

use bytes::Bytes;
use http::StatusCode;
use lienthong_adapter_kit::adapter::WireResponse;
use lienthong_adapter_kit::soap::{SoapVersion, XmlWriter, fault_12};
use lienthong_adapter_kit::text;
use lienthong_adapter_kit::wire::soap_result;

use super::dataset::Record;
use crate::{ANSWER_CONTENT_TYPE, NS};

/// `00` with the participant.
pub(crate) fn found(record: &Record) -> WireResponse {
    answer("00", "Thành công", |w| write_participant(w, record))
}

/// A result code without a participant.
pub(crate) fn result(code: &str, description: &str) -> WireResponse {
    answer(code, description, |_| {})
}

/// A SOAP 1.2 fault: HTTP 400 for `Sender`, 500 otherwise; `subcode` is a local name in
/// the partner's namespace.
pub(crate) fn fault(code: &str, subcode: Option<&str>, reason: &str) -> WireResponse {
    let status = if code == "Sender" {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    };
    let body = fault_12(code, subcode.map(|local| ("bh", NS, local)), reason);
    soap(status, body)
}

fn soap(status: StatusCode, body: Bytes) -> WireResponse {
    WireResponse::new(status, ANSWER_CONTENT_TYPE, body)
}

fn answer(code: &str, description: &str, record: impl FnOnce(&mut XmlWriter)) -> WireResponse {
    let body = soap_result(
        SoapVersion::V12,
        ("bh", NS),
        "TraCuuThamGiaResponse",
        (code, description),
        record,
    );
    soap(StatusCode::OK, body)
}

fn write_participant(w: &mut XmlWriter, r: &Record) {
    w.open("bh:NguoiThamGia", &[])
        .leaf("bh:MaSoBHXH", &r.code)
        .leaf("bh:HoTen", &r.full_name)
        .leaf("bh:NgaySinh", &r.birth.wire())
        .leaf("bh:GioiTinh", r.gender.wire_code())
        .leaf("bh:TrangThaiThamGia", r.status.wire_code());
    if let Some(card) = &r.card {
        w.open("bh:TheBHYT", &[])
            .leaf("bh:SoThe", &card.number(&r.code))
            .leaf("bh:GiaTriTu", &text::wire_date(card.from))
            .leaf("bh:GiaTriDen", &text::wire_date(card.to))
            .open("bh:NoiDKKCB", &[])
            .leaf("bh:Ma", card.facility.code)
            .leaf("bh:Ten", card.facility.name)
            .close("bh:NoiDKKCB")
            .close("bh:TheBHYT");
    }
    w.leaf("bh:TongSoThangDong", &r.total_months().to_string());
    w.open("bh:QuaTrinhDong", &[]);
    for period in &r.periods {
        w.open("bh:Dong", &[])
            .leaf("bh:TuThang", &period.from.wire())
            .leaf("bh:DenThang", &period.to.wire())
            .leaf("bh:TenDonVi", &period.employer)
            .close("bh:Dong");
    }
    w.close("bh:QuaTrinhDong").close("bh:NguoiThamGia");
}
