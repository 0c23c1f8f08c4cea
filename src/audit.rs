//! `lienthong audit …`: check the audit log's hash chain (and its signed checkpoints),
//! search it, archive old records, create its keys, move a key out of the store.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use lienthong_core::Config;
use lienthong_core::audit::checkpoint::SignedHeads;
use lienthong_core::audit::{chain, keys, query};
use lienthong_core::config::StorageConfig;
use lienthong_core::store::Store;

/// Which audit log: the one in a data directory (SQLite) or the one a config names.
#[derive(Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct Source {
    /// Data directory of a bus running on the embedded SQLite store.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Configuration file of the bus (its `[storage]` section is used).
    #[arg(long, short)]
    pub config: Option<PathBuf>,
}

/// Audit subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum AuditCommand {
    /// Check the whole hash chain, and with --public-key and --checkpoints that it matches
    /// every signed checkpoint; names the first broken record.
    Verify {
        /// Which audit log.
        #[command(flatten)]
        source: Source,
        /// The checkpoint verifying key (audit-checkpoint.pub.pem from `audit keygen`).
        #[arg(long, requires = "checkpoints")]
        public_key: Option<PathBuf>,
        /// A checkpoint file ([audit] checkpoint_file); give one per instance.
        #[arg(long, requires = "public_key")]
        checkpoints: Vec<PathBuf>,
    },
    /// Create the audit log's keys in a directory: identifier.key (digest key),
    /// audit-checkpoint.pem (signing key) and audit-checkpoint.pub.pem (for verify).
    Keygen {
        /// Directory to write them to (created owner-only; existing keys are kept).
        #[arg(long)]
        out: PathBuf,
    },
    /// Move the identifier-digest key older versions kept in the store to a file (hex,
    /// owner-only) and remove it from the store; then set [audit] identifier_key_file.
    ExportKey {
        /// Which audit log.
        #[command(flatten)]
        source: Source,
        /// The key file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Print matching records as JSON lines, oldest first.
    Search {
        /// Which audit log.
        #[command(flatten)]
        source: Source,
        /// Records of this dossier.
        #[arg(long)]
        dossier: Option<String>,
        /// Records of this client.
        #[arg(long)]
        client: Option<String>,
        /// Records at or after this date (YYYY-MM-DD) or time (RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// At most this many records.
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
    /// Move records older than a date to a JSON-lines file and remove them; the chain that
    /// remains stays verifiable, and so does the archive.
    Archive {
        /// Which audit log.
        #[command(flatten)]
        source: Source,
        /// Archive records before this date (YYYY-MM-DD) or time (RFC 3339).
        #[arg(long)]
        before: String,
        /// The archive file to write (must not exist).
        #[arg(long)]
        out: PathBuf,
        /// Records moved per transaction; the chain's head is held for one batch at a time.
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(i64).range(1..=100_000))]
        batch: i64,
    },
}

async fn open(source: &Source) -> Result<Store, String> {
    let storage = match (&source.data_dir, &source.config) {
        (Some(dir), _) => StorageConfig {
            data_dir: dir.clone(),
            ..StorageConfig::default()
        },
        (None, Some(path)) => Config::load(path).map_err(|e| e.to_string())?.storage,
        (None, None) => return Err("give --data-dir or --config".into()),
    };
    if storage.url.is_none() && !storage.data_dir.join("lienthong.db").exists() {
        return Err(format!(
            "{}: no audit log here (lienthong.db is missing)",
            storage.data_dir.display()
        ));
    }
    Store::open(&storage).await.map_err(|e| e.to_string())
}

/// Unix milliseconds of `YYYY-MM-DD` (midnight ICT) or an RFC 3339 time.
fn parse_time(flag: &str, text: &str) -> Result<i64, String> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.timestamp_millis());
    }
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("--{flag} {text}: use YYYY-MM-DD or an RFC 3339 time"))?;
    let ict = chrono::FixedOffset::east_opt(7 * 3600).ok_or("time zone")?;
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(ict).single())
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| format!("--{flag} {text}: not a valid date"))
}

/// Runs an audit subcommand; `Ok(false)` means the check found a problem.
pub async fn run(command: AuditCommand) -> Result<bool, String> {
    match command {
        AuditCommand::Verify {
            source,
            public_key,
            checkpoints,
        } => verify(&source, public_key.as_deref(), &checkpoints).await,
        AuditCommand::Keygen { out } => {
            let files = keys::generate(&out)?;
            println!(
                "wrote {}, {} and {}\n\n[audit]\nidentifier_key_file = \"{}\"\ncheckpoint_key_file = \"{}\"\ncheckpoint_file = \"/var/lib/lienthong/audit-checkpoints.jsonl\"\n\nKeep the private keys off the database host's backups; verify with --public-key {}",
                files.identifier_key.display(),
                files.checkpoint_key.display(),
                files.checkpoint_public_key.display(),
                files.identifier_key.display(),
                files.checkpoint_key.display(),
                files.checkpoint_public_key.display(),
            );
            Ok(true)
        }
        AuditCommand::ExportKey { source, out } => {
            let store = open(&source).await?;
            let result = export_key(&store, &out).await;
            store.close().await;
            result
        }
        AuditCommand::Search {
            source,
            dossier,
            client,
            since,
            limit,
        } => {
            let since = since.map(|s| parse_time("since", &s)).transpose()?;
            let store = open(&source).await?;
            let search = query::Search {
                dossier,
                client,
                since,
                limit: Some(limit),
            };
            let records = query::search(&store, &search)
                .await
                .map_err(|e| e.to_string())?;
            store.close().await;
            let mut out = std::io::stdout().lock();
            for record in records {
                let line = serde_json::to_string(&record).map_err(|e| e.to_string())?;
                writeln!(out, "{line}").map_err(|e| e.to_string())?;
            }
            Ok(true)
        }
        AuditCommand::Archive {
            source,
            before,
            out,
            batch,
        } => {
            let before = parse_time("before", &before)?;
            archive(&source, before, &out, batch).await
        }
    }
}

async fn archive(source: &Source, before: i64, out: &Path, batch: i64) -> Result<bool, String> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|e| format!("--out {}: {e}", out.display()))?;
    let store = open(source).await?;
    let result = query::archive(&store, before, &mut file, batch).await;
    store.close().await;
    match result {
        Ok(archived) => {
            println!(
                "archived {} records to {}; the log now starts after record {} (hash {})",
                archived.records,
                out.display(),
                archived.anchor.0,
                archived.anchor.1
            );
            Ok(true)
        }
        Err(stopped) if stopped.done.records == 0 => {
            let _ = std::fs::remove_file(out);
            Err(stopped.error.to_string())
        }
        Err(stopped) => Err(format!(
            "{stopped}; {} holds them and the log starts after record {}",
            out.display(),
            stopped.done.anchor.0
        )),
    }
}

async fn verify(
    source: &Source,
    public_key: Option<&Path>,
    files: &[PathBuf],
) -> Result<bool, String> {
    let signed = match public_key {
        Some(path) => {
            let key = keys::read_verifying_key(path)?;
            match SignedHeads::read(files, &key) {
                Ok(signed) => Some(signed),
                Err(problem) => {
                    println!("audit log not verified: {problem}");
                    return Ok(false);
                }
            }
        }
        None => None,
    };
    let store = open(source).await?;
    let result = chain::verify(&store, signed.as_ref()).await;
    store.close().await;
    let result = result.map_err(|e| e.to_string())?;
    if let Some(broken) = result.broken {
        println!(
            "audit log broken at record {}: {} ({} records before it verified)",
            broken.seq, broken.reason, result.checked
        );
        return Ok(false);
    }
    match signed {
        Some(signed) => println!(
            "audit log intact: {} records verified; {} of {} signed checkpoints match ({} are of archived records)",
            result.checked,
            result.checkpoints_matched,
            signed.len(),
            result.checkpoints_archived
        ),
        None => println!(
            "audit log intact: {} records verified (the hash chain only: give --public-key and --checkpoints to detect a consistent rewrite)",
            result.checked
        ),
    }
    Ok(true)
}

async fn export_key(store: &Store, out: &Path) -> Result<bool, String> {
    let key = keys::stored_key(store)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the store holds no identifier key: it is already outside the store")?;
    keys::write_key_file(out, &key).map_err(|e| format!("--out {}: {e}", out.display()))?;
    keys::forget_stored_key(store).await.map_err(|e| {
        format!(
            "the key was written to {} but not removed from the store: {e}",
            out.display()
        )
    })?;
    println!(
        "moved the identifier key to {}; set [audit] identifier_key_file = \"{}\" on every instance",
        out.display(),
        out.display()
    );
    Ok(true)
}
