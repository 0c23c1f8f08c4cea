//! `[webhooks]` as the deliverer uses it.

use std::sync::Arc;
use std::time::Duration;

use crate::config::{ConfigIssue, PartnerTls, WebhooksConfig};

/// `[webhooks]` as the deliverer uses it, with the TLS configuration for receivers.
pub(crate) struct Settings {
    pub(super) timeout: Duration,
    pub(super) max_retry_wait: Duration,
    pub(super) retry_horizon: Duration,
    pub(super) dead_letter_retention: Duration,
    pub(super) tls: Arc<rustls::ClientConfig>,
}

impl Settings {
    /// The settings of `config`; a CA bundle that cannot be used is an issue.
    pub(crate) fn from_config(config: &WebhooksConfig) -> Result<Self, ConfigIssue> {
        Self::read(config).map_err(|problem| ConfigIssue {
            key: "webhooks.ca_file".into(),
            problem,
            fix: "point it at a readable PEM bundle of CA certificates".into(),
        })
    }

    /// Reads the CA bundle, if any; the error names what is wrong with it.
    fn read(config: &WebhooksConfig) -> Result<Self, String> {
        let trust = PartnerTls {
            ca_file: config.ca_file.clone(),
            ..PartnerTls::default()
        };
        let mut tls = crate::infra::tls::client_config(Some(&trust))?;
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            timeout: config.timeout,
            max_retry_wait: config.max_retry_wait,
            retry_horizon: config.retry_horizon,
            dead_letter_retention: config.dead_letter_retention,
            tls: Arc::new(tls),
        })
    }
}
