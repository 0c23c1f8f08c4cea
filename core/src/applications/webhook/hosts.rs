//! The callback policy: which `callback_url`s a client may give. By default only https
//! to a host with public addresses; a client's `webhook_hosts` entries allow more for
//! exactly the hosts (and ports) they name. [`check`] applies what the URL itself shows
//! (scheme, a literal address); the addresses a name resolves to are checked when each
//! delivery is sent (see `send`).

use std::fmt;
use std::net::IpAddr;

use http::Uri;

use super::address::{AddressClass, classify};
use crate::config::callbacks::split_authority;
pub(crate) use crate::config::callbacks::{AllowedHost, Host};

/// A callback URL taken apart for sending.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) https: bool,
    pub(crate) host: Host,
    pub(crate) port: u16,
    /// `host[:port]` as the URL writes it, for the `Host` header.
    pub(crate) authority: String,
    /// Path and query, `/` when empty.
    pub(crate) path: String,
    /// Whether a `webhook_hosts` entry names this host (and port, and scheme).
    pub(crate) listed: bool,
}

/// Why a callback URL is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an absolute http(s) URL with a host and no credentials.
    Unusable,
    /// A host that is neither a DNS name nor a canonical address (`2130706433`, `0x7f.1`).
    OddHost,
    /// Plain http to a host not listed for the client.
    PlainHttp,
    /// An address (literal, or one the host resolves to) of a class callbacks may not reach.
    Address {
        /// The address.
        ip: IpAddr,
        /// Its class.
        class: AddressClass,
        /// Whether listing the host would allow it.
        listable: bool,
    },
    /// One of the bus's own listeners.
    OwnListener(std::net::SocketAddr),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const ASK: &str = "ask the bus operators to list the host in this client's webhook_hosts";
        match self {
            Self::Unusable => f.write_str(
                "must be an absolute https URL with a host and without user credentials",
            ),
            Self::OddHost => {
                f.write_str("the host must be a DNS name or an IP address in its usual notation")
            }
            Self::PlainHttp => write!(
                f,
                "must use https: plain http is allowed only to hosts the bus operators list; \
                 use an https URL, or {ASK}"
            ),
            Self::Address {
                ip,
                class,
                listable: true,
            } => write!(
                f,
                "points at {ip}, a {} address, which callbacks reach only when listed; \
                 give a public receiver, or {ASK}",
                class.name()
            ),
            Self::Address { ip, class, .. } => write!(
                f,
                "points at {ip}, a {} address, which callbacks never reach; give the \
                 address of one receiver",
                class.name()
            ),
            Self::OwnListener(addr) => write!(
                f,
                "points at {addr}, a listener of this bus, which callbacks never reach"
            ),
        }
    }
}

impl std::error::Error for Refusal {}

/// Checks `url` against the policy as far as the URL itself shows: scheme, credentials,
/// host syntax and a literal address. Names are resolved only when a delivery is sent.
pub(crate) fn check(url: &str, allowed: &[AllowedHost]) -> Result<Target, Refusal> {
    let mut target = parse(url)?;
    target.listed = allowed
        .iter()
        .any(|entry| entry.admits(&target.host, target.port, target.https));
    if !target.https && !target.listed {
        return Err(Refusal::PlainHttp);
    }
    if let Host::Ip(ip) = target.host {
        check_address(ip, target.listed)?;
    }
    Ok(target)
}

/// Whether a callback to `ip` is allowed (`listed`: its host is in `webhook_hosts`).
pub(crate) fn check_address(ip: IpAddr, listed: bool) -> Result<(), Refusal> {
    let class = classify(ip);
    let listable = class.allowed_when_listed();
    if class == AddressClass::Public || (listed && listable) {
        Ok(())
    } else {
        Err(Refusal::Address {
            ip: ip.to_canonical(),
            class,
            listable,
        })
    }
}

fn parse(url: &str) -> Result<Target, Refusal> {
    let uri: Uri = url.parse().map_err(|_| Refusal::Unusable)?;
    let https = match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("https") => true,
        Some(s) if s.eq_ignore_ascii_case("http") => false,
        _ => return Err(Refusal::Unusable),
    };
    let authority = uri.authority().ok_or(Refusal::Unusable)?.as_str();
    if authority.contains('@') {
        return Err(Refusal::Unusable);
    }
    let (host, port) = split_authority(authority).map_err(|_| Refusal::OddHost)?;
    Ok(Target {
        https,
        host,
        port: port.unwrap_or(if https { 443 } else { 80 }),
        authority: authority.to_owned(),
        path: uri.path_and_query().map_or("/", |p| p.as_str()).to_owned(),
        listed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: &[&str]) -> Vec<AllowedHost> {
        list.iter()
            .map(|e| AllowedHost::parse(e).unwrap_or_else(|p| panic!("{e}: {p}")))
            .collect()
    }

    #[test]
    fn public_https_passes_and_plain_http_needs_a_listing() {
        assert!(check("https://hooks.example.gov.vn/cb", &[]).is_ok());
        assert_eq!(
            check("http://hooks.example.gov.vn/cb", &[]).unwrap_err(),
            Refusal::PlainHttp
        );
        let listed = entries(&["hooks.example.gov.vn"]);
        let target = check("HTTP://Hooks.Example.gov.vn./cb?x=1", &listed).unwrap();
        assert!(target.listed && !target.https);
        assert_eq!((target.port, target.path.as_str()), (80, "/cb?x=1"));
        assert!(check("http://other.example.gov.vn/cb", &listed).is_err());
    }

    #[test]
    fn ports_and_https_only_entries_admit_exactly_what_they_name() {
        let listed = entries(&["127.0.0.1:8443", "https://10.0.0.7"]);
        assert!(check("http://127.0.0.1:8443/h", &listed).is_ok());
        assert!(check("https://127.0.0.1:8443/h", &listed).is_ok());
        assert!(check("http://127.0.0.1:8444/h", &listed).is_err());
        assert!(check("https://10.0.0.7:9000/h", &listed).is_ok());
        assert_eq!(
            check("http://10.0.0.7/h", &listed).unwrap_err(),
            Refusal::PlainHttp
        );
    }

    #[test]
    fn literal_non_public_addresses_need_a_listing() {
        for url in [
            "https://127.0.0.1/x",
            "https://10.0.0.5/x",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://[fd00::1]/x",
            "https://100.64.0.1/x",
        ] {
            assert!(
                matches!(
                    check(url, &[]),
                    Err(Refusal::Address { listable: true, .. })
                ),
                "{url}"
            );
        }
        let listed = entries(&["127.0.0.1", "[::1]"]);
        assert!(check("http://[::ffff:127.0.0.1]:9/x", &listed).is_ok());
        assert!(check("https://[::1]:9/x", &listed).is_ok());
        let never = entries(&["0.0.0.0", "224.0.0.1"]);
        for url in ["http://0.0.0.0:8080/", "http://224.0.0.1/"] {
            assert!(
                matches!(
                    check(url, &never),
                    Err(Refusal::Address {
                        listable: false,
                        ..
                    })
                ),
                "{url}"
            );
        }
    }

    #[test]
    fn odd_hosts_and_credentials_are_refused() {
        for url in [
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0177.0.0.1/",
            "https://127.1/",
            "https://a..b/",
        ] {
            assert_eq!(check(url, &[]).unwrap_err(), Refusal::OddHost, "{url}");
        }
        for url in [
            "https://user:pw@hooks.example.gov.vn/",
            "ftp://x/",
            "/relative",
        ] {
            assert_eq!(check(url, &[]).unwrap_err(), Refusal::Unusable, "{url}");
        }
    }
}
