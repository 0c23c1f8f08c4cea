//! One API key, one client: two clients sharing a key could not be told apart (the key
//! would identify whichever matched last), so a configuration where they do is refused.
//! Keys are compared by their SHA-256, whatever form the configuration gives them in.

use sha2::{Digest, Sha256};

use super::{ClientConfig, Issues};

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
