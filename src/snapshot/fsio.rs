//! Crash-safe file system steps for the store: every write goes to a
//! temporary name, is flushed to disk (file and directory), and only then
//! renamed into place, so after a crash a reader sees either the old state or
//! the complete new one, never a half-written file or version.
//!
//! Temporary names start with [`TMP_PREFIX`]; [`remove_stray_temps`] deletes
//! what a crash left behind.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Prefix of every temporary file or directory the store creates.
pub const TMP_PREFIX: &str = ".tmp-";

/// Flushes a directory's entries (new names, renames) to disk.
pub fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Creates `path` (which must not exist yet), writes `data` and flushes it.
pub fn write_new_synced(path: &Path, data: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(data)?;
    f.sync_all()
}

/// Replaces the file at `path` with `data` atomically: a reader (or a crash)
/// sees either the old content or the new, never a mix or an empty file.
pub fn replace_file(path: &Path, data: &[u8]) -> io::Result<()> {
    let dir = parent_of(path)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "path has no file name"))?;
    let tmp = dir.join(format!(
        "{TMP_PREFIX}{}-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    // A leftover from a crashed writer of this process id would block create_new.
    let _ = fs::remove_file(&tmp);
    write_new_synced(&tmp, data)?;
    if let Err(e) = fs::rename(&tmp, path) {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fsync_dir(dir)
}

/// Moves a fully written temporary directory to its final name and makes the
/// rename durable. Fails if `target` already exists.
pub fn publish_dir(tmp: &Path, target: &Path) -> io::Result<()> {
    if target.exists() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists", target.display()),
        ));
    }
    fsync_dir(tmp)?;
    fs::rename(tmp, target)?;
    fsync_dir(parent_of(target)?)
}

/// Creates a directory (and its parents) and makes the new entries durable.
pub fn create_dir_durable(dir: &Path) -> io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_dir_durable(parent)?;
    }
    match fs::create_dir(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => return Ok(()),
        Err(e) => return Err(e),
    }
    match dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => fsync_dir(parent),
        None => Ok(()),
    }
}

/// Deletes every entry of `dir` whose name starts with [`TMP_PREFIX`]
/// (files and directories). Returns how many were removed.
pub fn remove_stray_temps(dir: &Path) -> io::Result<usize> {
    let mut removed = 0;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(&path)?;
        } else {
            fs::remove_file(&path)?;
        }
        removed += 1;
    }
    if removed > 0 {
        fsync_dir(dir)?;
    }
    Ok(removed)
}

fn parent_of(path: &Path) -> io::Result<&Path> {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => Ok(p),
        Some(_) => Ok(Path::new(".")),
        None => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "path has no parent directory",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replace_file_overwrites_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("current");
        replace_file(&p, b"v1\n").unwrap();
        replace_file(&p, b"v2\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"v2\n");
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["current"]);
    }

    #[test]
    fn replace_file_survives_a_leftover_temp_of_a_crashed_writer() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.json");
        let leftover = dir
            .path()
            .join(format!("{TMP_PREFIX}state.json-{}", std::process::id()));
        fs::write(&leftover, b"half").unwrap();
        replace_file(&p, b"{}").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"{}");
        assert!(!leftover.exists());
    }

    #[test]
    fn write_new_synced_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        write_new_synced(&p, b"1").unwrap();
        let err = write_new_synced(&p, b"2").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&p).unwrap(), b"1");
    }

    #[test]
    fn publish_dir_moves_complete_tree_and_refuses_existing_target() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path().join(format!("{TMP_PREFIX}v1"));
        fs::create_dir_all(tmp.join("raw")).unwrap();
        write_new_synced(&tmp.join("raw/a.xml"), b"<a/>").unwrap();
        let target = dir.path().join("v1");
        publish_dir(&tmp, &target).unwrap();
        assert!(!tmp.exists());
        assert_eq!(fs::read(target.join("raw/a.xml")).unwrap(), b"<a/>");

        let tmp2 = dir.path().join(format!("{TMP_PREFIX}v1b"));
        fs::create_dir(&tmp2).unwrap();
        let err = publish_dir(&tmp2, &target).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert!(
            tmp2.exists(),
            "a refused publish leaves the temp for cleanup"
        );
    }

    #[test]
    fn stray_temps_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join(format!("{TMP_PREFIX}x/raw"))).unwrap();
        fs::write(dir.path().join(format!("{TMP_PREFIX}current-1")), b"").unwrap();
        fs::write(dir.path().join("current"), b"v").unwrap();
        fs::create_dir(dir.path().join("versions")).unwrap();
        assert_eq!(remove_stray_temps(dir.path()).unwrap(), 2);
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["current", "versions"]);
    }

    #[test]
    fn create_dir_durable_makes_parents() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        create_dir_durable(&deep).unwrap();
        assert!(deep.is_dir());
        create_dir_durable(&deep).unwrap();
    }
}
