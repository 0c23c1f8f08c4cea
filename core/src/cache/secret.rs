//! The cache secret. Cache keys are HMAC-SHA256 digests of the adapter's key under it:
//! the identifiers behind a key (enterprise and insurance codes, names, dates of birth)
//! are few enough to reverse a plain digest by trying them all. Entries shared through
//! Redis are sealed with a MAC under it, over key, expiry and answer, so whoever can
//! write to Redis without the secret cannot plant an answer.
//!
//! Without the shared tier, each process draws a secret of its own at start. With it,
//! every instance reads the same one from `[cache] key_env` or `key_file`.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::config::CacheConfig;

/// Shortest secret accepted from configuration, in bytes.
pub(crate) const MIN_SECRET_BYTES: usize = 32;

/// Prefix of sealed entries: the format version.
const SEALED: &str = "v1.";

/// Keys derived from the cache secret, one per use.
pub(crate) struct CacheSecret {
    keys: [u8; 32],
    entries: [u8; 32],
}

impl std::fmt::Debug for CacheSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CacheSecret(<redacted>)")
    }
}

impl CacheSecret {
    /// The secret `config` names (read through `env` for `key_env`), or a random one when
    /// it names none.
    pub(crate) fn load(
        config: &CacheConfig,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, String> {
        let secret = match (&config.key_env, &config.key_file) {
            (Some(var), _) => env(var)
                .ok_or_else(|| format!("cache.key_env: environment variable {var} is not set"))?,
            (None, Some(file)) => std::fs::read_to_string(file)
                .map_err(|e| format!("cache.key_file: {} cannot be read: {e}", file.display()))?,
            (None, None) => return Ok(Self::random()),
        };
        let secret = secret.trim_end_matches(['\r', '\n']);
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the cache secret is {} bytes long; at least {MIN_SECRET_BYTES} are needed",
                secret.len()
            ));
        }
        Ok(Self::derive(secret.as_bytes()))
    }

    /// A secret of this process alone.
    pub(crate) fn random() -> Self {
        let mut secret = [0u8; 32];
        rand::fill(&mut secret);
        Self::derive(&secret)
    }

    fn derive(secret: &[u8]) -> Self {
        Self {
            keys: mac(secret, &[b"lienthong cache keys"]),
            entries: mac(secret, &[b"lienthong cache entries"]),
        }
    }

    /// The hex digest standing for `adapter_key` in cache keys.
    pub(crate) fn key_digest(&self, adapter_key: &str) -> String {
        hex::encode(mac(&self.keys, &[adapter_key.as_bytes()]))
    }

    /// `payload` sealed for storage under `key`: `v1.<hex MAC>.<payload>`.
    pub(crate) fn seal(&self, key: &str, payload: &str) -> String {
        let tag = hex::encode(self.entry_mac(key, payload));
        format!("{SEALED}{tag}.{payload}")
    }

    /// The payload of `stored`, when its seal is valid for `key` (checked in constant time).
    pub(crate) fn open<'a>(&self, key: &str, stored: &'a str) -> Option<&'a str> {
        let (tag, payload) = stored.strip_prefix(SEALED)?.split_once('.')?;
        let tag = hex::decode(tag).ok()?;
        entry_hmac(&self.entries, key, payload)
            .verify_slice(&tag)
            .ok()
            .map(|()| payload)
    }

    fn entry_mac(&self, key: &str, payload: &str) -> [u8; 32] {
        entry_hmac(&self.entries, key, payload)
            .finalize()
            .into_bytes()
            .into()
    }
}

/// HMAC-SHA256 under `key` of the concatenated `parts`.
fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac = hmac_under(key);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The HMAC of one stored entry: its key's length and key, then its payload.
fn entry_hmac(secret: &[u8; 32], key: &str, payload: &str) -> Hmac<Sha256> {
    let mut mac = hmac_under(secret);
    mac.update(&(key.len() as u64).to_be_bytes());
    mac.update(key.as_bytes());
    mac.update(payload.as_bytes());
    mac
}

fn hmac_under(key: &[u8]) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configured(secret: &str) -> Result<CacheSecret, String> {
        let config = CacheConfig {
            key_env: Some("CACHE_KEY".into()),
            ..CacheConfig::default()
        };
        let secret = secret.to_owned();
        CacheSecret::load(&config, &move |_| Some(secret.clone()))
    }

    #[test]
    fn instances_with_one_secret_agree_and_others_do_not() {
        let a = configured("0123456789abcdef0123456789abcdef").unwrap();
        let b = configured("0123456789abcdef0123456789abcdef\n").unwrap();
        let c = configured("fedcba9876543210fedcba9876543210").unwrap();
        assert_eq!(
            a.key_digest("getEnterprise:1"),
            b.key_digest("getEnterprise:1")
        );
        assert_ne!(
            a.key_digest("getEnterprise:1"),
            c.key_digest("getEnterprise:1")
        );
        assert_ne!(
            a.key_digest("getEnterprise:1"),
            a.key_digest("getEnterprise:2")
        );
        let sealed = a.seal("p:cache:k", "{\"x\":1}");
        assert_eq!(b.open("p:cache:k", &sealed), Some("{\"x\":1}"));
        assert_eq!(c.open("p:cache:k", &sealed), None, "another secret");
        assert_eq!(
            a.open("p:cache:other", &sealed),
            None,
            "moved to another key"
        );
        let altered = sealed.replace("{\"x\":1}", "{\"x\":2}");
        assert_eq!(a.open("p:cache:k", &altered), None, "altered payload");
        assert_eq!(a.open("p:cache:k", "{\"x\":1}"), None, "unsealed");
        assert!(configured("short").unwrap_err().contains("at least 32"));
    }
}
