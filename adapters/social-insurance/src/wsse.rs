//! OASIS WS-Security 1.0 UsernameToken with PasswordDigest, as the adapter writes it and
//! the simulator checks it: digest = Base64(SHA-1(nonce bytes + Created + password)).

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, NaiveDateTime, Utc};
use sha1::{Digest, Sha1};

/// WS-Security 1.0 extension namespace (`wsse`).
pub(crate) const WSSE_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
/// WS-Security 1.0 utility namespace (`wsu`).
pub(crate) const WSU_NS: &str =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
/// `Type` of a digested password.
pub(crate) const PASSWORD_DIGEST: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest";
/// `EncodingType` of a Base64 nonce.
pub(crate) const BASE64_BINARY: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary";

/// `time` as a UTC instant; `None` outside the calendar chrono represents.
pub(crate) fn utc(time: SystemTime) -> Option<DateTime<Utc>> {
    let (secs, nanos) = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => (i64::try_from(after.as_secs()).ok()?, after.subsec_nanos()),
        Err(before) => {
            let before = before.duration();
            let secs = i64::try_from(before.as_secs()).ok()?;
            match before.subsec_nanos() {
                0 => (-secs, 0),
                nanos => (-secs - 1, 1_000_000_000 - nanos),
            }
        }
    };
    DateTime::from_timestamp(secs, nanos)
}

/// `Created` text: UTC `yyyy-MM-ddTHH:mm:ss.sssZ`.
pub(crate) fn created(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Reads a `Created` text `yyyy-MM-ddTHH:mm:ss[.s…]Z`.
pub(crate) fn parse_created(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim().strip_suffix('Z')?;
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

/// The nonce as it travels: Base64.
pub(crate) fn encode_nonce(nonce: &[u8]) -> String {
    BASE64.encode(nonce)
}

/// The nonce bytes of a Base64 text; `None` when it is not Base64 or empty.
pub(crate) fn decode_nonce(text: &str) -> Option<Vec<u8>> {
    BASE64
        .decode(text.trim())
        .ok()
        .filter(|bytes| !bytes.is_empty())
}

/// Base64(SHA-1(nonce + created + password)).
pub(crate) fn password_digest(nonce: &[u8], created: &str, password: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(nonce);
    sha.update(created.as_bytes());
    sha.update(password.as_bytes());
    BASE64.encode(sha.finalize())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn created_has_milliseconds_and_reads_back() {
        let time = UNIX_EPOCH + Duration::from_millis(1_795_000_000_123);
        let instant = utc(time).unwrap();
        let text = created(instant);
        assert_eq!(text, "2026-11-18T11:06:40.123Z");
        assert_eq!(parse_created(&text), Some(instant));
        assert!(parse_created("2026-11-18T11:06:40Z").is_some());
        assert_eq!(parse_created("2026-11-18T11:06:40+07:00"), None);
        assert_eq!(parse_created("2026-11-18 11:06:40Z"), None);
        let before_epoch = utc(UNIX_EPOCH - Duration::from_millis(1500)).unwrap();
        assert_eq!(created(before_epoch), "1969-12-31T23:59:58.500Z");
    }

    #[test]
    fn digest_follows_the_username_token_profile() {
        // A widely published UsernameToken example.
        let nonce = BASE64.decode("LKqI6G/AikKCQrN0zqZFlg==").unwrap();
        let digest = password_digest(&nonce, "2010-09-16T07:50:45Z", "userpassword");
        assert_eq!(digest, "tuOSpGlFlIXsozq4HFNeeGeFLEI=");
        assert_eq!(decode_nonce(&encode_nonce(&nonce)), Some(nonce));
        assert_eq!(decode_nonce("not base64!"), None);
        assert_eq!(decode_nonce(""), None);
    }
}
