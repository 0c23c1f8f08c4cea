//! `[storage]`: where durable state lives (SQLite in `data_dir`, or PostgreSQL).

use std::path::PathBuf;

use serde::Deserialize;

use super::issues::Issues;

/// Where durable state lives.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// Directory of the embedded SQLite database (used when `url` is not set).
    pub data_dir: PathBuf,
    /// `postgres://…` URL of a PostgreSQL database shared by every instance.
    pub url: Option<String>,
    /// Connections to PostgreSQL per instance.
    pub max_connections: u32,
    /// This instance's name among those sharing the database, stable across restarts: it
    /// holds the leases on applications in flight, and a restart releases its own at once.
    /// Default: the host name.
    pub instance_id: Option<String>,
}

impl Default for StorageConfig {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            url: None,
            max_connections: 10,
            instance_id: None,
        }
    }
}

impl StorageConfig {
    /// Checks the PostgreSQL URL's scheme and the pool size.
    pub(super) fn validate(&self, issues: &mut Issues) {
        if let Some(url) = &self.url
            && !(url.starts_with("postgres://") || url.starts_with("postgresql://"))
        {
            issues.add(
                "storage.url",
                "is not a postgres:// URL",
                "give a PostgreSQL URL, or remove the key to use SQLite in storage.data_dir",
            );
        }
        if !(1..=200).contains(&self.max_connections) {
            issues.add(
                "storage.max_connections",
                "is outside 1..=200",
                "use a number such as 10",
            );
        }
    }
}
