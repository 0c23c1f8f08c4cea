//! Canonical input → `TraCuuThamGia` SOAP 1.2 request with a WS-Security UsernameToken.
//!
//! Every attempt gets its own `Created` (the attempt's clock reading) and nonce (the
//! attempt's fresh random bytes), so a retry is never a replay. The password appears only
//! inside the digest.

use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, Method};
use lienthong_adapter_kit::adapter::{CallContext, Credentials, EncodeError, WireRequest};
use lienthong_adapter_kit::soap::{SoapVersion, XmlWriter, write_envelope};

use crate::birth::BirthDate;
use crate::model::ParticipantQuery;
use crate::wsse::{self, BASE64_BINARY, PASSWORD_DIGEST, WSSE_NS, WSU_NS};
use crate::{ENDPOINT, NS, PARTNER, REQUEST_CONTENT_TYPE};

/// The wire request looking up the participant `query` names (already validated).
pub(crate) fn lookup(
    query: &ParticipantQuery,
    ctx: &CallContext<'_>,
) -> Result<WireRequest, EncodeError> {
    let credentials = ctx.credentials.ok_or_else(|| {
        EncodeError(format!(
            "{PARTNER} needs credentials: set partners.{PARTNER}.username and \
             partners.{PARTNER}.password_env"
        ))
    })?;
    let birth = BirthDate::from_iso(&query.date_of_birth)
        .ok_or_else(|| EncodeError("date_of_birth is not a validated date".to_owned()))?;
    let now = wsse::utc(ctx.now)
        .ok_or_else(|| EncodeError("the clock reading is outside the calendar".to_owned()))?;
    let created = wsse::created(now);
    let body = write_envelope(
        SoapVersion::V12,
        &[("bh", NS), ("wsse", WSSE_NS), ("wsu", WSU_NS)],
        |w| {
            write_security(w, credentials, &ctx.nonce, &created);
            w.leaf("bh:MaDonVi", ctx.consumer_code)
                .leaf("bh:MaYeuCau", ctx.request_id);
        },
        |w| {
            w.open("bh:TraCuuThamGia", &[])
                .leaf("bh:MaSoBHXH", &query.insurance_code)
                .leaf("bh:HoTen", &query.full_name)
                .leaf("bh:NgaySinh", &birth.wire())
                .close("bh:TraCuuThamGia");
        },
    );
    let mut headers = HeaderMap::with_capacity(1);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(REQUEST_CONTENT_TYPE));
    Ok(WireRequest {
        method: Method::POST,
        path: ENDPOINT.to_owned(),
        headers,
        body,
    })
}

/// Writes `wsse:Security` holding the UsernameToken with a PasswordDigest.
fn write_security(w: &mut XmlWriter, credentials: &Credentials, nonce: &[u8], created: &str) {
    let digest = wsse::password_digest(nonce, created, &credentials.password);
    w.open("wsse:Security", &[("env:mustUnderstand", "true")])
        .open("wsse:UsernameToken", &[])
        .leaf("wsse:Username", &credentials.username)
        .leaf_with("wsse:Password", &[("Type", PASSWORD_DIGEST)], &digest)
        .leaf_with(
            "wsse:Nonce",
            &[("EncodingType", BASE64_BINARY)],
            &wsse::encode_nonce(nonce),
        )
        .leaf("wsu:Created", created)
        .close("wsse:UsernameToken")
        .close("wsse:Security");
}
