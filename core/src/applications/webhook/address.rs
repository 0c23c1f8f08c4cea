//! Which addresses a callback may reach. Every address is first put in canonical form
//! (an IPv4-mapped IPv6 address is its IPv4 address), then classified by the IANA
//! special-purpose registries; only public unicast addresses are reachable by default.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

/// What kind of address a callback resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Public unicast: reachable by any callback.
    Public,
    /// `127.0.0.0/8`, `::1`.
    Loopback,
    /// RFC 1918, RFC 4193 unique-local, site-local and local-use NAT64.
    Private,
    /// `169.254.0.0/16` (cloud metadata services live here), `fe80::/10`.
    LinkLocal,
    /// `100.64.0.0/10`, carrier-grade NAT.
    Shared,
    /// Documentation ranges (`192.0.2.0/24`, `2001:db8::/32`, …).
    Documentation,
    /// Benchmarking, IETF protocol assignments, discard, unallocated and other reserved ranges.
    Reserved,
    /// `0.0.0.0/8`, `::`: on most systems a connection to it reaches this host.
    Unspecified,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
}

impl AddressClass {
    /// How the class is named in refusals.
    pub fn name(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::LinkLocal => "link-local",
            Self::Shared => "shared (carrier-grade NAT)",
            Self::Documentation => "documentation",
            Self::Reserved => "reserved",
            Self::Unspecified => "unspecified",
            Self::Multicast => "multicast",
            Self::Broadcast => "broadcast",
        }
    }

    /// Whether a callback may reach this class when its host is listed in the client's
    /// `webhook_hosts`. Unspecified, multicast and broadcast addresses never name one
    /// receiver, so no listing allows them.
    pub fn allowed_when_listed(self) -> bool {
        !matches!(self, Self::Unspecified | Self::Multicast | Self::Broadcast)
    }
}

/// The class of `ip`.
pub(crate) fn classify(ip: IpAddr) -> AddressClass {
    match ip.to_canonical() {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    use AddressClass as C;
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        _ if ip.is_broadcast() => C::Broadcast,
        (0, ..) => C::Unspecified,
        (127, ..) => C::Loopback,
        (10, ..) | (192, 168, _) => C::Private,
        (172, 16..=31, _) => C::Private,
        (100, 64..=127, _) => C::Shared,
        (169, 254, _) => C::LinkLocal,
        (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => C::Documentation,
        (192, 0, 0) | (192, 88, 99) | (198, 18..=19, _) => C::Reserved,
        (224..=239, ..) => C::Multicast,
        (240..=255, ..) => C::Reserved,
        _ => C::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    use AddressClass as C;
    let s = ip.segments();
    let embedded_v4 = |high: u16, low: u16| {
        let [a, b] = high.to_be_bytes();
        let [c, d] = low.to_be_bytes();
        classify_v4(Ipv4Addr::new(a, b, c, d))
    };
    match s {
        _ if ip.is_unspecified() => C::Unspecified,
        _ if ip.is_loopback() => C::Loopback,
        // IPv4-compatible (deprecated): ::a.b.c.d.
        [0, 0, 0, 0, 0, 0, ..] => C::Reserved,
        // NAT64 well-known prefix: reaches the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, high, low] => embedded_v4(high, low),
        [0x64, 0xff9b, 1, ..] => C::Private,
        [0x100, 0, 0, 0, ..] => C::Reserved,
        [0x2001, 0xdb8, ..] => C::Documentation,
        [0x3fff, second, ..] if second < 0x1000 => C::Documentation,
        // 6to4: reaches the embedded IPv4 address.
        [0x2002, high, low, ..] => embedded_v4(high, low),
        // IETF special purpose (Teredo, ORCHID, benchmarking, …).
        [0x2001, second, ..] if second < 0x200 => C::Reserved,
        [first, ..] if first & 0xfe00 == 0xfc00 => C::Private,
        [first, ..] if first & 0xffc0 == 0xfe80 => C::LinkLocal,
        [first, ..] if first & 0xffc0 == 0xfec0 => C::Private,
        [first, ..] if first & 0xff00 == 0xff00 => C::Multicast,
        // Global unicast is 2000::/3; the rest is unallocated.
        [first, ..] if first & 0xe000 != 0x2000 => C::Reserved,
        _ => C::Public,
    }
}

/// Whether `destination` is one of the bus's own listeners. A listener bound to an
/// unspecified address (`0.0.0.0`, `[::]`) is reached through every address of this
/// host on its port, so any local address on that port counts.
pub(crate) fn is_own_listener(destination: SocketAddr, own: &[SocketAddr]) -> bool {
    let ip = destination.ip().to_canonical();
    own.iter()
        .filter(|listener| listener.port() == destination.port())
        .any(|listener| {
            let bound = listener.ip().to_canonical();
            bound == ip || (bound.is_unspecified() && is_local(ip))
        })
}

/// Whether `ip` is an address of this host: only those can be bound.
fn is_local(ip: IpAddr) -> bool {
    ip.is_loopback() || ip.is_unspecified() || UdpSocket::bind((ip, 0)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> AddressClass {
        classify(text.parse().unwrap_or_else(|_| panic!("{text}")))
    }

    #[test]
    fn only_public_unicast_is_public() {
        use AddressClass as C;
        let table = [
            ("8.8.8.8", C::Public),
            ("203.162.4.190", C::Public),
            ("127.0.0.1", C::Loopback),
            ("127.255.0.9", C::Loopback),
            ("10.1.2.3", C::Private),
            ("172.16.0.1", C::Private),
            ("172.31.255.255", C::Private),
            ("172.32.0.1", C::Public),
            ("192.168.1.1", C::Private),
            ("100.64.0.1", C::Shared),
            ("100.128.0.1", C::Public),
            ("169.254.169.254", C::LinkLocal),
            ("192.0.2.7", C::Documentation),
            ("198.18.0.1", C::Reserved),
            ("0.0.0.0", C::Unspecified),
            ("0.1.2.3", C::Unspecified),
            ("224.0.0.1", C::Multicast),
            ("240.0.0.1", C::Reserved),
            ("255.255.255.255", C::Broadcast),
            ("::", C::Unspecified),
            ("::1", C::Loopback),
            ("::ffff:127.0.0.1", C::Loopback),
            ("::ffff:10.0.0.1", C::Private),
            ("::ffff:8.8.8.8", C::Public),
            ("::127.0.0.1", C::Reserved),
            ("64:ff9b::7f00:1", C::Loopback),
            ("64:ff9b::808:808", C::Public),
            ("2002:a9fe:a9fe::1", C::LinkLocal),
            ("fd00::1", C::Private),
            ("fc12::1", C::Private),
            ("fe80::1", C::LinkLocal),
            ("fec0::1", C::Private),
            ("ff02::1", C::Multicast),
            ("2001:db8::1", C::Documentation),
            ("2001::1", C::Reserved),
            ("4000::1", C::Reserved),
            ("2001:4860:4860::8888", C::Public),
            ("2405:4800::1", C::Public),
        ];
        for (text, expected) in table {
            assert_eq!(class(text), expected, "{text}");
        }
    }

    #[test]
    fn listing_never_allows_unspecified_multicast_or_broadcast() {
        for text in ["0.0.0.0", "::", "224.0.0.1", "255.255.255.255"] {
            assert!(!class(text).allowed_when_listed(), "{text}");
        }
        for text in ["127.0.0.1", "10.0.0.1", "169.254.169.254", "fd00::1"] {
            assert!(class(text).allowed_when_listed(), "{text}");
        }
    }

    #[test]
    fn own_listeners_are_recognised_on_any_local_address_of_a_wildcard_bind() {
        let addr = |s: &str| s.parse::<SocketAddr>().unwrap();
        let specific = [addr("127.0.0.1:9090")];
        assert!(is_own_listener(addr("127.0.0.1:9090"), &specific));
        assert!(is_own_listener(addr("[::ffff:127.0.0.1]:9090"), &specific));
        assert!(!is_own_listener(addr("127.0.0.1:9091"), &specific));
        assert!(!is_own_listener(addr("127.0.0.2:9090"), &specific));

        let wildcard = [addr("0.0.0.0:8080"), addr("[::]:9090")];
        assert!(is_own_listener(addr("127.0.0.1:8080"), &wildcard));
        assert!(is_own_listener(addr("127.3.4.5:8080"), &wildcard));
        assert!(is_own_listener(addr("127.0.0.1:9090"), &wildcard));
        assert!(is_own_listener(addr("[::1]:8080"), &wildcard));
        assert!(!is_own_listener(addr("127.0.0.1:8081"), &wildcard));
        // Documentation addresses are never assigned to this host.
        assert!(!is_own_listener(addr("192.0.2.1:8080"), &wildcard));
    }
}
