//! Configuration of applications to asynchronous partners: how long their personal data
//! is kept, and the identity under which an instance holds their leases.

use std::time::Duration;

use serde::Deserialize;

use super::issues::Issues;
use super::storage::StorageConfig;

/// Applications to asynchronous partners.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ApplicationsConfig {
    /// How long after an application reaches a final state its input and the partner's
    /// results (the certificate and its PDF) are kept; then they are erased and only the
    /// status, dossier code, partner reference and times remain.
    #[serde(with = "humantime_serde")]
    pub retention: Duration,
}

impl Default for ApplicationsConfig {
    fn default() -> Self {
        Self {
            retention: Duration::from_secs(30 * 86_400),
        }
    }
}

/// Longest retention accepted: ten years.
const MAX_RETENTION: Duration = Duration::from_secs(10 * 365 * 86_400);
/// Longest instance id accepted.
const MAX_INSTANCE_ID: usize = 64;

/// What an instance is called when `storage.instance_id` is not set and its host name
/// cannot be read.
const FALLBACK_INSTANCE_ID: &str = "lienthong";

impl StorageConfig {
    /// The identity this instance holds leases under: `instance_id`, else the host name.
    pub fn instance(&self) -> String {
        self.instance_id.clone().unwrap_or_else(host_name)
    }
}

/// The machine's host name (Linux), else `HOSTNAME`, else a fixed name.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| valid_instance_id(name))
        .unwrap_or_else(|| FALLBACK_INSTANCE_ID.to_owned())
}

fn valid_instance_id(id: &str) -> bool {
    (1..=MAX_INSTANCE_ID).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

/// Checks `[applications]` and `storage.instance_id`.
pub(super) fn validate(
    applications: &ApplicationsConfig,
    storage: &StorageConfig,
    issues: &mut Issues,
) {
    let retention = applications.retention;
    if retention < Duration::from_secs(1) || retention > MAX_RETENTION {
        issues.add(
            "applications.retention",
            format!("{retention:?} is outside [1s, 3650d]"),
            "use a duration such as \"30d\"",
        );
    }
    if let Some(id) = &storage.instance_id
        && !valid_instance_id(id)
    {
        issues.add(
            "storage.instance_id",
            format!("must be 1-{MAX_INSTANCE_ID} visible ASCII characters"),
            "name the instance, e.g. \"bus1\"; every instance sharing one database needs its own",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_and_instance_id_are_checked() {
        let mut issues = Issues::default();
        let storage = StorageConfig {
            instance_id: Some("two words".into()),
            ..StorageConfig::default()
        };
        let applications = ApplicationsConfig {
            retention: Duration::ZERO,
        };
        validate(&applications, &storage, &mut issues);
        let keys: Vec<String> = issues.into_vec().into_iter().map(|i| i.key).collect();
        assert_eq!(keys, ["applications.retention", "storage.instance_id"]);
    }
}
