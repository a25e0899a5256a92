//! Files only this user reads, whatever the umask: the data dir (and the log
//! folder) 0700; the database, its WAL and shared memory, recordings, exports
//! and logs 0600. Other users of the machine read no history, notes or
//! contacts. Unix only: on Windows the per-user folders are private already
//! and nothing changes.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` and any missing parents, each readable by this user only
/// (an existing folder is left as it is: see [`tighten`]).
pub fn create_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Options that create a file readable by this user only (0600); add what to open it for.
pub fn options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Opens `path` to write it from the start (created, or emptied), readable by
/// this user only — an existing file that was readable by others too is tightened.
pub fn create_file(path: &Path) -> io::Result<File> {
    let file = options()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(file)
}

/// Takes other users' access away from an existing `path`: a folder becomes
/// 0700, a file 0600. Whether it had to (a missing path is left alone: `false`).
pub fn tighten(path: &Path) -> io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if meta.permissions().mode() & 0o077 == 0 {
            return Ok(false);
        }
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(false)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn new_folders_and_files_are_this_users_only() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        create_dir(&dir).unwrap();
        assert_eq!((mode(&root.path().join("a")), mode(&dir)), (0o700, 0o700));
        let file = dir.join("export.csv");
        create_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn looser_ones_are_tightened_and_stricter_ones_kept() {
        let root = tempfile::tempdir().unwrap();
        let file = root.path().join("old.csv");
        std::fs::write(&file, "x").unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(tighten(root.path()).unwrap());
        assert!(tighten(&file).unwrap());
        assert_eq!((mode(root.path()), mode(&file)), (0o700, 0o600));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(
            !tighten(&file).unwrap(),
            "read-only for its owner: fine as it is"
        );
        assert!(!tighten(&root.path().join("missing")).unwrap());

        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o666)).unwrap();
        create_file(&file).unwrap();
        assert_eq!(
            mode(&file),
            0o600,
            "writing over a file others could read makes it private"
        );
    }
}
