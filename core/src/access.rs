//! Stage: access rights. Which client may call which partner or operation, from config.

use crate::identity::Client;

/// One configured grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Grant {
    /// `*`: every operation of every partner.
    All,
    /// `partner`: every operation of that partner.
    Partner(String),
    /// `partner/operationId`: one operation.
    Operation(String, String),
}

impl Grant {
    /// Parses a grant as written in config (validated there).
    pub(crate) fn parse(grant: &str) -> Self {
        match grant.split_once('/') {
            _ if grant == "*" => Self::All,
            Some((partner, op)) => Self::Operation(partner.to_owned(), op.to_owned()),
            None => Self::Partner(grant.to_owned()),
        }
    }

    fn allows(&self, partner: &str, operation: &str) -> bool {
        match self {
            Self::All => true,
            Self::Partner(p) => p == partner,
            Self::Operation(p, o) => p == partner && o == operation,
        }
    }
}

/// The client may not call this operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("client `{client}` may not call {partner}/{operation}")]
pub struct AccessDenied {
    /// The client.
    pub client: String,
    /// The partner.
    pub partner: &'static str,
    /// The operation id.
    pub operation: &'static str,
}

/// Whether `client` may call `partner`/`operation`.
pub(crate) fn check(
    client: &Client,
    partner: &'static str,
    operation: &'static str,
) -> Result<(), AccessDenied> {
    if may_call(client, partner, operation) {
        Ok(())
    } else {
        Err(AccessDenied {
            client: client.id.to_string(),
            partner,
            operation,
        })
    }
}

/// Whether any of the client's grants covers the operation.
pub(crate) fn may_call(client: &Client, partner: &str, operation: &str) -> bool {
    client.grants.iter().any(|g| g.allows(partner, operation))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(grants: &[&str]) -> Client {
        Client {
            id: "c".into(),
            grants: grants.iter().map(|g| Grant::parse(g)).collect(),
            webhook_secret: None,
            webhook_hosts: Vec::new(),
            may_bypass_cache: false,
        }
    }

    #[test]
    fn grants_cover_what_they_name() {
        assert!(check(&client(&["*"]), "a", "x").is_ok());
        assert!(check(&client(&["a"]), "a", "x").is_ok());
        assert!(check(&client(&["a"]), "b", "x").is_err());
        assert!(check(&client(&["a/x"]), "a", "x").is_ok());
        assert!(check(&client(&["a/x"]), "a", "y").is_err());
        assert!(check(&client(&[]), "a", "x").is_err());
    }
}
