//! The embedded database holds personal data (application inputs, audit records): its
//! directory is created readable by the bus's user alone (0700) and the database file
//! 0600 before SQLite opens it; SQLite gives its WAL and shared-memory files the
//! database file's mode.

use std::io;
use std::path::{Path, PathBuf};

/// Creates `data_dir` (0700) and the database file in it (0600) when they do not exist
/// yet, and returns the file's path. Existing ones are left as they are.
pub(super) fn prepare(data_dir: &Path) -> io::Result<PathBuf> {
    if !data_dir.exists() {
        create_dir(data_dir)?;
    }
    let file = data_dir.join("lienthong.db");
    create_file(&file)?;
    Ok(file)
}

#[cfg(unix)]
fn create_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    // The umask may have taken bits away; it cannot have added any.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

#[cfg(not(unix))]
fn create_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)
}

fn create_file(file: &Path) -> io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(file).map(drop)
}
