//! Stage: access rights. Which client may call which partner or operation, from config
//! (the client's grants, see [`crate::clients::grant`]).

use crate::clients::Client;

/// The client may not call this operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("client `{client}` may not call {partner}/{operation}")]
pub(crate) struct AccessDenied {
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
    if client.may_call(partner, operation) {
        Ok(())
    } else {
        Err(AccessDenied {
            client: client.id.to_string(),
            partner,
            operation,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clients::grant::Grant;

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
