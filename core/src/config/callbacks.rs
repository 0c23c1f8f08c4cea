//! The forms of a client's callback settings, read from configuration: a
//! `webhook_hosts` entry ([`AllowedHost`]: which hosts its callbacks may reach beyond
//! public https) and a webhook secret ([`signing_key`]: the key its deliveries are signed
//! with). The webhook deliverer applies them; they are parsed and checked here so that
//! configuration is validated whole, in one place.

use std::net::{IpAddr, Ipv6Addr};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::issues::Issues;

/// A callback's host: a DNS name (lower case, no trailing dot) or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Host {
    /// A DNS name, resolved when each delivery is sent.
    Name(String),
    /// A literal address, in canonical form.
    Ip(IpAddr),
}

/// One `webhook_hosts` entry: `host`, `host:port`, `https://host` or `https://host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AllowedHost {
    host: Host,
    port: Option<u16>,
    https_only: bool,
}

impl AllowedHost {
    /// Parses an entry; the error says what is wrong with it.
    pub(crate) fn parse(entry: &str) -> Result<Self, String> {
        let (https_only, rest) = match entry.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("https") => (true, rest),
            Some(_) => {
                return Err(
                    "only https:// may prefix an entry (write the host alone to allow http too)"
                        .into(),
                );
            }
            None => (false, entry),
        };
        if rest.contains(['/', '?', '#', '@', '*']) {
            return Err("is not host, host:port, https://host or https://host:port".into());
        }
        let (host, port) = split_authority(rest)?;
        Ok(Self {
            host,
            port,
            https_only,
        })
    }

    /// Whether the entry names `host` and `port` for this scheme (`https` or not).
    pub(crate) fn admits(&self, host: &Host, port: u16, https: bool) -> bool {
        self.host == *host && self.port.is_none_or(|p| p == port) && (https || !self.https_only)
    }
}

/// `host[:port]` as written in a URL or an entry; the host is `[v6]`, a dotted IPv4
/// address or a DNS name, the port 1-65535.
pub(crate) fn split_authority(text: &str) -> Result<(Host, Option<u16>), String> {
    let (host, port) = match text.strip_prefix('[') {
        Some(bracketed) => {
            let (inner, after) = bracketed
                .split_once(']')
                .ok_or_else(|| format!("`{text}` opens [ without closing it"))?;
            let ip = inner
                .parse::<Ipv6Addr>()
                .map_err(|_| format!("`{inner}` is not an IPv6 address"))?;
            let port = match after {
                "" => None,
                _ => Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| format!("`{text}` has text after ] that is no port"))?,
                ),
            };
            (Host::Ip(IpAddr::V6(ip).to_canonical()), port)
        }
        None => {
            let (host, port) = match text.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            };
            (parse_host(host)?, port)
        }
    };
    let port = match port {
        None => None,
        Some(digits) => Some(
            digits
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0 && digits.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| format!("`{digits}` is not a port (1-65535)"))?,
        ),
    };
    Ok((host, port))
}

/// A host without brackets: a dotted IPv4 address or a DNS name.
fn parse_host(text: &str) -> Result<Host, String> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(Host::Ip(ip.to_canonical()));
    }
    let name = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    if name.len() > 253 || !labels.iter().all(label_ok) {
        return Err(format!("`{text}` is not a DNS name or an IP address"));
    }
    // A name ending in a number is an address in a notation resolvers accept
    // (`2130706433`, `0x7f.1`, `0177.0.0.1`): refused rather than guessed.
    let last = labels.last().copied().unwrap_or_default();
    let hex = last
        .strip_prefix("0x")
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    if hex || last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`{text}` ends in a number but is not an IP address in its usual notation"
        ));
    }
    Ok(Host::Name(name))
}

/// Prefix of a secret given in the specification's serialisation (base64 after it).
const SECRET_PREFIX: &str = "whsec_";

/// The HMAC key of a configured secret: the base64-decoded bytes after `whsec_`, or
/// the UTF-8 bytes of a secret without that prefix.
pub(crate) fn signing_key(secret: &str) -> Result<Vec<u8>, String> {
    let Some(encoded) = secret.strip_prefix(SECRET_PREFIX) else {
        return Ok(secret.as_bytes().to_vec());
    };
    match STANDARD.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(key),
        Ok(_) => Err("holds nothing after whsec_".into()),
        Err(e) => Err(format!("the part after whsec_ is not base64 ({e})")),
    }
}

/// Checks a client's `webhook_hosts` entries and a literal `webhook_secret`.
pub(crate) fn validate_client(
    webhook_hosts: &[String],
    webhook_secret: Option<&str>,
    key: &str,
    issues: &mut Issues,
) {
    for (j, entry) in webhook_hosts.iter().enumerate() {
        if let Err(problem) = AllowedHost::parse(entry) {
            issues.add(
                format!("{key}.webhook_hosts[{j}]"),
                format!("`{entry}` {problem}"),
                "give a host (\"hooks.example.gov.vn\", \"10.0.0.7\", \"[fd00::7]\"), optionally \
                 with :port, prefixed with https:// to allow https only",
            );
        }
    }
    if let Some(secret) = webhook_secret
        && let Err(problem) = signing_key(secret)
    {
        issues.add(format!("{key}.webhook_secret"), problem, SECRET_FIX);
    }
}

/// How to fix a secret [`signing_key`] refuses.
pub(crate) const SECRET_FIX: &str =
    "give whsec_ followed by the base64 of a random key, or a secret without that prefix";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_entries_are_explained() {
        for entry in [
            "",
            "http://hooks.example.gov.vn",
            "hooks.example.gov.vn/path",
            "*.example.gov.vn",
            "user@host",
            "host:",
            "host:99999",
            "[::1",
            "2130706433",
        ] {
            assert!(AllowedHost::parse(entry).is_err(), "{entry}");
        }
    }

    #[test]
    fn secrets_without_the_prefix_are_their_bytes_and_bad_base64_is_refused() {
        assert_eq!(signing_key("plain-secret").unwrap(), b"plain-secret");
        assert!(signing_key("whsec_not base64!").is_err());
        assert!(signing_key("whsec_").is_err());
    }
}
