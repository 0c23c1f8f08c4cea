//! Stage: the request's `Host` (RFC 9112 §3.2). An HTTP/1.1 request needs exactly one
//! `Host`; no request may carry two or an invalid one. HTTP/2 names the target in
//! `:authority`, so `Host` may be absent there, but one sent beside it must agree
//! (RFC 9113 §8.3.1).

use http::uri::Authority;
use http::{HeaderMap, Uri, Version, header};

/// Why a request's `Host` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HostError {
    /// An HTTP/1.1 request without `Host`.
    #[error("the request has no Host header")]
    Missing,
    /// More than one `Host`.
    #[error("the request has more than one Host header")]
    Repeated,
    /// A `Host` that is not `host[:port]`.
    #[error("the Host header is not a valid host[:port]")]
    Invalid,
    /// A `Host` naming another authority than the request target.
    #[error("the Host header differs from the request's authority")]
    Mismatch,
}

/// Checks the `Host` of a request in `version` for `uri`.
pub(crate) fn check(version: Version, uri: &Uri, headers: &HeaderMap) -> Result<(), HostError> {
    let mut hosts = headers.get_all(header::HOST).iter();
    let host = match (hosts.next(), hosts.next()) {
        (None, _) if version == Version::HTTP_11 => return Err(HostError::Missing),
        (None, _) => return Ok(()),
        (Some(_), Some(_)) => return Err(HostError::Repeated),
        (Some(host), None) => host,
    };
    let host = Authority::try_from(host.as_bytes()).map_err(|_| HostError::Invalid)?;
    let port = host.as_str().get(host.host().len()..).unwrap_or_default();
    let port_ok = match port.strip_prefix(':') {
        Some(digits) => digits.is_empty() || digits.parse::<u16>().is_ok(),
        None => port.is_empty(),
    };
    if host.as_str().contains('@') || !port_ok {
        return Err(HostError::Invalid);
    }
    match uri.authority() {
        Some(target) if version == Version::HTTP_2 && !same(target, &host) => {
            Err(HostError::Mismatch)
        }
        _ => Ok(()),
    }
}

fn same(a: &Authority, b: &Authority) -> bool {
    a.host().eq_ignore_ascii_case(b.host()) && a.port_u16() == b.port_u16()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(hosts: &[&'static str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for host in hosts {
            map.append(header::HOST, HeaderValue::from_static(host));
        }
        map
    }

    fn path() -> Uri {
        Uri::from_static("/v1/services")
    }

    #[test]
    fn http1_1_needs_exactly_one_valid_host() {
        let v = Version::HTTP_11;
        assert_eq!(check(v, &path(), &headers(&[])), Err(HostError::Missing));
        assert_eq!(
            check(v, &path(), &headers(&["a", "b"])),
            Err(HostError::Repeated)
        );
        for bad in ["bad host", "user@bus", "bus:port", "bus:99999", ""] {
            assert_eq!(
                check(v, &path(), &headers(&[bad])),
                Err(HostError::Invalid),
                "{bad}"
            );
        }
        for good in [
            "bus",
            "bus.example:8080",
            "bus:",
            "127.0.0.1:1",
            "[::1]:8080",
        ] {
            assert_eq!(check(v, &path(), &headers(&[good])), Ok(()), "{good}");
        }
    }

    #[test]
    fn older_and_newer_versions_may_omit_host_but_http2_must_agree() {
        assert_eq!(check(Version::HTTP_10, &path(), &headers(&[])), Ok(()));
        let target = Uri::from_static("http://bus.example:8080/v1/services");
        assert_eq!(check(Version::HTTP_2, &target, &headers(&[])), Ok(()));
        assert_eq!(
            check(Version::HTTP_2, &target, &headers(&["BUS.example:8080"])),
            Ok(())
        );
        assert_eq!(
            check(Version::HTTP_2, &target, &headers(&["other:8080"])),
            Err(HostError::Mismatch)
        );
        assert_eq!(
            check(Version::HTTP_10, &path(), &headers(&["a", "b"])),
            Err(HostError::Repeated)
        );
    }
}
