//! The audit log's keys live outside the store: the identifier-digest key (hex in a file,
//! or raw in an environment variable) and the Ed25519 key pair of the signed checkpoints
//! (PKCS#8 / SPKI PEM files). Private key files are created owner-only and refused when
//! others may read them. Keys older versions kept in the store (`audit_keys`) are moved
//! out — automatically into `data_dir` on SQLite, with `lienthong audit export-key`
//! otherwise.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::spki::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::{SigningKey, VerifyingKey};

use super::checkpoint;
use crate::config::{AuditConfig, Issues, StorageConfig};
use crate::infra::store::{Dialect, Store};

/// Shortest identifier-digest key accepted, in bytes.
const MIN_KEY_BYTES: usize = 32;

/// File names `lienthong audit keygen` writes (and the demo uses).
pub const IDENTIFIER_KEY_FILE: &str = "identifier.key";
/// The checkpoint signing key (PKCS#8 PEM).
pub const CHECKPOINT_KEY_FILE: &str = "audit-checkpoint.pem";
/// The checkpoint verifying key (SPKI PEM), for `lienthong audit verify --public-key`.
pub const CHECKPOINT_PUBLIC_KEY_FILE: &str = "audit-checkpoint.pub.pem";

/// Where the identifier key is when config names none: `<data_dir>/keys/identifier.key`.
pub fn default_identifier_key_file(storage: &StorageConfig) -> PathBuf {
    storage.data_dir.join("keys").join(IDENTIFIER_KEY_FILE)
}

/// The identifier-digest key `config` names (see the module docs for keys still kept in
/// the store). The error says what to do.
pub(crate) async fn identifier_key(
    config: &AuditConfig,
    storage: &StorageConfig,
    store: &Store,
) -> Result<Vec<u8>, String> {
    let stored = stored_key(store)
        .await
        .map_err(|e| format!("audit: cannot read audit_keys: {e}"))?;
    let export = "move it out with `lienthong audit export-key --config FILE --out KEYFILE`, then set [audit] identifier_key_file = KEYFILE";
    let key = match (&config.identifier_key_env, &config.identifier_key_file) {
        (Some(var), _) => {
            key_from_env(var).map_err(|e| format!("audit.identifier_key_env: {e}"))?
        }
        (None, Some(path)) => match (path.exists(), &stored) {
            (true, _) => read_key_file(path)?,
            (false, Some(key)) => write_new_key(path, key)?,
            (false, None) => {
                return Err(format!(
                    "audit.identifier_key_file: {} does not exist. Fix: create it with `lienthong audit keygen --out DIR`",
                    path.display()
                ));
            }
        },
        (None, None) => {
            let path = default_identifier_key_file(storage);
            match (path.exists(), &stored) {
                (true, _) => read_key_file(&path)?,
                (false, Some(_)) if store.dialect == Dialect::Postgres => {
                    return Err(format!(
                        "audit: the store still holds the identifier key of the earlier records, which every instance must share. Fix: {export}"
                    ));
                }
                (false, Some(key)) => write_new_key(&path, key)?,
                (false, None) => {
                    let mut fresh = [0u8; 32];
                    rand::fill(&mut fresh);
                    tracing::info!(file = %path.display(), "generated the identifier-digest key");
                    write_new_key(&path, &fresh)?
                }
            }
        }
    };
    if let Some(stored) = stored {
        if stored != key {
            return Err(format!(
                "audit: the store holds another identifier key than the one configured (the key of earlier records). Fix: {export} (or keep the exported file aside to start a new key)"
            ));
        }
        forget_stored_key(store)
            .await
            .map_err(|e| format!("audit: cannot remove the key from audit_keys: {e}"))?;
        tracing::info!("the identifier-digest key was moved out of the store");
    }
    Ok(key)
}

/// The identifier key in the environment variable `var`: set, and long enough.
fn key_from_env(var: &str) -> Result<Vec<u8>, String> {
    let value = std::env::var(var).map_err(|_| format!("{var} is not set. Fix: export it"))?;
    if value.len() < MIN_KEY_BYTES {
        return Err(format!(
            "{var} is shorter than {MIN_KEY_BYTES} bytes. Fix: use a long random value (lienthong audit keygen writes one)"
        ));
    }
    Ok(value.into_bytes())
}

/// What [`identifier_key`] and the checkpoint sink would refuse at start without the
/// store: the key's variable or an existing key file, the checkpoint signing key and
/// the checkpoint file's folder. A key file that does not exist yet is no issue: the bus
/// creates it (or moves the stored key of earlier versions there).
pub(crate) fn check_files(config: &AuditConfig, storage: &StorageConfig, issues: &mut Issues) {
    const KEYGEN: &str = "create the keys with `lienthong audit keygen --out DIR`";
    match (&config.identifier_key_env, &config.identifier_key_file) {
        (Some(var), _) => {
            if let Err(e) = key_from_env(var) {
                issues.add_message("audit.identifier_key_env", &e, "export it");
            }
        }
        (None, file) => {
            let path = file
                .clone()
                .unwrap_or_else(|| default_identifier_key_file(storage));
            if path.exists()
                && let Err(e) = read_key_file(&path)
            {
                issues.add_message("audit.identifier_key_file", &e, KEYGEN);
            }
        }
    }
    if let (Some(key), Some(file)) = (&config.checkpoint_key_file, &config.checkpoint_file) {
        if let Err(e) = read_signing_key(key) {
            issues.add_message("audit.checkpoint_key_file", &e, KEYGEN);
        }
        if let Err(e) = checkpoint::check_writable(file, false) {
            let e = e.trim_start_matches("audit.checkpoint_file: ");
            issues.add_message("audit.checkpoint_file", e, "point it at a writable file");
        }
    }
}

/// The key older versions kept in the store, if it is still there.
pub async fn stored_key(store: &Store) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let secret: Option<String> = sqlx::query_scalar("SELECT secret FROM audit_keys WHERE id = 1")
        .fetch_optional(&store.pool)
        .await?;
    Ok(secret.and_then(|s| hex::decode(s).ok()))
}

/// Removes the key older versions kept in the store.
pub async fn forget_stored_key(store: &Store) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM audit_keys")
        .execute(&store.pool)
        .await
        .map(|_| ())
}

/// Writes `key` (hex) to a new owner-only file at `path` and returns it.
fn write_new_key(path: &Path, key: &[u8]) -> Result<Vec<u8>, String> {
    write_key_file(path, key).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key.to_vec())
}

/// Writes `key` as hex to a new owner-only file (its directory created owner-only).
pub fn write_key_file(path: &Path, key: &[u8]) -> std::io::Result<()> {
    write_private(path, format!("{}\n", hex::encode(key)).as_bytes())
}

/// The key in a file `write_key_file` wrote: hex, at least 32 bytes, owner-only.
pub fn read_key_file(path: &Path) -> Result<Vec<u8>, String> {
    let text = read_private(path)?;
    let key = hex::decode(text.trim()).map_err(|_| {
        format!(
            "{}: not a hex key. Fix: create one with `lienthong audit keygen --out DIR`",
            path.display()
        )
    })?;
    if key.len() < MIN_KEY_BYTES {
        return Err(format!(
            "{}: the key is shorter than {MIN_KEY_BYTES} bytes. Fix: create one with `lienthong audit keygen --out DIR`",
            path.display()
        ));
    }
    Ok(key)
}

/// The checkpoint signing key in a PKCS#8 PEM file (owner-only).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, String> {
    let text = read_private(path)?;
    SigningKey::from_pkcs8_pem(&text).map_err(|e| {
        format!(
            "{}: not an Ed25519 private key in PKCS#8 PEM ({e}). Fix: create one with `lienthong audit keygen --out DIR`",
            path.display()
        )
    })
}

/// The checkpoint verifying key in an SPKI PEM file.
pub fn read_verifying_key(path: &Path) -> Result<VerifyingKey, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    VerifyingKey::from_public_key_pem(&text).map_err(|e| {
        format!(
            "{}: not an Ed25519 public key in PEM ({e}); give the {CHECKPOINT_PUBLIC_KEY_FILE} that `lienthong audit keygen` wrote",
            path.display()
        )
    })
}

/// The files [`generate`] wrote.
#[derive(Debug, Clone)]
pub struct KeyFiles {
    /// Identifier-digest key (hex).
    pub identifier_key: PathBuf,
    /// Checkpoint signing key (PKCS#8 PEM).
    pub checkpoint_key: PathBuf,
    /// Checkpoint verifying key (SPKI PEM).
    pub checkpoint_public_key: PathBuf,
}

/// Creates the audit log's keys in `dir` (created owner-only when missing): an
/// identifier key and a checkpoint key pair. Existing files are never overwritten.
pub fn generate(dir: &Path) -> Result<KeyFiles, String> {
    let files = KeyFiles {
        identifier_key: dir.join(IDENTIFIER_KEY_FILE),
        checkpoint_key: dir.join(CHECKPOINT_KEY_FILE),
        checkpoint_public_key: dir.join(CHECKPOINT_PUBLIC_KEY_FILE),
    };
    for file in [
        &files.identifier_key,
        &files.checkpoint_key,
        &files.checkpoint_public_key,
    ] {
        if file.exists() {
            return Err(format!(
                "{}: already exists; keys are never overwritten",
                file.display()
            ));
        }
    }
    let mut identifier = [0u8; 32];
    rand::fill(&mut identifier);
    write_key_file(&files.identifier_key, &identifier)
        .map_err(|e| format!("{}: {e}", files.identifier_key.display()))?;
    generate_checkpoint_keys(&files.checkpoint_key, &files.checkpoint_public_key)?;
    Ok(files)
}

/// Creates a checkpoint key pair: `private` (owner-only) and `public`.
pub fn generate_checkpoint_keys(private: &Path, public: &Path) -> Result<(), String> {
    let mut secret = [0u8; 32];
    rand::fill(&mut secret);
    let key = SigningKey::from_bytes(&secret);
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the private key: {e}"))?;
    write_private(private, pem.as_bytes()).map_err(|e| format!("{}: {e}", private.display()))?;
    let public_pem = key
        .verifying_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| format!("cannot encode the public key: {e}"))?;
    std::fs::write(public, public_pem).map_err(|e| format!("{}: {e}", public.display()))
}

/// Writes a new file only its owner may read (and its directory, owner-only, if missing),
/// synced before it returns.
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Reads a private key file, refusing one that others may read.
fn read_private(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file
            .metadata()
            .map_err(|e| format!("{}: {e}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "{}: others may read this key (mode {:o}). Fix: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            ));
        }
    }
    std::io::read_to_string(file).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key pair made with `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout`.
    const OPENSSL_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEII0NxsoH5Y4sv/eRbcpHyLIE5k7PU9JV3KS8afHf0l+X\n-----END PRIVATE KEY-----\n";
    const OPENSSL_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAoOM5wbvHopDEratGvzfA3P72WE7JyT57p/zjymaLiRw=\n-----END PUBLIC KEY-----\n";

    #[test]
    fn keys_openssl_writes_are_read_and_ours_are_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let private = dir.path().join("k.pem");
        write_private(&private, OPENSSL_PRIVATE.as_bytes()).expect("write");
        let public = dir.path().join("k.pub.pem");
        std::fs::write(&public, OPENSSL_PUBLIC).expect("write");
        let signing = read_signing_key(&private).expect("openssl private key");
        assert_eq!(read_verifying_key(&public), Ok(signing.verifying_key()));

        let files = generate(&dir.path().join("keys")).expect("keygen");
        assert_eq!(
            read_key_file(&files.identifier_key).map(|k| k.len()),
            Ok(32)
        );
        let ours = read_signing_key(&files.checkpoint_key).expect("our private key");
        assert_eq!(
            read_verifying_key(&files.checkpoint_public_key),
            Ok(ours.verifying_key())
        );
        assert!(
            generate(&dir.path().join("keys")).is_err(),
            "keys overwritten"
        );

        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let refused = read_signing_key(&private).expect_err("group-readable key");
        assert!(refused.contains("chmod 600"), "{refused}");
    }
}
