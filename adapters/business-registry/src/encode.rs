//! Canonical input → `GetEnterpriseInfo` SOAP 1.1 request.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use lienthong_adapter_kit::adapter::{CallContext, WireRequest};
use lienthong_adapter_kit::soap::{SoapVersion, XmlWriter, write_envelope};

use crate::{ENDPOINT, NS, SOAP_ACTION};

/// The `SOAPAction` header of SOAP 1.1.
pub(crate) const SOAPACTION: HeaderName = HeaderName::from_static("soapaction");

/// Writes the `ThongTinYeuCau` header block: consumer code, request id, dossier code.
fn write_request_info(w: &mut XmlWriter, ctx: &CallContext<'_>) {
    w.open("dk:ThongTinYeuCau", &[])
        .leaf("dk:MaDonVi", ctx.consumer_code)
        .leaf("dk:MaYeuCau", ctx.request_id)
        .leaf_opt("dk:MaHoSo", ctx.dossier_code)
        .close("dk:ThongTinYeuCau");
}

/// The wire request asking for `enterprise_code` (already validated).
pub(crate) fn get_enterprise(enterprise_code: &str, ctx: &CallContext<'_>) -> WireRequest {
    let body = write_envelope(
        SoapVersion::V11,
        &[("dk", NS)],
        |w| write_request_info(w, ctx),
        |w| {
            w.open("dk:GetEnterpriseInfo", &[])
                .leaf("dk:MaSoDoanhNghiep", enterprise_code)
                .close("dk:GetEnterpriseInfo");
        },
    );
    let mut headers = HeaderMap::with_capacity(2);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(crate::CONTENT_TYPE));
    headers.insert(SOAPACTION, HeaderValue::from_static(SOAP_ACTION));
    WireRequest {
        method: Method::POST,
        path: ENDPOINT.to_owned(),
        headers,
        body,
    }
}
