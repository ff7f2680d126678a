//! Files written beside their final name and renamed into place, so a reader never sees half
//! a file.

use std::{
    ffi::OsString,
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

/// A temporary name beside `path`, unique to this process and this call.
///
/// One fixed name (`<path>.tmp`) is not enough: two writers of the same content (two tasks
/// fetching one hash, two processes building one shard) then share the temporary file, and the
/// second rename finds it already moved (`ENOENT`), failing a fetch that had succeeded.
pub(crate) fn temp_beside(path: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut name: OsString = path.as_os_str().to_owned();
    name.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    PathBuf::from(name)
}

/// Deletes `path`; `false` if it was already gone (another process pruned it first).
pub(crate) fn remove_if_present(path: &Path) -> std::io::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_gets_its_own_name_beside_the_file() {
        let path = Path::new("/some/dir/abc.olshard");
        let (a, b) = (temp_beside(path), temp_beside(path));
        assert_ne!(a, b);
        assert_eq!(a.parent(), path.parent());
        assert!(a.to_string_lossy().starts_with("/some/dir/abc.olshard."));
    }
}
