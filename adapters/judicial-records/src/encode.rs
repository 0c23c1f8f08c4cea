//! Canonical application → the partner's wire requests (`POST /lltp/api/v1/hoso` and
//! `GET /lltp/api/v1/hoso/{maHoSoLLTP}`).
//!
//! The submission body is serialised from a struct whose fields follow the order of the
//! published interface, so the same application always gives the same bytes.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use lienthong_adapter_kit::adapter::{CallContext, EncodeError, WireRequest};
use lienthong_adapter_kit::text;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::model::{Application, ResidencePeriod};
use crate::{CONSUMER_HEADER, ENDPOINT, REQUEST_ID_HEADER};

/// Characters escaped in a path segment: everything but RFC 3986 unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The body of `POST /lltp/api/v1/hoso`, in the published order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SubmitBody<'a> {
    #[serde(rename = "maHoSoMCDT")]
    ma_ho_so_mcdt: &'a str,
    ma_tinh: &'a str,
    full_name: &'a str,
    gender_id: u8,
    birth_date_str: String,
    birth_place: &'a str,
    nationality_id: &'a str,
    residence: &'a str,
    identify_no: &'a str,
    id_issue_date: String,
    id_issue_place: &'a str,
    dad_name: &'a str,
    mom_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    partner_name: Option<&'a str>,
    declare_type_id: u8,
    purpose: &'a str,
    request_qty: u8,
    residence_form: Vec<ResidenceForm<'a>>,
}

/// One `residenceForm` entry.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResidenceForm<'a> {
    from_date_str: String,
    to_date_str: String,
    residence_place: &'a str,
    job_name: &'a str,
    work_place: &'a str,
}

/// The submission of `application` for one delivery attempt.
pub(crate) fn submit(
    application: &Application,
    ctx: &CallContext<'_>,
) -> Result<WireRequest, EncodeError> {
    if ctx.province_code.is_empty() {
        return Err(EncodeError(
            "the province code (maTinh) is not configured".into(),
        ));
    }
    let a = application;
    let body = SubmitBody {
        ma_ho_so_mcdt: &a.dossier_code,
        ma_tinh: ctx.province_code,
        full_name: &a.full_name,
        gender_id: a.gender.wire_id(),
        birth_date_str: wire_date(&a.date_of_birth, "date_of_birth")?,
        birth_place: &a.birth_place,
        nationality_id: &a.nationality,
        residence: &a.residence,
        identify_no: &a.citizen_id,
        id_issue_date: wire_date(&a.id_issued_on, "id_issued_on")?,
        id_issue_place: &a.id_issued_by,
        dad_name: &a.father_name,
        mom_name: &a.mother_name,
        partner_name: a.spouse_name.as_deref(),
        declare_type_id: a.certificate_type,
        purpose: &a.purpose,
        request_qty: a.copies,
        residence_form: a
            .residence_history
            .iter()
            .map(residence_form)
            .collect::<Result<_, _>>()?,
    };
    let bytes = serde_json::to_vec(&body)
        .map_err(|e| EncodeError(format!("the submission cannot be serialised: {e}")))?;
    let mut headers = request_headers(ctx)?;
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(crate::CONTENT_TYPE));
    Ok(WireRequest {
        method: Method::POST,
        path: ENDPOINT.to_owned(),
        headers,
        body: Bytes::from(bytes),
    })
}

/// The status request for the application the partner calls `reference`.
pub(crate) fn status(reference: &str, ctx: &CallContext<'_>) -> Result<WireRequest, EncodeError> {
    if reference.is_empty() {
        return Err(EncodeError("the partner reference is empty".into()));
    }
    Ok(WireRequest {
        method: Method::GET,
        path: format!("{ENDPOINT}/{}", utf8_percent_encode(reference, SEGMENT)),
        headers: request_headers(ctx)?,
        body: Bytes::new(),
    })
}

fn residence_form(period: &ResidencePeriod) -> Result<ResidenceForm<'_>, EncodeError> {
    Ok(ResidenceForm {
        from_date_str: wire_date(&period.from, "residence_history/from")?,
        to_date_str: wire_date(&period.to, "residence_history/to")?,
        residence_place: &period.place,
        job_name: &period.occupation,
        work_place: &period.workplace,
    })
}

/// `X-Ma-Don-Vi` and `X-Ma-Yeu-Cau`.
fn request_headers(ctx: &CallContext<'_>) -> Result<HeaderMap, EncodeError> {
    let mut headers = HeaderMap::with_capacity(3);
    for (name, value, what) in [
        (CONSUMER_HEADER, ctx.consumer_code, "consumer code"),
        (REQUEST_ID_HEADER, ctx.request_id, "request id"),
    ] {
        let value = HeaderValue::from_str(value)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| EncodeError(format!("the {what} is not a valid header value")))?;
        headers.insert(HeaderName::from_static(name), value);
    }
    Ok(headers)
}

fn wire_date(iso: &str, field: &str) -> Result<String, EncodeError> {
    text::iso_to_wire_date(iso)
        .ok_or_else(|| EncodeError(format!("the stored {field} is not an ISO date")))
}
