//! Stage: caller context. The optional `X-Dossier-Code` (mã hồ sơ) and `X-User-Id` (the
//! official) headers, checked so that only well-formed values reach partners, traces and
//! the audit log; `Request-Timeout` (seconds) to shorten the deadline; and
//! `Cache-Control: no-cache` to ask for a fresh answer.

use std::time::Duration;

use http::HeaderMap;

use crate::audit::request_id;
use crate::pipeline::request_id::X_REQUEST_ID;

/// Header naming the provincial dossier the call is made for.
pub(crate) const X_DOSSIER_CODE: &str = "x-dossier-code";
/// Header naming the official making the call.
pub(crate) const X_USER_ID: &str = "x-user-id";
/// Header shortening the request's deadline, in seconds.
pub(crate) const REQUEST_TIMEOUT: &str = "request-timeout";

/// The form of `X-Dossier-Code` (checked by [`read`]).
pub(crate) const DOSSIER_CODE_PATTERN: &str = "^[A-Za-z0-9._/-]{1,64}$";
/// The form of `X-User-Id` (checked by [`read`]).
pub(crate) const USER_ID_PATTERN: &str = "^[!-~]{1,128}$";
/// The form of `Request-Timeout`: a JSON number (RFC 8259 §6), no sign.
pub(crate) const TIMEOUT_PATTERN: &str = r"^(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$";
/// The shortest `Request-Timeout` accepted, in seconds: shorter ones could only time out.
pub(crate) const MIN_TIMEOUT_SECS: f64 = 0.1;
/// The longest `Request-Timeout` accepted, in seconds.
pub(crate) const MAX_TIMEOUT_SECS: f64 = 300.0;

/// Who is asking, for which dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CallerContext {
    /// Dossier code, when given.
    pub dossier_code: Option<String>,
    /// Official's user id, when given.
    pub user_id: Option<String>,
    /// The caller's own deadline, when shorter than the operation's.
    pub timeout: Option<Duration>,
    /// Whether the caller asked not to be served from cache.
    pub no_cache: bool,
}

/// A malformed caller header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("header {header}: {detail}")]
pub(crate) struct HeaderError {
    /// Header name.
    pub header: &'static str,
    /// What is wrong and what is accepted.
    pub detail: &'static str,
}

/// Reads and checks the caller headers.
pub(crate) fn read(headers: &HeaderMap) -> Result<CallerContext, HeaderError> {
    let dossier_code = optional(headers, X_DOSSIER_CODE, 64, |b| {
        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/')
    })
    .map_err(|_| HeaderError {
        header: X_DOSSIER_CODE,
        detail: "must be 1-64 characters of letters, digits and . - _ / (e.g. 000.00.82.H58-260101-0001)",
    })?;
    let user_id =
        optional(headers, X_USER_ID, 128, |b| b.is_ascii_graphic()).map_err(|_| HeaderError {
            header: X_USER_ID,
            detail: "must be 1-128 printable ASCII characters without spaces",
        })?;
    if headers
        .get(X_REQUEST_ID)
        .is_some_and(|v| !request_id::well_formed(v.as_bytes()))
    {
        return Err(HeaderError {
            header: X_REQUEST_ID,
            detail: "must be 1-128 characters of letters, digits and . _ : - (or leave it out and the bus mints one)",
        });
    }
    let timeout = match headers.get(REQUEST_TIMEOUT) {
        None => None,
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .map(str::trim)
                .filter(|v| is_json_number(v))
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|s| (MIN_TIMEOUT_SECS..=MAX_TIMEOUT_SECS).contains(s))
                .map(Duration::from_secs_f64)
                .ok_or(HeaderError {
                    header: REQUEST_TIMEOUT,
                    detail: "must be a number of seconds from 0.1 to 300, written as a JSON number (e.g. 2.5)",
                })?,
        ),
    };
    let no_cache = headers
        .get_all(http::header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|directive| directive.trim().eq_ignore_ascii_case("no-cache"));
    Ok(CallerContext {
        dossier_code,
        user_id,
        timeout,
        no_cache,
    })
}

/// Whether `text` is a JSON number without a sign ([`TIMEOUT_PATTERN`]).
fn is_json_number(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(digits)
        && exponent_ok
}

fn optional(
    headers: &HeaderMap,
    name: &str,
    max: usize,
    allowed: impl Fn(u8) -> bool,
) -> Result<Option<String>, ()> {
    let Some(value) = headers.get(name) else {
        return Ok(None);
    };
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > max || !bytes.iter().copied().all(allowed) {
        return Err(());
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn accepts_well_formed_and_refuses_the_rest() {
        let mut h = HeaderMap::new();
        assert_eq!(read(&h).unwrap(), CallerContext::default());
        h.insert(
            X_DOSSIER_CODE,
            HeaderValue::from_static("000.00.82.H58-260101-0001"),
        );
        h.insert(X_USER_ID, HeaderValue::from_static("canbo.mot@tiengiang"));
        let ctx = read(&h).unwrap();
        assert_eq!(
            ctx.dossier_code.as_deref(),
            Some("000.00.82.H58-260101-0001")
        );
        assert_eq!(ctx.user_id.as_deref(), Some("canbo.mot@tiengiang"));
        h.insert(X_DOSSIER_CODE, HeaderValue::from_static("has space"));
        assert_eq!(read(&h).unwrap_err().header, X_DOSSIER_CODE);
        h.remove(X_DOSSIER_CODE);
        h.insert(REQUEST_TIMEOUT, HeaderValue::from_static("2.5"));
        h.insert(
            http::header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=0, No-Cache"),
        );
        let ctx = read(&h).unwrap();
        assert_eq!(
            (ctx.timeout, ctx.no_cache),
            (Some(Duration::from_millis(2500)), true)
        );
        for good in ["0.1", "300", "1e2", "2.50", "3E-1", "0.3"] {
            h.insert(REQUEST_TIMEOUT, HeaderValue::from_static(good));
            assert!(read(&h).unwrap().timeout.is_some(), "{good}");
        }
        for bad in [
            "0", "-1", "abc", "301", ".1", "1.", "+1", "01", "0.05", "1e", "NaN", "inf", "",
        ] {
            h.insert(REQUEST_TIMEOUT, HeaderValue::from_static(bad));
            assert_eq!(read(&h).unwrap_err().header, REQUEST_TIMEOUT, "{bad}");
        }
    }
}
