//! Webhook signatures as the Standard Webhooks specification defines them
//! (<https://www.standardwebhooks.com/>): `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "{webhook-id}.{webhook-timestamp}.{body}">`, so receivers can verify with its
//! libraries and reject replays by the timestamp. The deprecated
//! `X-Lienthong-Signature` (HMAC-SHA256 of the body alone) is still sent beside it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Prefix of a secret given in the specification's serialisation (base64 after it).
const SECRET_PREFIX: &str = "whsec_";

/// The HMAC key of a configured secret: the base64-decoded bytes after `whsec_`, or
/// the UTF-8 bytes of a secret without that prefix.
pub fn signing_key(secret: &str) -> Result<Vec<u8>, String> {
    let Some(encoded) = secret.strip_prefix(SECRET_PREFIX) else {
        return Ok(secret.as_bytes().to_vec());
    };
    match STANDARD.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(key),
        Ok(_) => Err("holds nothing after whsec_".into()),
        Err(e) => Err(format!("the part after whsec_ is not base64 ({e})")),
    }
}

fn mac(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

/// The `webhook-signature` value of one attempt: `v1,` and the base64 HMAC-SHA256 under
/// `key` of `{id}.{timestamp}.{body}` (`timestamp` in Unix seconds).
pub fn standard_signature(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = mac(key);
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The deprecated `X-Lienthong-Signature` value: `sha256=<hex HMAC-SHA256 of body>`.
pub fn signature(key: &[u8], body: &[u8]) -> String {
    let mut mac = mac(key);
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_libraries_test_vector() {
        // The "sign function works" case of the Standard Webhooks reference libraries.
        let key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let signature = standard_signature(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn legacy_signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        let sig = signature(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            sig,
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn secrets_without_the_prefix_are_their_bytes_and_bad_base64_is_refused() {
        assert_eq!(signing_key("plain-secret").unwrap(), b"plain-secret");
        assert!(signing_key("whsec_not base64!").is_err());
        assert!(signing_key("whsec_").is_err());
    }
}
