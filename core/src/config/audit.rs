//! `[audit]`: what happens when records cannot be written, how long a commit may take,
//! and where the keys of the log live (outside the store).

use std::time::Duration;

use serde::Deserialize;

use super::Issues;

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
    /// Environment variable holding the key of the identifier digests (HMAC-SHA256); when
    /// unset, a key generated once and kept in the store is used.
    pub identifier_key_env: Option<String>,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            on_failure: AuditFailure::Refuse,
            commit_timeout: Duration::from_secs(2),
            identifier_key_env: None,
        }
    }
}

impl AuditConfig {
    /// Checks durations and key sources.
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
    }
}
