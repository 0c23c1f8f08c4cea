//! `[audit]`: what happens when records cannot be written, how long a commit may take,
//! and where the keys of the log live — outside the store, so that write access to the
//! database is not enough to recompute digests or to rewrite history unnoticed.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::issues::{ConfigIssue, Issues};
use super::storage::StorageConfig;

/// What happens to an answer when its audit record cannot be written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditFailure {
    /// Withhold the answer: 503 `audit-unavailable` (nothing is answered unlogged).
    #[default]
    Refuse,
    /// Answer anyway; the lost record is logged as an error.
    Answer,
}

/// The audit log.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// What happens when records cannot be written.
    pub on_failure: AuditFailure,
    /// Longest time one commit of records may take; a record not committed in time is
    /// treated as not written (`on_failure` applies).
    #[serde(with = "humantime_serde")]
    pub commit_timeout: Duration,
    /// Environment variable holding the key of the identifier digests (HMAC-SHA256), at
    /// least 32 bytes.
    pub identifier_key_env: Option<String>,
    /// File holding the key of the identifier digests, hex (`lienthong audit keygen`
    /// writes one); readable by its owner only. Without this and `identifier_key_env`,
    /// the key is `<data_dir>/keys/identifier.key`, generated on first start.
    pub identifier_key_file: Option<PathBuf>,
    /// Ed25519 private key (PKCS#8 PEM, owner-only) that signs checkpoints of the chain's
    /// head; checkpoints are written only when it is set.
    pub checkpoint_key_file: Option<PathBuf>,
    /// JSON-lines file the signed checkpoints are appended to (kept apart from the store).
    pub checkpoint_file: Option<PathBuf>,
    /// A checkpoint once the chain has grown by this many records since the last one.
    pub checkpoint_every: u64,
    /// A checkpoint at least this often while records are committed (and at shutdown).
    #[serde(with = "humantime_serde")]
    pub checkpoint_interval: Duration,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            on_failure: AuditFailure::Refuse,
            commit_timeout: Duration::from_secs(2),
            identifier_key_env: None,
            identifier_key_file: None,
            checkpoint_key_file: None,
            checkpoint_file: None,
            checkpoint_every: 1000,
            checkpoint_interval: Duration::from_secs(60),
        }
    }
}

impl AuditConfig {
    /// Checks durations, counts and that key sources go together.
    pub(crate) fn validate(&self, issues: &mut Issues) {
        if self.commit_timeout < Duration::from_millis(10)
            || self.commit_timeout > Duration::from_secs(60)
        {
            issues.add(
                "audit.commit_timeout",
                format!("{:?} is outside [10ms, 60s]", self.commit_timeout),
                "use a duration such as \"2s\"",
            );
        }
        if self.identifier_key_env.is_some() && self.identifier_key_file.is_some() {
            issues.add(
                "audit.identifier_key_file",
                "both identifier_key_env and identifier_key_file are set",
                "keep one",
            );
        }
        if self.checkpoint_key_file.is_some() != self.checkpoint_file.is_some() {
            issues.add(
                "audit.checkpoint_file",
                "checkpoint_key_file and checkpoint_file go together",
                "set both to sign checkpoints (lienthong audit keygen --out DIR makes the key), or neither",
            );
        }
        if !(1..=1_000_000).contains(&self.checkpoint_every) {
            issues.add(
                "audit.checkpoint_every",
                format!("{} is outside 1..=1000000", self.checkpoint_every),
                "use a number of records such as 1000",
            );
        }
        if self.checkpoint_interval < Duration::from_secs(1)
            || self.checkpoint_interval > Duration::from_secs(86_400)
        {
            issues.add(
                "audit.checkpoint_interval",
                format!("{:?} is outside [1s, 24h]", self.checkpoint_interval),
                "use a duration such as \"60s\"",
            );
        }
    }

    /// Valid settings that leave the log weaker than it could be, for `lienthong check`.
    pub fn advice(&self, storage: &StorageConfig) -> Vec<ConfigIssue> {
        let mut advice = Vec::new();
        if self.identifier_key_env.is_none() && self.identifier_key_file.is_none() {
            let problem = match storage.url {
                Some(_) => {
                    "no identifier key is configured: each instance generates its own in its data_dir, so digests differ between instances"
                }
                None => {
                    "no identifier key is configured: one is generated in data_dir/keys/identifier.key"
                }
            };
            advice.push(ConfigIssue {
                key: "audit.identifier_key_file".into(),
                problem: problem.into(),
                fix: "create one with `lienthong audit keygen --out DIR` and set identifier_key_file (the same key on every instance)".into(),
            });
        }
        if self.checkpoint_key_file.is_none() {
            advice.push(ConfigIssue {
                key: "audit.checkpoint_key_file".into(),
                problem: "no signed checkpoints: someone who can write the database can rewrite the chain consistently".into(),
                fix: "create a key pair with `lienthong audit keygen --out DIR` and set checkpoint_key_file and checkpoint_file".into(),
            });
        }
        advice
    }
}
