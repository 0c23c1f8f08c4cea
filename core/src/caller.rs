//! Stage: caller context. The optional `X-Dossier-Code` (mã hồ sơ) and `X-User-Id` (the
//! official) headers, checked so that only well-formed values reach partners, traces and
//! the audit log.

use http::HeaderMap;

/// Header naming the provincial dossier the call is made for.
pub const X_DOSSIER_CODE: &str = "x-dossier-code";
/// Header naming the official making the call.
pub const X_USER_ID: &str = "x-user-id";

/// Who is asking, for which dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallerContext {
    /// Dossier code, when given.
    pub dossier_code: Option<String>,
    /// Official's user id, when given.
    pub user_id: Option<String>,
}

/// A malformed caller header.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("header {header}: {detail}")]
pub struct HeaderError {
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
    Ok(CallerContext {
        dossier_code,
        user_id,
    })
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
    }
}
