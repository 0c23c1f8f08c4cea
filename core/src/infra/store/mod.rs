//! The bus's durable state: SQLite (WAL, full sync) in the data directory by default,
//! PostgreSQL when configured. One SQL dialect serves both through sqlx's `Any` driver;
//! the few differences are in [`Dialect`]. Migrations are numbered and applied once.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyConnection, AnyPool, Connection, Executor};

use crate::config::StorageConfig;

mod private_files;

/// Which database the store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite file in the data directory (one instance).
    Sqlite,
    /// PostgreSQL (several instances may share it).
    Postgres,
}

impl Dialect {
    /// Row-locking suffix for "claim due work" subqueries: lets several instances share a
    /// queue without taking the same row twice.
    pub(crate) fn skip_locked(self) -> &'static str {
        match self {
            Self::Sqlite => "",
            Self::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// A `SELECT` of `columns` (name, SQL type) from the objects of a JSON array bound as
    /// `$1`: many rows in one parameter and one round trip.
    pub(crate) fn select_json_rows(self, columns: &[(&str, &str)]) -> String {
        let fields = |each: &dyn Fn(&str, &str) -> String| {
            columns
                .iter()
                .map(|(name, ty)| each(name, ty))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Self::Sqlite => format!(
                "SELECT {} FROM json_each($1)",
                fields(&|name, _| format!("value ->> '{name}'"))
            ),
            Self::Postgres => format!(
                "SELECT {} FROM jsonb_to_recordset($1::jsonb) AS r({})",
                fields(&|name, _| name.to_owned()),
                fields(&|name, ty| format!("{name} {ty}"))
            ),
        }
    }
}

/// A connection pool with its dialect.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) dialect: Dialect,
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created.
    #[error("storage.data_dir {dir}: {source}. Fix: point it at a writable directory")]
    DataDir {
        /// The directory.
        dir: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The database could not be reached or migrated.
    #[error("storage: {0}. Fix: check storage.url and that the database accepts connections")]
    Database(#[from] sqlx::Error),
}

/// Schema versions, applied in order under the migration lock (see `Store::migrate`).
/// Each statement is idempotent too.
const MIGRATIONS: &[(i64, &[&str])] = &[
    (
        1,
        &[
            "CREATE TABLE IF NOT EXISTS applications (
            id TEXT PRIMARY KEY,
            partner TEXT NOT NULL,
            operation TEXT NOT NULL,
            client TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            dossier_code TEXT,
            input TEXT NOT NULL,
            callback_url TEXT,
            status TEXT NOT NULL,
            partner_reference TEXT,
            details TEXT NOT NULL,
            version BIGINT NOT NULL,
            active BIGINT NOT NULL,
            attempts BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            lease_until BIGINT NOT NULL,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            UNIQUE (client, idempotency_key)
        )",
            "CREATE UNIQUE INDEX IF NOT EXISTS applications_dossier
            ON applications (partner, dossier_code)",
            "CREATE INDEX IF NOT EXISTS applications_due
            ON applications (active, next_attempt_at)",
            "CREATE TABLE IF NOT EXISTS webhook_deliveries (
            id TEXT PRIMARY KEY,
            application_id TEXT NOT NULL,
            version BIGINT NOT NULL,
            client TEXT NOT NULL,
            url TEXT NOT NULL,
            body TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            next_attempt_at BIGINT NOT NULL,
            lease_until BIGINT NOT NULL,
            delivered_at BIGINT,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            UNIQUE (application_id, version)
        )",
            "CREATE INDEX IF NOT EXISTS webhook_deliveries_due
            ON webhook_deliveries (delivered_at, next_attempt_at)",
        ],
    ),
    (
        2,
        &[
            "CREATE TABLE IF NOT EXISTS audit_records (
                seq BIGINT PRIMARY KEY,
                at BIGINT NOT NULL,
                request_id TEXT NOT NULL,
                trace_id TEXT,
                client TEXT,
                user_id TEXT,
                dossier_code TEXT,
                partner TEXT NOT NULL,
                operation TEXT NOT NULL,
                input_digest TEXT,
                outcome TEXT NOT NULL,
                status BIGINT NOT NULL,
                cache TEXT,
                latency_ms BIGINT NOT NULL,
                partner_request_id TEXT,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )",
            "CREATE INDEX IF NOT EXISTS audit_records_dossier ON audit_records (dossier_code, seq)",
            "CREATE INDEX IF NOT EXISTS audit_records_client ON audit_records (client, at)",
            "CREATE INDEX IF NOT EXISTS audit_records_at ON audit_records (at)",
            "CREATE TABLE IF NOT EXISTS audit_head (
                id BIGINT PRIMARY KEY,
                seq BIGINT NOT NULL,
                hash TEXT NOT NULL,
                anchor_seq BIGINT NOT NULL,
                anchor_hash TEXT NOT NULL
            )",
            "INSERT INTO audit_head (id, seq, hash, anchor_seq, anchor_hash)
                VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0,
                        '0000000000000000000000000000000000000000000000000000000000000000')
                ON CONFLICT (id) DO NOTHING",
            "CREATE TABLE IF NOT EXISTS audit_keys (
                id BIGINT PRIMARY KEY,
                secret TEXT NOT NULL
            )",
        ],
    ),
    (
        3,
        &[
            // Deliveries that failed past the retry horizon, until replayed or expired.
            "CREATE TABLE IF NOT EXISTS webhook_dead_letters (
                id TEXT PRIMARY KEY,
                application_id TEXT NOT NULL,
                version BIGINT NOT NULL,
                client TEXT NOT NULL,
                url TEXT NOT NULL,
                body TEXT NOT NULL,
                attempts BIGINT NOT NULL,
                last_error TEXT,
                created_at BIGINT NOT NULL,
                dead_at BIGINT NOT NULL
            )",
            "CREATE INDEX IF NOT EXISTS webhook_dead_letters_dead_at
                ON webhook_dead_letters (dead_at)",
            // Delivered bodies are no longer kept: drop those delivered before.
            "UPDATE webhook_deliveries SET body = '' WHERE delivered_at IS NOT NULL",
        ],
    ),
    (
        4,
        &[
            // A dossier code is unique per client (and partner), among applications not
            // retired by an operator; the old index made it unique across clients.
            "DROP INDEX IF EXISTS applications_dossier",
            "ALTER TABLE applications ADD COLUMN lease_owner TEXT",
            "ALTER TABLE applications ADD COLUMN retired_at BIGINT",
            "ALTER TABLE applications ADD COLUMN retired_reason TEXT",
            "ALTER TABLE applications ADD COLUMN redacted_at BIGINT",
            "CREATE UNIQUE INDEX IF NOT EXISTS applications_client_dossier
                ON applications (client, partner, dossier_code) WHERE retired_at IS NULL",
            "CREATE INDEX IF NOT EXISTS applications_expiry
                ON applications (active, updated_at) WHERE redacted_at IS NULL",
            // Which client a partner's reference was first handed to: one province sends
            // every client's applications under one consumer code, so the partner may
            // answer two clients' submissions with one reference.
            "CREATE TABLE IF NOT EXISTS application_references (
                partner TEXT NOT NULL,
                reference TEXT NOT NULL,
                client TEXT NOT NULL,
                PRIMARY KEY (partner, reference)
            )",
            "INSERT INTO application_references (partner, reference, client)
                SELECT partner, partner_reference, MIN(client) FROM applications
                WHERE partner_reference IS NOT NULL GROUP BY partner, partner_reference
                ON CONFLICT DO NOTHING",
        ],
    ),
];

/// Whether `url` is a PostgreSQL URL the driver accepts (nothing is connected to).
pub(crate) fn check_postgres_url(url: &str) -> Result<(), String> {
    url.parse::<sqlx::postgres::PgConnectOptions>()
        .map(|_| ())
        .map_err(|e| e.to_string())
}

impl Store {
    /// Opens (creating when needed) the configured database and applies migrations.
    pub async fn open(config: &StorageConfig) -> Result<Self, StoreError> {
        install_default_drivers();
        let (url, dialect) = match &config.url {
            Some(url) => (url.clone(), Dialect::Postgres),
            None => {
                let file = private_files::prepare(&config.data_dir).map_err(|source| {
                    StoreError::DataDir {
                        dir: config.data_dir.display().to_string(),
                        source,
                    }
                })?;
                (
                    format!("sqlite://{}?mode=rwc", file.display()),
                    Dialect::Sqlite,
                )
            }
        };
        let options = AnyPoolOptions::new()
            .max_connections(match dialect {
                Dialect::Sqlite => 4,
                Dialect::Postgres => config.max_connections,
            })
            .acquire_timeout(Duration::from_secs(5))
            // A local file needs no liveness round trip before each use; a server does.
            .test_before_acquire(dialect == Dialect::Postgres);
        let options = match dialect {
            Dialect::Sqlite => options.after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                         PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
                    )
                    .await
                    .map(|_| ())
                })
            }),
            Dialect::Postgres => options,
        };
        let pool = options.connect(&url).await?;
        let store = Self { pool, dialect };
        store.migrate().await?;
        Ok(store)
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Applies the migrations not applied yet, on one connection. On PostgreSQL that
    /// connection holds an advisory lock for the whole run, so instances starting together
    /// migrate one after the other (PostgreSQL's `IF NOT EXISTS` is not safe against a
    /// concurrent `CREATE`). SQLite needs none: one instance owns its data directory and
    /// the database's write lock serialises writers.
    async fn migrate(&self) -> Result<(), sqlx::Error> {
        let mut connection = self.pool.acquire().await?;
        if self.dialect == Dialect::Postgres {
            sqlx::query("SELECT 1 AS locked FROM (SELECT pg_advisory_lock($1)) AS lock")
                .bind(MIGRATION_LOCK)
                .execute(&mut *connection)
                .await?;
        }
        let applied = apply_migrations(&mut connection).await;
        if self.dialect == Dialect::Postgres {
            let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(MIGRATION_LOCK)
                .execute(&mut *connection)
                .await;
            if unlocked.is_err() {
                // Closing the session releases the lock.
                drop(connection.detach());
            }
        }
        applied
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Key of the PostgreSQL advisory lock held while migrating ("lienthon" in ASCII).
const MIGRATION_LOCK: i64 = 0x6c69_656e_7468_6f6e;

async fn apply_migrations(connection: &mut AnyConnection) -> Result<(), sqlx::Error> {
    connection
        .execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
        )
        .await?;
    for (version, statements) in MIGRATIONS {
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT version FROM schema_migrations WHERE version = $1")
                .bind(*version)
                .fetch_optional(&mut *connection)
                .await?;
        if applied.is_some() {
            continue;
        }
        let mut tx = connection.begin().await?;
        for statement in *statements {
            tx.execute(*statement).await?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)
                 ON CONFLICT (version) DO NOTHING",
        )
        .bind(*version)
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Milliseconds since the Unix epoch, the time unit of every stored timestamp.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// RFC 3339 (UTC, milliseconds) of a stored timestamp.
pub(crate) fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
