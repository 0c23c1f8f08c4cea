//! The configured clients: who they are, what they may call ([`grant`]), how their
//! webhooks are signed and where they may reach, and the table of their key digests.
//! `Authorization: ApiKey <key>` is hashed with SHA-256 and compared in constant time
//! against every configured client, so neither timing nor the stored config reveals a key.
//! The pipeline's identity stage (`pipeline::auth_guard`) identifies callers through it.

pub(crate) mod grant;

use std::sync::Arc;

use http::HeaderMap;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::callbacks::{AllowedHost, SECRET_FIX, signing_key};
use crate::config::clients::{file_digest, refuse_shared};
use crate::config::{ClientConfig, Issues};
use grant::Grant;

/// A known provincial application.
#[derive(Debug)]
pub(crate) struct Client {
    /// Configured id.
    pub id: Arc<str>,
    pub(crate) grants: Vec<Grant>,
    /// Key signing this client's webhooks.
    pub(crate) webhook_secret: Option<Vec<u8>>,
    /// Hosts this client's callbacks may reach beyond public https.
    pub(crate) webhook_hosts: Vec<AllowedHost>,
    /// Whether `Cache-Control: no-cache` from this client bypasses the cache.
    pub(crate) may_bypass_cache: bool,
}

impl Client {
    /// Whether any of the client's grants covers `partner`/`operation`.
    pub(crate) fn may_call(&self, partner: &str, operation: &str) -> bool {
        self.grants.iter().any(|g| g.allows(partner, operation))
    }
}

/// Why a caller could not be identified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum IdentityError {
    /// No `Authorization` header.
    #[error("no credentials")]
    Missing,
    /// An `Authorization` header that is not `ApiKey <key>`.
    #[error("malformed credentials")]
    Malformed,
    /// A key no client has.
    #[error("unknown credentials")]
    Unknown,
}

/// The configured clients and their key digests.
#[derive(Debug, Default)]
pub(crate) struct Clients {
    entries: Vec<([u8; 32], Arc<Client>)>,
}

impl Clients {
    /// Builds the key table; `env` resolves `api_key_env` names.
    pub(crate) fn from_config(
        clients: &[ClientConfig],
        env: &dyn Fn(&str) -> Option<String>,
        issues: &mut Issues,
    ) -> Self {
        let mut entries = Vec::with_capacity(clients.len());
        let mut digests = Vec::with_capacity(clients.len());
        for (i, c) in clients.iter().enumerate() {
            // A malformed api_key_sha256 is reported by Config::validate.
            let digest = if c.api_key_sha256.is_some() || c.api_key.is_some() {
                file_digest(c)
            } else if let Some(var) = &c.api_key_env {
                match env(var) {
                    Some(key) if !key.is_empty() => Some(sha256(key.as_bytes())),
                    _ => {
                        issues.add(
                            format!("clients[{i}].api_key_env"),
                            format!("environment variable {var} is not set"),
                            format!("export {var} before starting, or use api_key_sha256"),
                        );
                        None
                    }
                }
            } else {
                None
            };
            let grants = c.allow.iter().map(|g| Grant::parse(g)).collect();
            let webhook_secret = match (&c.webhook_secret, &c.webhook_secret_env) {
                // A bad literal secret is reported by Config::validate.
                (Some(secret), _) => signing_key(secret).ok(),
                (None, Some(var)) => {
                    let key = format!("clients[{i}].webhook_secret_env");
                    match env(var).filter(|s| !s.is_empty()) {
                        None => {
                            issues.add(
                                key,
                                format!("environment variable {var} is not set"),
                                format!("export {var} before starting"),
                            );
                            None
                        }
                        Some(secret) => signing_key(&secret)
                            .map_err(|problem| {
                                issues.add(key, format!("{var} {problem}"), SECRET_FIX)
                            })
                            .ok(),
                    }
                }
                (None, None) => None,
            };
            // Bad entries are reported by Config::validate.
            let webhook_hosts = c
                .webhook_hosts
                .iter()
                .filter_map(|entry| AllowedHost::parse(entry).ok())
                .collect();
            if let Some(digest) = digest {
                digests.push((i, digest));
                let client = Client {
                    id: c.id.as_str().into(),
                    grants,
                    webhook_secret,
                    webhook_hosts,
                    may_bypass_cache: c.may_bypass_cache,
                };
                entries.push((digest, Arc::new(client)));
            }
        }
        refuse_shared(&digests, clients, issues);
        Self { entries }
    }

    /// The client with this id.
    pub(crate) fn by_id(&self, id: &str) -> Option<&Arc<Client>> {
        self.entries.iter().map(|(_, c)| c).find(|c| &*c.id == id)
    }

    /// Identifies the caller from its `Authorization` header.
    pub(crate) fn identify(&self, headers: &HeaderMap) -> Result<Arc<Client>, IdentityError> {
        let value = headers
            .get(http::header::AUTHORIZATION)
            .ok_or(IdentityError::Missing)?;
        let value = value.to_str().map_err(|_| IdentityError::Malformed)?;
        let (scheme, key) = value
            .trim()
            .split_once(' ')
            .ok_or(IdentityError::Malformed)?;
        let key = key.trim();
        if !scheme.eq_ignore_ascii_case("ApiKey") || key.is_empty() || key.len() > 512 {
            return Err(IdentityError::Malformed);
        }
        let digest = sha256(key.as_bytes());
        // Compare against every entry so the time taken does not depend on which matched.
        let mut found = None;
        for (candidate, client) in &self.entries {
            if bool::from(candidate.ct_eq(&digest)) {
                found = Some(client);
            }
        }
        found.cloned().ok_or(IdentityError::Unknown)
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The SHA-256 of a secret, for comparing presented secrets in constant time.
pub(crate) fn digest(secret: &[u8]) -> [u8; 32] {
    sha256(secret)
}

/// Whether `presented` is the secret whose digest is `expected`, in constant time.
pub(crate) fn matches(expected: &[u8; 32], presented: &[u8]) -> bool {
    bool::from(expected.ct_eq(&sha256(presented)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn clients() -> Clients {
        let config = vec![
            ClientConfig {
                id: "plain".into(),
                api_key: Some("demo-key-1".into()),
                ..ClientConfig::default()
            },
            ClientConfig {
                id: "hashed".into(),
                // sha256("secret-key-2")
                api_key_sha256: Some(hex::encode(sha256(b"secret-key-2"))),
                ..ClientConfig::default()
            },
        ];
        let mut issues = Issues::default();
        let clients = Clients::from_config(&config, &|_| None, &mut issues);
        assert!(issues.finish("t").is_ok());
        clients
    }

    fn auth(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(http::header::AUTHORIZATION, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn identifies_plain_and_hashed_keys() {
        let c = clients();
        assert_eq!(
            &*c.identify(&auth("ApiKey demo-key-1")).unwrap().id,
            "plain"
        );
        assert_eq!(
            &*c.identify(&auth("apikey  secret-key-2")).unwrap().id,
            "hashed"
        );
    }

    #[test]
    fn refuses_missing_malformed_and_unknown() {
        let c = clients();
        assert_eq!(
            c.identify(&HeaderMap::new()).unwrap_err(),
            IdentityError::Missing
        );
        assert_eq!(
            c.identify(&auth("Bearer demo-key-1")).unwrap_err(),
            IdentityError::Malformed
        );
        assert_eq!(
            c.identify(&auth("ApiKey")).unwrap_err(),
            IdentityError::Malformed
        );
        assert_eq!(
            c.identify(&auth("ApiKey nope")).unwrap_err(),
            IdentityError::Unknown
        );
    }

    #[test]
    fn two_clients_with_one_key_from_the_environment_are_refused() {
        let config = vec![
            ClientConfig {
                id: "one-stop-shop".into(),
                api_key_env: Some("KEY_A".into()),
                ..ClientConfig::default()
            },
            ClientConfig {
                id: "portal".into(),
                api_key_sha256: Some(hex::encode(sha256(b"shared-key-123"))),
                ..ClientConfig::default()
            },
        ];
        let mut issues = Issues::default();
        Clients::from_config(&config, &|_| Some("shared-key-123".into()), &mut issues);
        let err = issues.finish("bus.toml").unwrap_err();
        assert_eq!(err.issues.len(), 1, "{err}");
        assert_eq!(err.issues[0].key, "clients[1].api_key_sha256");
        assert!(!err.to_string().contains("shared-key-123"), "{err}");
    }

    #[test]
    fn missing_environment_key_is_a_config_issue() {
        let config = vec![ClientConfig {
            id: "env".into(),
            api_key_env: Some("LIENTHONG_TEST_UNSET".into()),
            ..ClientConfig::default()
        }];
        let mut issues = Issues::default();
        Clients::from_config(&config, &|_| None, &mut issues);
        let err = issues.finish("bus.toml").unwrap_err();
        assert_eq!(err.issues[0].key, "clients[0].api_key_env");
    }
}
