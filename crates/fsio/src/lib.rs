//! The one atomic file writer of the workspace.
//!
//! Every crate that writes a file a user keeps (model files, CSV, PNG,
//! figures, generated tables, checkpoints) goes through [`write_atomic`], so
//! they all behave alike: a reader sees the old file or the whole new one,
//! never a part; the new file survives a power cut once the call returns; it
//! gets the project's file mode (`rw-r--r--`); and an existing file is
//! replaced only when the caller asks.
//!
//! Errors are plain [`std::io::Error`]s so that each crate can wrap them in its
//! own error type. A refused overwrite has kind
//! [`std::io::ErrorKind::AlreadyExists`]; [`is_refused_overwrite`] tests it.

use std::io::{self, Write};
use std::path::Path;

/// The mode of every file the project writes: read-write for the owner,
/// read-only for everyone else (a temporary file would be owner-only).
pub const FILE_MODE: u32 = 0o644;

/// Whether an existing file at the destination may be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overwrite {
    /// Fail with [`io::ErrorKind::AlreadyExists`] if the file exists.
    Refuse,
    /// Replace an existing file.
    Allow,
}

impl From<bool> for Overwrite {
    /// `true` (as from a `--force` flag) allows replacing a file.
    fn from(force: bool) -> Self {
        if force {
            Overwrite::Allow
        } else {
            Overwrite::Refuse
        }
    }
}

/// Write `bytes` to `path` atomically and durably.
///
/// Steps: a temporary file in the same folder (so the rename stays on one
/// file system), write, set mode [`FILE_MODE`], fsync the file, rename it over
/// `path` (refusing an existing file unless `overwrite` allows it, without a
/// race between the check and the rename), fsync the folder so the rename
/// itself is on disk. On any failure the temporary file is removed and
/// `path` is untouched. The folder must exist.
pub fn write_atomic(path: &Path, bytes: &[u8], overwrite: impl Into<Overwrite>) -> io::Result<()> {
    let folder = folder_of(path);
    let mut tmp = tempfile::Builder::new()
        .prefix(".fsio-")
        .tempfile_in(folder)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::Permissions::from_mode(FILE_MODE);
        tmp.as_file().set_permissions(mode)?;
    }
    tmp.as_file().sync_all()?;
    let persisted = match overwrite.into() {
        Overwrite::Allow => tmp.persist(path),
        Overwrite::Refuse => tmp.persist_noclobber(path),
    };
    persisted.map_err(|e| e.error)?;
    sync_folder(folder)
}

/// Whether `error` is [`write_atomic`] refusing to replace an existing file.
pub fn is_refused_overwrite(error: &io::Error) -> bool {
    error.kind() == io::ErrorKind::AlreadyExists
}

/// The folder holding `path` (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Make a rename in `folder` durable. Only Unix can open a folder to sync it.
fn sync_folder(folder: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(folder)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = folder;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".fsio-"))
            .collect()
    }

    #[test]
    fn writes_the_bytes_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"hello", Overwrite::Refuse).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn the_file_gets_the_project_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic(&path, b"x", false).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, FILE_MODE);
    }

    #[test]
    fn an_existing_file_is_kept_unless_overwrite_is_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        std::fs::write(&path, b"old").unwrap();
        let err = write_atomic(&path, b"new", Overwrite::Refuse).unwrap_err();
        assert!(is_refused_overwrite(&err), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert!(leftovers(dir.path()).is_empty());

        write_atomic(&path, b"new", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    #[test]
    fn a_failed_rename_leaves_no_partial_file_and_the_old_one_intact() {
        // The destination is a non-empty folder: the data is written, but the
        // rename must fail, after the point where a partial file could appear.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), b"keep").unwrap();
        assert!(write_atomic(&path, b"new bytes", true).is_err());
        assert!(path.is_dir());
        assert_eq!(std::fs::read(path.join("inside")).unwrap(), b"keep");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no/such/folder/a.txt");
        let err = write_atomic(&path, b"x", true).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
        assert!(!path.exists());
    }

    #[test]
    fn a_bare_file_name_lives_in_the_current_folder() {
        assert_eq!(folder_of(Path::new("a.txt")), Path::new("."));
        assert_eq!(folder_of(Path::new("d/a.txt")), Path::new("d"));
    }
}
