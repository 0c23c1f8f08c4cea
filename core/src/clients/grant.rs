//! A client's grants as configured (`allow`): `*`, a partner, or `partner/operationId`.

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

    /// Whether the grant covers `partner`/`operation`.
    pub(crate) fn allows(&self, partner: &str, operation: &str) -> bool {
        match self {
            Self::All => true,
            Self::Partner(p) => p == partner,
            Self::Operation(p, o) => p == partner && o == operation,
        }
    }
}
