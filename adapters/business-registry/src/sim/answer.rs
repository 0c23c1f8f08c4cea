//! The registry's SOAP answers: `GetEnterpriseInfoResponse` bodies and faults.

use bytes::Bytes;
use http::StatusCode;
use lienthong_adapter_kit::adapter::WireResponse;
use lienthong_adapter_kit::soap::{SoapVersion, XmlWriter, fault_11};
use lienthong_adapter_kit::wire::soap_result;

use super::dataset::Record;
use super::tables::{self, PROVINCE_CODE, PROVINCE_NAME};
use crate::NS;

/// `00` with the record.
pub(crate) fn found(record: &Record) -> WireResponse {
    answer("00", "Thành công", |w| write_record(w, record))
}

/// A result code without a record.
pub(crate) fn result(code: &str, description: &str) -> WireResponse {
    answer(code, description, |_| {})
}

/// A SOAP 1.1 fault (HTTP 500).
pub(crate) fn fault(code: &str, reason: &str) -> WireResponse {
    xml(StatusCode::INTERNAL_SERVER_ERROR, fault_11(code, reason))
}

fn xml(status: StatusCode, body: Bytes) -> WireResponse {
    WireResponse::new(status, crate::CONTENT_TYPE, body)
}

fn answer(code: &str, description: &str, record: impl FnOnce(&mut XmlWriter)) -> WireResponse {
    let body = soap_result(
        SoapVersion::V11,
        ("dk", NS),
        "GetEnterpriseInfoResponse",
        (code, description),
        record,
    );
    xml(StatusCode::OK, body)
}

fn write_record(w: &mut XmlWriter, r: &Record) {
    w.open("dk:DoanhNghiep", &[])
        .leaf("dk:MaSoDoanhNghiep", &r.code)
        .leaf("dk:MaLoaiHinhDN", r.form.code)
        .leaf("dk:LoaiHinhDN", r.form.label)
        .leaf("dk:TenTiengViet", &r.name_vi)
        .leaf_opt("dk:TenNuocNgoai", r.name_en.as_deref())
        .leaf_opt("dk:TenVietTat", r.name_short.as_deref())
        .leaf("dk:NgayDangKyLanDau", &r.registered.wire())
        .leaf_opt(
            "dk:NgayDangKyThayDoi",
            r.last_changed.map(|d| d.wire()).as_deref(),
        )
        .leaf("dk:SoLanDangKyThayDoi", &r.change_count.to_string());

    w.open("dk:TinhTrangPhapLy", &[])
        .leaf("dk:MaTinhTrangPhapLy", r.status.wire_code())
        .leaf("dk:TenTinhTrangPhapLy", tables::status_label(r.status));
    if let Some(s) = &r.suspension {
        w.leaf("dk:NgayBatDauTamNgung", &s.from.wire())
            .leaf("dk:NgayKetThucTamNgung", &s.until.wire())
            .leaf("dk:LyDoTamNgung", s.reason);
    }
    w.close("dk:TinhTrangPhapLy");

    for p in &r.representatives {
        w.open("dk:DaiDienPhapLuat", &[])
            .leaf("dk:HoVaTen", &p.full_name)
            .leaf("dk:ChucDanh", p.title)
            .leaf("dk:LoaiGiayTo", p.id_type)
            .leaf("dk:SoGiayTo", &p.id_number)
            .leaf("dk:NgayCap", &p.issued_on.wire())
            .leaf("dk:NoiCap", &p.issued_by)
            .leaf("dk:QuocTich", p.nationality)
            .close("dk:DaiDienPhapLuat");
    }

    w.open("dk:DiaChiTruSo", &[])
        .leaf("dk:SoNhaDuong", &r.office.street)
        .leaf("dk:MaXa", r.office.commune.code)
        .leaf("dk:TenXa", r.office.commune.name)
        .leaf("dk:MaTinh", PROVINCE_CODE)
        .leaf("dk:TenTinh", PROVINCE_NAME)
        .close("dk:DiaChiTruSo");

    w.open("dk:NganhNgheKinhDoanh", &[]);
    for line in &r.lines {
        w.open("dk:Nganh", &[])
            .leaf("dk:MaNganh", line.activity.code)
            .leaf("dk:TenNganh", line.activity.name)
            .leaf(
                "dk:LaNganhChinh",
                if line.primary { "true" } else { "false" },
            )
            .close("dk:Nganh");
    }
    w.close("dk:NganhNgheKinhDoanh").close("dk:DoanhNghiep");
}
