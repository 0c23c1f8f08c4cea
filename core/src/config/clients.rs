//! `[[clients]]`: the provincial applications, their keys, grants and webhook settings.
//!
//! One API key, one client: two clients sharing a key could not be told apart (the key
//! would identify whichever matched last), so a configuration where they do is refused.
//! Keys are compared by their SHA-256, whatever form the configuration gives them in.

use lienthong_adapter_kit::adapter::Adapter;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::callbacks;
use super::issues::Issues;

/// One provincial application and what it may call.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientConfig {
    /// Name used in logs, traces and the audit log.
    pub id: String,
    /// The key itself (for development; prefer `api_key_sha256` or `api_key_env`).
    pub api_key: Option<String>,
    /// Hex SHA-256 of the key: the key itself never needs to be stored.
    pub api_key_sha256: Option<String>,
    /// Name of an environment variable holding the key.
    pub api_key_env: Option<String>,
    /// Grants: `*`, a partner name, or `partner/operationId`.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Secret that signs this client's webhooks (development; prefer `webhook_secret_env`).
    pub webhook_secret: Option<String>,
    /// Name of an environment variable holding the webhook secret.
    pub webhook_secret_env: Option<String>,
    /// Hosts this client's callbacks may reach although they are not public https:
    /// `host` or `host:port` (http or https, any address the host resolves to but the
    /// bus's own listeners), or `https://host[:port]` (https only).
    #[serde(default)]
    pub webhook_hosts: Vec<String>,
    /// Whether `Cache-Control: no-cache` from this client bypasses the cache.
    #[serde(default)]
    pub may_bypass_cache: bool,
}

/// Checks every `[[clients]]` entry: ids, key sources, secrets, callbacks and grants.
pub(super) fn validate(clients: &[ClientConfig], adapters: &[&dyn Adapter], issues: &mut Issues) {
    let mut seen = std::collections::HashSet::new();
    for (i, client) in clients.iter().enumerate() {
        let key = format!("clients[{i}]");
        if client.id.trim().is_empty() {
            issues.add(
                format!("{key}.id"),
                "is empty",
                "name the application, e.g. \"one-stop-shop\"",
            );
        } else if !seen.insert(client.id.as_str()) {
            issues.add(
                format!("{key}.id"),
                format!("`{}` is used twice", client.id),
                "give every client its own id",
            );
        }
        let sources = [
            client.api_key.is_some(),
            client.api_key_sha256.is_some(),
            client.api_key_env.is_some(),
        ];
        if sources.iter().filter(|s| **s).count() != 1 {
            issues.add(
                format!("{key}.api_key_sha256"),
                "exactly one of api_key, api_key_sha256, api_key_env must be set",
                "store the key's hex SHA-256 in api_key_sha256 (printf %s KEY | sha256sum)",
            );
        }
        if let Some(hash) = &client.api_key_sha256
            && (hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            issues.add(
                format!("{key}.api_key_sha256"),
                "is not 64 hexadecimal characters",
                "use the output of: printf %s KEY | sha256sum",
            );
        }
        if client.webhook_secret.is_some() && client.webhook_secret_env.is_some() {
            issues.add(
                format!("{key}.webhook_secret"),
                "both webhook_secret and webhook_secret_env are set",
                "keep only webhook_secret_env",
            );
        }
        callbacks::validate_client(
            &client.webhook_hosts,
            client.webhook_secret.as_deref(),
            &key,
            issues,
        );
        if let Some(api_key) = &client.api_key
            && api_key.len() < 8
        {
            issues.add(
                format!("{key}.api_key"),
                "is shorter than 8 characters",
                "use a long random key",
            );
        }
        for (j, grant) in client.allow.iter().enumerate() {
            if let Err(problem) = check_grant(grant, adapters) {
                issues.add(
                    format!("{key}.allow[{j}]"),
                    problem,
                    "use \"*\", a partner name, or \"partner/operationId\" (see GET /v1/services)",
                );
            }
        }
    }
    refuse_shared_in_file(clients, issues);
}

fn check_grant(grant: &str, adapters: &[&dyn Adapter]) -> Result<(), String> {
    if grant == "*" {
        return Ok(());
    }
    let (partner, op) = match grant.split_once('/') {
        Some((p, o)) => (p, Some(o)),
        None => (grant, None),
    };
    let adapter = adapters
        .iter()
        .find(|a| a.partner() == partner)
        .ok_or_else(|| format!("`{partner}` is not a known partner"))?;
    match op {
        Some(op) if !adapter.operations().iter().any(|o| o.id == op) => {
            Err(format!("`{op}` is not an operation of {partner}"))
        }
        _ => Ok(()),
    }
}

/// The SHA-256 of a client's key as far as the file tells: `api_key` hashed, or
/// `api_key_sha256` decoded. `None` for keys held in the environment, or malformed digests.
pub(crate) fn file_digest(client: &ClientConfig) -> Option<[u8; 32]> {
    if let Some(hash) = &client.api_key_sha256 {
        let mut out = [0u8; 32];
        return hex::decode_to_slice(hash, &mut out).ok().map(|()| out);
    }
    client
        .api_key
        .as_ref()
        .map(|key| Sha256::digest(key.as_bytes()).into())
}

/// The config key holding client `i`'s API key.
fn source(i: usize, client: &ClientConfig) -> String {
    let name = if client.api_key_env.is_some() {
        "api_key_env"
    } else if client.api_key_sha256.is_some() {
        "api_key_sha256"
    } else {
        "api_key"
    };
    format!("clients[{i}].{name}")
}

/// Records an issue for every client whose key digest (by client index) equals an
/// earlier client's.
pub(crate) fn refuse_shared(
    digests: &[(usize, [u8; 32])],
    clients: &[ClientConfig],
    issues: &mut Issues,
) {
    for (n, (j, digest)) in digests.iter().enumerate() {
        let Some((i, _)) = digests[..n].iter().find(|(_, earlier)| earlier == digest) else {
            continue;
        };
        let (Some(first), Some(second)) = (clients.get(*i), clients.get(*j)) else {
            continue;
        };
        issues.add(
            source(*j, second),
            format!(
                "is the same API key as clients[{i}] (`{}`): a request with it could not be told apart",
                first.id
            ),
            format!("issue `{}` a key of its own", second.id),
        );
    }
}

/// Checks the keys the file itself holds (`api_key`, `api_key_sha256`); keys in the
/// environment are compared when the bus starts (`identity::Clients::from_config`).
pub(crate) fn refuse_shared_in_file(clients: &[ClientConfig], issues: &mut Issues) {
    let digests: Vec<(usize, [u8; 32])> = clients
        .iter()
        .enumerate()
        .filter_map(|(i, c)| file_digest(c).map(|d| (i, d)))
        .collect();
    refuse_shared(&digests, clients, issues);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(id: &str, key: Option<&str>, sha: Option<String>) -> ClientConfig {
        ClientConfig {
            id: id.into(),
            api_key: key.map(str::to_owned),
            api_key_sha256: sha,
            ..ClientConfig::default()
        }
    }

    #[test]
    fn a_key_given_plain_and_as_its_digest_is_one_key() {
        let digest = hex::encode(Sha256::digest(b"shared-key-123"));
        let clients = [
            client("a", Some("shared-key-123"), None),
            client("b", Some("another-key-456"), None),
            client("c", None, Some(digest.to_uppercase())),
        ];
        let mut issues = Issues::default();
        refuse_shared_in_file(&clients, &mut issues);
        let err = issues.finish("bus.toml").unwrap_err();
        assert_eq!(err.issues.len(), 1, "{err}");
        assert_eq!(err.issues[0].key, "clients[2].api_key_sha256");
        assert!(err.issues[0].problem.contains("clients[0] (`a`)"), "{err}");

        let mut issues = Issues::default();
        refuse_shared_in_file(&clients[..2], &mut issues);
        assert!(issues.finish("bus.toml").is_ok());
    }
}
